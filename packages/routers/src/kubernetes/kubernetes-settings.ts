import { v } from '@cutover/kit';
import { KubeClient, type ObjectRef } from '@cutover/kubernetes';
import type { RouterTarget } from '@cutover/traffic';
import {
  kindOf,
  list,
  settingsObject,
  show,
  stringMap,
  text,
  type RouterContext,
} from '../router-settings.js';

// Kubernetes names, as the API server validates them.
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN =
  /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SERVICE = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

export const objectName = text(
  'an object name like "shop" (lowercase letters, digits, "-", ".")',
  DNS_SUBDOMAIN,
  253,
);
export const serviceName = text(
  'a Service name like "shop-green" (lowercase letters, digits, "-")',
  SERVICE,
  63,
);
const labelKey = v.pipe(
  v.string(),
  v.check(
    (key) => {
      const slash = key.lastIndexOf('/');
      const prefix = slash === -1 ? undefined : key.slice(0, slash);
      return (
        LABEL_NAME.test(key.slice(slash + 1)) &&
        (prefix === undefined || DNS_SUBDOMAIN.test(prefix))
      );
    },
    (issue) => `expected a label key like "app.kubernetes.io/track", got ${show(issue.input)}`,
  ),
);
const labelValue = v.pipe(
  v.string((issue) => `expected a label value (text), got ${show(issue.input)}`),
  v.check(
    (value) => value === '' || LABEL_NAME.test(value),
    (issue) =>
      `expected a label value (up to 63 letters, digits, "-", "_", "."), got ${show(issue.input)}`,
  ),
);
export const labelSelector = stringMap('a label map like {track: green}', labelKey, labelValue);

/** Services whose EndpointSlices say whether each side can take traffic. */
export const readiness = settingsObject(
  { stable: serviceName, candidate: serviceName },
  'the Services whose endpoints must be ready, {stable: shop-blue, candidate: shop-green}',
);

/** The settings every Kubernetes router shares: where the objects are and how to reach the cluster. */
export const kubernetesEntries = {
  namespace: v.optional(text('a namespace like "production"', DNS_LABEL, 63), 'default'),
  kubeconfig: v.optional(text('a kubeconfig file path')),
  context: v.optional(text('a kubeconfig context name')),
  name: v.optional(objectName),
  objects: v.optional(list(objectName, 'a list of distinct object names like [shop, shop-api]')),
};

export type KubernetesSettings = {
  kind: string;
  namespace: string;
  kubeconfig?: string | undefined;
  context?: string | undefined;
  name?: string | undefined;
  objects?: string[] | undefined;
};

/** Routers that split between two named backends (Services or subsets). */
export interface BackendSettings extends KubernetesSettings {
  stable: string;
  candidate: string;
  readiness?: { stable: string; candidate: string } | undefined;
}

/**
 * A Kubernetes router's schema: the shared entries plus its own, and exactly one of `name`
 * (one object) and `objects` (several moved together), reported at `name`.
 */
export function kubernetesSettings<T extends KubernetesSettings>(
  kind: string,
  entries: v.ObjectEntries,
): v.GenericSchema<unknown, T> {
  // The output type is the router's interface (T); the registry tests hold the two together.
  const object = settingsObject({
    kind: kindOf(kind),
    ...kubernetesEntries,
    ...entries,
  }) as v.GenericSchema<unknown, KubernetesSettings>;
  return v.pipe(
    object,
    v.forward(
      v.partialCheck(
        [['name'], ['objects']],
        (input) => (input.name === undefined) !== (input.objects === undefined),
        (issue) =>
          issue.input.name === undefined
            ? 'expected an object name (or objects: [a, b] to move several together), got nothing'
            : 'give name (one object) or objects (several), not both',
      ),
      ['name'],
    ),
  ) as unknown as v.GenericSchema<unknown, T>;
}

/** The routed objects of a Kubernetes router, one target each, sharing one client. */
export function kubernetesTargets(
  settings: KubernetesSettings,
  context: RouterContext,
  apiVersion: string,
  kind: string,
  build: (client: KubeClient, ref: ObjectRef) => RouterTarget,
): RouterTarget[] {
  const options = { kubeconfig: settings.kubeconfig, context: settings.context };
  const client =
    context.kubeClient?.(options) ?? new KubeClient({ ...options, clock: context.clock });
  const names = settings.objects ?? (settings.name === undefined ? [] : [settings.name]);
  return names.map((name) =>
    build(client, { apiVersion, kind, namespace: settings.namespace, name }),
  );
}

/** The two backends, and the Services whose endpoints tell their readiness (the backends unless named). */
export function sides(settings: BackendSettings): {
  backends: { stable: string; candidate: string };
  readiness: { stable: string; candidate: string };
} {
  const backends = { stable: settings.stable, candidate: settings.candidate };
  return { backends, readiness: settings.readiness ?? backends };
}
