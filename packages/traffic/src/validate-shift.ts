import type { Weights } from '@cutover/plan';
import type { Marker, PauseRecord } from './marker.js';

export interface ShiftRequest {
  desired: Weights;
  runId: string;
  /** Plan step weights (ascending), when a plan drives the shift. */
  planSteps: readonly number[] | undefined;
  force: boolean;
  /** Readiness of each backend, from the router (endpoints, healthy targets). */
  ready: { stable: boolean; candidate: boolean };
  /** Only 0 and 100 for routers that switch all traffic at once (a Service selector). */
  allOrNothing: boolean;
  now: number;
}

/** Pure: how a refusal names a pause. */
export function describePause(paused: PauseRecord): string {
  return `paused${paused.by === undefined ? '' : ` by run ${paused.by}`} at ${paused.at}${paused.reason === undefined ? '' : ` (${paused.reason})`}`;
}

export const RESUME_HINT =
  'resume first (shift-traffic with step: resume); a rollback still works while paused';

/** Markers older than this in "shifting" are treated as abandoned by a killed run. */
export const STALE_SHIFT_MS = 60 * 60 * 1000;

/**
 * Pure: why weights read from a routed object cannot be the current state (a hand-edited
 * 90/90, a negative or fractional weight, NaN), or undefined when they can. Routers normalise
 * relative weights to percentages, so anything else is a broken object, never a step to take.
 */
/** How to roll back: a plan never moves back; the rollback action puts traffic on stable. */
export const ROLLBACK_HINT =
  'run the rollback action (scope: traffic) with the same plan, or abort through the cutover workflow';

export function weightsProblem(weights: Weights, where: string): string | undefined {
  const whole = (value: number) => Number.isInteger(value) && value >= 0 && value <= 100;
  if (
    whole(weights.stable) &&
    whole(weights.candidate) &&
    weights.stable + weights.candidate === 100
  )
    return undefined;
  return `${where}: the weights read are stable ${weights.stable} / candidate ${weights.candidate}; expected whole percentages from 0 to 100 that add up to 100 (no shift writes these: fix the object by hand, e.g. all traffic on stable)`;
}

/**
 * Pure: every reason a shift must not start, checked before any write. Each message names
 * the value and what is allowed.
 */
export function shiftRefusals(
  current: Weights,
  marker: Marker | undefined,
  request: ShiftRequest,
  where: string,
): string[] {
  const problems: string[] = [];
  const { desired } = request;
  for (const [name, value] of Object.entries(desired))
    if (!Number.isFinite(value) || value < 0 || value > 100 || !Number.isInteger(value))
      problems.push(`${name} weight must be a whole percentage from 0 to 100, got ${value}`);
  if (problems.length > 0) return problems;
  if (desired.stable + desired.candidate !== 100)
    problems.push(`weights must add up to 100, got ${desired.stable} + ${desired.candidate}`);
  if (request.allOrNothing && desired.candidate !== 0 && desired.candidate !== 100)
    problems.push(
      `${where} switches all traffic at once: candidate weight 0 or 100, got ${desired.candidate}`,
    );
  if (desired.candidate > 0 && !request.ready.candidate)
    problems.push(
      `${where}: the candidate has no ready endpoints; refusing to send it ${desired.candidate}%`,
    );
  if (desired.stable > 0 && !request.ready.stable)
    problems.push(
      `${where}: stable has no ready endpoints; refusing to send it ${desired.stable}%`,
    );

  if (marker?.state === 'shifting' && marker.runId !== request.runId && !request.force) {
    const age = request.now - Date.parse(marker.at);
    problems.push(
      `${where}: run ${marker.runId} is shifting ${marker.before.candidate}% → ${marker.after.candidate}% since ${marker.at}${age > STALE_SHIFT_MS ? ` (stale: probably killed; roll back (${ROLLBACK_HINT}) or set force)` : ''}; refusing to interleave (set force to override)`,
    );
  }
  // Checked on every write attempt, so a pause that lands between read and write still holds.
  const { paused } = marker ?? {};
  if (paused !== undefined && desired.candidate > current.candidate)
    problems.push(
      `${where}: ${describePause(paused)}; no move towards the candidate (${current.candidate}% → ${desired.candidate}%) until resumed: ${RESUME_HINT}`,
    );
  const inconsistent = weightsProblem(current, where);
  if (inconsistent !== undefined) problems.push(inconsistent);
  else if (request.planSteps !== undefined && desired.candidate !== current.candidate) {
    const steps = request.planSteps;
    const next = steps.find((w) => w > current.candidate);
    if (desired.candidate < current.candidate)
      problems.push(
        `moving back ${current.candidate}% → ${desired.candidate}% is a rollback: ${ROLLBACK_HINT}`,
      );
    else if (!steps.includes(desired.candidate))
      problems.push(
        `candidate weight ${desired.candidate} is no step of the plan (${steps.join(', ')})`,
      );
    else if (desired.candidate !== next)
      problems.push(
        `moving ${current.candidate}% → ${desired.candidate}% skips step ${next ?? '?'}% of the plan; shift one step at a time`,
      );
  }
  return problems;
}
