import type { ActionKit } from '@cutover/action-kit';
import { errorMessage } from '@cutover/kit';
import { weightsFor, type Weights } from '@cutover/plan';
import {
  STALE_SHIFT_MS,
  rollbackTraffic,
  type CutoverState,
  type RouterTarget,
} from '@cutover/traffic';
import type { Phase } from './phases.js';

/**
 * Whether `when: interrupted` finds a cutover left mid-way: a shift never marked done (the
 * run died between writing and verifying: by the interrupted run, or stale), or a last move by
 * the run known to be cancelled. A fresh shift by another run is that run at work, not left.
 * Pure; undefined means "roll back", a string says why not.
 */
export function notInterrupted(
  observed: CutoverState,
  interruptedRunId: string | undefined,
  now: number,
): string | undefined {
  const { marker } = observed;
  if (marker === undefined)
    return `no cutover marker on ${observed.object}: no cutover was left mid-way`;
  if (marker.state === 'shifting') {
    const since = Date.parse(marker.at);
    if (marker.runId === interruptedRunId || !(now - since <= STALE_SHIFT_MS)) return undefined;
    return `run ${marker.runId} is shifting since ${marker.at} (not stale yet): it is at work, not interrupted`;
  }
  if (marker.state === 'rolled-back')
    return `run ${marker.runId} already rolled the cutover back at ${marker.at}`;
  if (interruptedRunId !== undefined && marker.runId === interruptedRunId) return undefined;
  return `the last move (run ${marker.runId}, ${marker.state} at ${marker.at}, ${observed.weights.candidate}% candidate) was finished${interruptedRunId === undefined ? '' : ` and is not by the interrupted run ${interruptedRunId}`}: nothing left mid-way`;
}

/**
 * Every routed object back to 100% stable, through the shift engine's traffic rollback (writes
 * with the object's version as precondition, re-reads on conflicts, verifies the router applied
 * it). Never cancelled: it is the safety action, and it is short (one write and a verification
 * per object, bounded by verify-timeout).
 */
export async function trafficPhase(
  kit: ActionKit,
  targets: readonly RouterTarget[],
  options: { runId: string; verifyTimeoutMs: number; planHash: string | undefined },
): Promise<{ phase: Phase; changed: boolean; weights: Weights | undefined; error?: Error }> {
  const started = kit.clock.now();
  const took = () => kit.clock.now() - started;
  try {
    const outcomes = await kit.group(
      `Traffic: ${targets.map((t) => t.description).join(', ')} back to 100% stable`,
      () =>
        rollbackTraffic(targets, {
          runId: options.runId,
          clock: kit.clock,
          verifyTimeoutMs: options.verifyTimeoutMs,
          // Quicker than a shift's 1 s: time to stable is what a rollback is judged on.
          verifyIntervalMs: 250,
          planHash: options.planHash,
          log: (message) => kit.info(message),
        }),
    );
    const moved = outcomes.filter((o) => o.detail !== 'already on stable');
    return {
      changed: moved.length > 0,
      weights: outcomes[0]?.after ?? weightsFor(0),
      phase: {
        phase: 'traffic',
        status: moved.length > 0 ? 'done' : 'nothing',
        durationMs: took(),
        detail:
          moved.length === 0
            ? `already on stable: ${outcomes.map((o) => o.description).join(', ')}`
            : moved
                .map((o) => `${o.description}: ${o.before.candidate}% → 0% (${o.detail})`)
                .join('; '),
      },
    };
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    return {
      changed: false,
      weights: undefined,
      error: failure,
      phase: {
        phase: 'traffic',
        status: 'failed',
        durationMs: took(),
        detail: errorMessage(error),
      },
    };
  }
}
