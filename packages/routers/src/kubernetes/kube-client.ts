import type { KubernetesObject } from '@kubernetes/client-node';
import { retry, type Clock } from '@cutover/kit';
import { ConflictError } from '@cutover/traffic';

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

/**
 * The Kubernetes calls the routers make, through @kubernetes/client-node (loaded on first use:
 * it is the heaviest dependency). 429 and 5xx are retried with backoff, honouring Retry-After;
 * 409 becomes a ConflictError for the shift engine; other failures name the object.
 */
export class KubeClient {
  private api:
    | Promise<{
        objects: import('@kubernetes/client-node').KubernetesObjectApi;
        core: import('@kubernetes/client-node').CoreV1Api;
        discovery: import('@kubernetes/client-node').DiscoveryV1Api;
        PatchStrategy: typeof import('@kubernetes/client-node').PatchStrategy;
      }>
    | undefined;
  calls = 0;

  constructor(
    private readonly options: {
      kubeconfig?: string | undefined;
      context?: string | undefined;
      clock: Clock;
    },
  ) {}

  private load() {
    this.api ??= import('@kubernetes/client-node').then((k8s) => {
      const config = new k8s.KubeConfig();
      if (this.options.kubeconfig === undefined) config.loadFromDefault();
      else config.loadFromFile(this.options.kubeconfig);
      if (this.options.context !== undefined) config.setCurrentContext(this.options.context);
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
    return this.call(`read ${describe(ref)}`, () =>
      objects.read<KubeObject>({
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        metadata: { name: ref.name, namespace: ref.namespace },
      }),
    );
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
      `patch ${describe(ref)}`,
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

  async endpointsReady(namespace: string, service: string): Promise<boolean> {
    const { discovery } = await this.load();
    const list = await this.call(`list EndpointSlices of service ${namespace}/${service}`, () =>
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
    const list = await this.call(`list pods ${labelSelector} in ${namespace}`, () =>
      core.listNamespacedPod({ namespace, labelSelector }),
    );
    return list.items.some((pod) =>
      (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    );
  }

  private async call<T>(what: string, operation: () => Promise<T>): Promise<T> {
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
      const { code, message } = details(error);
      if (code === 409)
        throw new ConflictError(`${what}: the object changed since it was read (409 Conflict)`, {
          cause: error,
        });
      if (code === 404)
        throw new Error(
          `${what}: not found (404); check the name, the namespace and the kubeconfig context`,
          { cause: error },
        );
      if (code === 401 || code === 403)
        throw new Error(
          `${what}: forbidden (${code}); the service account needs get and patch on it`,
          { cause: error },
        );
      throw new Error(`${what} failed${code === undefined ? '' : ` (HTTP ${code})`}: ${message}`, {
        cause: error,
      });
    }
  }
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

export function describe(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace}/${ref.name}`;
}
