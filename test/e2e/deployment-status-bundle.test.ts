import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeGitHub } from '../support/fake-github.js';
import { FakeWebhook } from '../support/fake-webhook.js';

/** The committed deployment-status bundle, run as the runner runs it: node24, INPUT_* env, files. */
const bundle = fileURLToPath(new URL('../../dist/deployment-status/index.js', import.meta.url));

interface BundleRun {
  code: number | null;
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
}

async function runBundle(inputs: Record<string, string>, runId = '900'): Promise<BundleRun> {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-e2e-'));
  const outputFile = join(dir, 'output');
  const summaryFile = join(dir, 'summary.md');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_WORKSPACE: dir,
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_API_URL: github.url,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_SHA: 'a'.repeat(40),
    GITHUB_RUN_ID: runId,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  const child = spawn(process.execPath, [bundle], { env });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const outputs: Record<string, string> = {};
  for (const match of readFileSync(outputFile, 'utf8').matchAll(
    /^([\w-]+)<<(.+)\n([\s\S]*?)\n\2$/gm,
  ))
    outputs[match[1] ?? ''] = match[3] ?? '';
  return { code, stdout, outputs, summary: readFileSync(summaryFile, 'utf8') };
}

let github: FakeGitHub;
let hook: FakeWebhook;
beforeAll(async () => {
  github = await new FakeGitHub().start();
  hook = await new FakeWebhook().start();
});
afterAll(async () => {
  await github.stop();
  await hook.stop();
});

describe('the deployment-status bundle', () => {
  it('rejects a bad input with exit code 1 before any API call', async () => {
    const run = await runBundle({ environment: 'production', event: 'finish', token: 't' });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      `::error::input 'event': expected one of start, step, rollback, done, fail (or nothing), got "finish"`,
    );
    expect(github.requests).toHaveLength(0);
  });

  it('reports a cutover through the real Octokit over two runs, notifies, and renders the timeline', async () => {
    const common = {
      environment: 'production',
      plan: 'deploy/phased.yaml',
      token: 'ghs_e2e_token',
      'webhook-url': hook.hookUrl,
      task: 'deploy:cutover',
      summary: 'none',
    };
    const start = await runBundle({
      ...common,
      event: 'start',
      description: '10% — shifting',
      'environment-url': 'https://shop.example',
    });
    expect(start.code).toBe(0);
    expect(start.stdout).toContain('::add-mask::ghs_e2e_token');
    expect(start.stdout).toContain(`::add-mask::${hook.hookUrl}`);
    const id = start.outputs['deployment-id'] ?? '';
    expect(id).toMatch(/^\d+$/);

    const rollback = await runBundle(
      {
        ...common,
        event: 'rollback',
        description: 'rolled back: error 5% > 1%',
        summary: 'timeline',
      },
      '901',
    );
    expect(rollback.code).toBe(0);
    expect(rollback.outputs).toEqual({
      'deployment-id': id,
      'environment-url': 'https://shop.example',
    });
    expect(github.deploymentStatuses.get(Number(id))?.map((s) => s.state)).toEqual([
      'in_progress',
      'failure',
    ]);
    expect(hook.received.map((r) => (r.body as { text: string }).text)).toEqual([
      '▶️ started · cutover of acme/shop deploy/phased.yaml to production · 10% — shifting · https://github.com/acme/shop/actions/runs/900',
      '⏪ rolled back · cutover of acme/shop deploy/phased.yaml to production · rolled back: error 5% &gt; 1% · https://github.com/acme/shop/actions/runs/901',
    ]);
    expect(rollback.summary).toContain(`### Deployment ${id} to production: failure`);
    expect(rollback.summary).toMatch(/\| failure \| rolled back: error 5% &gt; 1% \|/);
    // The webhook URL appears only in the mask commands the runner consumes.
    for (const run of [start, rollback]) {
      const printed = run.stdout
        .split('\n')
        .filter((line) => !line.startsWith('::add-mask::'))
        .join('\n');
      expect(printed).not.toContain(hook.path);
    }
  });
});
