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

/** The written sum, however large (possibly Infinity); undefined when the text is no duration. */
export function durationSum(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '0') return 0;
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== trimmed) return undefined;
  return Math.round(parts.reduce((sum, p) => sum + Number(p[1]) * (UNIT_MS[p[2] ?? ''] ?? 0), 0));
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
