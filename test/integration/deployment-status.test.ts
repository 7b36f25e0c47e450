import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryKit, failureMessage, type MemoryKit } from '@cutover/action-kit';
import { main } from '../../actions/deployment-status/src/main.js';
import { FakeGitHub, serverError } from '../support/fake-github.js';
import { FakeWebhook } from '../support/fake-webhook.js';

/** deployment-status's main() against the loopback GitHub and webhook fakes, as runAction runs it. */
let github: FakeGitHub;
let hook: FakeWebhook;

beforeEach(async () => {
  github = await new FakeGitHub().start();
  hook = await new FakeWebhook().start();
});
afterEach(async () => {
  await github.stop();
  await hook.stop();
});

interface Run {
  kit: MemoryKit;
  failure: string | undefined;
}

async function run(inputs: Record<string, string>, runId = '100'): Promise<Run> {
  const kit = createMemoryKit({
    inputs: { token: 'ghs_test', environment: 'production', plan: 'deploy/phased.yaml', ...inputs },
    env: {
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_API_URL: github.url,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_SHA: 'c0ffee'.padEnd(40, '0'),
      GITHUB_RUN_ID: runId,
    },
    clock: { now: () => Date.now(), sleep: () => Promise.resolve() },
  });
  let failure: string | undefined;
  try {
    await main(kit, {
      apiRetry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 10 },
      webhook: { timeoutMs: 500 },
    });
  } catch (error) {
    // As runAction prints it: through the kit's guard (secrets masked, URL userinfo redacted).
    kit.error(failureMessage(error));
    failure = kit.logs.at(-1)?.message;
  }
  return { kit, failure };
}

const statesOf = (id: string) =>
  (github.deploymentStatuses.get(Number(id)) ?? []).map((s) => [s.state, s.description]);
const everything = (kit: MemoryKit) => JSON.stringify([kit.logs, kit.outputs, kit.summary]);

describe('deployment-status across a phased week', () => {
  it('keeps one deployment, found again by each scheduled run, with a status per event', async () => {
    const start = await run({
      event: 'start',
      description: '10% — shifting',
      'environment-url': 'https://shop.example',
    });
    expect(start.failure).toBeUndefined();
    const id = start.kit.outputs['deployment-id'] ?? '';
    expect(github.deployments.get(Number(id))).toMatchObject({
      ref: 'c0ffee'.padEnd(40, '0'),
      environment: 'production',
      task: 'deploy:cutover',
      payload: { tool: 'cutover-actions', plan: 'deploy/phased.yaml' },
    });

    // The next days: separate runs, no deployment-id carried; the environment URL carries over.
    for (const [day, description] of [
      ['101', '25% — gates passed: error 0.8%, p95 143 ms'],
      ['102', '50% — gates passed: error 0.7%, p95 150 ms'],
    ] as const) {
      const step = await run({ event: 'step', description }, day);
      expect(step.failure).toBeUndefined();
      expect(step.kit.outputs).toEqual({
        'deployment-id': id,
        'environment-url': 'https://shop.example',
      });
    }
    const done = await run({ event: 'done', summary: 'timeline' }, '103');
    expect(done.kit.outputs['deployment-id']).toBe(id);
    expect(statesOf(id)).toEqual([
      ['in_progress', '10% — shifting'],
      ['in_progress', '25% — gates passed: error 0.8%, p95 143 ms'],
      ['in_progress', '50% — gates passed: error 0.7%, p95 150 ms'],
      ['success', 'cutover complete'],
    ]);
    const statuses = github.deploymentStatuses.get(Number(id)) ?? [];
    expect(statuses.every((s) => s.environment_url === 'https://shop.example')).toBe(true);
    expect(statuses.map((s) => s.log_url)).toEqual(
      ['100', '101', '102', '103'].map((r) => `https://github.com/acme/shop/actions/runs/${r}`),
    );
    expect(github.count('POST /repos/acme/shop/deployments')).toBe(5); // 1 deployment + 4 statuses

    // The timeline: every status, from every run, oldest first.
    const rows = done.kit.summary.split('\n').filter((line) => /^\| \d{4}-/.test(line));
    expect(rows.map((row) => row.split(' | ').slice(1).join(' | '))).toEqual([
      'in\\_progress | 10% — shifting |',
      'in\\_progress | 25% — gates passed: error 0.8%, p95 143 ms |',
      'in\\_progress | 50% — gates passed: error 0.7%, p95 150 ms |',
      'success | cutover complete |',
    ]);
    expect(done.kit.summary).toContain(`### Deployment ${id} to production: success`);

    // The cutover is finished: the next one is a new deployment, even with a step event.
    const next = await run({ event: 'step' }, '200');
    expect(next.kit.outputs['deployment-id']).not.toBe(id);
  });

  it('records a rollback as failure, and a plan of its own as a separate deployment', async () => {
    const phased = await run({ event: 'start' });
    const other = await run({ event: 'start', plan: 'deploy/blue-green.yaml' });
    expect(other.kit.outputs['deployment-id']).not.toBe(phased.kit.outputs['deployment-id']);
    const rollback = await run({ event: 'rollback', description: 'rolled back: error 5% > 1%' });
    const id = phased.kit.outputs['deployment-id'] ?? '';
    expect(rollback.kit.outputs['deployment-id']).toBe(id);
    expect(statesOf(id).at(-1)).toEqual(['failure', 'rolled back: error 5% > 1%']);
    // The blue/green cutover is untouched.
    expect(statesOf(other.kit.outputs['deployment-id'] ?? '')).toEqual([
      ['in_progress', 'cutover started'],
    ]);
  });

  it('a new start replaces a cutover left unfinished, marking the old one inactive', async () => {
    const abandoned = await run({ event: 'start' });
    const fresh = await run({ event: 'start' }, '101');
    const oldId = abandoned.kit.outputs['deployment-id'] ?? '';
    const newId = fresh.kit.outputs['deployment-id'] ?? '';
    expect(newId).not.toBe(oldId);
    expect(statesOf(oldId).at(-1)).toEqual([
      'inactive',
      `superseded by deployment ${newId}: a new cutover started`,
    ]);
    expect(statesOf(newId)).toEqual([['in_progress', 'cutover started']]);
  });

  it('reports on a given deployment-id, refusing one of another environment', async () => {
    const start = await run({ event: 'start' });
    const id = start.kit.outputs['deployment-id'] ?? '';
    const step = await run({ 'deployment-id': id, state: 'queued', description: 'waiting' });
    expect(step.failure).toBeUndefined();
    expect(statesOf(id).at(-1)).toEqual(['queued', 'waiting']);
    const wrong = await run({ 'deployment-id': id, environment: 'staging', event: 'step' });
    expect(wrong.failure).toBe(
      `input 'deployment-id' is ${id}, a deployment to "production", but input 'environment' is "staging"`,
    );
    const missing = await run({ 'deployment-id': '424242', event: 'step' });
    expect(missing.failure).toMatch(/deployment 424242 in acme\/shop was not found \(HTTP 404\)/);
  });

  it('does not make a second deployment when the answer to the create was lost', async () => {
    github.failAfter('POST /repos/acme/shop/deployments', serverError(502));
    const start = await run({ event: 'start' });
    expect(start.failure).toBeUndefined();
    expect(github.deployments.size).toBe(1);
    expect(start.kit.outputs['deployment-id']).toBe(String([...github.deployments.keys()][0]));
    expect(start.kit.logs.map((l) => l.message)).toContain(
      `creating the deployment failed, but it was made: deployment ${start.kit.outputs['deployment-id'] ?? ''}`,
    );
  });
});

