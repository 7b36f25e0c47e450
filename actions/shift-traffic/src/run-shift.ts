import { GateFailure, Refusal, errorMessage } from '@cutover/kit';
import type { ActionKit } from '@cutover/action-kit';
import type { Plan } from '@cutover/plan';
import {
  ShiftRefused,
  ShiftReverted,
  observedStateJson,
  readCutover,
  shiftTraffic,
  type CutoverState,
  type Move,
  type RouterTarget,
  type ShiftOptions,
  type TargetOutcome,
} from '@cutover/traffic';

/**
 * Runs the shift in a log group, turning a cancelled workflow (SIGINT, then SIGTERM) into the
 * engine's abort signal, and says which weight a refusal or a revert was about.
 */
export async function shiftWithCancellation(
  kit: ActionKit,
  onCancel: (listener: () => void) => void,
  targets: RouterTarget[],
  move: Move,
  options: Omit<ShiftOptions, 'signal' | 'log'>,
): Promise<TargetOutcome[]> {
  const cancel = new AbortController();
  let completed = false;
  onCancel(() => {
    kit.warning(
      completed
        ? `cancellation received after the shift to ${move.weight}% was verified and recorded; nothing to put back`
        : 'cancellation received: finishing the write in flight, then putting every object back',
    );
    cancel.abort();
  });
  try {
    const outcomes = await kit.group(
      `Shifting ${targets.map((t) => t.description).join(', ')} to ${move.weight}% candidate (${move.reason})`,
      () =>
        shiftTraffic(targets, move.weight, {
          ...options,
          signal: cancel.signal,
          log: (message) => {
            kit.info(message);
          },
        }),
    );
    completed = true;
    return outcomes;
  } catch (error) {
    if (error instanceof ShiftRefused)
      throw new Refusal(
        `shift to ${move.weight}% refused, nothing was written:\n${error.message}`,
        {
          cause: error,
        },
      );
    if (error instanceof ShiftReverted)
      throw new GateFailure(`shift to ${move.weight}% failed: ${error.message}`, { cause: error });
    throw error;
  }
}

/** Traffic has moved and is verified: a summary that cannot be written must not fail the step. */
export async function appendSummaryOrWarn(kit: ActionKit, markdown: string, weight: number) {
  try {
    await kit.appendSummary(markdown);
  } catch (error) {
    kit.warning(
      `traffic is at ${weight}% (verified and recorded), but the job summary could not be written: ${errorMessage(error)}`,
    );
  }
}

/** Reads the cutover from the targets and sets the `state` output to it. */
export async function reportState(
  kit: ActionKit,
  plan: Plan | undefined,
  targets: readonly RouterTarget[],
): Promise<CutoverState> {
  const { state } = await readCutover(plan ?? { steps: [] }, targets);
  kit.setOutput('state', JSON.stringify(observedStateJson(state, plan)));
  return state;
}
