import type { KubernetesObject } from '@kubernetes/client-node';
import {
  ConfigError,
  ConflictError,
  ServiceError,
  errorMessage,
  retry,
  type Clock,
} from '@cutover/kit';
import { type RolloutStatus, rolloutOf } from './rollout-status.js';
import { type EventInfo, type PodInfo, oneLine } from './pod-diagnostics.js';

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

export type KubeObject = KubernetesObject & {
  spec?: unknown;
  status?: unknown;
  [key: string]: unknown;
};

export interface KubeClientOptions {
  /** A kubeconfig file; without it the standard loading (KUBECONFIG, ~/.kube/config, in-cluster). */
  kubeconfig?: string | undefined;
  context?: string | undefined;
  clock: Clock;
}

type Api = {
  objects: import('@kubernetes/client-node').KubernetesObjectApi;
  core: import('@kubernetes/client-node').CoreV1Api;
  discovery: import('@kubernetes/client-node').DiscoveryV1Api;
  PatchStrategy: typeof import('@kubernetes/client-node').PatchStrategy;
};

/**
 * The Kubernetes calls of the routers and of deploy-stack, through @kubernetes/client-node
 * (loaded on first use: it is the heaviest dependency). 429 and 5xx are retried with backoff,
 * honouring Retry-After. Failures come out in the kit's error model: 409 is a ConflictError
 * (the caller re-reads), 404/401/403 and a kubeconfig that cannot be loaded are ConfigErrors
 * naming the object and the verbs the credentials need, retries used up are ServiceErrors.
 */
export class KubeClient {
  private api: Promise<Api> | undefined;
  calls = 0;

  constructor(private readonly options: KubeClientOptions) {}

  private load(): Promise<Api> {
    this.api ??= import('@kubernetes/client-node').then((k8s) => {
      const config = new k8s.KubeConfig();
      const source =
        this.options.kubeconfig === undefined
          ? 'the default kubeconfig'
          : `kubeconfig ${this.options.kubeconfig}`;
      try {
        if (this.options.kubeconfig === undefined) config.loadFromDefault();
        else config.loadFromFile(this.options.kubeconfig);
      } catch (error) {
        throw new ConfigError(`${source}: cannot be loaded (${oneLine(errorMessage(error))})`, {
          cause: error,
        });
      }
      if (this.options.context !== undefined) {
        const names = config.getContexts().map((c) => c.name);
        if (!names.includes(this.options.context))
          throw new ConfigError(
            `${source}: has no context ${JSON.stringify(this.options.context)} (contexts: ${names.join(', ') || 'none'})`,
          );
        config.setCurrentContext(this.options.context);
      }
      if (config.getCurrentCluster() === null)
        throw new ConfigError(
          `${source}: names no cluster; set router.kubeconfig or KUBECONFIG, or run inside the cluster`,
        );
      return {
        objects: k8s.KubernetesObjectApi.makeApiClient(config),
        core: config.makeApiClient(k8s.CoreV1Api),
        discovery: config.makeApiClient(k8s.DiscoveryV1Api),
        PatchStrategy: k8s.PatchStrategy,
      };
    });
    return this.api;
  }

  async get(ref: ObjectRef): Promise<KubeObject> {
    const { objects } = await this.load();
    return this.call({ verb: 'read', ref, needs: ['get'] }, () =>
      objects.read<KubeObject>({
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        metadata: { name: ref.name, namespace: ref.namespace },
      }),
    );
  }

  /** The object, or undefined when it does not exist (404); other failures as for get. */
  async find(ref: ObjectRef): Promise<KubeObject | undefined> {
    try {
      return await this.get(ref);
    } catch (error) {
      if (error instanceof ConfigError && details(error.cause).code === 404) return undefined;
      throw error;
    }
  }

  /** JSON merge patch (never strategic merge: custom resources refuse it with 415). */
  async mergePatch(ref: ObjectRef, body: Record<string, unknown>): Promise<KubeObject> {
    const { objects, PatchStrategy } = await this.load();
    const spec = {
      apiVersion: ref.apiVersion,
      kind: ref.kind,
      ...body,
      metadata: {
        name: ref.name,
        namespace: ref.namespace,
        ...(body.metadata as object | undefined),
      },
    };
    return this.call(
      { verb: 'patch', ref, needs: ['get', 'patch'] },
      () =>
        objects.patch(
          spec,
          undefined,
          undefined,
          'cutover',
          undefined,
          PatchStrategy.MergePatch,
        ) as Promise<KubeObject>,
    );
  }