describe('untrusted text', () => {
  it('neutralises markdown, HTML and mentions in the timeline and cuts the description at 140', async () => {
    const hostile = `![x](https://evil.example/p.png) <img src=x> | @octocat [link](https://e) \`code\`\n::error::boom ${'z'.repeat(200)}`;
    const result = await run({ event: 'start', description: hostile, summary: 'timeline' });
    expect(result.failure).toBeUndefined();
    const id = result.kit.outputs['deployment-id'] ?? '';
    const sent = github.deploymentStatuses.get(Number(id))?.[0]?.description ?? '';
    expect(Array.from(sent)).toHaveLength(140);
    expect(sent).not.toContain('\n');
    expect(sent.endsWith('z…')).toBe(true);
    const row = result.kit.summary.split('\n').find((line) => line.includes('evil')) ?? '';
    expect(row).toContain('\\!\\[x\\]\\(https://evil.example/p.png\\)');
    expect(row).toContain('&lt;img src=x&gt; \\| @\u2060octocat');
    expect(row.split(' | ')).toHaveLength(3); // the injected pipe did not add a column
    expect(result.kit.summary).not.toMatch(/<img|\]\(https/);
  });

  it('escapes the chat line: no <!channel>, no links, no @here', async () => {
    await run({
      event: 'fail',
      description: '<!channel> <https://evil.example|click> @here',
      'webhook-url': hook.hookUrl,
    });
    expect(hook.received[0]?.body).toEqual({
      text: '❌ failed · cutover of acme/shop deploy/phased.yaml to production · &lt;!channel&gt; &lt;https://evil.example|click&gt; @\u2060here · https://github.com/acme/shop/actions/runs/100',
    });
  });
});

