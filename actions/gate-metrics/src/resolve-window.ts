import { UserError } from '@cutover/action-kit';
import { formatDuration, parseDuration } from '@cutover/plan';

/** Pure: "2026-11-20T10:00:00Z", "24h" (that long ago) or "now" to epoch ms. */
export function parseTimeInput(name: string, text: string, now: number): number {
  const trimmed = text.trim();
  if (trimmed === 'now') return now;
  const ago = parseDuration(trimmed);
  if (ago !== undefined) return now - ago;
  const absolute = /^\d{4}-\d\d-\d\dT/.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  if (Number.isNaN(absolute))
    throw new UserError(
      `input '${name}': expected an ISO 8601 time like "2026-11-20T10:00:00Z", a duration ago like "24h", or "now", got "${text}"`,
    );
  return absolute;
}

export function checkWindowBounds(from: number, to: number, now: number): void {
  if (from >= to)
    throw new UserError(
      `input 'from' must be before input 'to': the window ${new Date(from).toISOString()} → ${new Date(to).toISOString()} is empty`,
    );
  if (to > now + 60_000)
    throw new UserError(
      `input 'to' is ${formatDuration(to - now)} in the future; check mode judges finished windows (use mode: watch)`,
    );
}
