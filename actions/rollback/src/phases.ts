import { escapeMarkdown, heading, table } from '@cutover/kit';
import { formatDuration, type Weights } from '@cutover/plan';

export type PhaseName = 'traffic' | 'workload' | 'stacks' | 'stable-check';

/**
 * done: something was changed; nothing: already as it should be; skipped: not asked, or not
 * possible (said why); failed; cancelled: not started because the run was cancelled.
 */
export type PhaseStatus = 'done' | 'nothing' | 'skipped' | 'failed' | 'cancelled';

export interface Phase {
  phase: PhaseName;
  status: PhaseStatus;
  durationMs: number;
  detail: string;
}

export type StableHealth = 'pass' | 'fail' | 'inconclusive' | 'skipped';

export interface Targets {
  /** rollback.traffic-timeout (or the verify bound without a plan). */
  trafficMs: number;
  /** rollback.max-time-to-stable, when the plan sets one. */
  fullMs: number | undefined;
}

export interface TargetsVerdict {
  met: boolean;
  lines: string[];
}

const putBack = (p: Phase) => p.phase !== 'stable-check';

/**
 * Pure: the traffic phase against traffic-timeout, traffic + workload + stacks against
 * max-time-to-stable (the stable check only reports: it is not part of getting to stable).
 */
export function judgeTargets(phases: readonly Phase[], targets: Targets): TargetsVerdict {
  const traffic = phases.find((p) => p.phase === 'traffic');
  const full = phases.filter(putBack).reduce((sum, p) => sum + p.durationMs, 0);
  const trafficOk =
    traffic !== undefined && traffic.status !== 'failed' && traffic.durationMs <= targets.trafficMs;
  const lines = [
    `traffic on stable in ${formatDuration(traffic?.durationMs ?? 0)} (target traffic-timeout ${formatDuration(targets.trafficMs)}): ${trafficOk ? 'met' : 'missed'}`,
  ];
  const fullOk =
    targets.fullMs === undefined ||
    (full <= targets.fullMs && phases.filter(putBack).every((p) => p.status !== 'failed'));
  lines.push(
    targets.fullMs === undefined
      ? `whole rollback in ${formatDuration(full)} (the plan sets no max-time-to-stable)`
      : `whole rollback in ${formatDuration(full)} (target max-time-to-stable ${formatDuration(targets.fullMs)}): ${fullOk ? 'met' : 'missed'}`,
  );
  return { met: trafficOk && fullOk, lines };
}

/** Untrusted reason text: one line, no control or invisible characters, bounded. */
export function cleanReason(reason: string | undefined): string | undefined {
  if (reason === undefined) return undefined;
  const text = reason
    .replace(/[\p{Cc}\p{Cf}\u2028\u2029]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (text === '') return undefined;
  return text.length <= 300 ? text : `${text.slice(0, 299)}…`;
}

/** Pure: the job summary: what was done, per phase and time, and whether the targets were met. */
export function renderRollbackSummary(summary: {
  runId: string;
  reason: string | undefined;
  rolledBack: boolean;
  weights: Weights | undefined;
  phases: readonly Phase[];
  stableHealth: StableHealth;
  targets: TargetsVerdict;
  details: readonly string[];
}): string {
  const title = summary.rolledBack
    ? 'Rolled back: traffic on stable'
    : 'Nothing to roll back: already on stable';
  const why = summary.reason === undefined ? '' : ` · reason: ${escapeMarkdown(summary.reason)}`;
  const weights =
    summary.weights === undefined
      ? ''
      : ` · weights ${summary.weights.stable}% stable / ${summary.weights.candidate}% candidate`;
  return (
    [
      heading(2, title),
      `Run \`${escapeMarkdown(summary.runId)}\`${weights} · stable health: **${summary.stableHealth}**${why}`,
      table(
        ['Phase', 'Status', 'Time', 'Detail'],
        summary.phases.map((p) => [
          p.phase,
          p.status,
          p.status === 'skipped' || p.status === 'cancelled' ? '' : formatDuration(p.durationMs),
          escapeMarkdown(p.detail),
        ]),
      ),
      `Targets ${summary.targets.met ? 'met' : '**missed**'}: ${summary.targets.lines.map(escapeMarkdown).join('; ')}`,
      ...(summary.details.length === 0
        ? []
        : [summary.details.map((line) => `- ${escapeMarkdown(line)}`).join('\n')]),
    ].join('\n\n') + '\n'
  );
}
