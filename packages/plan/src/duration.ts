/** Durations as people write them in plans: "90s", "5m", "1h30m", "2d", "1w". */
const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** The longest duration a plan may name (bake, for, interval, max-gap, max-hold, ...). */
export const MAX_DURATION_MS = 365 * 86_400_000;

/**
 * Milliseconds, or undefined when the text is no duration or its sum is not a safe integer
 * ("9999…9s" would otherwise be Infinity, a bake that never ends).
 */
export function parseDuration(text: string): number | undefined {
  const ms = durationSum(text);
  return ms !== undefined && Number.isSafeInteger(ms) ? ms : undefined;
}

/**
 * The written sum in whole milliseconds, however large (possibly Infinity); undefined when the
 * text is no duration or names a fraction of a millisecond ("1.0005s", "0.5ms"), which would
 * otherwise be rounded silently. Exact decimal arithmetic: "1.1s" is 1100, not 1100.0000000000002.
 */
export function durationSum(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '0') return 0;
  const parts = [...trimmed.matchAll(/(\d+)(?:\.(\d+))?(ms|s|m|h|d|w)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== trimmed) return undefined;
  let sum = 0n;
  for (const [, whole = '0', fraction = '', unit = ''] of parts) {
    const size = BigInt(UNIT_MS[unit] ?? 0);
    const scale = 10n ** BigInt(fraction.length);
    const scaled = (BigInt(whole) * scale + BigInt(fraction === '' ? '0' : fraction)) * size;
    if (scaled % scale !== 0n) return undefined;
    sum += scaled / scale;
  }
  return sum > BigInt(Number.MAX_SAFE_INTEGER) ? Number.POSITIVE_INFINITY : Number(sum);
}

export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (!Number.isFinite(ms)) return '∞';
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  let rest = Math.round(ms);
  const out: string[] = [];
  for (const [unit, size] of units) {
    if (rest >= size) {
      out.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (out.length === 0) return `${rest}ms`;
  return out.join('');
}
