import { ConfigError, Refusal } from '@cutover/kit';
import { formatDuration, type GateOutcome, type Plan, type Weights } from '@cutover/plan';
import type { Marker, PauseRecord, RecordedVerdict } from './marker.js';
import type { RouterTarget } from './router-target.js';
import {
  RESUME_HINT,
  ROLLBACK_HINT,
  STALE_SHIFT_MS,
  describePause,
  weightsProblem,
} from './validate-shift.js';

/** What one routed object holds now. */
export interface TargetReading {
  object: string;
  weights: Weights;
  marker: Marker | undefined;
}

/** The observed state of a cutover, read from the marker(s) on the target, never remembered. */
export interface CutoverState {
  /** The first object, as messages name it. */
  object: string;
  /** The first object's weights. */
  weights: Weights;
  /** The plan step whose weight the candidate has (number is 1-based); undefined at 0% or off-plan. */
  step: { number: number; weight: number } | undefined;
  /** When traffic started flowing at the current weight (the bake's start); undefined when unknown. */
  stepStartedAt: number | undefined;
  /** The marker the last move left (the first object that has one). */
  marker: Marker | undefined;
  runId: string | undefined;
  planHash: string | undefined;
  verdict: RecordedVerdict | undefined;
  rolledBack: boolean;
  /** A human's pause, if any object records one (a pause that reached only some objects still holds). */
  paused: PauseRecord | undefined;
  /** Objects whose weights or marker disagree with the first (a move that half happened). */
  disagreements: string[];
}

const sameWeights = (a: Weights, b: Weights) =>
  a.stable === b.stable && a.candidate === b.candidate;

/** Pure: the cutover as the objects record it, placed on the plan's steps (none without a plan). */
export function observeCutover(
  plan: Pick<Plan, 'steps'>,
  readings: readonly TargetReading[],
): CutoverState {
  const weights = readings[0]?.weights ?? { stable: 100, candidate: 0 };
  const marker = readings.find((r) => r.marker !== undefined)?.marker;
  const index = plan.steps.findIndex((s) => s.weight === weights.candidate);
  const step = plan.steps[index];
  const agrees = marker !== undefined && sameWeights(marker.after, weights);
  // Markers written before stepStartedAt existed: a verified move's time is when its bake began.
  const started =
    marker?.stepStartedAt ?? (agrees && marker.state !== 'shifting' ? marker.at : undefined);
  const startedMs = started === undefined || !agrees ? Number.NaN : Date.parse(started);
  return {
    object: readings[0]?.object ?? 'the target',
    weights,
    step:
      step === undefined || weights.candidate === 0
        ? undefined
        : { number: index + 1, weight: step.weight },
    stepStartedAt: Number.isNaN(startedMs) ? undefined : startedMs,
    marker,
    runId: marker?.runId,
    planHash: marker?.planHash,
    verdict: marker?.verdict,
    rolledBack: marker?.state === 'rolled-back',
    paused: readings.find((r) => r.marker?.paused !== undefined)?.marker?.paused,
    disagreements: readings
      .filter(
        (r) =>
          !sameWeights(r.weights, weights) ||
          (marker !== undefined &&
            (r.marker === undefined ||
              r.marker.runId !== marker.runId ||
              r.marker.step !== marker.step ||
              r.marker.state !== marker.state)),
      )
      .map((r) => r.object),
  };
}

/** Reads every object once and observes the cutover they record. */
export async function readCutover(
  plan: Pick<Plan, 'steps'>,
  targets: readonly RouterTarget[],
): Promise<{ readings: TargetReading[]; state: CutoverState }> {
  const readings = await Promise.all(
    targets.map(async (target) => {
      const { weights, marker } = await target.read();
      return { object: target.description, weights, marker };
    }),
  );
  return { readings, state: observeCutover(plan, readings) };
}

