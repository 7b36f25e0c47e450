import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryKit, failureMessage, type MemoryKit } from '@cutover/action-kit';
import { CloudFormationEngine } from '@cutover/aws';
import type { Clock } from '@cutover/kit';
import { KubeClient } from '@cutover/kubernetes';
import { createTargets } from '@cutover/routers';
import { type StackSpec, deployStacks } from '@cutover/stacks';
import { MARKER_KEY, decodeMarker, shiftTraffic } from '@cutover/traffic';
import { main } from '../../actions/rollback/src/main.js';
import { FakeCloudFormation } from '../support/fake-cloudformation.js';
import { FakeKubernetes } from '../support/fake-kubernetes.js';

/**
 * The rollback action across the fakes: traffic on a Gateway API HTTPRoute (real
 * @kubernetes/client-node against the fake API server) or a file router, the candidate
 * Deployment on the same fake, and CloudFormation stacks deployed by deploy-stack's scheduler
 * (real SDK against the fake), whose rollback record the action restores from. Each run's
 * `phases` output carries the measured time per phase (npm run bench reports them).
 */
const saved = { ...process.env };
let kube: FakeKubernetes;
let cfn: FakeCloudFormation;

/** Real time run 100 times faster: CloudFormation polls of 5-15 s take 50-150 ms. */
function fastClock(): Clock {
  const start = Date.now();
  return {
    now: () => start + (Date.now() - start) * 100,
    sleep: (ms, signal) =>
      new Promise((resolve) => {
        const timer = setTimeout(resolve, ms / 100);
        signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}

const template = (resources: string[]) =>
  JSON.stringify({
    Parameters: { Version: { Type: 'String' } },
    Resources: Object.fromEntries(resources.map((r) => [r, { Type: 'AWS::SNS::Topic' }])),
    Outputs: { Version: { Value: { Ref: 'Version' } } },
  });

const deployment = (name: string, colour: string, replicas: number) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name,
    namespace: 'production',
    labels: { app: 'shop', 'cutover.dev/colour': colour },
  },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'shop', 'cutover.dev/colour': colour } },
    template: {
      metadata: { labels: { app: 'shop', 'cutover.dev/colour': colour } },
      spec: { containers: [{ name: 'shop', image: `shop:${colour}` }] },
    },
  },
});

function plan(router: string, extra = ''): string {
  return `version: 1
name: shop
strategy: phased
target: { kind: kubernetes, name: shop }
router: ${router}
metrics: { provider: file, path: metrics.yaml }
steps:
  - { weight: 10, bake: 1h, gates: [errors] }
  - { weight: 50, bake: 1h, gates: [errors] }
  - { weight: 100, bake: 1h, gates: [errors] }
gates:
  errors: { query: service_errors, threshold: '> 5%', for: 30s, interval: 10s, min-samples: 2 }
rollback: { traffic-timeout: 2m, max-time-to-stable: 15m }
${extra}`;
}

const workload = `workload:
  manifests: [k8s/shop-green.yaml]
  namespace: production
  colour: green
`;
const stacks = `stacks:
  - { name: Shop-Database, template: cfn/v2-db.json, parameters: { Version: v2 } }
  - { name: Shop-Api, template: cfn/v2-api.json, parameters: { Version: v2 }, depends-on: [Shop-Database] }
  - { name: Shop-Cache, template: cfn/v2-cache.json, parameters: { Version: v2 }, depends-on: [Shop-Database] }
`;

const spec = (name: string, file: string, dependsOn: string[] = []): StackSpec => ({
  name,
  template: file,
  parameters: { Version: file.startsWith('v1') ? 'v1' : 'v2' },
  parametersFile: undefined,
  tags: { release: file.slice(0, 2) },
  capabilities: [],
  roleArn: undefined,
  terminationProtection: false,
  rollbackTriggers: undefined,
  notificationArns: [],
  dependsOn,
});

