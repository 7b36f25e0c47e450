import { ConfigError } from '@cutover/kit';
import type { Weights } from '@cutover/plan';
import type { KubeObject } from '@cutover/kubernetes';
import { KubernetesObjectTarget } from './object-target.js';
import { text, type RouterDefinition } from '../router-settings.js';
import {
  type BackendSettings,
  kubernetesSettings,
  kubernetesTargets,
  readiness,
  sides,
} from './kubernetes-settings.js';

interface Destination {
  destination?: { host?: string; subset?: string };
  weight?: number;
  [key: string]: unknown;
}
interface VirtualServiceSpec {
  http?: { route?: Destination[]; [key: string]: unknown }[];
}

/**
 * Istio VirtualService: route weights of the destinations whose subset (or host) is the stable
 * or candidate name, in every http route naming both. `http` is a list: the patch carries all of it.
 */
export class IstioRouter extends KubernetesObjectTarget {
  private matches(d: Destination, name: string): boolean {
    return (
      d.destination?.subset === name ||
      (d.destination?.subset === undefined && d.destination?.host === name)
    );
  }

  protected weightsOf(object: KubeObject): Weights {
    for (const route of (object.spec as VirtualServiceSpec).http ?? []) {
      const stable = route.route?.find((d) => this.matches(d, this.backends.stable));
      const candidate = route.route?.find((d) => this.matches(d, this.backends.candidate));
      if (stable !== undefined && candidate !== undefined)
        return this.percent(stable.weight ?? 0, candidate.weight ?? 0);
    }
    throw new ConfigError(
      `${this.description}: no http route sends to both "${this.backends.stable}" and "${this.backends.candidate}"`,
    );
  }

  protected patchFor(object: KubeObject, weights: Weights): Record<string, unknown> {
    const http = ((object.spec as VirtualServiceSpec).http ?? []).map((route) => {
      const destinations = route.route ?? [];
      if (
        !destinations.some((d) => this.matches(d, this.backends.stable)) ||
        !destinations.some((d) => this.matches(d, this.backends.candidate))
      )
        return route;
      return {
        ...route,
        route: destinations.map((d) =>
          this.matches(d, this.backends.stable)
            ? { ...d, weight: weights.stable }
            : this.matches(d, this.backends.candidate)
              ? { ...d, weight: weights.candidate }
              : d,
        ),
      };
    });
    return { spec: { http } };
  }
}

const subset = text(
  'a subset or host name like "green"',
  /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/,
  253,
);

export const istioRouter: RouterDefinition<BackendSettings> = {
  kind: 'istio',
  summary:
    'Istio VirtualService: route weights of the stable/candidate subsets in every http route naming both',
  // Subsets share one Service, so its endpoints cannot tell the sides apart: readiness names them.
  settings: kubernetesSettings<BackendSettings>('istio', {
    stable: subset,
    candidate: subset,
    readiness,
  }),
  create: (settings, context) =>
    kubernetesTargets(
      settings,
      context,
      'networking.istio.io/v1',
      'VirtualService',
      (client, ref) => {
        const { backends, readiness } = sides(settings);
        return new IstioRouter(client, ref, backends, readiness);
      },
    ),
};