export type Decision =
  | { kind: 'shift'; weight: number; step: number; reason: string }
  | { kind: 'hold'; reason: string; untilMs: number | undefined; needsHuman: boolean }
  | { kind: 'rollback'; reason: string }
  | { kind: 'done'; reason: string }
  | { kind: 'rolled-back'; reason: string };

export interface DecisionContext {
  now: number;
  /** The run asking: it may finish its own interrupted shift, never another's. */
  runId: string;
  /** planHash() of the plan loaded now; undefined skips the check. */
  planHash: string | undefined;
  /** The gates' verdict on the current step, when they were evaluated. */
  verdict: GateOutcome | undefined;
  /**
   * A human's `step: promote`: move now, skipping the rest of the bake, and taking an
   * inconclusive verdict as the human's call. Everything else that stops `next` still stops it.
   */
  promote?: boolean;
}

const needsHuman = (reason: string): Decision => ({
  kind: 'hold',
  reason,
  untilMs: undefined,
  needsHuman: true,
});

/**
 * The cutover step function: shift / hold / rollback / done from the plan, the observed state
 * and the verdict. Pure and idempotent: the same observation and verdict give the same
 * decision, so running it twice, or after a crash, is harmless.
 */
export function decideNext(plan: Plan, observed: CutoverState, context: DecisionContext): Decision {
  const { marker, weights } = observed;
  const { now, verdict } = context;
  const stepList = plan.steps.map((s) => s.weight).join(', ');
  if (observed.rolledBack && marker !== undefined && sameWeights(marker.after, weights))
    return {
      kind: 'rolled-back',
      reason: `run ${marker.runId} rolled the cutover back at ${marker.at}; traffic stays on stable until a new cutover starts at step 1`,
    };
  if (verdict?.status === 'fail') return { kind: 'rollback', reason: verdict.reason };

  if (marker?.state === 'shifting') {
    const stepNumber = plan.steps.findIndex((s) => s.weight === marker.after.candidate) + 1;
    if (marker.runId === context.runId && stepNumber > 0)
      return {
        kind: 'shift',
        weight: marker.after.candidate,
        step: stepNumber,
        reason: `finishing the shift to ${marker.after.candidate}% this run started at ${marker.at}`,
      };
    const since = Date.parse(marker.at);
    if (marker.runId !== context.runId && now - since <= STALE_SHIFT_MS)
      return {
        kind: 'hold',
        reason: `run ${marker.runId} is shifting ${marker.before.candidate}% → ${marker.after.candidate}% since ${marker.at}`,
        untilMs: since + STALE_SHIFT_MS,
        needsHuman: false,
      };
    return needsHuman(
      `run ${marker.runId} left a shift ${marker.before.candidate}% → ${marker.after.candidate}% unfinished since ${marker.at} (probably killed); roll back (${ROLLBACK_HINT}), or shift with force`,
    );
  }
  // A pause holds every forward move, but never a rollback (above): rollback always wins.
  if (observed.paused !== undefined)
    return needsHuman(`${describePause(observed.paused)}; traffic stays where it is until resumed`);
  if (observed.disagreements.length > 0)
    return needsHuman(
      `the objects disagree (${observed.disagreements.join(', ')} differ from the first); bring them in line (rollback) first`,
    );
  const broken = weightsProblem(weights, 'the target');
  if (broken !== undefined) return needsHuman(broken);
  if (
    weights.candidate > 0 &&
    marker?.planHash !== undefined &&
    context.planHash !== undefined &&
    marker.planHash !== context.planHash
  )
    return needsHuman(
      `the plan changed since run ${marker.runId} moved traffic to ${weights.candidate}% (plan ${marker.planHash}, now ${context.planHash}); a human decides whether the new plan applies: name the step to move to (step: N), or roll back`,
    );

  const first = plan.steps[0];
  if (weights.candidate === 0 && first !== undefined)
    return {
      kind: 'shift',
      weight: first.weight,
      step: 1,
      reason: `start: ${first.weight}% to the candidate`,
    };
  const index = plan.steps.findIndex((s) => s.weight === weights.candidate);
  const step = plan.steps[index];
  if (step === undefined)
    return needsHuman(
      `the candidate has ${weights.candidate}%, which is no step of the plan (${stepList}); someone changed the weights by hand, so a human decides`,
    );

  // Unknown start (weights set without a marker): the bake cannot be timed; the gates decide.
  const bakeEnds = (observed.stepStartedAt ?? now - step.bakeMs) + step.bakeMs;
  const next = plan.steps[index + 1];
  if (context.promote === true) {
    if (next === undefined)
      return { kind: 'done', reason: `step ${index + 1} (${step.weight}%) is the plan's last` };
    const skipped =
      now < bakeEnds
        ? `skipping the last ${formatDuration(bakeEnds - now)} of its bake`
        : 'its bake is over';
    const gates =
      verdict === undefined
        ? 'no gate verdict given'
        : verdict.status === 'pass'
          ? 'gates passing'
          : `gates inconclusive${verdict.reason === verdict.status ? '' : ` (${verdict.reason})`}, promoted on a human's call`;
    return {
      kind: 'shift',
      weight: next.weight,
      step: index + 2,
      reason: `promoted from step ${index + 1} (${step.weight}%), ${skipped}; ${gates}`,
    };
  }
  if (now < bakeEnds)
    return {
      kind: 'hold',
      reason: `baking step ${index + 1} (${step.weight}%) for ${formatDuration(bakeEnds - now)} more`,
      untilMs: bakeEnds,
      needsHuman: false,
    };

  if (verdict?.status === 'inconclusive') {
    const heldFor = now - bakeEnds;
    const { maxHoldMs, onInconclusive } = plan.rollback;
    if (onInconclusive === 'rollback' || heldFor >= maxHoldMs)
      return {
        kind: 'rollback',
        reason: `gates inconclusive after the bake (${verdict.reason})${heldFor >= maxHoldMs ? `, held ${formatDuration(heldFor)} (max-hold ${formatDuration(maxHoldMs)})` : ''}`,
      };
    return {
      kind: 'hold',
      reason: `gates inconclusive: ${verdict.reason}`,
      untilMs: bakeEnds + maxHoldMs,
      needsHuman: false,
    };
  }

  if (next === undefined)
    return { kind: 'done', reason: '100% on the candidate and the last bake passed' };
  return {
    kind: 'shift',
    weight: next.weight,
    step: index + 2,
    reason: `step ${index + 1} (${step.weight}%) baked ${formatDuration(step.bakeMs)}${verdict === undefined ? '' : ' with gates passing'}`,
  };
}

