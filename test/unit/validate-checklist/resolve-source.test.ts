import { describe, expect, it } from 'vitest';
import type { EventContext, EventPayload } from '@cutover/github';
import {
  checkSourceOptions,
  resolveSource,
  type SourceInputs,
} from '../../../actions/validate-checklist/src/resolve-source.js';

const event = (eventName: string, payload: EventPayload, ref?: string): EventContext => ({
  owner: 'acme',
  repo: 'shop',
  eventName,
  ref,
  sha: 'abc',
  runId: '1',
  workspace: '.',
  apiUrl: 'http://x',
  payload,
});
const inputs = (overrides: Partial<SourceInputs> = {}): SourceInputs => ({
  source: 'auto',
  path: undefined,
  issueNumber: undefined,
  releaseTag: undefined,
  ...overrides,
});

describe('resolveSource', () => {
  it.each([
    [
      'a path wins',
      inputs({ path: 'c.md', issueNumber: 3 }),
      event('pull_request', { pull_request: { number: 9 } }),
      { kind: 'file', path: 'c.md' },
    ],
    [
      'an issue number beats the event',
      inputs({ issueNumber: 3 }),
      event('pull_request', { pull_request: { number: 9 } }),
      { kind: 'issue', number: 3 },
    ],
    [
      'a pull_request event',
      inputs(),
      event('pull_request', { pull_request: { number: 9 } }),
      { kind: 'pull-request', number: 9 },
    ],
    [
      'a comment on a pull request',
      inputs(),
      event('issue_comment', { issue: { number: 9, pull_request: {} } }),
      { kind: 'pull-request', number: 9 },
    ],
    [
      'a release event',
      inputs(),
      event('release', { release: { tag_name: 'v1.0.0' } }),
      { kind: 'release', tag: 'v1.0.0' },
    ],
    [
      'a tag push',
      inputs(),
      event('push', {}, 'refs/tags/v2.1.0'),
      { kind: 'release', tag: 'v2.1.0' },
    ],
    [
      'an issues event',
      inputs(),
      event('issues', { issue: { number: 4 } }),
      { kind: 'issue', number: 4 },
    ],
    [
      'source release with an explicit tag',
      inputs({ source: 'release', releaseTag: 'v3.0.0' }),
      event('workflow_dispatch', {}),
      { kind: 'release', tag: 'v3.0.0' },
    ],
  ])('auto and explicit sources: %s', (_name, given, context, expected) => {
    expect(resolveSource(given, context)).toEqual(expected);
  });

  it.each([
    [
      inputs({ source: 'file' }),
      "input 'source' is file, but input 'path' is empty: name the markdown file",
    ],
    [
      inputs({ source: 'issue' }),
      "input 'source' is issue, but input 'issue-number' is empty and the push event carries no issue",
    ],
    [
      inputs({ source: 'pull-request' }),
      "input 'source' is pull-request, but the push event carries no pull request",
    ],
    [
      inputs({ source: 'release' }),
      "input 'source' is release, but input 'release-tag' is empty and the run is neither a release event nor a tag push",
    ],
    [inputs(), "input 'source' is auto, but nothing names a checklist"],
  ])('explains what is missing', (given, message) => {
    expect(() => resolveSource(given, event('push', {}, 'refs/heads/main'))).toThrow(message);
  });
});

describe('checkSourceOptions', () => {
  it('refuses tick-verified for every source whose body cannot be written back', () => {
    for (const source of [
      { kind: 'file', path: 'c.md' },
      { kind: 'release', tag: 'v1.0.0' },
    ] as const)
      expect(() =>
        checkSourceOptions(source, { tickVerified: true, includeComments: false }),
      ).toThrow(`the source is ${source.kind}`);
    expect(
      checkSourceOptions(
        { kind: 'pull-request', number: 4 },
        {
          tickVerified: true,
          includeComments: true,
        },
      ),
    ).toEqual([]);
  });

  it('warns that include-comments is ignored for a source without comments', () => {
    expect(
      checkSourceOptions(
        { kind: 'release', tag: 'v1.0.0' },
        {
          tickVerified: false,
          includeComments: true,
        },
      ),
    ).toEqual(["input 'include-comments' is ignored: a release has no comments"]);
  });
});
