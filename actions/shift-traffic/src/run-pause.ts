import { Refusal, ServiceError } from '@cutover/kit';
import type { ActionKit } from '@cutover/action-kit';
import type { Plan } from '@cutover/plan';
import {
  ShiftRefused,
  pauseNoop,
  renderPauseSummary,
  setPaused,
  type CutoverState,
  type PauseKind,
  type RouterTarget,
} from '@cutover/traffic';
import { appendSummaryOrWarn, reportState } from './run-shift.js';

/**
 * `step: pause` / `step: resume`: records or clears the pause on every object (weights left
 * as they are), reads the target back to confirm it, and reports like a shift does.
 */
export async function pauseOrResume(
  kit: ActionKit,
  kind: PauseKind,
  run: {
    plan: Plan | undefined;
    targets: RouterTarget[];
    observed: CutoverState;
    runId: string;
    reason: string | undefined;
  },
): Promise<void> {
  const { plan, targets, observed, runId, reason } = run;
  kit.setOutput('decision', '');
  const noop = pauseNoop(observed, kind);
  if (noop !== undefined) kit.info(noop);
  const outcomes = noop === undefined ? await write(kit, targets, kind, runId, reason) : [];
  // Already paused on every object: the first pause (who, when) stands.
  const unchanged =
    noop ??
    (outcomes.every((o) => !o.changed)
      ? outcomes.map((o) => `${o.description}: ${o.detail}`).join('; ')
      : undefined);
  const after = await reportState(kit, plan, targets);
  if ((kind === 'pause') !== (after.paused !== undefined))
    throw new ServiceError(
      `${kind} was written, but reading ${after.object} back shows the cutover ${after.paused === undefined ? 'not paused' : 'still paused'}; run it again`,
    );
  kit.setOutput('previous-weights', JSON.stringify(observed.weights));
  kit.setOutput('weights', JSON.stringify(after.weights));
  kit.setOutput('step', after.step === undefined ? '' : String(after.step.number));
  await appendSummaryOrWarn(
    kit,
    renderPauseSummary({ kind, runId, reason, noop: unchanged, outcomes }),
    after.weights.candidate,
  );
}

async function write(
  kit: ActionKit,
  targets: RouterTarget[],
  kind: PauseKind,
  runId: string,
  reason: string | undefined,
) {
  try {
    return await kit.group(
      `${kind === 'pause' ? 'Pausing' : 'Resuming'} the cutover on ${targets.map((t) => t.description).join(', ')} (traffic unchanged)`,
      () =>
        setPaused(targets, kind, {
          runId,
          clock: kit.clock,
          reason,
          log: (message) => kit.info(message),
        }),
    );
  } catch (error) {
    if (error instanceof ShiftRefused)
      throw new Refusal(`${kind} refused, nothing was written:\n${error.message}`, {
        cause: error,
      });
    throw error;
  }
}
