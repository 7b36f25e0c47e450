import { checkSettings } from '@cutover/kit';
import { albRouter } from './aws/alb-router.js';
import { route53Router } from './aws/route53-router.js';
import { fileRouter } from './file-router.js';
import { haproxyRouter } from './haproxy-router.js';
import { gatewayApiRouter } from './kubernetes/gateway-api-router.js';
import { ingressNginxRouter } from './kubernetes/ingress-nginx-router.js';
import { istioRouter } from './kubernetes/istio-router.js';
import { serviceSelectorRouter } from './kubernetes/service-selector-router.js';
import { show, type RouterDefinition } from './router-settings.js';

/** Every router kind. A new router is its file, its test and one line here. */
export const routerRegistry: readonly RouterDefinition[] = [
  fileRouter,
  gatewayApiRouter,
  ingressNginxRouter,
  istioRouter,
  serviceSelectorRouter,
  route53Router,
  albRouter,
  haproxyRouter,
];

export type RouterSettingsCheck =
  { ok: true; value: unknown; definition: RouterDefinition } | { ok: false; errors: string[] };

/**
 * Checks a plan's `router:` mapping (or shift-traffic's `router` input) against its kind's
 * schema, listing every problem with the path of its field:
 *   router.hosted-zone-id: expected a Route 53 zone id like "Z0123456789EXAMPLE", got nothing
 */
export function checkRouterSettings(raw: unknown, path = 'router'): RouterSettingsCheck {
  const kinds = routerRegistry.map((definition) => definition.kind);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return {
      ok: false,
      errors: [
        `${path}: expected a mapping with kind (one of ${kinds.join(', ')}), got ${show(raw)}`,
      ],
    };
  const kind = (raw as { kind?: unknown }).kind;
  const definition = routerRegistry.find((candidate) => candidate.kind === kind);
  if (definition === undefined)
    return {
      ok: false,
      errors: [`${path}.kind: expected one of ${kinds.join(', ')}, got ${show(kind)}`],
    };
  const checked = checkSettings(definition.settings, raw, path);
  return checked.ok ? { ok: true, value: checked.value, definition } : checked;
}
