import { ConfigError } from '@cutover/kit';
import type { Weights } from '@cutover/plan';
import type { KubeClient, KubeObject, ObjectRef } from '@cutover/kubernetes';
import { KubernetesObjectTarget } from './object-target.js';
import type { RouterDefinition } from '../router-settings.js';
import {
  type KubernetesSettings,
  kubernetesSettings,
  kubernetesTargets,
  labelSelector,
} from './kubernetes-settings.js';

/**
 * Blue/green by Service selector: the Service selects either the stable or the candidate
 * pods, so traffic moves all at once (0 or 100). The new selector replaces the old one
 * completely (keys it drops are sent as null, as JSON merge patch requires).
 */
export class ServiceSelectorRouter extends KubernetesObjectTarget {
  override readonly allOrNothing = true;

  constructor(
    client: KubeClient,
    ref: ObjectRef,
    private readonly selectors: {
      stable: Record<string, string>;
      candidate: Record<string, string>;
    },
  ) {
    const names = {
      stable: JSON.stringify(selectors.stable),
      candidate: JSON.stringify(selectors.candidate),
    };
    super(client, ref, names, names);
  }

  protected weightsOf(object: KubeObject): Weights {
    const selector =
      (object.spec as { selector?: Record<string, string> } | undefined)?.selector ?? {};
    const same = (a: Record<string, string>) =>
      Object.keys(a).length === Object.keys(selector).length &&
      Object.entries(a).every(([k, v]) => selector[k] === v);
    if (same(this.selectors.candidate)) return { stable: 0, candidate: 100 };
    if (same(this.selectors.stable)) return { stable: 100, candidate: 0 };
    throw new ConfigError(
      `${this.description}: selector ${JSON.stringify(selector)} is neither stable ${JSON.stringify(this.selectors.stable)} nor candidate ${JSON.stringify(this.selectors.candidate)}`,
    );
  }

  protected patchFor(object: KubeObject, weights: Weights): Record<string, unknown> {
    const current =
      (object.spec as { selector?: Record<string, string> } | undefined)?.selector ?? {};
    const next = weights.candidate === 100 ? this.selectors.candidate : this.selectors.stable;
    const selector: Record<string, string | null> = { ...next };
    for (const key of Object.keys(current)) if (!(key in next)) selector[key] = null;
    return { spec: { selector } };
  }

  override async readiness(): Promise<{ stable: boolean; candidate: boolean }> {
    const [stable, candidate] = await Promise.all([
      this.client.podsReady(this.ref.namespace, this.selectors.stable),
      this.client.podsReady(this.ref.namespace, this.selectors.candidate),
    ]);
    return { stable, candidate };
  }
}

export interface SelectorSettings extends KubernetesSettings {
  'stable-selector': Record<string, string>;
  'candidate-selector': Record<string, string>;
}

export const serviceSelectorRouter: RouterDefinition<SelectorSettings> = {
  kind: 'service-selector',
  summary: 'Service selector switch, blue/green all at once (0 or 100 only)',
  settings: kubernetesSettings<SelectorSettings>('service-selector', {
    'stable-selector': labelSelector,
    'candidate-selector': labelSelector,
  }),
  create: (settings, context) =>
    kubernetesTargets(
      settings,
      context,
      'v1',
      'Service',
      (client, ref) =>
        new ServiceSelectorRouter(client, ref, {
          stable: settings['stable-selector'],
          candidate: settings['candidate-selector'],
        }),
    ),
};
