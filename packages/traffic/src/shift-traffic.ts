import { GateFailure, Refusal, pollUntil, type Clock } from '@cutover/kit';
import { formatDuration, weightsFor, type Weights } from '@cutover/plan';
import { checkRunId, type Marker, type PauseRecord, type RecordedVerdict } from './marker.js';
import { ConflictError, type RouterTarget, type TargetState } from './router-target.js';
import { ROLLBACK_HINT, shiftRefusals, weightsProblem } from './validate-shift.js';

export interface ShiftOptions {
  runId: string;
  /** Plan step weights when a plan drives the shift (enforces one step at a time). */
  planSteps: readonly number[] | undefined;
  force: boolean;
  clock: Clock;
  verifyTimeoutMs: number;
  verifyIntervalMs: number;
  /** Aborted by SIGINT/SIGTERM of a cancelled workflow. */
  signal?: AbortSignal;
  log: (message: string) => void;
  /** planHash() of the plan driving the move, recorded in the marker. */
  planHash?: string | undefined;
  /** The gate verdict that justified the move, recorded in the marker. */
  verdict?: RecordedVerdict | undefined;
}

export interface TargetOutcome {
  description: string;
  before: Weights;
  after: Weights;
  detail: string;
}

/** A shift refused before anything was written. */
export class ShiftRefused extends Refusal {
  override name = 'ShiftRefused';
}

/** A shift that wrote, failed or was cancelled, and put every object back. */
export class ShiftReverted extends GateFailure {
  override name = 'ShiftReverted';
}

const CONFLICT_RETRIES = 3;

type MarkerOptions = Pick<ShiftOptions, 'runId' | 'clock' | 'planHash' | 'verdict'>;

/**
 * Every move writes the whole observed state: who, from where to where, the plan it followed,
 * the verdict that justified it and, once traffic flows at `after`, when that step began.
 * A human's pause stays through the moves a pause allows (towards stable, or re-asserting),
 * but not back at 0%: there is nothing left to hold, and a new cutover starts unpaused (a
 * rollback never carries it).
 */
function marker(
  before: Weights,
  after: Weights,
  state: Marker['state'],
  options: MarkerOptions,
  stepStartedAt?: string,
  paused?: PauseRecord,
): Marker {
  const at = new Date(options.clock.now()).toISOString();
  const started = state === 'shifting' ? undefined : (stepStartedAt ?? at);
  return {
    version: 1,
    runId: options.runId,
    step: after.candidate,
    before,
    after,
    state,
    at,
    ...(options.planHash === undefined ? {} : { planHash: options.planHash }),
    ...(started === undefined ? {} : { stepStartedAt: started }),
    ...(options.verdict === undefined ? {} : { verdict: options.verdict }),
    ...(paused === undefined || after.candidate === 0 ? {} : { paused }),
  };
}

/** Where a shift by `runId` starts from. */
export function shiftBaseline(state: TargetState, runId: string): Weights {
  const m = state.marker;
  // A rerun of a shift this run left half done keeps the marker's original `before`: that,
  // not the half-shifted weights, is the state a revert or rollback must return to.
  if (m?.state === 'shifting' && m.runId === runId && sameWeights(m.after, state.weights))
    return m.before;
  return state.weights;
}

function sameWeights(a: Weights, b: Weights): boolean {
  return a.stable === b.stable && a.candidate === b.candidate;
}

/** Every reason not to shift `target` from `state`; run again on the fresh state after a conflict. */
function refusalsFor(
  target: RouterTarget,
  state: TargetState,
  ready: { stable: boolean; candidate: boolean } | undefined,
  desired: Weights,
  options: ShiftOptions,
): string[] {
  const problems = shiftRefusals(
    state.weights,
    state.marker,
    {
      desired,
      runId: options.runId,
      planSteps: options.planSteps,
      force: options.force,
      ready: ready ?? { stable: false, candidate: false },
      allOrNothing: target.allOrNothing,
      now: options.clock.now(),
    },
    target.description,
  );
  const before = shiftBaseline(state, options.runId);
  const inconsistent =
    before === state.weights
      ? undefined
      : weightsProblem(before, `${target.description} (marker before)`);
  return inconsistent === undefined ? problems : [...problems, inconsistent];
}

/** Throws when the run was cancelled; called after every write, so no write goes unchecked. */
function stopIfCancelled(options: ShiftOptions, when: string): void {
  if (options.signal?.aborted === true) throw new Error(`cancelled ${when}`);
}

/**
 * Moves every target to `candidate`% in two phases. First, with no writes: read each object,
 * check readiness and every refusal (weights that are no consistent state, a bad weight,
 * another run shifting, a skipped step, targets that disagree). Then, one object at a time:
 * write weights and marker with the object's version as precondition, and read back until the
 * router applies them. A write that loses a race re-reads the object and re-checks every
 * refusal against what it holds now. If any write or verification fails, or the run is
 * cancelled (checked after every write), every object already written goes back to its
 * previous weights, and the markers say so.
 */
