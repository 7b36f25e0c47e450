import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ConfigError,
  ConflictError,
  ServiceError,
  createVirtualClock,
  pollUntil,
  systemClock,
} from '@cutover/kit';
import { KubeClient, type RolloutStatus } from '@cutover/kubernetes';
import { FakeKubernetes } from '../support/fake-kubernetes.js';

let kube: FakeKubernetes;
const NS = 'production';
const client = () => new KubeClient({ kubeconfig: kube.kubeconfig, clock: systemClock });
const deployment = (image: string, replicas = 3) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'shop', namespace: NS },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'shop' } },
    template: {
      metadata: { labels: { app: 'shop' } },
      spec: { containers: [{ name: 'shop', image }] },
    },
  },
});
/** Polls rolloutStatus until it is final, on a virtual clock (the fake advances per read). */
async function rollout(kubeClient: KubeClient): Promise<RolloutStatus[]> {
  const seen: RolloutStatus[] = [];
  await pollUntil(
    async () => {
      const status = await kubeClient.rolloutStatus({ namespace: NS, name: 'shop' });
      seen.push(status);
      return status.state === 'progressing' ? undefined : status;
    },
    {
      clock: createVirtualClock(0),
      timeoutMs: 600_000,
      intervalMs: 2000,
      what: 'shop to roll out',
    },
  );
  return seen;
}

beforeEach(async () => {
  kube = await new FakeKubernetes().start();
});
afterEach(() => kube.stop());

describe('Kubernetes client', () => {
  it('creates an object by server-side apply under its field manager, then updates it', async () => {
    const kubeClient = client();
    const created = await kubeClient.apply(deployment('shop:1'), 'cutover-deploy');
    expect(created.metadata?.generation).toBe(1);
    const stored = kube.get('apps/v1', 'Deployment', NS, 'shop');
    expect(stored?.metadata.managedFields).toEqual([
      { manager: 'cutover-deploy', operation: 'Apply' },
    ]);
    await kubeClient.apply(deployment('shop:2'), 'cutover-deploy');
    expect(kube.get('apps/v1', 'Deployment', NS, 'shop')?.metadata.generation).toBe(2);
    expect(kube.requests.filter((r) => r.method === 'PATCH').map((r) => r.contentType)).toEqual([
      'application/apply-patch+yaml',
      'application/apply-patch+yaml',
    ]);
  });

  it('follows a rollout from a new generation to every replica available', async () => {
    const kubeClient = client();
    await kubeClient.apply(deployment('shop:1'), 'cutover-deploy');
    const seen = await rollout(kubeClient);
    expect(seen[0]?.state).toBe('progressing');
    expect(seen.map((s) => s.detail)).toContain(
      'Deployment production/shop: 1 of 3 replicas updated',
    );
    expect(seen.at(-1)).toMatchObject({
      state: 'done',
      generation: 1,
      observedGeneration: 1,
      updated: 3,
      available: 3,
    });

    await kubeClient.apply(deployment('shop:2'), 'cutover-deploy');
    const first = await kubeClient.rolloutStatus({ namespace: NS, name: 'shop' });
    expect(first).toMatchObject({ state: 'progressing', generation: 2, updated: 0 });
    expect((await rollout(kubeClient)).at(-1)).toMatchObject({ state: 'done', generation: 2 });
  });

  it('reports a rollout that never becomes ready as failed once its progress deadline passes', async () => {
    const kubeClient = client();
    kube.stuckDeployments.add('shop');
    await kubeClient.apply(deployment('shop:broken', 2), 'cutover-deploy');
    const last = (await rollout(kubeClient)).at(-1);
    expect(last?.state).toBe('failed');
    expect(last?.detail).toMatch(
      /^Deployment production\/shop: exceeded its progress deadline \(600s\) with 2 of 2 replicas updated, 0 available: ReplicaSet "shop-new" has timed out progressing\.$/,
    );
  });

  it('says which verbs the credentials need when forbidden (403), as a configuration error', async () => {
    kube.fail({ match: 'PATCH /apis/apps/v1/namespaces/production/deployments/shop', status: 403 });
    const error = await client()
      .apply(deployment('shop:1'), 'cutover-deploy')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(String(error)).toContain(
      'apply Deployment production/shop: forbidden (403); the credentials need get, create, patch on deployments.apps in namespace production',
    );
    kube.fail({ match: 'GET /apis/gateway.networking.k8s.io', status: 403 });
    await expect(
      client().get({
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        namespace: NS,
        name: 'shop',
      }),
    ).rejects.toThrow(
      'read HTTPRoute production/shop: forbidden (403); the credentials need get on httproutes.gateway.networking.k8s.io in namespace production',
    );
  });

  it('reports a missing object (404) as a configuration error and a lost race (409) as a conflict', async () => {
    const missing = await client()
      .rolloutStatus({ namespace: NS, name: 'nope' })
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ConfigError);
    expect(String(missing)).toContain('read Deployment production/nope: not found (404)');
    kube.put(deployment('shop:1'));
    const stale = await client()
      .mergePatch(
        { apiVersion: 'apps/v1', kind: 'Deployment', namespace: NS, name: 'shop' },
        { metadata: { resourceVersion: '1' }, spec: { replicas: 5 } },
      )
      .catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(ConflictError);
  });

  it('gives up on a server that keeps failing with a service error, and refuses a missing kubeconfig as configuration', async () => {
    kube.fail(
      ...Array.from({ length: 5 }, () => ({
        match: 'GET /apis/apps/v1',
        status: 503,
        message: 'etcd unavailable',
      })),
    );
    const kubeClient = new KubeClient({
      kubeconfig: kube.kubeconfig,
      clock: createVirtualClock(0),
    });
    const error = await kubeClient
      .rolloutStatus({ namespace: NS, name: 'shop' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceError);
    expect(String(error)).toContain(
      'read Deployment production/shop failed (HTTP 503): etcd unavailable',
    );
    const config = await new KubeClient({
      kubeconfig: '/nonexistent/kubeconfig',
      clock: systemClock,
    })
      .rolloutStatus({ namespace: NS, name: 'shop' })
      .catch((e: unknown) => e);
    expect(config).toBeInstanceOf(ConfigError);
    expect(String(config)).toContain('kubeconfig /nonexistent/kubeconfig: cannot be loaded');
  });
});
