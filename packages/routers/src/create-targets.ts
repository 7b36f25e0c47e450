import { ConfigError, type Clock } from '@cutover/kit';
import { KubeClient } from '@cutover/kubernetes';
import type { RouterTarget } from '@cutover/traffic';
import { checkRouterSettings, routerRegistry } from './registry.js';

/** Every router kind, in registry order. */
export const ROUTER_KINDS: readonly string[] = routerRegistry.map((definition) => definition.kind);

/** Router settings a user must fix; the message lists every problem, one per line, with its path. */
export class RouterConfigError extends ConfigError {
  constructor(
    message: string,
    readonly problems: readonly string[] = [message],
  ) {
    super(message);
  }
}

/**
 * The routed objects a plan's `router:` names, after checking its settings against the
 * router's schema. Several `objects` move together in one shift (if one fails, the others go
 * back). `client` is the Kubernetes client the targets share, if any.
 */
export function createTargets(
  settings: Record<string, unknown>,
  context: { clock: Clock; resolvePath: (path: string) => string },
): { targets: RouterTarget[]; client: KubeClient | undefined } {
  const checked = checkRouterSettings(settings);
  if (!checked.ok) throw new RouterConfigError(checked.errors.join('\n'), checked.errors);
  let client: KubeClient | undefined;
  const targets = checked.definition.create(checked.value, {
    ...context,
    kubeClient: (options) => (client ??= new KubeClient({ ...options, clock: context.clock })),
  });
  return { targets, client };
}
