import type { IncomingMessage, ServerResponse } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LoopbackFake } from './loopback-fake.js';
import { createTlsFixture, type TlsFixture } from './tls-fixtures.js';

// One CA and server certificate per test process: key generation takes a moment.
let tls: { fixture: TlsFixture; server: { key: string; cert: string } } | undefined;
function serverTls() {
  if (tls === undefined) {
    const fixture = createTlsFixture();
    tls = {
      fixture,
      server: fixture.cert('kube-apiserver', { days: 30, dnsNames: ['localhost'] }),
    };
  }
  return tls;
}

/**
 * A fake Kubernetes API server on loopback that the real @kubernetes/client-node talks to
 * through a kubeconfig. It follows the API's documented behaviour where this toolkit depends
 * on it: discovery, GET/PUT/PATCH/DELETE (JSON merge patch, JSON patch with test, server-side apply),
 * resourceVersion preconditions (409 Conflict), 415 for strategic merge patches on custom
 * resources, generation bumps on spec changes, and a Gateway controller that reports Accepted
 * for each new HTTPRoute generation after a delay, and a Deployment controller that rolls out
 * each new generation on a virtual schedule (or never, for a stuck rollout), with its Pods
 * (conditions, container statuses: a stuck one waits in ImagePullBackOff) and core/v1 Events
 * for the Deployment and its Pods (listable with fieldSelector involvedObject.kind/name).
 * Server-side apply creates missing objects, records the field manager, and leaves an object
 * whose apply changes nothing untouched (no new resourceVersion), as the API server does. Faults (429 + Retry-After, 5xx,
 * latency) can be injected per request.
 */
interface ResourceType {
  group: string;
  version: string;
  plural: string;
  kind: string;
  custom: boolean;
}

const TYPES: ResourceType[] = [
  { group: '', version: 'v1', plural: 'services', kind: 'Service', custom: false },
  { group: '', version: 'v1', plural: 'pods', kind: 'Pod', custom: false },
  { group: '', version: 'v1', plural: 'events', kind: 'Event', custom: false },
  {
    group: 'networking.k8s.io',
    version: 'v1',
    plural: 'ingresses',
    kind: 'Ingress',
    custom: false,
  },
  { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment', custom: false },
  {
    group: 'discovery.k8s.io',
    version: 'v1',
    plural: 'endpointslices',
    kind: 'EndpointSlice',
    custom: false,
  },
  {
    group: 'gateway.networking.k8s.io',
    version: 'v1',
    plural: 'httproutes',
    kind: 'HTTPRoute',
    custom: true,
  },
  {
    group: 'networking.istio.io',
    version: 'v1',
    plural: 'virtualservices',
    kind: 'VirtualService',
    custom: true,
  },
];

type Obj = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace: string;
    resourceVersion?: string;
    generation?: number;
    managedFields?: { manager: string; operation: string }[];
    ownerReferences?: { kind: string; name: string }[];
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: unknown;
  status?: unknown;
  [key: string]: unknown;
};

export interface Fault {
  match: string;
  status: number;
  headers?: Record<string, string>;
  message?: string;
  /** Apply the request first, then fail the response (the client cannot tell it worked). */
  afterApply?: boolean;
}

export class FakeKubernetes extends LoopbackFake {
  readonly objects = new Map<string, Obj>();
  readonly requests: { method: string; path: string; contentType: string | undefined }[] = [];
  /** Delay before the fake Gateway controller accepts a new HTTPRoute generation; undefined = controller down. */
  controllerDelayMs: number | undefined = 20;
  latencyMs = 0;
  /**
   * Deployments (by name) whose new pods never become available: after
   * `progressDeadlineTicks` controller ticks the rollout reports ProgressDeadlineExceeded.
   */
  readonly stuckDeployments = new Set<string>();
  progressDeadlineTicks = 3;
  private faults: Fault[] = [];
  private version = 1000;
  kubeconfig = '';
  caCert = '';

  protected override tls(): { key: string; cert: string } {
    return serverTls().server;
  }

