import { ConfigError, v } from '@cutover/kit';
import type { Weights } from '@cutover/plan';
import type { KubeObject } from '@cutover/kubernetes';
import { KubernetesObjectTarget } from './object-target.js';
import { type RouterDefinition } from '../router-settings.js';
import {
  type BackendSettings,
  kubernetesSettings,
  kubernetesTargets,
  readiness,
  serviceName,
  sides,
} from './kubernetes-settings.js';

const CANARY = 'nginx.ingress.kubernetes.io/canary';
const WEIGHT = 'nginx.ingress.kubernetes.io/canary-weight';
const TOTAL = 'nginx.ingress.kubernetes.io/canary-weight-total';

/**
 * ingress-nginx canary: the canary Ingress (routing to the candidate Service) carries
 * canary-weight out of canary-weight-total (default 100). Annotations are a map, so a merge
 * patch of two keys is exact.
 */
export class IngressNginxRouter extends KubernetesObjectTarget {
  protected weightsOf(object: KubeObject): Weights {
    const annotations = object.metadata?.annotations ?? {};
    if (annotations[CANARY] !== 'true') return { stable: 100, candidate: 0 };
    const total = Number(annotations[TOTAL] ?? '100');
    const weight = Number(annotations[WEIGHT] ?? '0');
    if (!Number.isFinite(total) || total <= 0 || !Number.isFinite(weight))
      throw new ConfigError(
        `${this.description}: canary annotations are not numbers (${WEIGHT}=${annotations[WEIGHT] ?? ''}, ${TOTAL}=${annotations[TOTAL] ?? ''})`,
      );
    return this.percent(total - weight, weight);
  }

  protected patchFor(_object: KubeObject, weights: Weights): Record<string, unknown> {
    return {
      metadata: {
        annotations: { [CANARY]: 'true', [WEIGHT]: String(weights.candidate), [TOTAL]: '100' },
      },
    };
  }
}

export const ingressNginxRouter: RouterDefinition<BackendSettings> = {
  kind: 'ingress-nginx',
  summary:
    'ingress-nginx canary: canary-weight / canary-weight-total annotations of the canary Ingress',
  settings: kubernetesSettings<BackendSettings>('ingress-nginx', {
    stable: serviceName,
    candidate: serviceName,
    readiness: v.optional(readiness),
  }),
  create: (settings, context) =>
    kubernetesTargets(settings, context, 'networking.k8s.io/v1', 'Ingress', (client, ref) => {
      const { backends, readiness } = sides(settings);
      return new IngressNginxRouter(client, ref, backends, readiness);
    }),
};
