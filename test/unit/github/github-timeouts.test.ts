import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ServiceError, createVirtualClock } from '@cutover/kit';
import { GitHubApi } from '@cutover/github';
import { FakeGitHub, hanging } from '../../support/fake-github.js';

/** A GitHub API that never answers must not hang the action: every attempt has a deadline. */
let github: FakeGitHub;
let clock: ReturnType<typeof createVirtualClock>;
let logs: string[];
const api = (attempts = 3) =>
  new GitHubApi({
    token: 'ghs_test',
    baseUrl: github.url,
    owner: 'acme',
    repo: 'shop',
    clock,
    log: (m) => logs.push(m),
    retry: { attempts, baseDelayMs: 1000, maxDelayMs: 60_000 },
    timeoutMs: 200,
  });

beforeEach(async () => {
  github = await new FakeGitHub().start();
  clock = createVirtualClock();
  logs = [];
});
afterEach(() => github.stop());

describe('GitHub API timeouts', () => {
  it('fails closed when the API never answers, naming the endpoint and the time waited', async () => {
    github.fail('GET /repos/acme/shop/issues/3', hanging(), hanging(), hanging());
    const error = await api()
      .getIssue(3)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as Error).message).toBe(
      'issue #3 in acme/shop: GitHub API timed out (GET /repos/acme/shop/issues/3 did not answer within 0.2s) after 3 attempts; failing closed.',
    );
    // Two retries logged; the server may not have parsed an aborted attempt on a loaded machine,
    // so its own count is at most three.
    expect(
      logs.filter((line) => /no answer within 0\.2s\), attempt \d; retrying/.test(line)),
    ).toHaveLength(2);
    expect(github.count('GET /repos/acme/shop/issues/3')).toBeLessThanOrEqual(3);
    expect(logs[0]).toMatch(/failed \(no answer within 0\.2s\), attempt 1; retrying/);
  });

  it('says "1 attempt" when retries are off', async () => {
    github.fail('GET /repos/acme/shop/issues/3', hanging());
    await expect(api(1).getIssue(3)).rejects.toThrow(/after 1 attempt; failing closed\.$/);
  });

  it('times out a response whose body never ends, and retries it', async () => {
    github.issues.set(3, { body: 'ok' });
    github.fail('GET /repos/acme/shop/issues/3', hanging('body'));
    expect((await api().getIssue(3)).body).toBe('ok');
    expect(github.count('GET /repos/acme/shop/issues/3')).toBe(2);
    expect(clock.slept).toHaveLength(1);
  });

  it('bounds paginated reads page by page', async () => {
    github.issues.set(5, { body: '' });
    github.comments.set(
      5,
      Array.from({ length: 150 }, (_, i) => ({ id: i + 1, body: `c${i + 1}`, user: 'ops' })),
    );
    github.fail('GET /repos/acme/shop/issues/5/comments', hanging(), hanging());
    await expect(api(2).listIssueComments(5)).rejects.toThrow(
      /comments of issue #5 in acme\/shop: GitHub API timed out \(GET \/repos\/acme\/shop\/issues\/5\/comments did not answer within 0\.2s\) after 2 attempts/,
    );
  });
});
