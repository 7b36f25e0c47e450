import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ServiceError, ConfigError, createVirtualClock } from '@cutover/kit';
import { GitHubApi, judgeChecks } from '@cutover/github';
import { FakeGitHub, secondaryRateLimit, serverError } from '../../support/fake-github.js';

let github: FakeGitHub;
let clock: ReturnType<typeof createVirtualClock>;
let logs: string[];
const api = () =>
  new GitHubApi({
    token: 'ghs_test',
    baseUrl: github.url,
    owner: 'acme',
    repo: 'shop',
    clock,
    log: (m) => logs.push(m),
  });

beforeEach(async () => {
  github = await new FakeGitHub().start();
  clock = createVirtualClock();
  logs = [];
});
afterEach(() => github.stop());

describe('GitHubApi', () => {
  it('reads an issue body with the token', async () => {
    github.issues.set(7, { body: '- [ ] x' });
    expect(await api().getIssue(7)).toMatchObject({ body: '- [ ] x', isPullRequest: false });
    expect(github.requests[0]?.authorization).toBe('token ghs_test');
  });

  it('names the number and the permission on 404', async () => {
    await expect(api().getIssue(404)).rejects.toThrow(
      new ConfigError(
        "issue #404 in acme/shop was not found (HTTP 404). Check the number or tag; for a private repository the token also needs 'issues: read'.",
      ),
    );
  });

  it('names the missing permission on a plain 403', async () => {
    github.issues.set(1, { body: '' });
    github.fail('PATCH /repos/acme/shop/issues/1', {
      status: 403,
      body: { message: 'Resource not accessible by integration' },
    });
    await expect(api().updateIssueBody(1, 'x', 'issue')).rejects.toThrow(
      /forbidden \(HTTP 403: Resource not accessible by integration.*'permissions: issues: write'/,
    );
    expect(github.count('PATCH')).toBe(1);
  });

  it('retries 5xx with jittered backoff and then succeeds', async () => {
    github.issues.set(3, { body: 'ok' });
    github.fail('GET /repos/acme/shop/issues/3', serverError(502), serverError(503));
    expect((await api().getIssue(3)).body).toBe('ok');
    expect(github.count('GET /repos/acme/shop/issues/3')).toBe(3);
    expect(clock.slept).toHaveLength(2);
    expect(clock.slept.every((ms) => ms >= 0 && ms <= 2000)).toBe(true);
    expect(logs[0]).toMatch(/issue #3 in acme\/shop failed \(502\), attempt 1; retrying/);
  });

  it('waits out a secondary rate limit for the Retry-After the server sent', async () => {
    github.issues.set(3, { body: 'ok' });
    github.fail('GET /repos/acme/shop/issues/3', secondaryRateLimit(7));
    expect((await api().getIssue(3)).body).toBe('ok');
    expect(clock.slept).toEqual([7000]);
  });

  it('fails closed after repeated 5xx, naming the call and the attempts', async () => {
    github.fail(
      'GET /repos/acme/shop/issues/3',
      serverError(500),
      serverError(500),
      serverError(500),
      serverError(500),
    );
    const error = await api()
      .getIssue(3)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as Error).message).toMatch(
      /issue #3 in acme\/shop: GitHub API kept failing \(500: .*\) after 4 attempts; failing closed/,
    );
  });

  it('does not sleep for an hour on an exhausted primary rate limit; it fails at once', async () => {
    github.fail('GET /repos/acme/shop/issues/3', {
      status: 403,
      headers: {
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(Math.floor(clock.now() / 1000) + 3600),
      },
      body: { message: 'API rate limit exceeded' },
    });
    await expect(api().getIssue(3)).rejects.toThrow(ServiceError);
    expect(clock.slept).toEqual([]);
  });

  it('asks for the permission of the kind whose comments it reads', async () => {
    github.fail('GET /repos/acme/shop/issues/41/comments', {
      status: 403,
      body: { message: 'Resource not accessible by integration' },
    });
    github.fail('GET /repos/acme/shop/issues/42/comments', {
      status: 403,
      body: { message: 'Resource not accessible by integration' },
    });
    await expect(api().listIssueComments(41, 'pull request')).rejects.toThrow(
      /^comments of pull request #41 in acme\/shop: forbidden .*'permissions: pull-requests: read'\.$/,
    );
    await expect(api().listIssueComments(42, 'issue')).rejects.toThrow(
      /^comments of issue #42 in acme\/shop: forbidden .*'permissions: issues: read'\.$/,
    );
    github.fail('GET /repos/acme/shop/issues/404/comments', {
      status: 404,
      body: { message: 'Not Found' },
    });
    await expect(api().listIssueComments(404, 'pull request')).rejects.toThrow(
      /^comments of pull request #404 in acme\/shop was not found .*'pull-requests: read'\.$/,
    );
  });

  it('reads every page of comments', async () => {
    github.issues.set(5, { body: '' });
    github.comments.set(
      5,
      Array.from({ length: 250 }, (_, i) => ({ id: i + 1, body: `c${i + 1}`, user: 'ops' })),
    );
    const comments = await api().listIssueComments(5);
    expect(comments).toHaveLength(250);
    expect(comments.at(-1)).toEqual({ id: 250, body: 'c250', author: 'ops' });
    expect(github.count('GET /repos/acme/shop/issues/5/comments')).toBe(3);
  });

  it('reads every page of check runs', async () => {
    github.checkRuns.set(
      'abc',
      Array.from({ length: 130 }, (_, i) => ({
        name: `job ${i}`,
        status: 'completed',
        conclusion: 'success',
      })),
    );
    expect(await api().listCheckRuns('abc')).toHaveLength(130);
  });
});

