import { formatDuration } from './duration.js';
import type { Plan } from './plan-types.js';

/** What is true now, read from the target (never remembered by the runner). */
export interface ObservedState {
  /** Percentage of traffic on the candidate, as the router reports it. */
  candidateWeight: number;
  /** When the current weight was set (from the marker on the target); undefined before the first shift. */
  stepStartedAt: number | undefined;
  now: number;
  /** A rollback already happened for this run. */
  rolledBack: boolean;
}

export interface GateOutcome {
  status: 'pass' | 'fail' | 'inconclusive';
  reason: string;
}

export type Decision =
  | { kind: 'shift'; weight: number; stepIndex: number; reason: string }
  | { kind: 'hold'; reason: string; untilMs: number | undefined; needsHuman: boolean }
  | { kind: 'rollback'; reason: string }
  | { kind: 'done'; reason: string }
  | { kind: 'rolled-back'; reason: string };

/**
 * The cutover step function. Pure and idempotent: the same observed state and verdict give the
 * same decision, so running it twice, or after a crash, is harmless.
 */
export function nextStep(
  plan: Plan,
  observed: ObservedState,
  verdict: GateOutcome | undefined,
): Decision {
  if (observed.rolledBack)
    return { kind: 'rolled-back', reason: 'this run was rolled back; traffic stays on stable' };
  if (verdict?.status === 'fail') return { kind: 'rollback', reason: verdict.reason };

  const first = plan.steps[0];
  if (observed.candidateWeight === 0 && first !== undefined)
    return {
      kind: 'shift',
      weight: first.weight,
      stepIndex: 0,
      reason: `start: ${first.weight}% to the candidate`,
    };
  const index = plan.steps.findIndex((step) => step.weight === observed.candidateWeight);
  const step = plan.steps[index];
  if (step === undefined)
    return {
      kind: 'hold',
      reason: `the candidate has ${observed.candidateWeight}%, which is no step of the plan (${plan.steps.map((s) => s.weight).join(', ')}); someone changed the weights by hand, so a human decides`,
      untilMs: undefined,
      needsHuman: true,
    };

  const started = observed.stepStartedAt ?? observed.now;
  const bakeEnds = started + step.bakeMs;
  if (observed.now < bakeEnds)
    return {
      kind: 'hold',
      reason: `baking ${step.weight}% for ${formatDuration(bakeEnds - observed.now)} more`,
      untilMs: bakeEnds,
      needsHuman: false,
    };

  if (verdict?.status === 'inconclusive') {
    const heldFor = observed.now - bakeEnds;
    if (plan.rollback.onInconclusive === 'rollback' || heldFor >= plan.rollback.maxHoldMs)
      return {
        kind: 'rollback',
        reason: `gates inconclusive after the bake (${verdict.reason})${heldFor >= plan.rollback.maxHoldMs ? `, held ${formatDuration(heldFor)} (max-hold ${formatDuration(plan.rollback.maxHoldMs)})` : ''}`,
      };
    return {
      kind: 'hold',
      reason: `gates inconclusive: ${verdict.reason}`,
      untilMs: bakeEnds + plan.rollback.maxHoldMs,
      needsHuman: false,
    };
  }

  const next = plan.steps[index + 1];
  if (next === undefined)
    return { kind: 'done', reason: `100% on the candidate and the last bake passed` };
  return {
    kind: 'shift',
    weight: next.weight,
    stepIndex: index + 1,
    reason: `${step.weight}% baked ${formatDuration(step.bakeMs)} with gates passing`,
  };
}