describe('the webhook', () => {
  it('posts one line per event and never shows its URL', async () => {
    const start = await run({
      event: 'start',
      description: '10%',
      'webhook-url': hook.hookUrl,
      summary: 'timeline',
    });
    await run({ event: 'step', description: '25% — gates passed', 'webhook-url': hook.hookUrl });
    await run({ event: 'rollback', 'webhook-url': hook.hookUrl });
    expect(hook.received.map((r) => (r.body as { text: string }).text)).toEqual([
      '▶️ started · cutover of acme/shop deploy/phased.yaml to production · 10% · https://github.com/acme/shop/actions/runs/100',
      '⏩ step · cutover of acme/shop deploy/phased.yaml to production · 25% — gates passed · https://github.com/acme/shop/actions/runs/100',
      '⏪ rolled back · cutover of acme/shop deploy/phased.yaml to production · rolled back to stable · https://github.com/acme/shop/actions/runs/100',
    ]);
    expect(start.kit.masked).toEqual(expect.arrayContaining([hook.hookUrl, hook.path]));
    expect(everything(start.kit)).not.toContain(hook.path);
  });

  it('a failing or unreachable webhook is a warning; the status is still recorded', async () => {
    hook.answer({ status: 500, body: `upstream broke at ${hook.path}` });
    const failing = await run({ event: 'step', 'webhook-url': hook.hookUrl });
    expect(failing.failure).toBeUndefined();
    const warning = failing.kit.logs.find((l) => l.level === 'warning')?.message ?? '';
    expect(warning).toMatch(
      /^Notification not sent: webhook at 127\.0\.0\.1:\d+ answered 500: upstream broke at \*\*\*$/,
    );

    const unreachable = await run({
      event: 'step',
      'webhook-url': 'http://127.0.0.1:1/services/unreachable',
    });
    expect(unreachable.failure).toBeUndefined();
    expect(unreachable.kit.logs.find((l) => l.level === 'warning')?.message).toMatch(
      /^Notification not sent: webhook at 127\.0\.0\.1:1: connect ECONNREFUSED/,
    );

    const refused = await run({
      event: 'step',
      'webhook-url': 'https://169.254.169.254/services/x',
    });
    expect(refused.failure).toBeUndefined();
    expect(refused.kit.logs.find((l) => l.level === 'warning')?.message).toMatch(
      /^Notification not sent: webhook URL points at 169\.254\.169\.254: link-local/,
    );
    expect(everything(refused.kit)).not.toContain('/services/x');
    const id = failing.kit.outputs['deployment-id'] ?? '';
    expect(statesOf(id)).toHaveLength(3);
  });

  it('gives up on a webhook that never answers within its timeout', async () => {
    hook.answer({ status: 200, hang: true });
    const result = await run({ event: 'done', 'webhook-url': hook.hookUrl });
    expect(result.failure).toBeUndefined();
    expect(result.kit.logs.find((l) => l.level === 'warning')?.message).toMatch(
      /no answer within 0\.5s$/,
    );
  });

  it('still tells the chat when GitHub cannot be told, and then fails the step', async () => {
    const start = await run({ event: 'start' });
    github.fail(
      'POST /repos/acme/shop/deployments/',
      serverError(500),
      serverError(500),
      serverError(500),
    );
    const rollback = await run({ event: 'rollback', 'webhook-url': hook.hookUrl });
    expect(rollback.failure).toMatch(
      /status 'failure' of deployment \d+ in acme\/shop: GitHub API kept failing \(500/,
    );
    expect(hook.received).toHaveLength(1);
    expect(statesOf(start.kit.outputs['deployment-id'] ?? '')).toHaveLength(1);
  });
});

describe('inputs', () => {
  it('refuses a state that contradicts the event, before any API call', async () => {
    const result = await run({ event: 'done', state: 'failure' });
    expect(result.failure).toBe(
      "input 'state' is failure, but event done is reported as success; leave state empty for success",
    );
    expect(github.requests).toHaveLength(0);
  });

  it('names every bad input at once', async () => {
    const result = await run({
      state: 'rolled_back',
      event: 'finish',
      'environment-url': 'javascript:alert(1)',
      'log-url': 'https://user:pw@ci.example/1',
      'deployment-id': 'abc',
      environment: '',
    });
    expect(result.failure?.split('\n')).toEqual([
      "input 'environment' is required (GitHub environment the cutover deploys to, e.g. production.)",
      `input 'deployment-id': expected a whole number, got "abc"`,
      `input 'state': expected one of error, failure, inactive, in_progress, queued, pending, success (or nothing), got "rolled_back"`,
      `input 'event': expected one of start, step, rollback, done, fail (or nothing), got "finish"`,
      `input 'environment-url': expected an http:// or https:// URL, got "javascript:alert(1)"`,
      `input 'log-url': expected a URL without credentials (it is shown to everyone), got "https://***@ci.example/1"`,
    ]);
    expect(github.requests).toHaveLength(0);
  });

  it('shows a timeline only, creating nothing, and says when there is nothing to show', async () => {
    const none = await run({ summary: 'timeline' });
    expect(none.failure).toBe(
      "no deployment to production (task deploy:cutover, plan deploy/phased.yaml) to show; set input 'deployment-id', or 'state' or 'event' to report one",
    );
    expect(github.deployments.size).toBe(0);
    await run({ event: 'start', description: 'began' });
    const shown = await run({ summary: 'timeline' });
    expect(shown.failure).toBeUndefined();
    expect(shown.kit.summary).toMatch(/\| in\\_progress \| began \|/);
  });
});