  override async start(): Promise<this> {
    await super.start();
    this.caCert = serverTls().fixture.caCert;
    this.kubeconfig = join(mkdtempSync(join(tmpdir(), 'cutover-kube-')), 'config');
    writeFileSync(
      this.kubeconfig,
      `apiVersion: v1\nkind: Config\nclusters:\n- name: fake\n  cluster: {server: '${this.url}', certificate-authority-data: ${Buffer.from(this.caCert).toString('base64')}}\nusers:\n- name: ci\n  user: {token: test-token}\ncontexts:\n- name: fake\n  context: {cluster: fake, user: ci, namespace: production}\ncurrent-context: fake\n`,
    );
    return this;
  }

  /** Stores an object as a client would have created it. */
  put(object: Obj): Obj {
    const stored = structuredClone(object);
    stored.metadata.resourceVersion = String(++this.version);
    stored.metadata.generation = 1;
    this.objects.set(
      this.key(object.apiVersion, object.kind, object.metadata.namespace, object.metadata.name),
      stored,
    );
    if (object.kind === 'HTTPRoute') this.reconcile(stored);
    return stored;
  }

  get(apiVersion: string, kind: string, namespace: string, name: string): Obj | undefined {
    return this.objects.get(this.key(apiVersion, kind, namespace, name));
  }

  fail(...faults: Fault[]): void {
    this.faults.push(...faults);
  }

  count(method: string, pathPart = ''): number {
    return this.requests.filter((r) => r.method === method && r.path.includes(pathPart)).length;
  }

