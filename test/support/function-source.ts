import type { MetricsSource, Series } from '@cutover/gates';
import type { MetricQuery } from '@cutover/plan';

/** An in-memory MetricsSource: each query string maps to value(t) (undefined = no data) or throws. */
export function functionSource(
  series: Record<string, (t: number) => number | undefined>,
): MetricsSource & { calls: number } {
  const source = {
    name: 'function',
    calls: 0,
    instant(query: MetricQuery, at: number): Promise<Series[]> {
      source.calls++;
      return Promise.resolve(toSeries(query, [at]));
    },
    range(query: MetricQuery, from: number, to: number, stepMs: number): Promise<Series[]> {
      source.calls++;
      const times: number[] = [];
      for (let t = from; t <= to; t += stepMs) times.push(t);
      return Promise.resolve(toSeries(query, times));
    },
  };
  function toSeries(query: MetricQuery, times: number[]): Series[] {
    const fn = typeof query === 'string' ? series[query] : undefined;
    if (fn === undefined) return [];
    const points = times.flatMap((t): [number, number][] => {
      const value = fn(t);
      return value === undefined ? [] : [[t, value]];
    });
    return points.length === 0 ? [] : [{ labels: {}, points }];
  }
  return source;
}
