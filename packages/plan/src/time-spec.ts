import { parseDuration } from './duration.js';

/** The time forms every command and action accepts. */
export const TIME_SPEC_FORMS =
  'an ISO 8601 time like "2026-11-20T10:00:00Z", a duration ago like "24h", or "now"';

/** "2026-11-20T10:00:00Z", "24h" (that long ago) or "now" to epoch ms; undefined when unreadable. */
export function parseTimeSpec(text: string, now: number): number | undefined {
  const trimmed = text.trim();
  if (trimmed === 'now') return now;
  const ago = parseDuration(trimmed);
  if (ago !== undefined) return now - ago;
  const absolute = /^\d{4}-\d\d-\d\dT/.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  return Number.isNaN(absolute) ? undefined : absolute;
}
