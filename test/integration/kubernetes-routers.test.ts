import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '@cutover/kit';
import { createTargets } from '@cutover/routers';
import {
  MARKER_KEY,
  ShiftRefused,
  ShiftReverted,
  decodeMarker,
  rollbackTraffic,
  shiftTraffic,
  type ShiftOptions,
} from '@cutover/traffic';
import { FakeKubernetes } from '../support/fake-kubernetes.js';

let kube: FakeKubernetes;
const NS = 'production';
const STEPS = [10, 25, 50, 75, 100];

function route(name: string, blue: number, green: number) {
  return kube.put({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name, namespace: NS },
    spec: {
      parentRefs: [{ name: 'public-gateway' }],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/' } }],
          backendRefs: [
            { name: 'blue', port: 80, weight: blue },
            { name: 'green', port: 80, weight: green },
          ],
        },
        {
          matches: [{ path: { type: 'PathPrefix', value: '/admin' } }],
          backendRefs: [{ name: 'admin', port: 80 }],
        },
      ],
    },
  });
}
function endpoints(service: string, ready: boolean) {
  kube.put({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${service}-abc`,
      namespace: NS,
      labels: { 'kubernetes.io/service-name': service },
    },
    endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready } }],
  });
}
const targets = (settings: Record<string, unknown>) =>
  createTargets(
    {
      kubeconfig: kube.kubeconfig,
      namespace: NS,
      // A Service selector switch names selectors, not backends (unknown settings are refused).
      ...(settings.kind === 'service-selector' ? {} : { stable: 'blue', candidate: 'green' }),
      ...settings,
    },
    { clock: systemClock, resolvePath: (p) => p },
  ).targets;
const options = (overrides: Partial<ShiftOptions> = {}): ShiftOptions => ({
  runId: 'run-1',
  planSteps: STEPS,
  force: false,
  clock: systemClock,
  verifyTimeoutMs: 3000,
  verifyIntervalMs: 25,
  log: () => undefined,
  ...overrides,
});
const httpRoute = (name = 'shop') =>
  kube.get('gateway.networking.k8s.io/v1', 'HTTPRoute', NS, name);
const weightsOf = (name = 'shop') =>
  (
    (httpRoute(name)?.spec as { rules: { backendRefs: { name: string; weight?: number }[] }[] })
      .rules[0]?.backendRefs ?? []
  ).map((r) => r.weight);
/** Until the Gateway controller has accepted the route's given generation. */
async function accepted(name: string, generation: number): Promise<void> {
  const acceptedGeneration = () =>
    (
      httpRoute(name)?.status as
        { parents?: { conditions?: { type: string; observedGeneration?: number }[] }[] } | undefined
    )?.parents?.[0]?.conditions?.find((c) => c.type === 'Accepted')?.observedGeneration;
  for (let i = 0; i < 200 && acceptedGeneration() !== generation; i++)
    await new Promise((resolve) => setTimeout(resolve, 5));
  expect(acceptedGeneration()).toBe(generation);
}
const markerOf = (name = 'shop') =>
  decodeMarker(httpRoute(name)?.metadata.annotations?.[MARKER_KEY], name);

beforeEach(async () => {
  kube = await new FakeKubernetes().start();
  endpoints('blue', true);
  endpoints('green', true);
});
afterEach(() => kube.stop());

describe('Gateway API HTTPRoute router', () => {
  it('shifts one step with a merge patch carrying the whole rules list, and waits until the Gateway accepts it', async () => {
    route('shop', 100, 0);
    const [outcome] = await shiftTraffic(
      targets({ kind: 'gateway-api', name: 'shop' }),
      10,
      options(),
    );
    expect(weightsOf()).toEqual([90, 10]);
    expect((httpRoute()?.spec as { rules: unknown[] }).rules).toHaveLength(2);
    expect(outcome?.detail).toMatch(
      /^effective after .*: accepted by 1 Gateway\(s\) at generation 2$/,
    );
    expect(markerOf()).toMatchObject({
      runId: 'run-1',
      step: 10,
      before: { stable: 100, candidate: 0 },
      after: { stable: 90, candidate: 10 },
      state: 'done',
    });
    const patches = kube.requests.filter((r) => r.method === 'PATCH');
    expect(patches.map((r) => r.contentType)).toEqual([
      'application/merge-patch+json',
      'application/merge-patch+json',
    ]);
  });

  it('refuses before any write: a skipped step, a bad weight, a candidate without ready endpoints', async () => {
    route('shop', 90, 10);
    await expect(
      shiftTraffic(targets({ kind: 'gateway-api', name: 'shop' }), 50, options()),
    ).rejects.toThrow('moving 10% → 50% skips step 25% of the plan; shift one step at a time');
    await expect(
      shiftTraffic(
        targets({ kind: 'gateway-api', name: 'shop' }),
        Number.NaN,
        options({ planSteps: undefined }),
      ),
    ).rejects.toThrow('candidate weight must be a whole percentage from 0 to 100, got NaN');
    await expect(
      shiftTraffic(
        targets({ kind: 'gateway-api', name: 'shop' }),
        120,
        options({ planSteps: undefined }),
      ),
    ).rejects.toThrow(
      /stable weight must be a whole percentage from 0 to 100, got -20\ncandidate weight must be a whole percentage from 0 to 100, got 120/,
    );
    endpoints('green', false);
    await expect(
      shiftTraffic(targets({ kind: 'gateway-api', name: 'shop' }), 25, options()),
    ).rejects.toThrow(
      'HTTPRoute production/shop: the candidate has no ready endpoints; refusing to send it 25%',
    );
    expect(kube.count('PATCH')).toBe(0);
  });

  it('refuses a route that does not name the candidate backend', async () => {
    route('shop', 100, 0);
    await expect(
      shiftTraffic(
        createTargets(
          {
            kind: 'gateway-api',
            name: 'shop',
            kubeconfig: kube.kubeconfig,
            namespace: NS,
            stable: 'blue',
            candidate: 'purple',
          },
          { clock: systemClock, resolvePath: (p) => p },
        ).targets,
        10,
        options(),
      ),
    ).rejects.toThrow(
      'HTTPRoute production/shop: no rule routes to both backends "blue" and "purple"',
    );
  });

  it('names the object, namespace and context when the route does not exist (404)', async () => {
    await expect(
      shiftTraffic(targets({ kind: 'gateway-api', name: 'missing' }), 10, options()),
    ).rejects.toThrow(
      'read HTTPRoute production/missing: not found (404); check the name, the namespace and the kubeconfig context',
    );
    expect(kube.count('PATCH')).toBe(0);
  });

  it('lets exactly one of two concurrent runs shift a route', async () => {
    route('shop', 100, 0);
    kube.latencyMs = 5;
    const results = await Promise.allSettled([
      shiftTraffic(targets({ kind: 'gateway-api', name: 'shop' }), 10, options({ runId: 'run-A' })),
      shiftTraffic(targets({ kind: 'gateway-api', name: 'shop' }), 10, options({ runId: 'run-B' })),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    expect(won.length + lost.length).toBe(2);
    expect(weightsOf()).toEqual([90, 10]);
    const marker = markerOf();
    expect(marker?.state === 'done' || marker?.state === 'shifting').toBe(true);
    for (const failure of lost)
      expect(String(failure.reason)).toMatch(
        /run run-[AB] (is shifting|started shifting)|already|changed/,
      );
  });

  it('puts the first route back when the second cannot be shifted', async () => {
    route('shop', 100, 0);
    route('shop-api', 100, 0);
    kube.fail(
      ...Array.from({ length: 6 }, () => ({
        match: 'PATCH /apis/gateway.networking.k8s.io/v1/namespaces/production/httproutes/shop-api',
        status: 500,
        message: 'etcd timeout',
      })),
    );
    const error = await shiftTraffic(
      targets({ kind: 'gateway-api', objects: ['shop', 'shop-api'] }),
      10,
      options(),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShiftReverted);
    expect(String(error)).toMatch(
      /patch HTTPRoute production\/shop-api failed \(HTTP 500\): etcd timeout; reverted: HTTPRoute production\/shop back at 0%/,
    );
    expect(weightsOf('shop')).toEqual([100, 0]);
    expect(markerOf('shop')?.state).toBe('reverted');
    expect(weightsOf('shop-api')).toEqual([100, 0]);
  });

  it('fails with observed against desired when the Gateway never accepts, and reverts', async () => {
    route('shop', 100, 0);
    // The Gateway accepts the route as created, then stops: changing the delay before that
    // acceptance lands would let it land on the shifted generation instead.
    await accepted('shop', 1);
    kube.controllerDelayMs = undefined;
    const error = await shiftTraffic(
      targets({ kind: 'gateway-api', name: 'shop' }),
      10,
      options({ verifyTimeoutMs: 300 }),
    ).catch((e: unknown) => String(e));
    expect(error).toMatch(
      /HTTPRoute production\/shop did not apply candidate 10% within 300ms: observed 10%, waiting for public-gateway to accept generation 2/,
    );
    expect(weightsOf()).toEqual([100, 0]);
    expect(markerOf()?.state).toBe('reverted');
  });

  it('retries 429 after Retry-After and 5xx', async () => {
    route('shop', 100, 0);
    kube.fail(
      {
        match: 'GET /apis/gateway.networking.k8s.io/v1/namespaces/production/httproutes/shop',
        status: 429,
        headers: { 'retry-after': '1' },
      },
      { match: 'PATCH /apis/gateway.networking.k8s.io', status: 503 },
    );
    const started = Date.now();
    await shiftTraffic(targets({ kind: 'gateway-api', name: 'shop' }), 10, options());
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(weightsOf()).toEqual([90, 10]);
  });

  it('reverts when cancelled while waiting for the Gateway', async () => {
    route('shop', 100, 0);
    await accepted('shop', 1);
    kube.controllerDelayMs = 1500;
    const cancel = new AbortController();
    setTimeout(() => {
      cancel.abort();
    }, 200);
    const error = await shiftTraffic(
      targets({ kind: 'gateway-api', name: 'shop' }),
      10,
      options({ signal: cancel.signal, verifyTimeoutMs: 10_000 }),
    ).catch((e: unknown) => String(e));
    expect(error).toMatch(
      /cancelled while waiting for HTTPRoute production\/shop to apply 10%; reverted/,
    );
    expect(weightsOf()).toEqual([100, 0]);
    expect(markerOf()?.state).toBe('reverted');
  });

  it('refuses while another run is shifting, unless forced; rollback always goes through, once', async () => {
    route('shop', 90, 10);
    const stuck = httpRoute();
    if (stuck !== undefined)
      stuck.metadata.annotations = {
        [MARKER_KEY]: JSON.stringify({
          version: 1,
          runId: 'killed-run',
          step: 25,
          before: { stable: 90, candidate: 10 },
          after: { stable: 75, candidate: 25 },
          state: 'shifting',
          at: new Date().toISOString(),
        }),
      };
    await expect(
      shiftTraffic(targets({ kind: 'gateway-api', name: 'shop' }), 25, options()),
    ).rejects.toThrow(ShiftRefused);
    await expect(
      shiftTraffic(targets({ kind: 'gateway-api', name: 'shop' }), 25, options()),
    ).rejects.toThrow(/run killed-run is shifting 10% → 25% since .*; refusing to interleave/);
    const [first] = await rollbackTraffic(
      targets({ kind: 'gateway-api', name: 'shop' }),
      options(),
    );
    expect(first?.before).toEqual({ stable: 90, candidate: 10 });
    expect(weightsOf()).toEqual([100, 0]);
    expect(markerOf()).toMatchObject({ state: 'rolled-back', step: 0 });
    const patches = kube.count('PATCH');
    const [second] = await rollbackTraffic(
      targets({ kind: 'gateway-api', name: 'shop' }),
      options(),
    );
    expect(second?.detail).toBe('already on stable');
    expect(kube.count('PATCH')).toBe(patches);
  });
});

describe('other Kubernetes routers', () => {
  it('ingress-nginx: sets canary-weight on the canary Ingress', async () => {
    kube.put({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: {
        name: 'shop-canary',
        namespace: NS,
        annotations: {
          'nginx.ingress.kubernetes.io/canary': 'true',
          'nginx.ingress.kubernetes.io/canary-weight': '10',
        },
      },
      spec: { rules: [] },
    });
    await shiftTraffic(targets({ kind: 'ingress-nginx', name: 'shop-canary' }), 25, options());
    const annotations = kube.get('networking.k8s.io/v1', 'Ingress', NS, 'shop-canary')?.metadata
      .annotations;
    expect(annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/canary-weight': '25',
      'nginx.ingress.kubernetes.io/canary-weight-total': '100',
    });
    expect(decodeMarker(annotations?.[MARKER_KEY], 'ingress')?.state).toBe('done');
  });

  it('istio: rewrites route weights in the whole http list', async () => {
    kube.put({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'shop', namespace: NS },
      spec: {
        hosts: ['shop'],
        http: [
          {
            name: 'main',
            route: [
              { destination: { host: 'shop', subset: 'blue' }, weight: 75 },
              { destination: { host: 'shop', subset: 'green' }, weight: 25 },
            ],
          },
          { name: 'mirror', route: [{ destination: { host: 'mirror' } }] },
        ],
      },
    });
    endpoints('shop', true);
    await shiftTraffic(
      targets({ kind: 'istio', name: 'shop', readiness: { stable: 'shop', candidate: 'shop' } }),
      50,
      options(),
    );
    const http = (
      kube.get('networking.istio.io/v1', 'VirtualService', NS, 'shop')?.spec as {
        http: { route: { weight?: number }[] }[];
      }
    ).http;
    expect(http).toHaveLength(2);
    expect(http[0]?.route.map((r) => r.weight)).toEqual([50, 50]);
  });

  it('service selector: switches all at once, replacing the selector, and refuses partial weights', async () => {
    kube.put({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'shop', namespace: NS },
      spec: { selector: { app: 'shop', track: 'blue', legacy: 'yes' } },
    });
    for (const track of ['blue', 'green'])
      kube.put({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `shop-${track}`, namespace: NS, labels: { app: 'shop', track } },
        status: { conditions: [{ type: 'Ready', status: 'True' }] },
      });
    const settings = {
      kind: 'service-selector',
      name: 'shop',
      'stable-selector': { app: 'shop', track: 'blue', legacy: 'yes' },
      'candidate-selector': { app: 'shop', track: 'green' },
    };
    await expect(
      shiftTraffic(targets(settings), 25, options({ planSteps: undefined })),
    ).rejects.toThrow(
      'Service production/shop switches all traffic at once: candidate weight 0 or 100, got 25',
    );
    await shiftTraffic(targets(settings), 100, options({ planSteps: undefined }));
    expect((kube.get('v1', 'Service', NS, 'shop')?.spec as { selector: unknown }).selector).toEqual(
      { app: 'shop', track: 'green' },
    );
  });

  it('the fake refuses strategic merge patches on custom resources (415), as the API server does', async () => {
    route('shop', 100, 0);
    const { request } = await import('node:https');
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request(
        `${kube.url}/apis/gateway.networking.k8s.io/v1/namespaces/production/httproutes/shop`,
        {
          method: 'PATCH',
          ca: kube.caCert,
          headers: {
            authorization: 'Bearer test-token',
            'content-type': 'application/strategic-merge-patch+json',
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode);
        },
      );
      req.on('error', reject);
      req.end('{}');
    });
    expect(status).toBe(415);
  });
});
