import { formatDuration, formatInUnit, type ThresholdUnit } from '@cutover/plan';

/** A value in its threshold's unit ("8.0%", "312 ms"); non-finite values as Prometheus writes them. */
export function showValue(value: number | undefined, unit: ThresholdUnit): string {
  if (value === undefined) return 'n/a';
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  return formatInUnit(value, unit);
}

/** "1 sample", "2 samples". */
export { plural } from '@cutover/kit';

/** A share 0..1 as a percentage rounded down, so 89.96% never reads as the 90% it misses. */
export function showShare(share: number): string {
  return `${Math.floor(share * 1000 + 1e-9) / 10}%`;
}

/** An instant without milliseconds: 2026-06-01T10:05:00Z. */
export function showInstant(t: number): string {
  return new Date(t).toISOString().replace(/\.000Z$/, 'Z');
}

/** A span for prose: formatDuration, with an unbounded limit spelled out. */
export function showSpan(ms: number): string {
  return Number.isFinite(ms) ? formatDuration(ms) : 'unbounded';
}