  /**
   * Deletes the object with background propagation (a Deployment's ReplicaSets and Pods go
   * with it); false when it was already gone (404), so a second rollback is a no-op.
   */
  async delete(ref: ObjectRef): Promise<boolean> {
    const { objects } = await this.load();
    try {
      const object = {
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        metadata: { name: ref.name, namespace: ref.namespace },
      };
      await this.call({ verb: 'delete', ref, needs: ['delete'] }, () =>
        objects.delete(object, undefined, undefined, undefined, undefined, 'Background'),
      );
      return true;
    } catch (error) {
      if (error instanceof ConfigError && details(error.cause).code === 404) return false;
      throw error;
    }
  }

  /**
   * Server-side apply: the object (apiVersion, kind, metadata.name/namespace and the fields
   * this manager owns) is created or updated; fields other managers own are left alone, and a
   * field another manager owns is a 409 conflict (never forced: that would take it over).
   */
  async apply(object: KubeObject, fieldManager: string): Promise<KubeObject> {
    const { objects, PatchStrategy } = await this.load();
    const ref = refOf(object);
    return this.call({ verb: 'apply', ref, needs: ['get', 'create', 'patch'] }, () =>
      objects.patch(
        object,
        undefined,
        undefined,
        fieldManager,
        false,
        PatchStrategy.ServerSideApply,
      ),
    );
  }

  /** Where a Deployment's rollout stands, as `kubectl rollout status` judges it. */
  async rolloutStatus(ref: Omit<ObjectRef, 'apiVersion' | 'kind'>): Promise<RolloutStatus> {
    const object = await this.get({ apiVersion: 'apps/v1', kind: 'Deployment', ...ref });
    return rolloutOf(object, describe({ apiVersion: 'apps/v1', kind: 'Deployment', ...ref }));
  }

  async endpointsReady(namespace: string, service: string): Promise<boolean> {
    const { discovery } = await this.load();
    const list = await this.call(
      {
        verb: 'list',
        what: `EndpointSlices of Service ${namespace}/${service}`,
        resource: 'endpointslices.discovery.k8s.io',
        namespace,
        needs: ['list'],
      },
      () =>
        discovery.listNamespacedEndpointSlice({
          namespace,
          labelSelector: `kubernetes.io/service-name=${service}`,
        }),
    );
    return list.items.some((slice) =>
      (Array.isArray(slice.endpoints) ? slice.endpoints : []).some(
        (endpoint) => endpoint.conditions?.ready !== false,
      ),
    );
  }

