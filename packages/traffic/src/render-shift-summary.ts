import { escapeMarkdown, heading, table } from '@cutover/kit';
import { formatDuration } from '@cutover/plan';
import type { Move } from './controller.js';
import type { RecordedVerdict } from './marker.js';
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