export async function shiftTraffic(
  targets: readonly RouterTarget[],
  candidate: number,
  options: ShiftOptions,
): Promise<TargetOutcome[]> {
  checkRunId(options.runId);
  const desired = weightsFor(candidate);
  const states = await Promise.all(targets.map((t) => t.read()));
  const readiness = await Promise.all(targets.map((t) => t.readiness()));
  const problems = targets.flatMap((target, i) =>
    refusalsFor(target, states[i] as TargetState, readiness[i], desired, options),
  );
  // Where each object starts from: an object this run left half shifted starts from its
  // marker's `before`, so a rerun finishes a shift that reached only some objects.
  const baselines = states.map((s) => shiftBaseline(s, options.runId));
  if (new Set(baselines.map((w) => w.candidate)).size > 1)
    problems.push(
      `the targets disagree: ${targets.map((t, i) => `${t.description} has ${states[i]?.weights.candidate ?? '?'}%`).join(', ')}; bring them in line (rollback) first`,
    );
  if (problems.length > 0) throw new ShiftRefused([...new Set(problems)].join('\n'));

  const written: Written[] = [];
  const outcomes: TargetOutcome[] = [];
  try {
    for (const [i, target] of targets.entries()) {
      stopIfCancelled(options, 'before every object was shifted');
      const started = await startShift(
        target,
        states[i] as TargetState,
        desired,
        options,
        written[0]?.before,
      );
      if (started.already) {
        outcomes.push({
          description: target.description,
          before: started.before,
          after: desired,
          detail: 'already at the desired weights',
        });
        continue;
      }
      const { before } = started;
      written.push({ target, before, previous: states[i]?.marker });
      stopIfCancelled(options, `while writing ${target.description}`);
      const detail = await verify(target, desired, options, true);
      await finishShift(target, desired, before, options);
      stopIfCancelled(options, `while marking ${target.description} done`);
      outcomes.push({ description: target.description, before, after: desired, detail });
      options.log(
        `${target.description}: ${before.candidate}% → ${desired.candidate}% (${detail})`,
      );
    }
    return outcomes;
  } catch (error) {
    // A refusal found after a conflict, with nothing written yet, is still a refusal.
    if (written.length === 0 && error instanceof ShiftRefused) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    const reverted = await revert(written, options);
    throw new ShiftReverted(`${reason}; ${reverted}`);
  }
}

/**
 * Writes the desired weights with a `shifting` marker. On a conflict the object is read again
 * and the whole shift re-decided from what it holds now: refusals, `before`, and whether
 * another run already got it there.
 */
async function startShift(
  target: RouterTarget,
  known: TargetState,
  desired: Weights,
  options: ShiftOptions,
  firstBefore: Weights | undefined,
): Promise<{ already: boolean; before: Weights }> {
  let state = known;
  for (let attempt = 1; ; attempt++) {
    if (sameWeights(state.weights, desired) && state.marker?.state === 'done')
      return { already: true, before: state.weights };
    const before = shiftBaseline(state, options.runId);
    if (firstBefore !== undefined && !sameWeights(before, firstBefore))
      throw new ShiftRefused(
        `the targets disagree: ${target.description} is now at ${before.candidate}%, the objects already shifted were at ${firstBefore.candidate}%; bring them in line (rollback) first`,
      );
    try {
      await target.write(
        desired,
        marker(before, desired, 'shifting', options, undefined, state.marker?.paused),
        state.version,
      );
      return { already: false, before };
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt > CONFLICT_RETRIES) throw error;
      state = await target.read();
      const problems = refusalsFor(target, state, await target.readiness(), desired, options);
      if (problems.length > 0)
        throw new ShiftRefused(
          `${target.description} changed while this run was writing, and its new state refuses the shift:\n${problems.join('\n')}`,
          { cause: error },
        );
      options.log(
        `${target.description}: changed while writing (conflict); re-read and re-checked, attempt ${attempt + 1}`,
      );
    }
  }
}

/** Marks a verified shift `done`, only while the object still holds this run's shift. */
async function finishShift(
  target: RouterTarget,
  desired: Weights,
  before: Weights,
  options: ShiftOptions,
): Promise<void> {
  let state = await target.read();
  for (let attempt = 1; ; attempt++) {
    const m = state.marker;
    if (
      m?.runId !== options.runId ||
      m.state !== 'shifting' ||
      !sameWeights(state.weights, desired)
    )
      throw new Error(
        `${target.description} changed while this run was verifying: it holds ${state.weights.candidate}% with ${m === undefined ? 'no marker' : `run ${m.runId}'s marker (${m.state})`}; not marking it done`,
      );
    try {
      await target.write(
        desired,
        marker(before, desired, 'done', options, undefined, m.paused),
        state.version,
      );
      return;
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt > CONFLICT_RETRIES) throw error;
      state = await target.read();
    }
  }
}

/**
 * Traffic rollback: every target back to 100% stable, in parallel, whatever run left it where
 * it is. Idempotent: a target already rolled back is left alone. Readiness is not a reason to
 * refuse here: moving traffic off a failing candidate is the point.
 */
