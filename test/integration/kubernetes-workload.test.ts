import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, GateFailure, ServiceError, createVirtualClock } from '@cutover/kit';
import {
  COLOUR_LABEL,
  FIELD_MANAGER,
  KubeClient,
  WorkloadCancelled,
  WorkloadNotReady,
  deployWorkload,
  parseManifests,
  type DeployWorkloadOptions,
} from '@cutover/kubernetes';
import { FakeKubernetes } from '../support/fake-kubernetes.js';

let kube: FakeKubernetes;
const NS = 'production';
const manifests = (replicas = 2) =>
  parseManifests(`apiVersion: apps/v1
kind: Deployment
metadata: {name: shop-green}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: shop}}
  template:
    metadata: {labels: {app: shop}}
    spec: {containers: [{name: shop, image: shop:placeholder}]}
---
apiVersion: v1
kind: Service
metadata: {name: shop-green}
spec: {selector: {app: shop}}
`);
const deploy = (overrides: Partial<DeployWorkloadOptions> = {}) => {
  const clock = createVirtualClock(0);
  return deployWorkload(new KubeClient({ kubeconfig: kube.kubeconfig, clock }), {
    manifests: manifests(),
    colour: 'green',
    image: 'registry.example.com/shop:2.0.0',
    namespace: NS,
    clock,
    ...overrides,
  });
};
const stored = () => kube.get('apps/v1', 'Deployment', NS, 'shop-green');

beforeEach(async () => {
  kube = await new FakeKubernetes().start();
});
afterEach(() => kube.stop());

