import { ConfigError, v } from '@cutover/kit';
import type { Weights } from '@cutover/plan';
import type { KubeObject } from '@cutover/kubernetes';
import { KubernetesObjectTarget } from './object-target.js';
import type { RouterDefinition } from '../router-settings.js';
import {
  type BackendSettings,
  kubernetesSettings,
  kubernetesTargets,
  readiness,
  serviceName,
  sides,
} from './kubernetes-settings.js';

interface BackendRef {
  name: string;
  weight?: number;
  [key: string]: unknown;
}
interface HttpRouteSpec {
  rules?: { backendRefs?: BackendRef[]; [key: string]: unknown }[];
}
interface RouteStatus {
  parents?: {
    parentRef?: { name?: string };
    conditions?: { type: string; status: string; observedGeneration?: number; message?: string }[];
  }[];
}

/**
 * Gateway API HTTPRoute: the weights of the stable and candidate backendRefs in every rule
 * that names both. `rules` is a list, so the patch carries all of it. Effective once every
 * parent Gateway reports Accepted for the new generation.
 */
export class GatewayApiRouter extends KubernetesObjectTarget {
  protected weightsOf(object: KubeObject): Weights {
    const rules = this.splitRules(object);
    const first = rules[0];
    if (first === undefined)
      throw new ConfigError(
        `${this.description}: no rule routes to both backends "${this.backends.stable}" and "${this.backends.candidate}"`,
      );
    const weight = (ref: BackendRef) => ref.weight ?? 1; // the Gateway API default weight is 1
    return this.percent(weight(first.stable), weight(first.candidate));
  }

  protected patchFor(object: KubeObject, weights: Weights): Record<string, unknown> {
    const spec = object.spec as HttpRouteSpec;
    const rules = (spec.rules ?? []).map((rule) => {
      const refs = rule.backendRefs ?? [];
      if (
        !refs.some((r) => r.name === this.backends.stable) ||
        !refs.some((r) => r.name === this.backends.candidate)
      )
        return rule;
      return {
        ...rule,
        backendRefs: refs.map((r) =>
          r.name === this.backends.stable
            ? { ...r, weight: weights.stable }
            : r.name === this.backends.candidate
              ? { ...r, weight: weights.candidate }
              : r,
        ),
      };
    });
    return { spec: { rules } };
  }

  override async effective(): Promise<{ effective: boolean; detail: string }> {
    const object = await this.client.get(this.ref);
    const generation = object.metadata?.generation ?? 0;
    const parents = (object.status as RouteStatus | undefined)?.parents ?? [];
    if (parents.length === 0)
      return { effective: false, detail: 'no Gateway has reported status for the route yet' };
    const pending = parents.filter(
      (p) =>
        !(p.conditions ?? []).some(
          (c) =>
            c.type === 'Accepted' &&
            c.status === 'True' &&
            (c.observedGeneration ?? 0) >= generation,
        ),
    );
    return pending.length === 0
      ? {
          effective: true,
          detail: `accepted by ${parents.length} Gateway(s) at generation ${generation}`,
        }
      : {
          effective: false,
          detail: `waiting for ${pending.map((p) => p.parentRef?.name ?? '?').join(', ')} to accept generation ${generation}`,
        };
  }

  private splitRules(object: KubeObject) {
    const spec = object.spec as HttpRouteSpec;
    return (spec.rules ?? []).flatMap((rule) => {
      const stable = rule.backendRefs?.find((r) => r.name === this.backends.stable);
      const candidate = rule.backendRefs?.find((r) => r.name === this.backends.candidate);
      return stable !== undefined && candidate !== undefined ? [{ stable, candidate }] : [];
    });
  }
}

export const gatewayApiRouter: RouterDefinition<BackendSettings> = {
  kind: 'gateway-api',
  summary:
    'Gateway API HTTPRoute: backendRefs weights in every rule naming both Services; effective once every parent Gateway accepts the generation',
  settings: kubernetesSettings<BackendSettings>('gateway-api', {
    stable: serviceName,
    candidate: serviceName,
    readiness: v.optional(readiness),
  }),
  create: (settings, context) =>
    kubernetesTargets(
      settings,
      context,
      'gateway.networking.k8s.io/v1',
      'HTTPRoute',
      (client, ref) => {
        const { backends, readiness } = sides(settings);
        return new GatewayApiRouter(client, ref, backends, readiness);
      },
    ),
};
