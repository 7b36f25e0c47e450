import { checkSettings } from '@cutover/kit';
import type { MetricQuery } from '@cutover/plan';
import { cloudwatchProvider } from './cloudwatch-source.js';
import { fileProvider } from './file-source.js';
import type { MetricsProvider } from './provider.js';
import { prometheusProvider } from './prometheus-source.js';

/** Every metrics provider, one line each: a new provider is its file, its test and a line here. */
const PROVIDERS: readonly MetricsProvider[] = [
  prometheusProvider,
  cloudwatchProvider,
  fileProvider,
];

/** Providers by kind (`metrics.provider`). A Map, so `__proto__` or `constructor` is no provider. */
export const metricsRegistry: ReadonlyMap<string, MetricsProvider> = new Map(
  PROVIDERS.map((provider) => [provider.kind, provider]),
);

const kinds = () => [...metricsRegistry.keys()].join(', ');

export type MetricsSettingsCheck =
  { ok: true; provider: MetricsProvider; settings: unknown } | { ok: false; errors: string[] };

/**
 * Checks a plan's `metrics` mapping (`provider` and its settings) against the provider's schema.
 * Every problem is listed with its path: `metrics.basic-auth.password: expected …, got …`.
 */
export function checkMetricsSettings(raw: unknown, path = 'metrics'): MetricsSettingsCheck {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return { ok: false, errors: [`${path}: expected a mapping with a provider (${kinds()})`] };
  const { provider: kind, ...settings } = raw as Record<string, unknown>;
  const provider = typeof kind === 'string' ? metricsRegistry.get(kind) : undefined;
  if (provider === undefined)
    return {
      ok: false,
      errors: [
        `${path}.provider: expected one of ${kinds()}, got ${kind === undefined ? 'nothing' : JSON.stringify(kind)}`,
      ],
    };
  const checked = checkSettings(provider.settings, settings, path);
  return checked.ok ? { ok: true, provider, settings: checked.value } : checked;
}

/** Problems with a query given to a provider (none for an unknown provider: reported elsewhere). */
export function checkMetricsQuery(kind: string, query: MetricQuery, path: string): string[] {
  return metricsRegistry.get(kind)?.checkQuery?.(query, path) ?? [];
}