export async function rollbackTraffic(
  targets: readonly RouterTarget[],
  options: Omit<ShiftOptions, 'planSteps' | 'force'>,
): Promise<TargetOutcome[]> {
  checkRunId(options.runId);
  const stable = weightsFor(0);
  return Promise.all(
    targets.map(async (target) => {
      const state = await target.read();
      // Inconsistent weights are no reason to refuse here: stable is always a safe place.
      const inconsistent = weightsProblem(state.weights, target.description);
      if (inconsistent !== undefined) options.log(`${inconsistent}; rolling back to stable`);
      if (
        sameWeights(state.weights, stable) &&
        (state.marker === undefined ||
          state.marker.state === 'rolled-back' ||
          state.marker.state === 'reverted')
      )
        return {
          description: target.description,
          before: state.weights,
          after: stable,
          detail: 'already on stable',
        };
      await writeWithRetry(
        target,
        stable,
        (s) => marker(s.weights, stable, 'rolled-back', options),
        options,
        state,
      );
      const detail = await verify(
        target,
        stable,
        { ...options, planSteps: undefined, force: true },
        false,
      );
      options.log(
        `${target.description}: rolled back ${state.weights.candidate}% → 0% (${detail})`,
      );
      return { description: target.description, before: state.weights, after: stable, detail };
    }),
  );
}

/** Rollback's write: whatever is there now, retried on conflicts with the fresh state. */
async function writeWithRetry(
  target: RouterTarget,
  weights: Weights,
  makeMarker: (state: TargetState) => Marker,
  options: Pick<ShiftOptions, 'log'>,
  known?: TargetState,
): Promise<void> {
  let state = known ?? (await target.read());
  for (let attempt = 1; ; attempt++) {
    try {
      await target.write(weights, makeMarker(state), state.version);
      return;
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt > CONFLICT_RETRIES) throw error;
      state = await target.read();
      options.log(
        `${target.description}: changed while writing (conflict); re-read, attempt ${attempt + 1}`,
      );
    }
  }
}

async function verify(
  target: RouterTarget,
  desired: Weights,
  options: ShiftOptions,
  cancellable: boolean,
): Promise<string> {
  const started = options.clock.now();
  let last = '';
  return pollUntil(
    async () => {
      const state = await target.read();
      const effect =
        state.weights.candidate === desired.candidate
          ? await target.effective(desired)
          : { effective: false, detail: `object has ${state.weights.candidate}%` };
      last = `observed ${state.weights.candidate}%, ${effect.detail}`;
      return effect.effective
        ? `effective after ${formatDuration(options.clock.now() - started)}: ${effect.detail}`
        : undefined;
    },
    {
      clock: options.clock,
      timeoutMs: options.verifyTimeoutMs,
      intervalMs: options.verifyIntervalMs,
      what: `${target.description} to apply candidate ${desired.candidate}%`,
      ...(cancellable && options.signal !== undefined ? { signal: options.signal } : {}),
      timeoutError: () =>
        new Error(
          `${target.description} did not apply candidate ${desired.candidate}% within ${formatDuration(options.verifyTimeoutMs)}: ${last}`,
        ),
      cancelledError: () =>
        new Error(
          `cancelled while waiting for ${target.description} to apply ${desired.candidate}%`,
        ),
    },
  );
}

interface Written {
  target: RouterTarget;
  before: Weights;
  /** The marker the object held before this run wrote it. */
  previous: Marker | undefined;
}

async function revert(written: Written[], options: ShiftOptions): Promise<string> {
  if (written.length === 0) return 'nothing had been written';
  const results = await Promise.all(
    written.map(async ({ target, before, previous }) => {
      try {
        return await revertOne(target, before, previous, options);
      } catch (error) {
        return `${target.description} NOT reverted (${error instanceof Error ? error.message : String(error)}): ${ROLLBACK_HINT}`;
      }
    }),
  );
  return `reverted: ${results.join('; ')}`;
}

/** Puts one object back, unless another run has written it since (then it is that run's). */
async function revertOne(
  target: RouterTarget,
  before: Weights,
  previous: Marker | undefined,
  options: ShiftOptions,
): Promise<string> {
  // Back where it was: the step there keeps baking from when it began, and keeps its plan.
  const resumed =
    previous !== undefined && sameWeights(previous.after, before) ? previous : undefined;
  const revertOptions = {
    ...options,
    planHash: resumed === undefined ? options.planHash : resumed.planHash,
    verdict: resumed === undefined ? undefined : resumed.verdict,
  };
  let state = await target.read();
  for (let attempt = 1; ; attempt++) {
    if (state.marker !== undefined && state.marker.runId !== options.runId)
      return `${target.description} left as run ${state.marker.runId} wrote it since (${state.weights.candidate}%)`;
    try {
      await target.write(
        before,
        marker(
          state.weights,
          before,
          'reverted',
          revertOptions,
          resumed?.stepStartedAt ?? (resumed?.state === 'shifting' ? undefined : resumed?.at),
          state.marker?.paused,
        ),
        state.version,
      );
      break;
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt > CONFLICT_RETRIES) throw error;
      state = await target.read();
    }
  }
  await verify(target, before, options, false);
  return `${target.description} back at ${before.candidate}%`;
}
