import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MARKER_KEY, decodeMarker } from '@cutover/traffic';
import { FakeKubernetes } from '../support/fake-kubernetes.js';

/** The committed rollback bundle, run as the runner runs it. */
const bundle = fileURLToPath(new URL('../../dist/rollback/index.js', import.meta.url));

function start(dir: string, env: Record<string, string>) {
  const outputFile = join(dir, 'output');
  const summaryFile = join(dir, 'summary.md');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const child = spawn(process.execPath, [bundle], {
    env: {
      PATH: process.env.PATH ?? '',
      GITHUB_WORKSPACE: dir,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_RUN_ID: '901',
      GITHUB_RUN_ATTEMPT: '1',
      ...env,
    },
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const done = new Promise<{
    code: number | null;
    stdout: string;
    outputs: string;
    summary: string;
  }>((resolve) => {
    child.on('close', (code) =>
      resolve({
        code,
        stdout,
        outputs: readFileSync(outputFile, 'utf8'),
        summary: readFileSync(summaryFile, 'utf8'),
      }),
    );
  });
  return { child, done };
}

const plan = (router: string) => `version: 1
name: shop
strategy: phased
target: { kind: kubernetes, name: shop }
router: ${router}
metrics: { provider: file, path: m.yaml }
steps:
  - { weight: 10, bake: 1h }
  - { weight: 100, bake: 1h }
gates: {}
rollback: { traffic-timeout: 30s }
`;

let kube: FakeKubernetes | undefined;
beforeEach(() => {
  kube = undefined;
});
afterEach(async () => {
  await kube?.stop();
});

describe('the rollback bundle', () => {
  it('fails fast without inputs', async () => {
    const run = await start(mkdtempSync(join(tmpdir(), 'cutover-e2e-')), {}).done;
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("::error::give exactly one of input 'plan' and input 'router'");
  });

  it('puts a file router back on stable, neutralising the reason, then says nothing is left', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cutover-e2e-'));
    writeFileSync(
      join(dir, 'plan.yaml'),
      plan('{ kind: file, path: w.json, stable: blue, candidate: green }'),
    );
    writeFileSync(join(dir, 'w.json'), '{"blue": 75, "green": 25}');
    const env = {
      INPUT_PLAN: 'plan.yaml',
      INPUT_REASON: 'p95 over 200ms\n::error::injected',
    };
    const first = await start(dir, env).done;
    expect(first.code).toBe(0);
    expect(first.outputs).toContain('rolled-back');
    expect(first.outputs).toMatch(/rolled-back<<\S+\ntrue\n/);
    expect(JSON.parse(readFileSync(join(dir, 'w.json'), 'utf8'))).toMatchObject({
      blue: 100,
      green: 0,
    });
    // The reason is one line, so its "::error::" cannot start a line the runner would parse.
    expect(first.stdout).not.toMatch(/^::error::injected/m);
    expect(first.stdout).toContain('reason: p95 over 200ms ::error::injected');
    expect(first.summary).toContain('Rolled back: traffic on stable');

    const again = await start(dir, env).done;
    expect(again.code).toBe(0);
    expect(again.outputs).toMatch(/rolled-back<<\S+\nfalse\n/);
    expect(again.summary).toContain('Nothing to roll back');
  }, 30_000);

  it('finishes the traffic rollback when cancelled during it, then fails saying what did not run', async () => {
    kube = await new FakeKubernetes().start();
    // The Gateway controller takes 1.5 s to accept: the SIGTERM lands while verifying.
    kube.controllerDelayMs = 1500;
    kube.put({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'shop', namespace: 'production' },
      spec: {
        rules: [
          {
            backendRefs: [
              { name: 'blue', weight: 50 },
              { name: 'green', weight: 50 },
            ],
          },
        ],
      },
    });
    const dir = mkdtempSync(join(tmpdir(), 'cutover-e2e-'));
    writeFileSync(
      join(dir, 'plan.yaml'),
      plan(
        `{ kind: gateway-api, name: shop, namespace: production, stable: blue, candidate: green, kubeconfig: '${kube.kubeconfig}' }`,
      ),
    );
    const { child, done } = start(dir, { INPUT_PLAN: 'plan.yaml', 'INPUT_CHECK-STABLE': 'false' });
    const fake = kube;
    while (fake.count('PATCH', '/httproutes/shop') === 0)
      await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGINT');
    child.kill('SIGTERM');
    const run = await done;
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('cancellation received: traffic goes back to stable regardless');
    expect(run.stdout).toContain('cancelled after traffic was back on stable');
    const route = fake.get('gateway.networking.k8s.io/v1', 'HTTPRoute', 'production', 'shop');
    expect(route?.spec).toMatchObject({
      rules: [{ backendRefs: [{ weight: 100 }, { weight: 0 }] }],
    });
    expect(decodeMarker(route?.metadata.annotations?.[MARKER_KEY], 'route')?.state).toBe(
      'rolled-back',
    );
    expect(run.outputs).toMatch(/targets-met<<\S+\ntrue\n/);
  }, 30_000);
});