/** Where a shift-traffic run is asked to go: the inputs `step` and `weight`, parsed. */
export type MoveRequest =
  | { kind: 'weight'; weight: number }
  | { kind: 'step'; number: number }
  | { kind: 'next' }
  | { kind: 'promote' }
  | { kind: 'current' };

/** The `step` words that change no weight: hold the cutover where it is, or let it go on. */
export type ControlRequest = { kind: 'pause' } | { kind: 'resume' };

/** Everything shift-traffic's `step` and `weight` inputs can ask for. */
export type StepRequest = MoveRequest | ControlRequest;

export interface Move {
  weight: number;
  /** The plan step number, when a plan drives the shift. */
  step: number | undefined;
  reason: string;
}

/**
 * The weight a shift goes to. `next` asks the step function (and refuses when it says hold,
 * rollback, done or rolled back); `promote` asks it too, without the bake timer; `current` re-asserts the step the marker records (finishing
 * this run's interrupted shift); a step number or a weight is a human's explicit choice,
 * checked by the shift's refusals (one step at a time).
 */
export function chooseMove(
  plan: Plan | undefined,
  observed: CutoverState | undefined,
  request: MoveRequest,
  context: DecisionContext,
): Move {
  if (request.kind === 'weight')
    return {
      weight: request.weight,
      step: undefined,
      reason: `input 'weight': ${request.weight}%`,
    };
  if (plan === undefined || observed === undefined)
    throw new ConfigError("input 'step' needs input 'plan' (steps come from the plan)");
  if (request.kind === 'step') {
    const step = plan.steps[request.number - 1];
    if (step === undefined) throw new ConfigError(stepRange(plan, String(request.number)));
    return { weight: step.weight, step: request.number, reason: `input 'step': ${request.number}` };
  }
  const problem = weightsProblem(observed.weights, observed.object);
  if (problem !== undefined)
    throw new Refusal(`input 'step': "${request.kind}" cannot follow these weights: ${problem}`);
  if (request.kind === 'current') return currentMove(plan, observed);
  const promote = request.kind === 'promote';
  const decision = decideNext(plan, observed, { ...context, promote });
  if (decision.kind === 'shift')
    return { weight: decision.weight, step: decision.step, reason: decision.reason };
  const advice: Record<Exclude<Decision['kind'], 'shift'>, string> = {
    hold:
      observed.paused !== undefined && decision.kind === 'hold' && decision.needsHuman
        ? `; ${RESUME_HINT}`
        : decision.kind === 'hold' && decision.untilMs !== undefined
          ? `; wait until ${new Date(decision.untilMs).toISOString()}, promote now (step: promote), or name the step to move to (step: N)`
          : '',
    rollback: `; roll back: ${ROLLBACK_HINT}`,
    done: `: the plan (${plan.steps.map((s) => s.weight).join(', ')}) has no further step`,
    'rolled-back': '',
  };
  throw new Refusal(
    `input 'step': "${request.kind}" ${decision.kind === 'done' ? `after ${observed.weights.candidate}%` : `holds (${decision.kind})`}: ${decision.reason}${advice[decision.kind]}`,
  );
}

