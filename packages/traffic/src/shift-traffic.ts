import type { Clock } from '@cutover/action-kit';
import { formatDuration, weightsFor, type Weights } from '@cutover/plan';
import type { Marker } from './marker.js';
import { ConflictError, type RouterTarget, type TargetState } from './router-target.js';
import { shiftRefusals } from './validate-shift.js';

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
}

export interface TargetOutcome {
  description: string;
  before: Weights;
  after: Weights;
  detail: string;
}

/** A shift refused before anything was written. */
export class ShiftRefused extends Error {
  override name = 'ShiftRefused';
}

/** A shift that wrote, failed or was cancelled, and put every object back. */
export class ShiftReverted extends Error {
  override name = 'ShiftReverted';
}

const CONFLICT_RETRIES = 3;

function marker(
  runId: string,
  step: number,
  before: Weights,
  after: Weights,
  state: Marker['state'],
  clock: Clock,
): Marker {
  return { version: 1, runId, step, before, after, state, at: new Date(clock.now()).toISOString() };
}

/**
 * Moves every target to `candidate`% in two phases. First, with no writes: read each object,
 * check readiness and every refusal (bad weight, another run shifting, a skipped step, targets
 * that disagree). Then, one object at a time: write weights and marker with the object's
 * version as precondition, and read back until the router applies them. If any write or
 * verification fails, or the run is cancelled, every object already written goes back to its
 * previous weights, and the markers say so.
 */
export async function shiftTraffic(
  targets: readonly RouterTarget[],
  candidate: number,
  options: ShiftOptions,
): Promise<TargetOutcome[]> {
  const desired = weightsFor(candidate);
  const states = await Promise.all(targets.map((t) => t.read()));
  const readiness = await Promise.all(targets.map((t) => t.readiness()));
  const problems = targets.flatMap((target, i) => {
    const state = states[i] as TargetState;
    return shiftRefusals(
      state.weights,
      state.marker,
      {
        desired,
        runId: options.runId,
        planSteps: options.planSteps,
        force: options.force,
        ready: readiness[i] ?? { stable: false, candidate: false },
        allOrNothing: target.allOrNothing,
        now: options.clock.now(),
      },
      target.description,
    );
  });
  const distinct = new Set(states.map((s) => s.weights.candidate));
  if (distinct.size > 1)
    problems.push(
      `the targets disagree: ${targets.map((t, i) => `${t.description} has ${states[i]?.weights.candidate ?? '?'}%`).join(', ')}; bring them in line (rollback) first`,
    );
  if (problems.length > 0) throw new ShiftRefused([...new Set(problems)].join('\n'));

  const written: { target: RouterTarget; before: Weights }[] = [];
  const outcomes: TargetOutcome[] = [];
  try {
    for (const [i, target] of targets.entries()) {
      if (options.signal?.aborted === true)
        throw new ShiftReverted('cancelled before every object was shifted');
      const before = (states[i] as TargetState).weights;
      if (before.candidate === desired.candidate && states[i]?.marker?.state === 'done') {
        outcomes.push({
          description: target.description,
          before,
          after: desired,
          detail: 'already at the desired weights',
        });
        continue;
      }
      await writeWithRetry(
        target,
        desired,
        () => marker(options.runId, desired.candidate, before, desired, 'shifting', options.clock),
        options,
        states[i],
      );
      written.push({ target, before });
      const detail = await verify(target, desired, options, true);
      await writeWithRetry(
        target,
        desired,
        () => marker(options.runId, desired.candidate, before, desired, 'done', options.clock),
        options,
      );
      outcomes.push({ description: target.description, before, after: desired, detail });
      options.log(
        `${target.description}: ${before.candidate}% → ${desired.candidate}% (${detail})`,
      );
    }
    return outcomes;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const reverted = await revert(written, options);
    throw new ShiftReverted(`${reason}; ${reverted}`);
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
  const stable = weightsFor(0);
  return Promise.all(
    targets.map(async (target) => {
      const state = await target.read();
      if (
        state.weights.candidate === 0 &&
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
        (s) => marker(options.runId, 0, s.weights, stable, 'rolled-back', options.clock),
        { ...options, planSteps: undefined, force: true },
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

async function writeWithRetry(
  target: RouterTarget,
  weights: Weights,
  makeMarker: (state: TargetState) => Marker,
  options: ShiftOptions,
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
      // Someone else wrote meanwhile: only go on if it was not another run's shift.
      if (
        !options.force &&
        state.marker?.state === 'shifting' &&
        state.marker.runId !== options.runId
      )
        throw new Error(
          `${target.description}: run ${state.marker.runId} started shifting while this run was writing; stopping`,
          { cause: error },
        );
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
  for (;;) {
    const state = await target.read();
    const spec = state.weights.candidate === desired.candidate;
    const effect = spec
      ? await target.effective(desired)
      : { effective: false, detail: `object has ${state.weights.candidate}%` };
    const elapsed = options.clock.now() - started;
    if (effect.effective) return `effective after ${formatDuration(elapsed)}: ${effect.detail}`;
    if (cancellable && options.signal?.aborted === true)
      throw new Error(
        `cancelled while waiting for ${target.description} to apply ${desired.candidate}%`,
      );
    if (elapsed >= options.verifyTimeoutMs)
      throw new Error(
        `${target.description} did not apply candidate ${desired.candidate}% within ${formatDuration(options.verifyTimeoutMs)}: observed ${state.weights.candidate}%, ${effect.detail}`,
      );
    await options.clock.sleep(
      Math.min(options.verifyIntervalMs, options.verifyTimeoutMs - elapsed),
    );
  }
}

async function revert(
  written: { target: RouterTarget; before: Weights }[],
  options: ShiftOptions,
): Promise<string> {
  if (written.length === 0) return 'nothing had been written';
  const results = await Promise.all(
    written.map(async ({ target, before }) => {
      try {
        await writeWithRetry(
          target,
          before,
          (s) =>
            marker(options.runId, before.candidate, s.weights, before, 'reverted', options.clock),
          { ...options, force: true },
        );
        await verify(target, before, options, false);
        return `${target.description} back at ${before.candidate}%`;
      } catch (error) {
        return `${target.description} NOT reverted (${error instanceof Error ? error.message : String(error)}): run rollback`;
      }
    }),
  );
  return `reverted: ${results.join('; ')}`;
}