  private key(apiVersion: string, kind: string, namespace: string, name: string): string {
    return `${apiVersion}/${kind}/${namespace}/${name}`;
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const method = req.method ?? 'GET';
    const contentType = req.headers['content-type']?.split(';')[0];
    this.requests.push({ method, path: url.pathname, contentType });
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    if (req.headers.authorization !== 'Bearer test-token') {
      this.status(res, 401, 'Unauthorized', 'Unauthorized');
      return;
    }

    const faultIndex = this.faults.findIndex((f) =>
      `${method} ${url.pathname}`.startsWith(f.match),
    );
    const fault = faultIndex === -1 ? undefined : this.faults.splice(faultIndex, 1)[0];
    if (fault !== undefined && fault.afterApply !== true) {
      this.status(
        res,
        fault.status,
        reasonOf(fault.status),
        fault.message ?? 'injected fault',
        fault.headers,
      );
      return;
    }

    const result = this.route(method, url, text, contentType);
    if (fault !== undefined) {
      this.status(
        res,
        fault.status,
        reasonOf(fault.status),
        fault.message ?? 'injected fault',
        fault.headers,
      );
      return;
    }
    if ('error' in result) {
      this.status(res, result.error, reasonOf(result.error), result.message);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result.body));
  }

  private route(
    method: string,
    url: URL,
    text: string,
    contentType: string | undefined,
  ): { body: unknown } | { error: number; message: string } {
    const path = url.pathname;
    if (path === '/api') return { body: { kind: 'APIVersions', versions: ['v1'] } };
    if (path === '/apis') {
      const groups = [
        ...new Set(TYPES.filter((t) => t.group !== '').map((t) => `${t.group}/${t.version}`)),
      ];
      return {
        body: {
          kind: 'APIGroupList',
          groups: groups.map((gv) => ({
            name: gv.split('/')[0],
            versions: [{ groupVersion: gv, version: gv.split('/')[1] }],
            preferredVersion: { groupVersion: gv, version: gv.split('/')[1] },
          })),
        },
      };
    }
    const discovery = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(path);
    if (discovery !== null) {
      const group = discovery[2] ?? '';
      const version = discovery[1] ?? discovery[3] ?? '';
      const resources = TYPES.filter((t) => t.group === group && t.version === version).map(
        (t) => ({
          name: t.plural,
          singularName: t.kind.toLowerCase(),
          namespaced: true,
          kind: t.kind,
          verbs: ['get', 'list', 'patch', 'update', 'delete'],
        }),
      );
      return resources.length === 0
        ? { error: 404, message: `the server could not find the requested resource (${path})` }
        : {
            body: {
              kind: 'APIResourceList',
              groupVersion: group === '' ? version : `${group}/${version}`,
              resources,
            },
          };
    }
    const match =
      /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?$/.exec(
        path,
      );
    if (match === null) return { error: 404, message: `no route for ${path}` };
    const group = match[2] ?? '';
    const version = match[1] ?? match[3] ?? '';
    const namespace = match[4] ?? '';
    const type = TYPES.find(
      (t) => t.group === group && t.version === version && t.plural === match[5],
    );
    if (type === undefined)
      return { error: 404, message: `the server could not find the requested resource` };
    const apiVersion = group === '' ? version : `${group}/${version}`;
    const name = match[6];

    if (name === undefined) {
      if (method !== 'GET') return { error: 405, message: 'method not allowed' };
      const selector = Object.fromEntries(
        (url.searchParams.get('labelSelector') ?? '')
          .split(',')
          .filter(Boolean)
          .map((p) => p.split('=') as [string, string]),
      );
      const fields = (url.searchParams.get('fieldSelector') ?? '')
        .split(',')
        .filter(Boolean)
        .map((p) => /^([^=!]+)(==|=|!=)(.*)$/.exec(p))
        .filter((m) => m !== null);
      const fieldOf = (o: Obj, path: string) =>
        path
          .split('.')
          .reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], o);
      const items = [...this.objects.values()].filter(
        (o) =>
          o.kind === type.kind &&
          o.metadata.namespace === namespace &&
          Object.entries(selector).every(([k, v]) => o.metadata.labels?.[k] === v) &&
          fields.every(([, path = '', op, value]) =>
            op === '!=' ? fieldOf(o, path) !== value : fieldOf(o, path) === value,
          ),
      );
      return {
        body: {
          kind: `${type.kind}List`,
          apiVersion,
          metadata: { resourceVersion: String(this.version) },
          items,
        },
      };
    }
    const key = this.key(apiVersion, type.kind, namespace, name);
    let current = this.objects.get(key);
    if (
      current === undefined &&
      method === 'PATCH' &&
      contentType === 'application/apply-patch+yaml' &&
      url.searchParams.get('fieldManager') !== null
    ) {
      // Server-side apply creates what does not exist yet.
      current = { apiVersion, kind: type.kind, metadata: { name, namespace, generation: 0 } };
    }
    if (current === undefined) return { error: 404, message: `${type.plural} "${name}" not found` };
    if (method === 'DELETE') {
      // DELETE answers the object as it was (API reference: "delete ... 200 OK: <Kind>"); the
      // garbage collector removes what it owns (background propagation, the default for
      // Deployments), here at once: a Deployment's Pods go with it.
      if (!this.objects.has(key))
        return { error: 404, message: `${type.plural} "${name}" not found` };
      this.objects.delete(key);
      for (const [other, object] of this.objects)
        if (
          object.metadata.namespace === namespace &&
          object.metadata.ownerReferences?.some((o) => o.kind === type.kind && o.name === name) ===
            true
        )
          this.objects.delete(other);
      return { body: current };
    }
    if (method === 'GET') {
      // Reading a Deployment is one tick of its controller's virtual schedule.
      if (type.kind === 'Deployment') this.tickDeployment(current);
      return { body: current };
    }

    let next: Obj;
    if (method === 'PUT') {
      next = JSON.parse(text) as Obj;
      if (
        next.metadata.resourceVersion !== undefined &&
        next.metadata.resourceVersion !== current.metadata.resourceVersion
      )
        return conflict(type, name);
    } else if (method === 'PATCH') {
      if (contentType === 'application/strategic-merge-patch+json' && type.custom)
        return {
          error: 415,
          message:
            'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
        };
      if (contentType === 'application/json-patch+json') {
        const applied = applyJsonPatch(current, JSON.parse(text) as JsonOp[]);
        if ('error' in applied) return applied;
        next = applied.object;
      } else if (
        contentType === 'application/merge-patch+json' ||
        contentType === 'application/strategic-merge-patch+json' ||
        contentType === 'application/apply-patch+yaml'
      ) {
        if (
          contentType === 'application/apply-patch+yaml' &&
          url.searchParams.get('fieldManager') === null
        )
          return {
            error: 400,
            message: 'PATCH with application/apply-patch+yaml requires fieldManager',
          };
        const patch = JSON.parse(text) as Partial<Obj>;
        const precondition = patch.metadata?.resourceVersion;
        if (precondition !== undefined && precondition !== current.metadata.resourceVersion)
          return conflict(type, name);
        next = mergePatch(current, patch) as Obj;
      } else return { error: 415, message: `unsupported patch type ${contentType ?? 'none'}` };
    } else return { error: 405, message: 'method not allowed' };

    next.metadata.resourceVersion = String(++this.version);
    next.metadata.generation =
      (current.metadata.generation ?? 1) +
      (JSON.stringify(next.spec) === JSON.stringify(current.spec) ? 0 : 1);
    next.status = current.status;
    const manager = url.searchParams.get('fieldManager');
    if (contentType === 'application/apply-patch+yaml' && manager !== null) {
      const managers = (current.metadata.managedFields ?? []).filter((f) => f.manager !== manager);
      next.metadata.managedFields = [...managers, { manager, operation: 'Apply' }];
      const bare = (o: Obj) =>
        JSON.stringify({ ...o, metadata: { ...o.metadata, resourceVersion: '', generation: 0 } });
      if (bare(next) === bare(current) && this.objects.has(key)) return { body: current };
    }
    this.objects.set(key, next);
    if (type.kind === 'HTTPRoute' && next.metadata.generation !== current.metadata.generation)
      this.reconcile(next);
    return { body: next };
  }

  /** Advances every Deployment's controller by `ticks` steps, as that many reads would. */
  advanceDeployments(ticks = 1): void {
    for (const object of this.objects.values())
      if (object.kind === 'Deployment') for (let i = 0; i < ticks; i++) this.tickDeployment(object);
  }

  /**
   * A minimal Deployment controller on a virtual schedule (one step per read of the object):
   * it observes the new generation, then brings up one updated replica per step, each ready
   * and available a step later, then retires the old ones. A stuck Deployment's new pods never
   * become available, and after `progressDeadlineTicks` steps its Progressing condition says
   * ProgressDeadlineExceeded, as the real controller does after progressDeadlineSeconds.
   */
  private tickDeployment(object: Obj): void {
    const generation = object.metadata.generation ?? 1;
    const desired = (object.spec as { replicas?: number } | undefined)?.replicas ?? 1;
    const status = (object.status ?? {}) as {
      observedGeneration?: number;
      replicas?: number;
      updatedReplicas?: number;
      readyReplicas?: number;
      availableReplicas?: number;
      conditions?: { type: string; status: string; reason: string; message: string }[];
      ticks?: number;
    };
    const progressing = (state: 'True' | 'False', reason: string, message: string) => [
      { type: 'Progressing', status: state, reason, message },
    ];
    if ((status.observedGeneration ?? 0) < generation) {
      // A new template: old pods keep serving while new ones come up.
      const old = status.availableReplicas ?? 0;
      object.status = {
        observedGeneration: generation,
        replicas: old,
        updatedReplicas: 0,
        readyReplicas: old,
        availableReplicas: old,
        conditions: progressing('True', 'NewReplicaSetCreated', 'created new replica set'),
        ticks: 0,
      };
      this.event(
        object,
        'Normal',
        'ScalingReplicaSet',
        `Scaled up replica set ${podPrefix(object)} to ${desired}`,
      );
    } else {
      const ticks = (status.ticks ?? 0) + 1;
      const stuck = this.stuckDeployments.has(object.metadata.name);
      const updated = Math.min(desired, (status.updatedReplicas ?? 0) + 1);
      const newAvailable = stuck ? 0 : Math.min(updated, status.updatedReplicas ?? 0);
      const oldLeft = stuck
        ? Math.max(0, (status.replicas ?? 0) - (status.updatedReplicas ?? 0))
        : 0;
      const done = !stuck && newAvailable === desired;
      const deadline = stuck && ticks >= this.progressDeadlineTicks;
      object.status = {
        observedGeneration: generation,
        replicas: done ? desired : updated + (stuck ? oldLeft : Math.max(0, desired - updated)),
        updatedReplicas: updated,
        readyReplicas: newAvailable + (stuck ? oldLeft : 0),
        availableReplicas: newAvailable + (stuck ? oldLeft : 0),
        conditions: deadline
          ? progressing(
              'False',
              'ProgressDeadlineExceeded',
              `ReplicaSet "${object.metadata.name}-new" has timed out progressing.`,
            )
          : progressing(
              'True',
              done ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated',
              done ? 'rolled out' : 'progressing',
            ),
        ticks,
      };
      this.syncPods(object, updated, newAvailable, stuck, done);
    }
    object.metadata.resourceVersion = String(++this.version);
  }

  /**
   * The Deployment's pods of its current generation: `updated` of them exist, the first
   * `available` are Ready. A stuck one's containers wait in ImagePullBackOff, with the
   * kubelet's events (Failed, BackOff) counting up on each tick. A finished rollout removes
   * the pods of older generations.
   */
  private syncPods(
    deployment: Obj,
    updated: number,
    available: number,
    stuck: boolean,
    done: boolean,
  ): void {
    const { namespace, name } = deployment.metadata;
    const template = (deployment.spec as { template?: PodTemplate } | undefined)?.template;
    const containers = template?.spec?.containers ?? [];
    const prefix = podPrefix(deployment);
    for (const [key, pod] of this.objects)
      if (
        pod.kind === 'Pod' &&
        pod.metadata.namespace === namespace &&
        pod.metadata.ownerReferences?.some((o) => o.kind === 'Deployment' && o.name === name) ===
          true &&
        !pod.metadata.name.startsWith(`${prefix}-`) &&
        done
      )
        this.objects.delete(key);
    for (let i = 0; i < updated; i++) {
      const podName = `${prefix}-${i}`;
      const key = this.key('v1', 'Pod', namespace, podName);
      const ready = i < available;
      if (!this.objects.has(key))
        this.event(
          { kind: 'Pod', metadata: { name: podName, namespace } },
          'Normal',
          'Scheduled',
          `Successfully assigned ${namespace}/${podName} to node-1`,
        );
      const unready = containers.map((c) => c.name).join(' ');
      const condition = (type: string) =>
        ready
          ? { type, status: 'True' }
          : {
              type,
              status: 'False',
              reason: 'ContainersNotReady',
              message: `containers with unready status: [${unready}]`,
            };
      this.objects.set(key, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: podName,
          namespace,
          resourceVersion: String(++this.version),
          labels: {
            ...template?.metadata?.labels,
            'pod-template-hash': prefix.slice(name.length + 1),
          },
          ownerReferences: [{ kind: 'Deployment', name }],
        },
        spec: template?.spec,
        status: {
          phase: ready ? 'Running' : 'Pending',
          conditions: [
            { type: 'PodScheduled', status: 'True' },
            { type: 'Initialized', status: 'True' },
            condition('ContainersReady'),
            condition('Ready'),
          ],
          containerStatuses: containers.map((c) => ({
            name: c.name,
            image: c.image,
            imageID: '',
            ready,
            restartCount: 0,
            started: ready,
            state: ready
              ? { running: { startedAt: new Date(this.now()).toISOString() } }
              : stuck
                ? {
                    waiting: {
                      reason: 'ImagePullBackOff',
                      message: `Back-off pulling image "${c.image}"`,
                    },
                  }
                : { waiting: { reason: 'ContainerCreating' } },
          })),
        },
      });
      const pod = { kind: 'Pod', metadata: { name: podName, namespace } };
      for (const c of containers)
        if (stuck) {
          this.event(
            pod,
            'Warning',
            'Failed',
            `Failed to pull image "${c.image}": rpc error: code = NotFound desc = failed to pull and unpack image "${c.image}": not found`,
          );
          this.event(pod, 'Warning', 'BackOff', `Back-off pulling image "${c.image}"`);
        } else if (ready) this.event(pod, 'Normal', 'Started', `Started container ${c.name}`);
    }
  }

  /** Virtual time for events and pod states: one second per change of the fake's state. */
  private now(): number {
    return Date.UTC(2025, 0, 1) + this.version * 1000;
  }

  /** Records an event about an object, or counts one more of the same (as the API aggregates them). */
  private event(
    involved: { kind: string; metadata: { name: string; namespace: string } },
    type: string,
    reason: string,
    message: string,
  ): void {
    const { name, namespace } = involved.metadata;
    const eventName = `${name}.${involved.kind.toLowerCase()}.${reason.toLowerCase()}`;
    const key = this.key('v1', 'Event', namespace, eventName);
    const time = new Date(this.now()).toISOString();
    const existing = this.objects.get(key);
    this.version++;
    if (existing !== undefined) {
      existing.count = (existing.count as number) + 1;
      existing.lastTimestamp = time;
      existing.message = message;
      existing.metadata.resourceVersion = String(this.version);
      return;
    }
    this.objects.set(key, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: eventName, namespace, resourceVersion: String(this.version) },
      involvedObject: { kind: involved.kind, name, namespace },
      type,
      reason,
      message,
      count: 1,
      firstTimestamp: time,
      lastTimestamp: time,
      source: { component: involved.kind === 'Pod' ? 'kubelet' : 'deployment-controller' },
    });
  }

  /** The Gateway controller: after a delay, reports Accepted for the route's current generation (a status write, which bumps resourceVersion). */
  private reconcile(route: Obj): void {
    const delay = this.controllerDelayMs;
    if (delay === undefined) return;
    const key = this.key(
      route.apiVersion,
      route.kind,
      route.metadata.namespace,
      route.metadata.name,
    );
    setTimeout(() => {
      const latest = this.objects.get(key);
      if (latest === undefined) return;
      latest.status = {
        parents: [
          {
            parentRef: { name: 'public-gateway' },
            controllerName: 'example.com/gateway-controller',
            conditions: [
              {
                type: 'Accepted',
                status: 'True',
                observedGeneration: latest.metadata.generation,
                reason: 'Accepted',
              },
            ],
          },
        ],
      };
      latest.metadata.resourceVersion = String(++this.version);
    }, delay);
  }

  private status(
    res: ServerResponse,
    code: number,
    reason: string,
    message: string,
    headers: Record<string, string> = {},
  ): void {
    res.writeHead(code, { 'content-type': 'application/json', ...headers }).end(
      JSON.stringify({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message,
        reason,
        code,
      }),
    );
  }
}

