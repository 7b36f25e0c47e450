import { ConfigError, Refusal } from '@cutover/kit';
import { TIME_SPEC_FORMS, formatDuration, parseDuration, parseTimeSpec } from '@cutover/plan';
import type { SelectedStep } from './select-step.js';

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

/**
 * The window the gates judge. A named step's bake is the default length; the current step's
 * bake is also bounded by when it began (the marker), so no other step's traffic is judged.
 */
export function resolveWindow(
  inputs: {
    mode: 'watch' | 'check';
    duration: string | undefined;
    from: string | undefined;
    to: string;
  },
  selected: SelectedStep | undefined,
  now: number,
): { from: number; to: number } {
  const bakeMs = selected?.step.bakeMs;
  const started = selected?.startedAt;
  if (inputs.mode === 'watch') {
    if (inputs.duration === undefined && started !== undefined && bakeMs !== undefined) {
      const ends = started + bakeMs;
      if (ends <= now)
        throw new Refusal(
          `the bake of step ${selected?.number ?? '?'} ended at ${new Date(ends).toISOString()}; judge it with mode: check`,
        );
      return { from: now, to: ends };
    }
    const duration = inputs.duration === undefined ? bakeMs : parseDuration(inputs.duration);
    if (duration === undefined || duration <= 0)
      throw new ConfigError(
        inputs.duration === undefined
          ? "mode watch needs input 'duration' (like \"30m\") or input 'step' (its bake is the duration)"
          : `input 'duration': expected a duration like "30m" or "1d", got "${inputs.duration}"`,
      );
    return { from: now, to: now + duration };
  }
  const to = parseTimeInput('to', inputs.to, now);
  if (inputs.from === undefined && bakeMs === undefined)
    throw new ConfigError(
      "mode check needs input 'from' (or input 'step', whose bake ends at 'to')",
    );
  const from =
    inputs.from === undefined
      ? Math.max(to - (bakeMs ?? 0), started ?? Number.NEGATIVE_INFINITY)
      : parseTimeInput('from', inputs.from, now);
  checkWindowBounds(from, to, now);
  return { from, to };
}
