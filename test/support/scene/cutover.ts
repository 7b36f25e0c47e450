import { cpSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { systemClock } from '@cutover/kit';
import { createTargets } from '@cutover/routers';
import { rollbackTraffic, type RouterTarget } from '@cutover/traffic';
import { FakeGitHub } from '../fake-github.js';
import {
  REPO_ROOT,
  runWorkflow,
  type CancelAt,
  type RunRecord,
  type StubAction,
} from '../workflow-harness.js';
import type { LoadCounts, RunningLoad } from './load.js';
import { startScene, type Scene } from './scene.js';

/**
 * Issue 13's cutover on one machine: the scene (blue and green behind a real HAProxy, a real
 * Prometheus, autocannon) and the reusable workflow phased-cutover.yml executed by the harness,
 * with the seed's three rules as gates on short windows. Shared by the scene test and the bench.
 */
export interface CutoverScene {
  scene: Scene;
  github: FakeGitHub;
  router: RouterTarget;
  /** One run of phased-cutover.yml (mode cutover) on a fresh workspace. */
  cutover(cancel?: CancelAt): Promise<RunRecord>;
  /** Blue at 100% again, green healthy, the gates' windows clear of the last fault. */
  reset(): Promise<void>;
  /** Every weight change the router reports from now on, with when it was seen. */
  watchWeights(): { stop: () => Promise<{ at: number; green: number }[]> };
  load(): RunningLoad;
  /** The deployment's statuses (state and description) a run reported, oldest first. */
  statuses(record: RunRecord): { state: string; description: string }[];
  stop(): Promise<void>;
}

export async function startCutoverScene(): Promise<CutoverScene> {
  const [sceneStart, githubStart] = await Promise.allSettled([
    startScene(),
    new FakeGitHub().start(),
  ]);
  if (sceneStart.status === 'rejected' || githubStart.status === 'rejected') {
    // What did start is stopped: a failed start leaves no process behind.
    if (sceneStart.status === 'fulfilled') await sceneStart.value.stop();
    if (githubStart.status === 'fulfilled') await githubStart.value.stop();
    const failed = [sceneStart, githubStart].find((r) => r.status === 'rejected');
    throw failed?.reason;
  }
  const scene = sceneStart.value;
  const github = githubStart.value;
  try {
    return await ready(scene, github);
  } catch (error) {
    await Promise.allSettled([scene.stop(), github.stop()]);
    throw error;
  }
}

async function ready(scene: Scene, github: FakeGitHub): Promise<CutoverScene> {
  const [router] = createTargets(scene.router, {
    clock: systemClock,
    resolvePath: (p) => p,
  }).targets;
  if (router === undefined) throw new Error('no router target');
  // Green answers a few requests of its own first (the after-deploy smoke test of a real
  // cutover), so its series exist before traffic reaches it.
  for (let i = 0; i < 20; i++) await fetch(scene.green.url);
  // Prometheus scrapes a few seconds after it starts: a gate before that sees no data.
  for (let i = 0; i < 300; i++) {
    const seen = await scene.query('http_requests_total{app="nextevent",track="green"}');
    if (seen.length > 0) break;
    await sleep(100);
  }
  let runIds = 7000;
  const cutover = (cancel?: CancelAt): Promise<RunRecord> => {
    const dir = workspace(scene);
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
  };
  return {
    scene,
    github,
    router,
    cutover,
    async reset() {
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
    },
    watchWeights() {
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
    },
    load: () => scene.load({ durationS: 120, maxRequests: 100_000, ratePerS: 200, connections: 8 }),
    statuses: (record) =>
      (
        github.deploymentStatuses.get(Number(record.jobs.deploy?.outputs['deployment-id'])) ?? []
      ).map((s) => ({ state: s.state, description: s.description })),
    async stop() {
      await Promise.allSettled([scene.stop(), github.stop()]);
    },
  };
}

/** Failures the fault did not cause: anything but the 500s a failing green answers on purpose. */
export const unexplainedFailures = (counts: LoadCounts, faultStatus?: string): number =>
  counts.failed - (faultStatus === undefined ? 0 : (counts.byStatus[faultStatus] ?? 0));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const GREEN = '{ app: nextevent, track: green }';

/** The seed's three automatic rollback triggers, on short windows for a test-sized bake. */
const plan = (scene: Scene) => `version: 1
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

function workspace(scene: Scene): string {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-scene-wf-'));
  writeFileSync(join(dir, 'plan.yaml'), plan(scene));
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
