import { ConfigError, resolveSecrets } from '@cutover/kit';
import { checkMetricsQuery, checkMetricsSettings, metricsRegistry } from '@cutover/metrics';
import type { MetricQuery, Plan } from '@cutover/plan';
import { checkRouterSettings } from '@cutover/routers';
import { readPlanStacks } from './plan-stacks.js';

/** What the adapters check in a plan: the router and metrics mappings and every gate query. */
export interface AdapterView {
  router: unknown;
  metrics: unknown;
  queries: { path: string; query: unknown }[];
  /** The `stacks:` section, checked by the stack domain; undefined when the plan has none. */
  stacks?: unknown;
}

/** The view of a plan that loaded. */
export function planView(plan: Plan): AdapterView {
  const queries: AdapterView['queries'] = [];
  for (const [name, rule] of Object.entries(plan.gates)) {
    queries.push({ path: `gates.${name}.query`, query: rule.query });
    if (rule.minTraffic !== undefined)
      queries.push({ path: `gates.${name}.min-traffic.query`, query: rule.minTraffic.query });
    if (rule.relative !== undefined)
      queries.push({ path: `gates.${name}.relative.baseline`, query: rule.relative.baseline });
  }
  return {
    router: plan.router.settings,
    metrics: { provider: plan.metrics.provider, ...plan.metrics.settings },
    queries,
    ...(plan.stacks === undefined ? {} : { stacks: plan.stacks }),
  };
}

/**
 * The view of plan data that did not load, so the adapters' problems are listed with the plan's.
 * Only what the plan itself cannot have reported is taken: a router or metrics that is not a
 * mapping, a provider the registry does not know, or a query of the wrong type is the plan's.
 */
export function rawView(raw: unknown): AdapterView {
  const root = record(raw) ?? {};
  const queries: AdapterView['queries'] = [];
  for (const [name, value] of Object.entries(record(root.gates) ?? {})) {
    const rule = record(value);
    queries.push({ path: `gates.${name}.query`, query: rule?.query });
    queries.push({
      path: `gates.${name}.min-traffic.query`,
      query: record(rule?.['min-traffic'])?.query,
    });
    queries.push({
      path: `gates.${name}.relative.baseline`,
      query: record(rule?.relative)?.baseline,
    });
  }
  return {
    router: record(root.router),
    metrics: record(root.metrics),
    queries: queries.filter((item) => isQuery(item.query)),
    // A scalar is the plan's own error; a list or mapping is the stack domain's to judge.
    ...(typeof root.stacks === 'object' && root.stacks !== null ? { stacks: root.stacks } : {}),
  };
}

export interface CheckOptions {
  /**
   * The environment the plan will run in: when given, every `{ env: NAME }` setting must name a
   * variable that is set and not empty. Without it (`cutover plan` on a laptop), references are
   * only checked for shape; the values are read when the source is built.
   */
  env?: Readonly<Record<string, string | undefined>> | undefined;
}

/**
 * Every problem the router and metrics provider find in a plan, each with its path:
 * `router.hosted-zone-id: expected …`, `metrics.basic-auth.password: …`, `gates.x.query.period: …`.
 */
export function adapterProblems(view: AdapterView, options: CheckOptions = {}): string[] {
  const problems: string[] = [];
  if (view.router !== undefined) {
    const router = checkRouterSettings(view.router, 'router');
    if (!router.ok) problems.push(...router.errors);
  }
  const metrics = record(view.metrics);
  const provider = metrics?.provider;
  // A missing provider is the plan's to report; an unknown one is the registry's.
  if (typeof provider === 'string' && provider.trim() !== '' && !metricsRegistry.has(provider))
    problems.push(
      `metrics.provider: expected one of ${[...metricsRegistry.keys()].join(', ')}, got ${JSON.stringify(provider)}`,
    );
  if (metrics !== undefined && typeof provider === 'string' && metricsRegistry.has(provider)) {
    const checked = checkMetricsSettings(metrics, 'metrics');
    if (!checked.ok) problems.push(...checked.errors);
    else if (options.env !== undefined)
      problems.push(...unsetSecrets(checked.settings, options.env));
    for (const { path, query } of view.queries)
      if (isQuery(query)) problems.push(...checkMetricsQuery(provider, query, path));
  }
  if (view.stacks !== undefined) {
    const stacks = readPlanStacks(view.stacks);
    if (!stacks.ok) problems.push(...stacks.errors);
  }
  return problems;
}

function unsetSecrets(settings: unknown, env: CheckOptions['env']): string[] {
  try {
    resolveSecrets(settings, 'metrics', { env });
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.message.split('\n');
    throw error;
  }
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function isQuery(value: unknown): value is MetricQuery {
  return (typeof value === 'string' && value.trim() !== '') || record(value) !== undefined;
}