interface PodTemplate {
  metadata?: { labels?: Record<string, string> };
  spec?: { containers?: { name: string; image?: string }[] };
}

/** The pods of a Deployment's current generation are named after it, as a ReplicaSet's are. */
function podPrefix(deployment: Obj): string {
  return `${deployment.metadata.name}-g${deployment.metadata.generation ?? 1}`;
}

function conflict(type: ResourceType, name: string) {
  return {
    error: 409,
    message: `Operation cannot be fulfilled on ${type.plural}${type.group === '' ? '' : `.${type.group}`} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
  };
}

function reasonOf(code: number): string {
  return (
    (
      {
        400: 'BadRequest',
        401: 'Unauthorized',
        404: 'NotFound',
        409: 'Conflict',
        415: 'UnsupportedMediaType',
        422: 'Invalid',
        429: 'TooManyRequests',
        500: 'InternalError',
        503: 'ServiceUnavailable',
      } as Record<number, string>
    )[code] ?? 'Unknown'
  );
}

/** RFC 7386: objects merge, null deletes, everything else (lists included) replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch))
    return structuredClone(patch);
  const result: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target)
      ? structuredClone(target as Record<string, unknown>)
      : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) Reflect.deleteProperty(result, key);
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

type JsonOp = { op: 'add' | 'replace' | 'remove' | 'test'; path: string; value?: unknown };

function applyJsonPatch(
  object: Obj,
  ops: JsonOp[],
): { object: Obj } | { error: number; message: string } {
  const copy = structuredClone(object) as Record<string, unknown>;
  for (const op of ops) {
    const parts = op.path
      .split('/')
      .slice(1)
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = parts.pop() ?? '';
    let parent: Record<string, unknown> = copy;
    for (const part of parts) parent = (parent[part] ?? {}) as Record<string, unknown>;
    if (op.op === 'test') {
      if (JSON.stringify(parent[last]) !== JSON.stringify(op.value))
        return {
          error: 422,
          message: `the server rejected our request due to an error in our request: test failed at ${op.path}`,
        };
    } else if (op.op === 'remove') Reflect.deleteProperty(parent, last);
    else parent[last] = op.value;
  }
  return { object: copy as Obj };
}