/** Database and Api at v1; then a cutover deploys v2 and creates Cache: the record says so. */
async function deployCutoverStacks(workspace: string, clock: Clock): Promise<string> {
  const files: Record<string, string> = {
    'v1-db.json': template(['Db']),
    'v1-api.json': template(['Api']),
    'v2-db.json': template(['Db', 'DbReplica']),
    'v2-api.json': template(['Api', 'ApiQueue']),
    'v2-cache.json': template(['Cache']),
  };
  const engine = new CloudFormationEngine({ region: 'eu-west-1', endpoint: cfn.url });
  const options = {
    clock,
    readFile: (path: string) => Promise.resolve(files[path] ?? ''),
    pollIntervalMs: 1000,
  };
  const before = await deployStacks(
    [spec('Shop-Database', 'v1-db.json'), spec('Shop-Api', 'v1-api.json', ['Shop-Database'])],
    engine,
    { ...options, runId: 'before' },
  );
  expect(before.ok).toBe(true);
  const cutover = await deployStacks(
    [
      spec('Shop-Database', 'v2-db.json'),
      spec('Shop-Api', 'v2-api.json', ['Shop-Database']),
      spec('Shop-Cache', 'v2-cache.json', ['Shop-Database']),
    ],
    engine,
    { ...options, runId: 'cutover' },
  );
  expect(cutover.ok).toBe(true);
  const path = join(workspace, 'record.json');
  writeFileSync(path, JSON.stringify({ stacks: cutover.rollback }));
  return path;
}

async function rollback(
  workspace: string,
  inputs: Record<string, string>,
  clock: Clock,
): Promise<{ kit: MemoryKit; failure: string | undefined; phases: Phase[] }> {
  const kit = createMemoryKit({
    inputs: { 'stable-window': '1m', ...inputs },
    env: {
      GITHUB_WORKSPACE: workspace,
      GITHUB_RUN_ID: '900',
      GITHUB_RUN_ATTEMPT: '1',
      KUBECONFIG: kube.kubeconfig,
      AWS_REGION: 'eu-west-1',
    },
    clock,
  });
  let failure: string | undefined;
  try {
    await main(kit, {
      readFile: (path) => readFileSync(path, 'utf8'),
      readRecord: (path) => Promise.resolve(readFileSync(path, 'utf8')),
      onCancel: () => undefined,
      stackEngine: (region) =>
        Promise.resolve(new CloudFormationEngine({ region, endpoint: cfn.url })),
      workloadClient: (options) => Promise.resolve(new KubeClient(options)),
      metricsSource: async (k, p, from) => {
        const { createMetricsSource } = await import('@cutover/metrics');
        return createMetricsSource(
          p.metrics,
          {},
          {
            readFile: (path) => readFileSync(join(workspace, path), 'utf8'),
            recordedBase: from,
            timeoutMs: 5000,
            env: k.env,
          },
        );
      },
    });
  } catch (error) {
    failure = failureMessage(error);
  }
  return { kit, failure, phases: JSON.parse(kit.outputs.phases ?? '[]') as Phase[] };
}

interface Phase {
  phase: string;
  status: string;
  durationMs: number;
  detail: string;
}

function workspaceWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-rollback-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** The HTTPRoute shop (blue 100 / green 0), both Services with ready endpoints, both Deployments. */
function seedCluster(): void {
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
  kube.put(deployment('shop-blue', 'blue', 4));
  kube.put(deployment('shop-green', 'green', 3));
}

const healthy = 'service_errors:\n  - { from: 0s, to: 1h, value: 0.01 }\n';

beforeAll(() => {
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
});
afterAll(() => {
  process.env = saved;
});
beforeEach(async () => {
  kube = await new FakeKubernetes().start();
  cfn = await new FakeCloudFormation().start();
  cfn.stepMs = 3;
});
afterEach(async () => {
  await kube.stop();
  await cfn.stop();
});

