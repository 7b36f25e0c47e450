import { ConfigError, type InputValues } from '@cutover/kit';
import type { EventContext } from '@cutover/github';
import type { inputs as inputSchema } from './inputs.js';

export type ChecklistSource =
  | { kind: 'file'; path: string }
  | { kind: 'issue'; number: number }
  | { kind: 'pull-request'; number: number }
  | { kind: 'release'; tag: string };

export interface SourceInputs {
  source: 'auto' | 'file' | 'issue' | 'pull-request' | 'release';
  path: string | undefined;
  issueNumber: number | undefined;
  releaseTag: string | undefined;
}

/** Pure: turns the inputs and the triggering event into one concrete checklist source. */
export function resolveSource(inputs: SourceInputs, event: EventContext): ChecklistSource {
  const pullNumber =
    event.payload.pull_request?.number ??
    (event.payload.issue?.pull_request != null ? event.payload.issue.number : undefined);
  const issueNumber =
    inputs.issueNumber ??
    (event.payload.issue?.pull_request == null ? event.payload.issue?.number : undefined);
  const tag =
    inputs.releaseTag ??
    event.payload.release?.tag_name ??
    (event.ref?.startsWith('refs/tags/') === true ? event.ref.slice(10) : undefined);
  const needs = (what: string) =>
    new ConfigError(`input 'source' is ${inputs.source}, but ${what}`);

  switch (inputs.source) {
    case 'file':
      if (inputs.path === undefined) throw needs("input 'path' is empty: name the markdown file");
      return { kind: 'file', path: inputs.path };
    case 'issue':
      if (issueNumber === undefined)
        throw needs(
          `input 'issue-number' is empty and the ${event.eventName || 'current'} event carries no issue`,
        );
      return { kind: 'issue', number: issueNumber };
    case 'pull-request':
      if (pullNumber === undefined)
        throw needs(`the ${event.eventName || 'current'} event carries no pull request`);
      return { kind: 'pull-request', number: pullNumber };
    case 'release':
      if (tag === undefined)
        throw needs(
          `input 'release-tag' is empty and the run is neither a release event nor a tag push`,
        );
      return { kind: 'release', tag };
    case 'auto':
      if (inputs.path !== undefined) return { kind: 'file', path: inputs.path };
      if (inputs.issueNumber !== undefined) return { kind: 'issue', number: inputs.issueNumber };
      if (pullNumber !== undefined) return { kind: 'pull-request', number: pullNumber };
      if (
        tag !== undefined &&
        (inputs.releaseTag !== undefined ||
          event.payload.release !== undefined ||
          event.ref?.startsWith('refs/tags/') === true)
      )
        return { kind: 'release', tag };
      if (issueNumber !== undefined) return { kind: 'issue', number: issueNumber };
      throw new ConfigError(
        `input 'source' is auto, but nothing names a checklist: set 'path', 'issue-number' or 'release-tag', or run on a pull_request, issues, release or tag-push event (this run: ${event.eventName || 'no event'})`,
      );
  }
}

/** The source the action's inputs and event name, and warnings about inputs it ignores. */
export function chooseSource(
  inputs: InputValues<typeof inputSchema>,
  event: EventContext,
): { source: ChecklistSource; warnings: string[] } {
  const source = resolveSource(
    {
      source: inputs.source,
      path: inputs.path,
      issueNumber: inputs['issue-number'],
      releaseTag: inputs['release-tag'],
    },
    event,
  );
  const options = {
    tickVerified: inputs['tick-verified'],
    includeComments: inputs['include-comments'],
  };
  return { source, warnings: checkSourceOptions(source, options) };
}

/**
 * Refuses options the source cannot honour; returns warnings for those it can ignore.
 * Only issue and pull-request bodies can be written back, so ticking elsewhere is an error.
 */
export function checkSourceOptions(
  source: ChecklistSource,
  options: { tickVerified: boolean; includeComments: boolean },
): string[] {
  if (options.tickVerified && source.kind !== 'issue' && source.kind !== 'pull-request')
    throw new ConfigError(
      `input 'tick-verified' is true, but only issue and pull-request bodies can be ticked; the source is ${source.kind}`,
    );
  if (options.includeComments && (source.kind === 'file' || source.kind === 'release'))
    return [`input 'include-comments' is ignored: a ${source.kind} has no comments`];
  return [];
}

export function describeSource(source: ChecklistSource): string {
  switch (source.kind) {
    case 'file':
      return source.path;
    case 'issue':
      return `issue #${source.number}`;
    case 'pull-request':
      return `pull request #${source.number}`;
    case 'release':
      return `release ${source.tag}`;
  }
}