function currentMove(plan: Plan, observed: CutoverState): Move {
  const { marker, weights } = observed;
  const stepOf = (weight: number) => plan.steps.findIndex((s) => s.weight === weight) + 1;
  if (marker?.state === 'shifting')
    // This run's interrupted shift is finished; another run's is refused by the shift itself.
    return {
      weight: marker.after.candidate,
      step: stepOf(marker.after.candidate) || undefined,
      reason: `finishing the shift to ${marker.after.candidate}% run ${marker.runId} started at ${marker.at}`,
    };
  if (marker?.state === 'rolled-back')
    throw new Refusal(
      `input 'step': "current": run ${marker.runId} rolled the cutover back at ${marker.at}; there is no current step to re-assert (to start again write step: 1)`,
    );
  if (marker !== undefined && !sameWeights(marker.after, weights))
    throw new Refusal(
      `input 'step': "current": the weights (${weights.stable}/${weights.candidate}) differ from what run ${marker.runId} recorded (${marker.after.stable}/${marker.after.candidate}): changed by hand since; a human decides (name the step, or roll back)`,
    );
  const step = stepOf(weights.candidate);
  if (weights.candidate === 0 || step === 0)
    throw new Refusal(
      `input 'step': "current": the candidate has ${weights.candidate}%, which is no step of the plan (${plan.steps.map((s) => s.weight).join(', ')}); nothing to re-assert (to start write step: 1)`,
    );
  return {
    weight: weights.candidate,
    step,
    reason: `re-asserting step ${step} (${weights.candidate}%)`,
  };
}

/** The words shift-traffic's `step` takes besides a step number. */
export const STEP_WORDS = ['next', 'promote', 'current', 'pause', 'resume'] as const;

export function stepRange(plan: Plan, got: string): string {
  return `input 'step': expected ${STEP_WORDS.map((w) => `"${w}"`).join(', ')} or a step number from 1 to ${plan.steps.length}, got "${got}"`;
}
