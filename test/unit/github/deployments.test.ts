import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, ServiceError, createVirtualClock } from '@cutover/kit';
import { Deployments, GitHubApi, isFinished } from '@cutover/github';
import { FakeGitHub, serverError } from '../../support/fake-github.js';

let github: FakeGitHub;
let clock: ReturnType<typeof createVirtualClock>;
let logs: string[];
const deployments = () =>
  new Deployments(
    new GitHubApi({
      token: 'ghs_test',
      baseUrl: github.url,
      owner: 'acme',
      repo: 'shop',
      clock,
      log: (m) => logs.push(m),
    }),
  );
const cutover = { environment: 'production', task: 'deploy:cutover', plan: 'deploy/phased.yaml' };

beforeEach(async () => {
  github = await new FakeGitHub().start();
  clock = createVirtualClock();
  logs = [];
});
afterEach(() => github.stop());

describe('Deployments', () => {
  it('creates a deployment of the ref as given, without commit-status checks, marked as ours', async () => {
    github.statuses.set('main', [{ context: 'ci', state: 'pending' }]);
    const created = await deployments().create({ ...cutover, ref: 'main', description: 'cutover' });
    expect(created).toMatchObject({
      ref: 'main',
      environment: 'production',
      plan: 'deploy/phased.yaml',
    });
    expect(github.requests.at(-1)?.body).toEqual({
      ref: 'main',
      environment: 'production',
      task: 'deploy:cutover',
      auto_merge: false,
      required_contexts: [],
      payload: { tool: 'cutover-actions', plan: 'deploy/phased.yaml' },
      description: 'cutover',
    });
  });

  it('the fake refuses, like GitHub, a deployment whose commit checks are not green (409)', async () => {
    github.statuses.set('main', [{ context: 'ci', state: 'pending' }]);
    const api = new GitHubApi({
      token: 't',
      baseUrl: github.url,
      owner: 'acme',
      repo: 'shop',
      clock,
      log: () => undefined,
    });
    await expect(
      api.call(
        { what: 'creating', permission: 'deployments: write' },
        'POST /repos/{owner}/{repo}/deployments',
        { ref: 'main' },
      ),
    ).rejects.toThrow(
      /creating: GitHub refused it as a conflict \(HTTP 409: Conflict: Commit status checks failed for main\./,
    );
  });

  it('does not retry a create that may have happened (5xx), but retries reads', async () => {
    github.fail('POST /repos/acme/shop/deployments', serverError(502));
    await expect(
      deployments().create({ ...cutover, ref: 'main', description: 'x' }),
    ).rejects.toThrow(ServiceError);
    expect(github.count('POST /repos/acme/shop/deployments')).toBe(1);
    github.fail('GET /repos/acme/shop/deployments', serverError(502));
    expect(await deployments().findNewest(cutover)).toBeUndefined();
    expect(github.count('GET /repos/acme/shop/deployments')).toBe(2);
  });

  it('finds the newest deployment of the environment, task and plan, across pages', async () => {
    const d = deployments();
    const ours = await d.create({ ...cutover, ref: 'v1', description: 'x' });
    // 150 newer deployments of other plans push ours to the second page of 100.
    for (let i = 0; i < 150; i++)
      await d.create({ ...cutover, plan: `other-${i}.yaml`, ref: 'v1', description: 'x' });
    await d.create({ ...cutover, task: 'deploy', ref: 'v2', description: 'x' });
    await d.create({ ...cutover, environment: 'staging', ref: 'v2', description: 'x' });
    expect((await d.findNewest(cutover))?.id).toBe(ours.id);
    const listed = github.requests.filter(
      (r) => r.method === 'GET' && r.path === '/repos/acme/shop/deployments',
    );
    expect(
      listed.map((r) => [r.query.get('environment'), r.query.get('task'), r.query.get('page')]),
    ).toEqual([
      ['production', 'deploy:cutover', '1'],
      ['production', 'deploy:cutover', '2'],
    ]);
    expect(await d.findNewest({ ...cutover, plan: 'missing.yaml' })).toBeUndefined();
  });

  it('ignores deployments other tools made, even with the same task and environment', async () => {
    github.deployments.set(1, {
      id: 1,
      ref: 'main',
      sha: 'a'.repeat(40),
      task: 'deploy:cutover',
      environment: 'production',
      payload: '{"plan": "deploy/phased.yaml"}',
      description: null,
      transient_environment: false,
      production_environment: true,
      created_at: '2026-01-01T00:00:00Z',
    });
    expect(await deployments().findNewest(cutover)).toBeUndefined();
  });

  it('adds statuses and lists them oldest first, across pages; the latest is the newest', async () => {
    const d = deployments();
    const { id } = await d.create({ ...cutover, ref: 'main', description: 'x' });
    expect(await d.latestStatus(id)).toBeUndefined();
    for (let i = 0; i < 120; i++)
      await d.addStatus(id, { state: 'in_progress', description: `step ${i}` });
    await d.addStatus(id, {
      state: 'success',
      description: 'done',
      environmentUrl: 'https://shop.example',
      logUrl: 'https://ci/1',
    });
    const all = await d.statuses(id);
    expect(all).toHaveLength(121);
    expect(all[0]?.description).toBe('step 0');
    expect(all.at(-1)).toMatchObject({
      state: 'success',
      environmentUrl: 'https://shop.example',
      logUrl: 'https://ci/1',
    });
    expect(await d.latestStatus(id)).toMatchObject({ state: 'success', description: 'done' });
    expect(isFinished('success')).toBe(true);
    expect(isFinished('in_progress')).toBe(false);
    expect(isFinished(undefined)).toBe(false);
  });

  it('turns the 422 for an unknown state or an over-long description into a ConfigError', async () => {
    const d = deployments();
    const { id } = await d.create({ ...cutover, ref: 'main', description: 'x' });
    await expect(
      d.addStatus(id, { state: 'rolled_back' as never, description: 'x' }),
    ).rejects.toThrow(
      /status 'rolled_back' of deployment \d+ in acme\/shop: GitHub refused the request \(HTTP 422: Validation Failed/,
    );
    await expect(
      d.addStatus(id, { state: 'failure', description: 'é'.repeat(141) }),
    ).rejects.toThrow(ConfigError);
    await d.addStatus(id, { state: 'failure', description: '🚀'.repeat(140) });
    expect(github.deploymentStatuses.get(id)).toHaveLength(1);
  });

  it('names the deployment and the permission on 404', async () => {
    await expect(deployments().get(999)).rejects.toThrow(
      "deployment 999 in acme/shop was not found (HTTP 404). Check the number or tag; for a private repository the token also needs 'deployments: read'.",
    );
    await expect(deployments().statuses(999)).rejects.toThrow(
      /statuses of deployment 999 .*HTTP 404/,
    );
  });

  it('the fake makes earlier successful non-production deployments inactive on a success', async () => {
    const d = deployments();
    const staging = { ...cutover, environment: 'staging' };
    const first = await d.create({ ...staging, ref: 'v1', description: 'x' });
    await d.addStatus(first.id, { state: 'success', description: 'v1 live' });
    const second = await d.create({ ...staging, ref: 'v2', description: 'x' });
    await d.addStatus(second.id, { state: 'success', description: 'v2 live' });
    expect((await d.latestStatus(first.id))?.state).toBe('inactive');
    expect((await d.latestStatus(second.id))?.state).toBe('success');
  });
});