  async podsReady(namespace: string, selector: Record<string, string>): Promise<boolean> {
    const { core } = await this.load();
    const labelSelector = Object.entries(selector)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    const list = await this.call(
      {
        verb: 'list',
        what: `pods ${labelSelector} in ${namespace}`,
        resource: 'pods',
        namespace,
        needs: ['list'],
      },
      () => core.listNamespacedPod({ namespace, labelSelector }),
    );
    return list.items.some((pod) =>
      (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    );
  }

  /** Pods matching a label selector (`app=shop,tier!=db`, as the API takes it), as plain data. */
  async listPods(namespace: string, labelSelector: string): Promise<PodInfo[]> {
    const { core } = await this.load();
    const list = await this.call(
      {
        verb: 'list',
        what: `pods ${labelSelector} in ${namespace}`,
        resource: 'pods',
        namespace,
        needs: ['list'],
      },
      () => core.listNamespacedPod({ namespace, labelSelector }),
    );
    return list.items.map((pod) => ({
      name: pod.metadata?.name ?? '',
      phase: pod.status?.phase,
      conditions: (pod.status?.conditions ?? []).map((c) => ({
        type: c.type,
        status: c.status,
        reason: c.reason,
        message: c.message,
      })),
      containers: (pod.status?.containerStatuses ?? []).map((c) => ({
        name: c.name,
        ready: c.ready,
        restarts: c.restartCount,
        waiting:
          c.state?.waiting === undefined
            ? undefined
            : { reason: c.state.waiting.reason ?? 'Waiting', message: c.state.waiting.message },
        terminated:
          c.state?.terminated === undefined
            ? undefined
            : {
                reason: c.state.terminated.reason ?? 'Terminated',
                exitCode: c.state.terminated.exitCode,
                message: c.state.terminated.message,
              },
        lastTerminated:
          c.lastState?.terminated === undefined
            ? undefined
            : {
                reason: c.lastState.terminated.reason ?? 'Terminated',
                exitCode: c.lastState.terminated.exitCode,
              },
      })),
    }));
  }

  /** The events about one object (core/v1 events, fieldSelector involvedObject.name/kind). */
  async listEvents(
    namespace: string,
    involved: { kind: string; name: string },
  ): Promise<EventInfo[]> {
    const { core } = await this.load();
    const list = await this.call(
      {
        verb: 'list',
        what: `events of ${involved.kind} ${namespace}/${involved.name}`,
        resource: 'events',
        namespace,
        needs: ['list'],
      },
      () =>
        core.listNamespacedEvent({
          namespace,
          fieldSelector: `involvedObject.kind=${involved.kind},involvedObject.name=${involved.name}`,
        }),
    );
    const time = (value: Date | string | undefined) =>
      value === undefined ? 0 : new Date(value).getTime() || 0;
    return list.items.map((event) => ({
      kind: event.involvedObject.kind ?? involved.kind,
      name: event.involvedObject.name ?? involved.name,
      type: event.type ?? 'Normal',
      reason: event.reason ?? '',
      message: event.message ?? '',
      count: event.count ?? event.series?.count ?? 1,
      time: Math.max(
        time(event.lastTimestamp),
        time(event.eventTime as Date | string | undefined),
        time(event.series?.lastObservedTime as Date | string | undefined),
        time(event.firstTimestamp),
        time(event.metadata.creationTimestamp),
      ),
    }));
  }

  private async call<T>(call: Call, operation: () => Promise<T>): Promise<T> {
    const what = 'ref' in call ? `${call.verb} ${describe(call.ref)}` : `${call.verb} ${call.what}`;
    try {
      return await retry(
        () => {
          this.calls++;
          return operation();
        },
        {
          attempts: 5,
          baseDelayMs: 200,
          maxDelayMs: 10_000,
          clock: this.options.clock,
          classify: (error) => {
            const { code, headers } = details(error);
            const after = Number(headers['retry-after']);
            if (code === 429)
              return Number.isFinite(after)
                ? { retry: true, afterMs: after * 1000 }
                : { retry: true };
            return { retry: code === undefined || code >= 500 };
          },
        },
      );
    } catch (error) {
      throw errorFor(error, what, call);
    }
  }
}

type Call = { verb: string; needs: string[] } & (
  { ref: ObjectRef } | { what: string; resource: string; namespace: string }
);

/** The kit's error for a failed call, naming the object, and for 401/403 the verbs needed. */
function errorFor(error: unknown, what: string, call: Call): Error {
  const { code, message } = details(error);
  const text = oneLine(message);
  if (code === 409)
    return new ConflictError(`${what}: the object changed since it was read (409 Conflict)`, {
      cause: error,
    });
  if (code === 404)
    return new ConfigError(
      `${what}: not found (404); check the name, the namespace and the kubeconfig context`,
      { cause: error },
    );
  if (code === 401)
    return new ConfigError(
      `${what}: unauthorized (401); the kubeconfig's credentials were refused (expired token?)`,
      { cause: error },
    );
  if (code === 403) {
    const resource = 'ref' in call ? resourceOf(call.ref) : call.resource;
    const namespace = 'ref' in call ? call.ref.namespace : call.namespace;
    return new ConfigError(
      `${what}: forbidden (403); the credentials need ${call.needs.join(', ')} on ${resource} in namespace ${namespace} (kubectl auth can-i ${call.needs.at(-1) ?? 'get'} ${resource} -n ${namespace})`,
      { cause: error },
    );
  }
  if (code !== undefined && code >= 400 && code < 500 && code !== 429)
    return new ConfigError(`${what}: refused (HTTP ${code}): ${text}`, { cause: error });
  return new ServiceError(`${what} failed${code === undefined ? '' : ` (HTTP ${code})`}: ${text}`, {
    cause: error,
  });
}

function details(error: unknown): {
  code: number | undefined;
  headers: Record<string, string>;
  message: string;
} {
  const e = error as {
    code?: unknown;
    headers?: Record<string, string>;
    body?: unknown;
    message?: string;
  };
  const code = typeof e.code === 'number' ? e.code : undefined;
  let message = e.message ?? String(error);
  if (typeof e.body === 'string') {
    try {
      message = (JSON.parse(e.body) as { message?: string }).message ?? message;
    } catch {
      // keep the client's message
    }
  }
  return { code, headers: e.headers ?? {}, message };
}

const PLURALS: Record<string, string> = {
  Ingress: 'ingresses',
  EndpointSlice: 'endpointslices',
  NetworkPolicy: 'networkpolicies',
};

/** `httproutes.gateway.networking.k8s.io`, as RBAC rules and `kubectl auth can-i` name it. */
export function resourceOf(ref: Pick<ObjectRef, 'apiVersion' | 'kind'>): string {
  const plural =
    PLURALS[ref.kind] ??
    (ref.kind.endsWith('y')
      ? `${ref.kind.slice(0, -1).toLowerCase()}ies`
      : ref.kind.endsWith('s')
        ? `${ref.kind.toLowerCase()}es`
        : `${ref.kind.toLowerCase()}s`);
  const group = ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '';
  return group === '' ? plural : `${plural}.${group ?? ''}`;
}

function refOf(object: KubeObject): ObjectRef {
  return {
    apiVersion: object.apiVersion ?? '',
    kind: object.kind ?? '',
    namespace: object.metadata?.namespace ?? 'default',
    name: object.metadata?.name ?? '',
  };
}

export function describe(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace}/${ref.name}`;
}
