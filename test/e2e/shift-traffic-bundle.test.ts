import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '@cutover/kit';
import { createTargets } from '@cutover/routers';
import { MARKER_KEY, decodeMarker, rollbackTraffic } from '@cutover/traffic';
import { FakeKubernetes } from '../support/fake-kubernetes.js';

/** The committed shift-traffic bundle, run as the runner runs it. */
const bundle = fileURLToPath(new URL('../../dist/shift-traffic/index.js', import.meta.url));

function start(
  dir: string,
  env: Record<string, string>,
): {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: string | null; stdout: string; outputs: string }>;
} {
  const outputFile = join(dir, 'output');
  writeFileSync(outputFile, '');
  const child = spawn(process.execPath, [bundle], {
    env: {
      PATH: process.env.PATH ?? '',
      GITHUB_WORKSPACE: dir,
      GITHUB_OUTPUT: outputFile,
      GITHUB_RUN_ID: '777',
      GITHUB_RUN_ATTEMPT: '1',
      ...env,
    },
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const done = new Promise<{
    code: number | null;
    signal: string | null;
    stdout: string;
    outputs: string;
  }>((resolve) => {
    child.on('close', (code, signal) => {
      resolve({ code, signal, stdout, outputs: readFileSync(outputFile, 'utf8') });
    });
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
  - { weight: 50, bake: 1h }
  - { weight: 100, bake: 1h }
gates: {}
rollback: { traffic-timeout: 30s }
`;

describe('the shift-traffic bundle', () => {
  it('fails fast without inputs', async () => {
    const run = await start(mkdtempSync(join(tmpdir(), 'cutover-e2e-')), {}).done;
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("::error::give exactly one of input 'plan' and input 'router'");
  });

  it('moves a file router to the next step of the plan and reports before and after', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cutover-e2e-'));
    writeFileSync(
      join(dir, 'plan.yaml'),
      plan('{ kind: file, path: weights.json, stable: blue, candidate: green }'),
    );
    writeFileSync(join(dir, 'weights.json'), '{"blue": 90, "green": 10}');
    const run = await start(dir, { INPUT_PLAN: 'plan.yaml', INPUT_STEP: 'next' }).done;
    expect(run.code).toBe(0);
    const weights = JSON.parse(readFileSync(join(dir, 'weights.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(weights).toMatchObject({
      blue: 50,
      green: 50,
      [MARKER_KEY]: { runId: '777-1', state: 'done', step: 50 },
    });
    expect(run.outputs).toContain('{"stable":90,"candidate":10}');
    expect(run.outputs).toContain('{"stable":50,"candidate":50}');
  });
});

describe('the shift-traffic bundle with a file router', () => {
  it('refuses a router path outside the workspace and writes nothing there', async () => {
    const root = mkdtempSync(join(tmpdir(), 'cutover-e2e-'));
    const dir = join(root, 'workspace');
    mkdirSync(dir);
    const run = await start(dir, {
      INPUT_ROUTER: '{ kind: file, path: ../weights.json, stable: blue, candidate: green }',
      INPUT_WEIGHT: '10',
    }).done;
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('::error::input \'router\': router.path: "../weights.json"');
    expect(run.stdout).toContain("set input 'allow-outside-workspace' to allow it");
    expect(existsSync(join(root, 'weights.json'))).toBe(false);
  });

  it('cleans up after a killed run: its lock and temporary file are gone, the shift succeeds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cutover-e2e-'));
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(join(dir, 'weights.json'), '{"blue": 100, "green": 0}');
    writeFileSync(join(dir, `weights.json.tmp-${dead}`), '{"blue": 9');
    writeFileSync(
      join(dir, 'weights.json.lock'),
      JSON.stringify({ pid: dead, host: hostname(), runId: 'killed-1', at: Date.now() }),
    );
    const run = await start(dir, {
      INPUT_ROUTER: '{ kind: file, path: weights.json, stable: blue, candidate: green }',
      INPUT_WEIGHT: '10',
    }).done;
    expect(run.code).toBe(0);
    expect(readdirSync(dir).filter((name) => name.startsWith('weights.json'))).toEqual([
      'weights.json',
    ]);
  });
});

describe('the shift-traffic bundle on Kubernetes', () => {
  let kube: FakeKubernetes;
  let dir = '';
  const routeWeights = () =>
    (
      (
        kube.get('gateway.networking.k8s.io/v1', 'HTTPRoute', 'production', 'shop')?.spec as {
          rules: { backendRefs: { weight: number }[] }[];
        }
      ).rules[0]?.backendRefs ?? []
    ).map((r) => r.weight);
  const marker = () =>
    decodeMarker(
      kube.get('gateway.networking.k8s.io/v1', 'HTTPRoute', 'production', 'shop')?.metadata
        .annotations?.[MARKER_KEY],
      'shop',
    );

  beforeEach(async () => {
    kube = await new FakeKubernetes().start();
    for (const service of ['blue', 'green'])
      kube.put({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          name: service,
          namespace: 'production',
          labels: { 'kubernetes.io/service-name': service },
        },
        endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: true } }],
      });
    kube.put({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'shop', namespace: 'production' },
      spec: {
        rules: [
          {
            backendRefs: [
              { name: 'blue', weight: 100 },
              { name: 'green', weight: 0 },
            ],
          },
        ],
      },
    });
    dir = mkdtempSync(join(tmpdir(), 'cutover-e2e-'));
    writeFileSync(
      join(dir, 'plan.yaml'),
      plan(
        `{ kind: gateway-api, name: shop, namespace: production, stable: blue, candidate: green, kubeconfig: '${kube.kubeconfig}' }`,
      ),
    );
  });
  afterEach(() => kube.stop());

  const waitForPatch = async () => {
    for (let i = 0; i < 200 && kube.count('PATCH') === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 25));
  };

  it('process killed mid-shift: the marker says "shifting", and a rollback run puts traffic back on stable', async () => {
    kube.controllerDelayMs = 60_000;
    const { child, done } = start(dir, { INPUT_PLAN: 'plan.yaml', INPUT_STEP: 'next' });
    await waitForPatch();
    child.kill('SIGKILL');
    const run = await done;
    expect(run.signal).toBe('SIGKILL');
    expect(routeWeights()).toEqual([90, 10]);
    expect(marker()).toMatchObject({ runId: '777-1', state: 'shifting', step: 10 });

    kube.controllerDelayMs = 10;
    const { targets } = createTargets(
      {
        kind: 'gateway-api',
        name: 'shop',
        namespace: 'production',
        stable: 'blue',
        candidate: 'green',
        kubeconfig: kube.kubeconfig,
      },
      { clock: systemClock, resolvePath: (p) => p },
    );
    const [outcome] = await rollbackTraffic(targets, {
      runId: 'rollback-1',
      clock: systemClock,
      verifyTimeoutMs: 5000,
      verifyIntervalMs: 25,
      log: () => undefined,
    });
    expect(outcome?.before).toEqual({ stable: 90, candidate: 10 });
    expect(routeWeights()).toEqual([100, 0]);
    expect(marker()).toMatchObject({ runId: 'rollback-1', state: 'rolled-back' });
  });

  it('cancelled by SIGTERM while verifying: reverts the route and fails, with a truthful marker', async () => {
    kube.controllerDelayMs = 1500;
    const { child, done } = start(dir, { INPUT_PLAN: 'plan.yaml', INPUT_STEP: '1' });
    await waitForPatch();
    child.kill('SIGTERM');
    const run = await done;
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('cancellation received');
    expect(run.stdout).toMatch(
      /::error::shift to 10%25 failed: cancelled while waiting for HTTPRoute production\/shop to apply 10%25; reverted: HTTPRoute production\/shop back at 0%25/,
    );
    expect(routeWeights()).toEqual([100, 0]);
    expect(marker()?.state).toBe('reverted');
  });
});
