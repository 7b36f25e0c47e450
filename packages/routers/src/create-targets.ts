import { ConfigError, type Clock } from '@cutover/kit';
import type { RouterTarget } from '@cutover/traffic';
import { AlbRouter } from './aws/alb-router.js';
import { Route53Router } from './aws/route53-router.js';
import { FileRouter } from './file-router.js';
import { GatewayApiRouter } from './kubernetes/gateway-api-router.js';
import { IngressNginxRouter } from './kubernetes/ingress-nginx-router.js';
import { IstioRouter } from './kubernetes/istio-router.js';
import { KubeClient, type ObjectRef } from './kubernetes/kube-client.js';
import { ServiceSelectorRouter } from './kubernetes/service-selector-router.js';

export const ROUTER_KINDS = [
  'file',
  'gateway-api',
  'ingress-nginx',
  'istio',
  'service-selector',
  'route53',
  'alb',
] as const;

/** Thrown for router settings a user must fix; the message names the key and what is allowed. */
export class RouterConfigError extends ConfigError {}

/**
 * The routed objects a plan's `router:` names. Several `objects` move together in one shift
 * (if one fails, the others go back).
 */
export function createTargets(
  settings: Record<string, unknown>,
  context: { clock: Clock; resolvePath: (path: string) => string },
): { targets: RouterTarget[]; client: KubeClient | undefined } {
  const kind = settings.kind;
  const text = (key: string): string => {
    const value = settings[key];
    if (typeof value !== 'string' || value === '')
      throw new RouterConfigError(`router.${key}: expected a name, got ${JSON.stringify(value)}`);
    return value;
  };
  const optional = (key: string) => (typeof settings[key] === 'string' ? settings[key] : undefined);
  const names = () => ({ stable: text('stable'), candidate: text('candidate') });

  if (kind === 'file')
    return {
      targets: [new FileRouter(context.resolvePath(text('path')), names())],
      client: undefined,
    };
  if (kind === 'alb')
    return {
      targets: [
        new AlbRouter({
          region: text('region'),
          ruleArn: text('rule-arn'),
          ...names(),
          endpoint: optional('endpoint'),
        }),
      ],
      client: undefined,
    };
  if (kind === 'route53')
    return {
      targets: [
        new Route53Router({
          hostedZoneId: text('hosted-zone-id'),
          record: text('record'),
          type: optional('type') ?? 'A',
          ...names(),
          endpoint: optional('endpoint'),
        }),
      ],
      client: undefined,
    };
  if (typeof kind !== 'string' || !(ROUTER_KINDS as readonly string[]).includes(kind))
    throw new RouterConfigError(
      `router.kind: expected one of ${ROUTER_KINDS.join(', ')}, got ${JSON.stringify(kind)}`,
    );

  const client = new KubeClient({
    kubeconfig: optional('kubeconfig'),
    context: optional('context'),
    clock: context.clock,
  });
  const namespace = optional('namespace') ?? 'default';
  const objects = Array.isArray(settings.objects) ? settings.objects.map(String) : [text('name')];
  if (objects.length === 0)
    throw new RouterConfigError('router.objects: expected at least one object name');
  const readinessRaw = settings.readiness as { stable?: unknown; candidate?: unknown } | undefined;
  const ref = (apiVersion: string, objectKind: string, name: string): ObjectRef => ({
    apiVersion,
    kind: objectKind,
    namespace,
    name,
  });

  const targets = objects.map((name): RouterTarget => {
    switch (kind) {
      case 'gateway-api': {
        const backends = names();
        return new GatewayApiRouter(
          client,
          ref('gateway.networking.k8s.io/v1', 'HTTPRoute', name),
          backends,
          readiness(readinessRaw, backends),
        );
      }
      case 'ingress-nginx': {
        const backends = names();
        return new IngressNginxRouter(
          client,
          ref('networking.k8s.io/v1', 'Ingress', name),
          backends,
          readiness(readinessRaw, backends),
        );
      }
      case 'istio': {
        if (readinessRaw === undefined)
          throw new RouterConfigError(
            'router.readiness: istio subsets share a Service; name the Services whose endpoints to check, {stable: svc, candidate: svc}',
          );
        return new IstioRouter(
          client,
          ref('networking.istio.io/v1', 'VirtualService', name),
          names(),
          readiness(readinessRaw, names()),
        );
      }
      default: {
        const selector = (key: string) => {
          const value = settings[key];
          if (
            typeof value !== 'object' ||
            value === null ||
            Object.keys(value).length === 0 ||
            Object.values(value).some((v) => typeof v !== 'string')
          )
            throw new RouterConfigError(
              `router.${key}: expected a label map like {track: green}, got ${JSON.stringify(value)}`,
            );
          return value as Record<string, string>;
        };
        return new ServiceSelectorRouter(client, ref('v1', 'Service', name), {
          stable: selector('stable-selector'),
          candidate: selector('candidate-selector'),
        });
      }
    }
  });
  return { targets, client };
}

function readiness(
  raw: { stable?: unknown; candidate?: unknown } | undefined,
  backends: { stable: string; candidate: string },
) {
  return {
    stable: typeof raw?.stable === 'string' ? raw.stable : backends.stable,
    candidate: typeof raw?.candidate === 'string' ? raw.candidate : backends.candidate,
  };
}
