import { type AdapterDefinition, type Resolved, type SecretEnvironment, v } from '@cutover/kit';
import type { MetricsSource } from '@cutover/gates';
import { parseDuration, type MetricQuery } from '@cutover/plan';
import { urlProblem } from './url-safety.js';

/** What a provider's factory gets besides its settings. */
export interface ProviderContext extends SecretEnvironment {
  readFile(path: string): string;
  /** Offset 0 of a recorded file (rehearsals start it at their own clock's start). */
  recordedBase: number;
  timeoutMs: number;
}

/**
 * A metrics provider: its kind (the plan's `metrics.provider`), a settings schema (checked when
 * the plan is loaded; secrets stay `{ env: NAME }` references until the source is built), a
 * factory taking the resolved settings, and the check of its query shape, when it has one.
 */
export interface MetricsProvider<Settings = unknown> extends Omit<
  AdapterDefinition<Settings, ProviderContext, MetricsSource>,
  'create'
> {
  create(settings: Resolved<Settings>, context: ProviderContext): MetricsSource;
  /** Problems with a gate query (`gates.x.query.period: …`), or none; absent = any query. */
  checkQuery?(query: MetricQuery, path: string): string[];
}

const received = (issue: { received: string }) => issue.received;

/** A duration setting such as `timeout: 30s`. */
export const durationSetting = v.pipe(
  v.string((issue) => `expected a duration like "30s", got ${received(issue)}`),
  v.check(
    (text) => (parseDuration(text) ?? 0) > 0,
    (issue) => `expected a duration like "30s" (more than 0), got ${received(issue)}`,
  ),
);

/** An http(s) endpoint with no credentials in it (they would be printed wherever the URL is). */
export function endpointSetting(advice: string) {
  return v.pipe(
    v.string((issue) => `expected an http(s) URL, got ${received(issue)}`),
    v.check(
      (text) => urlProblem(text, 'the URL', advice) === undefined,
      (issue) => urlProblem(issue.input, 'the URL', advice) ?? 'invalid URL',
    ),
  );
}

export function nonEmptyText(what: string) {
  return v.pipe(
    v.string((issue) => `expected ${what}, got ${received(issue)}`),
    v.check(
      (text) => text.trim() !== '',
      () => `expected ${what}, got an empty string`,
    ),
  );
}
