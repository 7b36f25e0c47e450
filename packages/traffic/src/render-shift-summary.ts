import { escapeMarkdown, heading, table } from '@cutover/kit';
import { formatDuration } from '@cutover/plan';
import type { Move } from './controller.js';
import type { RecordedVerdict } from './marker.js';
import type { PauseKind, PauseOutcome } from './pause.js';
import type { TargetOutcome } from './shift-traffic.js';

/** Pure: the job summary of a shift: where it went, why, and every object before and after. */
export function renderShiftSummary(shift: {
  move: Move;
  runId: string;
  verifyTimeoutMs: number;
  verdict: RecordedVerdict | undefined;
  outcomes: readonly TargetOutcome[];
}): string {
  const { move } = shift;
  const step = move.step === undefined ? '' : `step ${move.step}: `;
  const verdict =
    shift.verdict === undefined
      ? ''
      : ` · verdict recorded: ${shift.verdict.status}${shift.verdict.reason === undefined ? '' : ` (${escapeMarkdown(shift.verdict.reason)})`}`;
  return (
    [
      heading(2, `Traffic shifted to ${step}${move.weight}% candidate`),
      `Run \`${escapeMarkdown(shift.runId)}\` · ${escapeMarkdown(move.reason)} · verification bound ${formatDuration(shift.verifyTimeoutMs)}${verdict}`,
      table(
        ['Object', 'Before (stable / candidate)', 'After (stable / candidate)', 'Verification'],
        shift.outcomes.map((o) => [
          escapeMarkdown(o.description),
          `${o.before.stable}% / ${o.before.candidate}%`,
          `${o.after.stable}% / ${o.after.candidate}%`,
          escapeMarkdown(o.detail),
        ]),
      ),
    ].join('\n\n') + '\n'
  );
}

/** Pure: the job summary of a pause or a resume: traffic unchanged, every object's record. */
export function renderPauseSummary(shift: {
  kind: PauseKind;
  runId: string;
  reason: string | undefined;
  /** Set when there was nothing to do (not paused, already paused everywhere). */
  noop: string | undefined;
  outcomes: readonly PauseOutcome[];
}): string {
  const title =
    shift.noop !== undefined
      ? `Cutover not changed: ${shift.noop}`
      : shift.kind === 'pause'
        ? 'Cutover paused: no forward move until resumed (rollback still works)'
        : 'Cutover resumed: the plan goes on from the step traffic is at';
  const why = shift.reason === undefined ? '' : ` · reason: ${escapeMarkdown(shift.reason)}`;
  return (
    [
      heading(2, escapeMarkdown(title)),
      `Run \`${escapeMarkdown(shift.runId)}\` · traffic unchanged${why}`,
      ...(shift.outcomes.length === 0
        ? []
        : [
            table(
              ['Object', 'Weights (stable / candidate)', 'Marker'],
              shift.outcomes.map((o) => [
                escapeMarkdown(o.description),
                `${o.weights.stable}% / ${o.weights.candidate}%`,
                escapeMarkdown(o.detail),
              ]),
            ),
          ]),
    ].join('\n\n') + '\n'
  );
}
