import { Refusal, type Clock } from '@cutover/kit';
import type { Weights } from '@cutover/plan';
import type { CutoverState } from './controller.js';
import { MARKER_KEY, checkRunId, type Marker, type PauseRecord } from './marker.js';
import { ConflictError, type RouterTarget, type TargetState } from './router-target.js';
import { ShiftRefused } from './shift-traffic.js';
import { describePause } from './validate-shift.js';

export type PauseKind = 'pause' | 'resume';

/**
 * Pure: whether `step: pause` / `step: resume` has anything to do on the observed cutover.
 * Undefined: go ahead; a string: nothing to change (a success that says so). Throws a Refusal
 * when there is no cutover to hold.
 */
export function pauseNoop(observed: CutoverState, kind: PauseKind): string | undefined {
  const { marker } = observed;
  if (kind === 'resume')
    return observed.paused === undefined
      ? 'the cutover is not paused; nothing to resume'
      : undefined;
  if (marker === undefined)
    throw new Refusal(
      `input 'step': "pause": no cutover is recorded on ${observed.object} (no ${MARKER_KEY} marker); there is nothing to hold`,
    );
  if (observed.rolledBack)
    throw new Refusal(
      `input 'step': "pause": run ${marker.runId} rolled the cutover back at ${marker.at}; traffic is on stable and stays there until a new cutover starts at step 1, so there is nothing to hold`,
    );
  return undefined;
}

/** Pure: the marker one object gets, or why it is left alone, or why the change is refused. */
function markerFor(
  state: TargetState,
  kind: PauseKind,
  pause: PauseRecord,
  where: string,
): { write: Marker } | { skip: string } | { refuse: string } {
  const m = state.marker;
  if (kind === 'resume') {
    if (m?.paused === undefined) return { skip: 'not paused' };
    const rest: Marker = { ...m };
    delete rest.paused;
    return { write: rest };
  }
  if (m === undefined) return { skip: 'no marker: nothing recorded to hold' };
  if (m.paused !== undefined) return { skip: `already ${describePause(m.paused)}` };
  if (m.state === 'rolled-back') return { skip: 'rolled back: nothing to hold' };
  if (m.state === 'shifting')
    return {
      refuse: `${where}: run ${m.runId} is shifting ${m.before.candidate}% → ${m.after.candidate}% since ${m.at}; pause once that shift is done (it takes at most its verify-timeout), or roll back`,
    };
  return { write: { ...m, paused: pause } };
}

export interface PauseOptions {
  runId: string;
  clock: Clock;
  /** Why, recorded with a pause (untrusted text: bounded by the marker, neutralised by the kit). */
  reason: string | undefined;
  log: (message: string) => void;
}

export interface PauseOutcome {
  description: string;
  /** The weights, unchanged: a pause or a resume moves no traffic. */
  weights: Weights;
  changed: boolean;
  detail: string;
}

const CONFLICT_RETRIES = 3;

/**
 * Records a pause on every object's marker, or clears it, leaving the weights as they are
 * (each write carries the weights just read, with the object's version as precondition). All
 * objects are checked before any write; a write that loses a race re-reads and re-checks. A
 * pause that reached only some objects still holds (any paused object pauses the cutover).
 */
export async function setPaused(
  targets: readonly RouterTarget[],
  kind: PauseKind,
  options: PauseOptions,
): Promise<PauseOutcome[]> {
  checkRunId(options.runId);
  const pause: PauseRecord = {
    at: new Date(options.clock.now()).toISOString(),
    by: options.runId,
    ...(options.reason === undefined || options.reason.trim() === ''
      ? {}
      : { reason: options.reason.trim() }),
  };
  const states = await Promise.all(targets.map((t) => t.read()));
  const plans = targets.map((t, i) =>
    markerFor(states[i] as TargetState, kind, pause, t.description),
  );
  const refusals = plans.flatMap((p) => ('refuse' in p ? [p.refuse] : []));
  if (refusals.length > 0) throw new ShiftRefused(refusals.join('\n'));

  const outcomes: PauseOutcome[] = [];
  for (const [i, target] of targets.entries()) {
    let state = states[i] as TargetState;
    let plan = plans[i] as ReturnType<typeof markerFor>;
    for (let attempt = 1; 'write' in plan; attempt++) {
      try {
        await target.write(state.weights, plan.write, state.version);
        break;
      } catch (error) {
        if (!(error instanceof ConflictError) || attempt > CONFLICT_RETRIES) throw error;
        state = await target.read();
        plan = markerFor(state, kind, pause, target.description);
        if ('refuse' in plan)
          throw new ShiftRefused(
            `${target.description} changed while this run was writing: ${plan.refuse}${outcomes.length > 0 ? `; done before it: ${outcomes.map((o) => `${o.description} (${o.detail})`).join(', ')}` : ''}`,
          );
      }
    }
    const detail =
      'write' in plan
        ? kind === 'pause'
          ? `paused at ${state.weights.candidate}%${pause.reason === undefined ? '' : `: ${pause.reason}`}`
          : `resumed at ${state.weights.candidate}% (was ${describePause(state.marker?.paused ?? pause)})`
        : 'skip' in plan
          ? plan.skip
          : '';
    outcomes.push({
      description: target.description,
      weights: state.weights,
      changed: 'write' in plan,
      detail,
    });
    options.log(`${target.description}: ${detail}`);
  }
  return outcomes;
}
