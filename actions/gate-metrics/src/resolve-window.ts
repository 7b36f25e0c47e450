import { ConfigError } from '@cutover/kit';
import { TIME_SPEC_FORMS, formatDuration, parseTimeSpec } from '@cutover/plan';

export function parseTimeInput(name: string, text: string, now: number): number {
  const time = parseTimeSpec(text, now);
  if (time === undefined)
    throw new ConfigError(`input '${name}': expected ${TIME_SPEC_FORMS}, got "${text}"`);
  return time;
}

export function checkWindowBounds(from: number, to: number, now: number): void {
  if (from >= to)
    throw new ConfigError(
      `input 'from' must be before input 'to': the window ${new Date(from).toISOString()} → ${new Date(to).toISOString()} is empty`,
    );
  if (to > now + 60_000)
    throw new ConfigError(
      `input 'to' is ${formatDuration(to - now)} in the future; check mode judges finished windows (use mode: watch)`,
    );
}
