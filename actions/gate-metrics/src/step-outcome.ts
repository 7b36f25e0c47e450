import type { ActionKit } from '@cutover/action-kit';
import { showValue, type GateReport } from '@cutover/gates';
import { formatDuration, type RollbackPolicy } from '@cutover/plan';

export interface Decision {
  /** The step's outcome in one line, first in the summary. */
  line: string;
  warning?: { title: string; text: string };
  failure?: string;
}

/**
 * What the step does with the gates' outcome. A fail fails the step; an inconclusive outcome
 * is never a green check: it fails the step (after the plan's hold, in watch mode) unless the
 * caller opted in with allow-inconclusive; shadow reports and never fails.
 */
export function decideStep(
  report: GateReport,
  options: {
    mode: 'watch' | 'check';
    shadow: boolean;
    allowInconclusive: boolean;
    policy: RollbackPolicy;
  },
): Decision {
  const { outcome } = report;
  if (outcome.status === 'pass') return { line: `Step passes: ${outcome.reason}.` };
  if (options.shadow)
    return {
      line: `Step continues (shadow): the gates would have ${outcome.status === 'fail' ? 'failed' : 'been inconclusive'}: ${outcome.reason}.`,
      warning: {
        title: outcome.status === 'fail' ? 'Shadow gate failed' : 'Shadow gate inconclusive',
        text: `shadow gate would have ${outcome.status === 'fail' ? 'failed' : 'been inconclusive'}: ${outcome.reason}`,
      },
    };
  if (outcome.status === 'fail') {
    const failure = `gate failed: ${outcome.reason}`;
    return { line: `Step fails: ${failure}.`, failure };
  }
  const { policy } = options;
  const how =
    options.mode === 'check'
      ? 'in check mode'
      : policy.onInconclusive === 'rollback'
        ? 'after the bake (rollback.on-inconclusive: rollback)'
        : report.heldMs >= policy.maxHoldMs
          ? `after the bake and ${formatDuration(report.heldMs)} of holding for data (rollback.max-hold ${formatDuration(policy.maxHoldMs)})`
          : `after the bake${report.heldMs > 0 ? ` and ${formatDuration(report.heldMs)} of holding` : ''}; waiting for data cannot undo a gap longer than max-gap or a breach that may have lasted its for unseen`;
  const text = `gates inconclusive ${how}: ${outcome.reason}`;
  if (options.allowInconclusive)
    return {
      line: `Step continues (allow-inconclusive: true): ${text}.`,
      warning: {
        title: 'Gate inconclusive',
        text: `${text}; continuing (allow-inconclusive: true)`,
      },
    };
  const failure = `${text}. An inconclusive gate never passes a step: check that the candidate reports data for the whole window (the summary lists coverage and gaps) and rerun, or set allow-inconclusive: true to continue and act on the 'verdict' output`;
  return { line: `Step fails: ${text}.`, failure };
}

const iso = (t: number | undefined) => (t === undefined ? null : new Date(t).toISOString());

export function writeOutputs(kit: ActionKit, report: GateReport): void {
  kit.setOutput('verdict', report.outcome.status);
  kit.setOutput(
    'results',
    JSON.stringify(
      report.verdicts.map((v) => ({
        rule: v.rule,
        status: v.status,
        severity: v.severity,
        reason: v.reason,
        threshold: v.threshold,
        last: v.last ?? null,
        worst: v.worst ?? null,
        samples: v.samples,
        points: v.points,
        coverage: v.coverage ?? null,
        gaps: [...v.gaps, ...(v.openGap === undefined ? [] : [v.openGap])].map((g) => ({
          from: iso(g.from),
          to: iso(g.to),
        })),
        breachSince: iso(v.breachSince),
        firedAt: iso(v.firedAt),
        cause: v.cause ?? null,
      })),
    ),
  );
  kit.setOutput('queries', String(report.queries));
  kit.setOutput('headline', headline(report));
}

/** One line for a deployment status or a chat message: "gates pass: error-rate 0.8%, p95 143 ms". */
export function headline(report: GateReport): string {
  const rules = report.verdicts.map(
    (v) =>
      `${v.rule} ${showValue(v.last, v.unit)}${v.status === report.outcome.status ? '' : ` (${v.status})`}`,
  );
  return `gates ${report.outcome.status}${rules.length > 0 ? `: ${rules.join(', ')}` : ''}`;
}