describe('judgeChecks', () => {
  const run = (
    name: string,
    status: string,
    conclusion: string | null,
    detailsUrl: string | null = null,
  ) => ({ name, status, conclusion, detailsUrl, htmlUrl: null });
  const none = { state: 'pending', statuses: [] };

  it('passes when every check run succeeded, ignoring this run itself', () => {
    const verdict = judgeChecks({
      sha: 'abcdef123',
      runs: [
        run('build', 'completed', 'success'),
        run('docs', 'completed', 'skipped'),
        run('gate', 'in_progress', null, 'https://github.com/a/b/actions/runs/42/job/1'),
      ],
      combined: none,
      runId: '42',
      ignore: [],
    });
    expect(verdict).toEqual({ ok: true, detail: 'all 2 checks on abcdef1 succeeded' });
  });

  it('fails on a failed, cancelled or still-running check, naming them', () => {
    const verdict = judgeChecks({
      sha: 'abcdef123',
      runs: [
        run('build', 'completed', 'failure'),
        run('e2e', 'in_progress', null),
        run('lint', 'completed', 'success'),
      ],
      combined: { state: 'failure', statuses: [{ context: 'ci/legacy', state: 'error' }] },
      runId: undefined,
      ignore: [],
    });
    expect(verdict).toEqual({
      ok: false,
      detail:
        '3 of 4 checks on abcdef1 not successful: build: failure, e2e: in_progress, ci/legacy: error',
    });
  });

  it('counts a single check in the singular', () => {
    const judge = (conclusion: string) =>
      judgeChecks({
        sha: 'abcdef123',
        runs: [run('build', 'completed', conclusion)],
        combined: none,
        runId: undefined,
        ignore: [],
      });
    expect(judge('success')).toEqual({ ok: true, detail: 'the 1 check on abcdef1 succeeded' });
    expect(judge('failure')).toEqual({
      ok: false,
      detail: '1 of 1 check on abcdef1 not successful: build: failure',
    });
  });

  it('never passes a commit with no checks at all', () => {
    expect(
      judgeChecks({ sha: 'abcdef123', runs: [], combined: none, runId: '1', ignore: [] }),
    ).toEqual({
      ok: false,
      detail: 'no check runs or statuses on abcdef1 (besides this run)',
    });
  });

  it('leaves out ignored checks', () => {
    expect(
      judgeChecks({
        sha: 'a',
        runs: [run('flaky', 'completed', 'failure'), run('b', 'completed', 'success')],
        combined: none,
        runId: undefined,
        ignore: ['flaky'],
      }).ok,
    ).toBe(true);
  });
});
