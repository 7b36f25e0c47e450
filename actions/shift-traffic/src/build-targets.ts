import { parse } from 'yaml';
import { ConfigError, type Clock } from '@cutover/kit';
import { resolveInWorkspace } from '@cutover/action-kit';
import { RouterConfigError, createTargets } from '@cutover/routers';
import type { RouterTarget } from '@cutover/traffic';

/** The routed objects of the plan's router, or of the inline `router` input. */
export function buildTargets(options: {
  planPath: string | undefined;
  planRouter: Record<string, unknown> | undefined;
  routerInput: string | undefined;
  workspace: string;
  allowOutside: boolean;
  clock: Clock;
}): RouterTarget[] {
  const where = options.planPath ?? "input 'router'";
  const settings = options.planRouter ?? parseRouter(options.routerInput ?? '');
  try {
    return createTargets(settings, {
      clock: options.clock,
      // The plan may come from an untrusted pull request: its router path stays inside.
      resolvePath: (path) =>
        resolveInWorkspace(options.workspace, path, `${where}: router.path`, {
          allowOutside: options.allowOutside,
          allowInput: 'allow-outside-workspace',
        }),
    }).targets;
  } catch (error) {
    // The router names the setting; the caller adds which file or input holds it.
    if (error instanceof RouterConfigError)
      throw new ConfigError(error.problems.map((problem) => `${where}: ${problem}`).join('\n'));
    throw error;
  }
}

function parseRouter(text: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new ConfigError(
      `input 'router': not YAML (${error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error)})`,
    );
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ConfigError(
      `input 'router': expected a mapping like "{kind: gateway-api, name: shop, stable: blue, candidate: green}", got ${JSON.stringify(text.slice(0, 80))}`,
    );
  return raw as Record<string, unknown>;
}
