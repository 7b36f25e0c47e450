import type { MetricQuery } from '@cutover/plan';

/** One time series: labels and [epoch ms, value] points in time order. */
export interface Series {
  labels: Record<string, string>;
  points: [number, number][];
}

/**
 * A metrics provider (Prometheus, CloudWatch, recorded file). Adapters throw QueryRejected
 * for a query the provider will never answer (bad syntax, forbidden) and ProviderUnavailable
 * for anything that might work next time (5xx, timeout, partial data, warnings).
 */
export interface MetricsSource {
  readonly name: string;
  instant(query: MetricQuery, at: number): Promise<Series[]>;
  range(query: MetricQuery, from: number, to: number, stepMs: number): Promise<Series[]>;
}

/** Provider errors are the kit's, so adapters need no domain import. */
import { QueryRejected } from '@cutover/kit';
export { ProviderUnavailable, QueryRejected } from '@cutover/kit';

/** Rules compare one number per point; several series mean the query does not aggregate. */
export function singleSeries(series: Series[], query: MetricQuery): Series | undefined {
  if (series.length <= 1) return series[0];
  const shown = series.slice(0, 3).map(
    (s) =>
      `{${Object.entries(s.labels)
        .map(([k, v]) => `${k}="${v}"`)
        .join(',')}}`,
  );
  throw new QueryRejected(
    `query ${describeQuery(query)} returned ${series.length} series (${shown.join(', ')}${series.length > 3 ? ', …' : ''}); a gate needs one: aggregate it, e.g. sum(...) or max(...)`,
  );
}

export function describeQuery(query: MetricQuery): string {
  const text = typeof query === 'string' ? query : JSON.stringify(query);
  return `"${text.length > 120 ? `${text.slice(0, 120)}…` : text}"`;
}