describe('deployWorkload', () => {
  it('applies the candidate by server-side apply, coloured and with its image, and waits until it is ready', async () => {
    const results = await deploy();
    expect(results).toEqual([
      {
        kind: 'Deployment',
        namespace: NS,
        name: 'shop-green',
        action: 'created',
        ready: true,
        detail:
          'Deployment production/shop-green: rolled out, 2 of 2 replicas available at generation 1',
        diagnostics: [],
      },
      {
        kind: 'Service',
        namespace: NS,
        name: 'shop-green',
        action: 'created',
        ready: undefined,
        detail: 'applied',
        diagnostics: [],
      },
    ]);
    const live = stored();
    expect(live?.metadata.labels).toEqual({ [COLOUR_LABEL]: 'green' });
    expect(live?.metadata.managedFields).toEqual([{ manager: FIELD_MANAGER, operation: 'Apply' }]);
    expect(live?.spec).toMatchObject({
      selector: { matchLabels: { app: 'shop', [COLOUR_LABEL]: 'green' } },
      template: {
        metadata: { labels: { app: 'shop', [COLOUR_LABEL]: 'green' } },
        spec: { containers: [{ name: 'shop', image: 'registry.example.com/shop:2.0.0' }] },
      },
    });
    expect(kube.requests.filter((r) => r.method === 'PATCH').map((r) => r.contentType)).toEqual([
      'application/apply-patch+yaml',
      'application/apply-patch+yaml',
    ]);

    // The same manifests again change nothing; a new image is a new rollout.
    expect((await deploy()).map((r) => [r.action, r.ready])).toEqual([
      ['unchanged', true],
      ['unchanged', undefined],
    ]);
    const next = await deploy({ image: 'registry.example.com/shop:2.0.1' });
    expect(next.map((r) => r.action)).toEqual(['configured', 'unchanged']);
    expect(next[0]?.detail).toContain('at generation 2');
  });

  it('keeps the immutable selector of an existing Deployment and labels its pod template', async () => {
    kube.put({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'shop-green', namespace: NS },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'shop' } },
        template: {
          metadata: { labels: { app: 'shop' } },
          spec: { containers: [{ name: 'shop', image: 'shop:1' }] },
        },
      },
    });
    const [result] = await deploy();
    expect(result).toMatchObject({ action: 'configured', ready: true });
    expect(stored()?.spec).toMatchObject({
      selector: { matchLabels: { app: 'shop' } },
      template: { metadata: { labels: { app: 'shop', [COLOUR_LABEL]: 'green' } } },
    });
    expect(
      (stored()?.spec as { selector: { matchLabels: object } }).selector.matchLabels,
    ).not.toHaveProperty(COLOUR_LABEL);
  });

  it('fails a rollout that never becomes ready with its pod conditions and recent events, newest first', async () => {
    kube.stuckDeployments.add('shop-green');
    const error = await deploy().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkloadNotReady);
    expect(error).toBeInstanceOf(GateFailure);
    const message = (error as Error).message;
    const lines = message.split('\n');
    expect(lines.slice(0, 4)).toEqual([
      '1 of 1 Deployment did not become ready:',
      'Deployment production/shop-green: exceeded its progress deadline (600s) with 2 of 2 replicas updated, 0 available: ReplicaSet "shop-green-new" has timed out progressing.',
      '  pod shop-green-g1-0 (Pending): ContainersReady=False (ContainersNotReady: containers with unready status: [shop]); Ready=False (ContainersNotReady: containers with unready status: [shop]); container shop waiting: ImagePullBackOff (Back-off pulling image "registry.example.com/shop:2.0.0")',
      '  pod shop-green-g1-1 (Pending): ContainersReady=False (ContainersNotReady: containers with unready status: [shop]); Ready=False (ContainersNotReady: containers with unready status: [shop]); container shop waiting: ImagePullBackOff (Back-off pulling image "registry.example.com/shop:2.0.0")',
    ]);
    expect(lines[4]).toBe('  recent events (newest first, at most 10):');
    const events = lines.slice(5);
    expect(events.length).toBeGreaterThan(0);
    expect(events.length).toBeLessThanOrEqual(10);
    expect(events[0]).toMatch(
      /^ {2}- \S+Z Pod shop-green-g1-1 Warning BackOff: Back-off pulling image "registry.example.com\/shop:2.0.0" \(x\d+\)$/,
    );
    expect(message).toContain(
      'Warning Failed: Failed to pull image "registry.example.com/shop:2.0.0": rpc error: code = NotFound',
    );
    const times = events.map((line) => line.slice(4, 24));
    expect([...times].sort().reverse()).toEqual(times);
    const { results } = error as WorkloadNotReady;
    expect(results[0]).toMatchObject({ action: 'created', ready: false });
    expect(results[0]?.diagnostics.length).toBe(lines.length - 2);
  });

  it('fails at its bound a rollout whose progress deadline has not passed yet, naming where it stands', async () => {
    kube.stuckDeployments.add('shop-green');
    kube.progressDeadlineTicks = 1_000_000;
    const error = await deploy({ timeoutMs: 60_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkloadNotReady);
    expect(String(error)).toContain(
      'Deployment production/shop-green: not ready after 60s: 0 of 2 updated replicas available',
    );
    expect(String(error)).toContain('ImagePullBackOff');
  });

  it('stops when cancelled, saying what was applied and what was still rolling out', async () => {
    const beforeApply = new AbortController();
    const applying = await deploy({
      signal: beforeApply.signal,
      log: () => beforeApply.abort(),
    }).catch((e: unknown) => e);
    expect(applying).toBeInstanceOf(WorkloadCancelled);
    expect(applying).toBeInstanceOf(ServiceError);
    expect(String(applying)).toContain(
      'cancelled while applying; applied 1 of 2 objects, not applied: Service production/shop-green',
    );
    expect(kube.get('v1', 'Service', NS, 'shop-green')).toBeUndefined();

    kube.stuckDeployments.add('shop-green');
    kube.progressDeadlineTicks = 1_000_000;
    const waiting = new AbortController();
    const error = await deploy({
      signal: waiting.signal,
      log: (line) => {
        if (line.includes('updated replicas available')) waiting.abort();
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkloadCancelled);
    expect(String(error)).toContain(
      'cancelled while waiting for rollouts; still rolling out: Deployment production/shop-green:',
    );
    expect((error as WorkloadCancelled).results.map((r) => r.action)).toEqual([
      'unchanged',
      'created',
    ]);
  });

  it('says which verbs the credentials need when forbidden, and still fails the rollout when events cannot be listed', async () => {
    kube.fail({
      match: 'PATCH /apis/apps/v1/namespaces/production/deployments/shop-green',
      status: 403,
    });
    const apply = await deploy().catch((e: unknown) => e);
    expect(apply).toBeInstanceOf(ConfigError);
    expect(String(apply)).toContain(
      'apply Deployment production/shop-green: forbidden (403); the credentials need get, create, patch on deployments.apps in namespace production',
    );

    kube.stuckDeployments.add('shop-green');
    kube.fail({ match: 'GET /api/v1/namespaces/production/events', status: 403 });
    const error = await deploy().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkloadNotReady);
    expect(String(error)).toContain('ImagePullBackOff');
    expect(String(error)).toContain(
      '  events: list events of Deployment production/shop-green: forbidden (403); the credentials need list on events in namespace production',
    );
  });
});
