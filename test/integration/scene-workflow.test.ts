import { cpSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '@cutover/kit';
import { createTargets } from '@cutover/routers';
import { rollbackTraffic, type RouterTarget } from '@cutover/traffic';
import { FakeGitHub } from '../support/fake-github.js';
import type { LoadCounts, RunningLoad } from '../support/scene/load.js';
import { startScene, type Scene } from '../support/scene/scene.js';
import {
  REPO_ROOT,
  runWorkflow,
  stepsOf,
  type CancelAt,
  type RunRecord,
  type StubAction,
} from '../support/workflow-harness.js';

/**
 * Issue 13's cutover, end to end on one machine with real parts: the blue and green builds of
 * a service behind a real HAProxy, scraped every second by a real Prometheus, under a steady
 * load from autocannon; the reusable workflow phased-cutover.yml itself, executed by the
 * harness, makes every decision through the bundled actions (dist/), with the seed's three
 * rules as gates. Each case starts from blue at 100% and the load counts every request.
 */
let scene: Scene;
let github: FakeGitHub;
let router: RouterTarget;
beforeAll(async () => {
  [scene, github] = await Promise.all([startScene(), new FakeGitHub().start()]);
  const [target] = createTargets(scene.router, {
    clock: systemClock,
    resolvePath: (p) => p,
  }).targets;
  if (target === undefined) throw new Error('no router target');
  router = target;
  // Green answers a few requests of its own first (the after-deploy smoke test of a real
  // cutover), so its series exist before traffic reaches it.
  for (let i = 0; i < 20; i++) await fetch(scene.green.url);
  // Prometheus scrapes a few seconds after it starts: a gate before that sees no data.
  for (let i = 0; i < 300; i++) {
    const seen = await scene.query('http_requests_total{app="nextevent",track="green"}');
    if (seen.length > 0) break;
    await sleep(100);
  }
}, 60_000);
afterAll(async () => {
  // Both stopped even when one failed to start (then its stop() throws, and is settled).
  await Promise.allSettled([(async () => scene.stop())(), (async () => github.stop())()]);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const GREEN = '{ app: nextevent, track: green }';

/** The seed's three automatic rollback triggers, on short windows for a test-sized bake. */
const plan = () => `version: 1
name: scene
strategy: phased
target: { kind: kubernetes, name: nextevent-api }
router: ${JSON.stringify(scene.router)}
metrics: { provider: prometheus, url: ${JSON.stringify(scene.prometheus.url)} }
steps:
  - { weight: 10, bake: 4s, gates: [error-rate, p95-latency, db-connection-failures] }
  - { weight: 50, bake: 8s, gates: [error-rate, p95-latency, db-connection-failures] }
  - { weight: 100, bake: 4s, gates: [error-rate, p95-latency, db-connection-failures] }
gates:
  error-rate:
    template: error-rate
    params: { selector: ${GREEN}, window: 5s }
    threshold: '> 5%'
    for: 2s
    interval: 1s
    max-gap: 3s
  p95-latency:
    template: latency-p95
    params: { selector: ${GREEN}, window: 5s }
    threshold: '> 200ms'
    for: 2s
    interval: 1s
    max-gap: 3s
  db-connection-failures:
    template: db-connection-failures
    params: { selector: ${GREEN}, window: 5s }
    threshold: '> 10%'
    for: 2s
    interval: 1s
    max-gap: 3s
rollback: { traffic-timeout: 30s }
`;

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-scene-wf-'));
  writeFileSync(join(dir, 'plan.yaml'), plan());
  writeFileSync(join(dir, 'checklist.md'), '# Go\n\n- [x] Blue is healthy\n- [x] On-call told\n');
  return dir;
}

function stubs(artifacts: string): Record<string, StubAction> {
  return {
    'actions/checkout': () => undefined,
    'actions/upload-artifact': ({ inputs }) => {
      const path = inputs.path ?? '';
      if (path === '' || !existsSync(path)) return;
      mkdirSync(join(artifacts, inputs.name ?? ''), { recursive: true });
      cpSync(path, join(artifacts, inputs.name ?? '', basename(path)));
    },
    'actions/download-artifact': ({ inputs }) => {
      const from = join(artifacts, inputs.name ?? '');
      if (!existsSync(from)) throw new Error(`Artifact not found for name: ${inputs.name ?? ''}`);
      cpSync(from, inputs.path ?? '', { recursive: true });
    },
    'aws-actions/configure-aws-credentials': () => {
      throw new Error('no AWS in the scene');
    },
  };
}

let runIds = 7000;
function cutover(dir: string, cancel?: CancelAt): Promise<RunRecord> {
  return runWorkflow({
    workflow: join(REPO_ROOT, '.github', 'workflows', 'phased-cutover.yml'),
    workspace: dir,
    inputs: {
      plan: 'plan.yaml',
      environment: `scene-${basename(dir)}`,
      'checklist-source': 'file',
      'checklist-path': 'checklist.md',
      deploy: false,
      'stable-window': '2s',
    },
    stubs: stubs(join(dir, '..', `${basename(dir)}-artifacts`)),
    github: { api_url: github.url, repository: 'acme/nextevent', run_id: String(++runIds) },
    ...(cancel === undefined ? {} : { cancel }),
  });
}

/** Blue at 100% again, green healthy: each case starts where a release would. */
async function reset(): Promise<void> {
  await scene.green.setFault({});
  // The gates' 5 s windows must not reach back into the previous case's fault.
  await sleep(6000);
  const { weights } = await router.read();
  if (weights.candidate !== 0)
    await rollbackTraffic([router], {
      runId: 'scene-reset',
      clock: systemClock,
      verifyTimeoutMs: 10_000,
      verifyIntervalMs: 50,
      log: () => undefined,
    });
}

/** Every weight change the router reports while the run goes on, with when it was seen. */
function watchWeights(): { stop: () => Promise<{ at: number; green: number }[]> } {
  const seen: { at: number; green: number }[] = [];
  const state = { running: true };
  const loop = (async () => {
    while (state.running) {
      const green = (await router.read()).weights.candidate;
      if (seen.at(-1)?.green !== green) seen.push({ at: Date.now(), green });
      await sleep(50);
    }
  })();
  return {
    stop: async () => {
      state.running = false;
      await loop;
      return seen;
    },
  };
}

const load = (): RunningLoad =>
  scene.load({ durationS: 120, maxRequests: 100_000, ratePerS: 200, connections: 8 });

/** Failures the fault did not cause: anything but the 500s a failing green answers on purpose. */
const unexplained = (counts: LoadCounts, faultStatus?: string) =>
  counts.failed - (faultStatus === undefined ? 0 : (counts.byStatus[faultStatus] ?? 0));

const descriptionsOf = (record: RunRecord) =>
  (github.deploymentStatuses.get(Number(record.jobs.deploy?.outputs['deployment-id'])) ?? []).map(
    (s) => s.description,
  );
const statesOf = (record: RunRecord) =>
  (github.deploymentStatuses.get(Number(record.jobs.deploy?.outputs['deployment-id'])) ?? []).map(
    (s) => s.state,
  );

describe('a real cutover through the reusable workflow: HAProxy, Prometheus, real load', () => {
  it(
    'case 1: a healthy green goes to 100% with no failed request',
    { timeout: 120_000 },
    async () => {
      await reset();
      const running = load();
      const weights = watchWeights();
      const record = await cutover(workspace());
      const moves = await weights.stop();
      const counts = await running.stop();

      expect(record.result, JSON.stringify(record.jobs, null, 1).slice(0, 3000)).toBe('success');
      expect(moves.map((m) => m.green)).toEqual([0, 10, 50, 100]);
      expect((await router.read()).weights).toEqual({ stable: 0, candidate: 100 });
      expect(await scene.haproxy.command('get weight app/green')).toMatch(/^100 /);
      expect(counts.failed, JSON.stringify(counts)).toBe(0);
      expect(counts.byColour.green ?? 0).toBeGreaterThan(0);
      // Every gate passed on what Prometheus holds: green's error share is under the rule.
      const [errors] = await scene.query(
        'sum(increase(http_requests_total{app="nextevent",track="green",code="500"}[1m]))',
      );
      expect(Number(errors?.value[1] ?? 0)).toBe(0);
      expect(
        stepsOf(record)
          .filter((s) => s.key === 'gate')
          .map((s) => s.outcome),
      ).toEqual(['success', 'success', 'success']);
      expect(statesOf(record).at(-1)).toBe('success');
      // The deployment tells the same story as the gate steps: every step's gates passed.
      const said = descriptionsOf(record);
      for (const weight of [10, 50, 100])
        expect(
          said.some((d) => d.startsWith(`${weight}% — gates pass`)),
          said.join('\n'),
        ).toBe(true);
    },
  );

  it(
    'case 2: a green that starts failing at 50% is rolled back by the gate',
    { timeout: 120_000 },
    async () => {
      await reset();
      const running = load();
      const weights = watchWeights();
      let faultAt: number | undefined;
      // The fault starts once traffic is at 50%.
      const injecting = (async () => {
        while ((await router.read()).weights.candidate !== 50) await sleep(50);
        await scene.green.setFault({ errorRate: 0.5 });
        faultAt = Date.now();
      })();
      const record = await cutover(workspace());
      await injecting;
      const moves = await weights.stop();
      const counts = await running.stop();

      expect(stepsOf(record, 'step (50)').find((s) => s.key === 'gate')?.outcome).toBe('failure');
      expect(record.jobs['step (100)']?.result).toBe('cancelled');
      expect(record.jobs.rollback?.result).toBe('success');
      expect(moves.map((m) => m.green)).toEqual([0, 10, 50, 0]);
      expect((await router.read()).weights).toEqual({ stable: 100, candidate: 0 });
      // Only the fault's own 500s failed: no request was lost to a weight change.
      expect(unexplained(counts, '500'), JSON.stringify(counts)).toBe(0);
      // What the gate saw is what Prometheus holds: green answered 500s at 50%.
      const [errors] = await scene.query(
        'sum(increase(http_requests_total{app="nextevent",track="green",code="500"}[2m]))',
      );
      expect(Number(errors?.value[1] ?? 0)).toBeGreaterThan(0);
      const back = moves.at(-1)?.at ?? 0;
      const seconds = (back - (faultAt ?? back)) / 1000;
      console.log(`case 2: breach started → traffic back on blue in ${seconds.toFixed(1)} s`);
      expect(seconds).toBeGreaterThan(0);
      expect(statesOf(record).at(-1)).toBe('failure');
    },
  );

  it(
    'case 3: a green whose latency slowly rises past the p95 rule is rolled back',
    { timeout: 120_000 },
    async () => {
      await reset();
      const running = load();
      const injecting = (async () => {
        while ((await router.read()).weights.candidate !== 50) await sleep(50);
        await scene.green.setFault({ latencyMs: 20, latencyRiseMsPerS: 80 });
      })();
      const record = await cutover(workspace());
      await injecting;
      const counts = await running.stop();

      const gate = stepsOf(record, 'step (50)').find((s) => s.key === 'gate');
      expect(gate?.outcome).toBe('failure');
      expect(gate?.stdout).toContain('p95-latency');
      // Prometheus agrees: green's p95 over the last minute is past 200 ms.
      const [p95] = await scene.query(
        'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{app="nextevent",track="green"}[1m])))',
      );
      expect(Number(p95?.value[1] ?? 0)).toBeGreaterThan(0.2);
      expect(record.jobs.rollback?.result).toBe('success');
      expect((await router.read()).weights).toEqual({ stable: 100, candidate: 0 });
      expect(counts.failed, JSON.stringify(counts)).toBe(0);
    },
  );

  it(
    'case 4: the run is killed mid-cutover and the workflow puts traffic back on blue',
    { timeout: 120_000 },
    async () => {
      await reset();
      const running = load();
      const record = await cutover(workspace(), {
        job: 'step (50)',
        step: 'gate',
        afterMs: 1000,
      });
      const counts = await running.stop();

      expect(record.cancel).toBe('signal');
      expect(record.jobs.rollback?.result).toBe('success');
      expect((await router.read()).weights).toEqual({ stable: 100, candidate: 0 });
      expect(counts.failed, JSON.stringify(counts)).toBe(0);
      expect(counts.byColour.green ?? 0).toBeGreaterThan(0);
      expect(statesOf(record).at(-1)).toBe('failure');
    },
  );
});
