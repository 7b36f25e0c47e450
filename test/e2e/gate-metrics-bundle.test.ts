import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeCloudWatch } from '../support/fake-cloudwatch.js';

/** The committed gate-metrics bundle, run as the runner runs it. */
const bundle = fileURLToPath(new URL('../../dist/gate-metrics/index.js', import.meta.url));
const T0 = Date.UTC(2026, 5, 1, 12);

async function runBundle(dir: string, env: Record<string, string>) {
  const outputFile = join(dir, 'output');
  writeFileSync(outputFile, '');
  writeFileSync(join(dir, 'summary.md'), '');
  const child = spawn(process.execPath, [bundle], {
    env: {
      PATH: process.env.PATH ?? '',
      GITHUB_WORKSPACE: dir,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: join(dir, 'summary.md'),
      ...env,
    },
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const outputs: Record<string, string> = {};
  for (const match of readFileSync(outputFile, 'utf8').matchAll(
    /^([\w-]+)<<(.+)\n([\s\S]*?)\n\2$/gm,
  ))
    outputs[match[1] ?? ''] = match[3] ?? '';
  return { code, stdout, outputs, summary: readFileSync(join(dir, 'summary.md'), 'utf8') };
}

const planWith = (metrics: string, query: string) => `version: 1
name: shop
strategy: blue-green
target: { kind: file, name: shop }
router: { kind: file, path: w.json, stable: stable, candidate: candidate }
metrics: ${metrics}
steps:
  - { weight: 100, bake: 1h, gates: [errors] }
gates:
  errors: { query: ${query}, threshold: '> 5', for: 3m, interval: 1m, min-samples: 3 }
`;

let cloudwatch: FakeCloudWatch;
beforeAll(async () => {
  cloudwatch = await new FakeCloudWatch().start();
  cloudwatch.generators.set('100 * errors / requests', (t) =>
    t * 1000 >= T0 + 20 * 60_000 && t * 1000 < T0 + 30 * 60_000 ? 9 : 1,
  );
});
afterAll(() => cloudwatch.stop());

describe('the gate-metrics bundle', () => {
  it('fails fast without a plan', async () => {
    const run = await runBundle(mkdtempSync(join(tmpdir(), 'cutover-e2e-')), {});
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("::error::input 'plan' is required");
  });

  it('judges a recorded window in check mode and passes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cutover-e2e-'));
    writeFileSync(
      join(dir, 'plan.yaml'),
      planWith(
        `{ provider: file, path: samples.yaml, start: '${new Date(T0).toISOString()}' }`,
        'errors',
      ),
    );
    writeFileSync(join(dir, 'samples.yaml'), 'errors:\n  - { from: 0s, to: 2h, value: 1 }\n');
    const run = await runBundle(dir, {
      INPUT_PLAN: 'plan.yaml',
      INPUT_MODE: 'check',
      INPUT_STEP: '1',
      INPUT_TO: new Date(T0 + 3600_000).toISOString(),
    });
    expect(run.code).toBe(0);
    expect(run.outputs.verdict).toBe('pass');
    expect(run.summary).toContain('## ✅ Gates errors');
  });

  it('loads the CloudWatch SDK chunk on demand and fails the gate on a sustained breach', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cutover-e2e-'));
    const query = `{ expression: '100 * errors / requests', period: 60, metrics: { errors: { namespace: AWS/ApplicationELB, name: HTTPCode_Target_5XX_Count, stat: Sum }, requests: { namespace: AWS/ApplicationELB, name: RequestCount, stat: Sum } } }`;
    writeFileSync(
      join(dir, 'plan.yaml'),
      planWith(
        `{ provider: cloudwatch, region: ap-northeast-1, endpoint: '${cloudwatch.url}' }`,
        query,
      ),
    );
    const run = await runBundle(dir, {
      INPUT_PLAN: 'plan.yaml',
      INPUT_MODE: 'check',
      INPUT_STEP: '1',
      INPUT_TO: new Date(T0 + 3600_000).toISOString(),
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    expect(run.stdout).toContain('::error::gate failed: errors: 9 > 5 for 3m');
    expect(run.code).toBe(1);
    expect(run.outputs.verdict).toBe('fail');
  });
});