describe('rollback across the fakes', () => {
  it('puts traffic, the workload and the stacks back, timing each phase, and judges stable', async () => {
    seedCluster();
    const clock = fastClock();
    const router = `{ kind: gateway-api, name: shop, namespace: production, stable: blue, candidate: green, kubeconfig: '${kube.kubeconfig}' }`;
    const workspace = workspaceWith({
      'plan.yaml': plan(router, workload + stacks),
      'metrics.yaml': healthy,
      'k8s/shop-green.yaml': JSON.stringify(deployment('shop-green', 'green', 3)),
    });
    const record = await deployCutoverStacks(workspace, clock);
    const { targets } = createTargets(
      {
        kind: 'gateway-api',
        name: 'shop',
        namespace: 'production',
        stable: 'blue',
        candidate: 'green',
        kubeconfig: kube.kubeconfig,
      },
      { clock, resolvePath: (p) => p },
    );
    await shiftTraffic(targets, 10, {
      runId: '800-1',
      planSteps: [10, 50, 100],
      force: false,
      clock,
      verifyTimeoutMs: 60_000,
      verifyIntervalMs: 1000,
      log: () => undefined,
    });

    const { kit, failure, phases } = await rollback(
      workspace,
      { plan: 'plan.yaml', scope: 'all', 'rollback-record': record, reason: 'errors at 10%' },
      clock,
    );
    expect(failure).toBeUndefined();
    expect(kit.outputs['rolled-back']).toBe('true');
    expect(JSON.parse(kit.outputs.weights ?? '')).toEqual({ stable: 100, candidate: 0 });
    expect(phases.map((p) => [p.phase, p.status])).toEqual([
      ['traffic', 'done'],
      ['workload', 'done'],
      ['stacks', 'done'],
      ['stable-check', 'done'],
    ]);
    for (const p of phases) expect(p.durationMs).toBeGreaterThanOrEqual(0);
    expect(kit.outputs['stable-health']).toBe('pass');
    expect(kit.outputs['targets-met']).toBe('true');

    // Traffic: the route back at blue 100, with a rolled-back marker naming this run.
    const route = kube.get('gateway.networking.k8s.io/v1', 'HTTPRoute', 'production', 'shop');
    const marker = decodeMarker(route?.metadata.annotations?.[MARKER_KEY], 'route');
    expect(marker).toMatchObject({ runId: '900-1', state: 'rolled-back', after: { candidate: 0 } });
    // Workload: green at 0 replicas, blue untouched.
    expect(kube.get('apps/v1', 'Deployment', 'production', 'shop-green')?.spec).toMatchObject({
      replicas: 0,
    });
    expect(kube.get('apps/v1', 'Deployment', 'production', 'shop-blue')?.spec).toMatchObject({
      replicas: 4,
    });
    // Stacks: v1 back on Database and Api, the Cache the cutover created gone; Api before Database.
    expect(cfn.stack('Shop-Api')?.config.parameters).toEqual({ Version: 'v1' });
    expect(Object.keys(cfn.stack('Shop-Database')?.config.resources ?? {})).toEqual(['Db']);
    expect(cfn.stack('Shop-Cache')?.deleted ?? true).toBe(true);
    expect(phases[2]?.detail).toMatch(/Shop-(Api|Cache) .*Shop-Database restored$/);
    // The summary: every phase with its time, the reason as text, the targets.
    expect(kit.summary).toContain('Rolled back: traffic on stable');
    expect(kit.summary).toContain('reason: errors at 10%');
    expect(kit.summary).toContain('Targets met');

    // Again: nothing left to roll back, a success that says so.
    const again = await rollback(
      workspace,
      { plan: 'plan.yaml', scope: 'all', 'rollback-record': record },
      clock,
    );
    expect(again.failure).toBeUndefined();
    expect(again.kit.outputs['rolled-back']).toBe('false');
    expect(again.phases.map((p) => p.status).slice(0, 3)).toEqual([
      'nothing',
      'nothing',
      'nothing',
    ]);
    expect(again.kit.summary).toContain('Nothing to roll back');
  }, 120_000);

  it('two rollbacks at once do not fight: both succeed, traffic ends on stable', async () => {
    seedCluster();
    const clock = fastClock();
    const router = `{ kind: gateway-api, name: shop, namespace: production, stable: blue, candidate: green, kubeconfig: '${kube.kubeconfig}' }`;
    const workspace = workspaceWith({
      'plan.yaml': plan(router, workload),
      'metrics.yaml': healthy,
      'k8s/shop-green.yaml': JSON.stringify(deployment('shop-green', 'green', 3)),
    });
    const { targets } = createTargets(
      {
        kind: 'gateway-api',
        name: 'shop',
        namespace: 'production',
        stable: 'blue',
        candidate: 'green',
        kubeconfig: kube.kubeconfig,
      },
      { clock, resolvePath: (p) => p },
    );
    await shiftTraffic(targets, 10, {
      runId: '800-1',
      planSteps: [10, 50, 100],
      force: false,
      clock,
      verifyTimeoutMs: 60_000,
      verifyIntervalMs: 1000,
      log: () => undefined,
    });
    const inputs = { plan: 'plan.yaml', scope: 'traffic, workload', 'check-stable': 'false' };
    const [a, b] = await Promise.all([
      rollback(workspace, { ...inputs, 'run-id': 'a-1' }, clock),
      rollback(workspace, { ...inputs, 'run-id': 'b-1' }, clock),
    ]);
    expect([a.failure, b.failure]).toEqual([undefined, undefined]);
    const route = kube.get('gateway.networking.k8s.io/v1', 'HTTPRoute', 'production', 'shop');
    expect(route?.spec).toMatchObject({
      rules: [{ backendRefs: [{ weight: 100 }, { weight: 0 }] }],
    });
    expect(kube.get('apps/v1', 'Deployment', 'production', 'shop-green')?.spec).toMatchObject({
      replicas: 0,
    });
    expect(a.kit.outputs['stable-health']).toBe('skipped');
  }, 60_000);

  it('deletes the candidate when asked, leaving objects of the other colour alone', async () => {
    seedCluster();
    const clock = fastClock();
    const workspace = workspaceWith({
      'plan.yaml': plan(
        '{ kind: file, path: weights.json, stable: blue, candidate: green }',
        workload,
      ),
      'weights.json': '{"blue": 50, "green": 50}',
      'metrics.yaml': healthy,
      // A manifest that also names stable's Deployment by mistake: refused, not deleted.
      'k8s/shop-green.yaml': [
        deployment('shop-green', 'green', 3),
        deployment('shop-blue', 'blue', 4),
      ]
        .map((d) => JSON.stringify(d))
        .join('\n---\n'),
    });
    const { kit, failure, phases } = await rollback(
      workspace,
      { plan: 'plan.yaml', scope: 'workload', workload: 'delete', 'check-stable': 'false' },
      clock,
    );
    expect(failure).toBeUndefined();
    expect(JSON.parse(readFileSync(join(workspace, 'weights.json'), 'utf8'))).toMatchObject({
      blue: 100,
      green: 0,
    });
    expect(kube.get('apps/v1', 'Deployment', 'production', 'shop-green')).toBeUndefined();
    expect(kube.get('apps/v1', 'Deployment', 'production', 'shop-blue')).toBeDefined();
    expect(phases[1]?.detail).toContain("not the candidate's green: left alone");
    expect(kit.logs.some((l) => l.level === 'warning' && l.message.includes('shop-blue'))).toBe(
      true,
    );
  }, 60_000);

  it('when: interrupted rolls back only a cutover left mid-way', async () => {
    const clock = fastClock();
    const workspace = workspaceWith({
      'plan.yaml': plan('{ kind: file, path: weights.json, stable: blue, candidate: green }'),
      'weights.json': '{"blue": 90, "green": 10}',
      'metrics.yaml': healthy,
    });
    const { targets } = createTargets(
      { kind: 'file', path: join(workspace, 'weights.json'), stable: 'blue', candidate: 'green' },
      { clock, resolvePath: (p) => p },
    );
    await shiftTraffic(targets, 50, {
      runId: '801-1',
      planSteps: [10, 50, 100],
      force: true,
      clock,
      verifyTimeoutMs: 10_000,
      verifyIntervalMs: 100,
      log: () => undefined,
    });
    const inputs = { plan: 'plan.yaml', when: 'interrupted', 'check-stable': 'false' };
    const other = await rollback(workspace, { ...inputs, 'interrupted-run-id': '799-1' }, clock);
    expect(other.failure).toBeUndefined();
    expect(other.kit.outputs['rolled-back']).toBe('false');
    expect(other.phases[0]).toMatchObject({ phase: 'traffic', status: 'skipped' });
    expect(JSON.parse(readFileSync(join(workspace, 'weights.json'), 'utf8'))).toMatchObject({
      blue: 50,
      green: 50,
    });

    const cancelled = await rollback(
      workspace,
      { ...inputs, 'interrupted-run-id': '801-1' },
      clock,
    );
    expect(cancelled.failure).toBeUndefined();
    expect(cancelled.kit.outputs['rolled-back']).toBe('true');
    expect(JSON.parse(readFileSync(join(workspace, 'weights.json'), 'utf8'))).toMatchObject({
      blue: 100,
      green: 0,
    });
  }, 60_000);
});
