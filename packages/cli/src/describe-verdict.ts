import type { RuleVerdict } from '@cutover/gates';
import {
  formatDuration,
  formatInUnit,
  formatThreshold,
  type GateRule,
  type ThresholdUnit,
} from '@cutover/plan';

/**
 * A rule's verdict for a terminal or a machine, built from the verdict's fields and the plan's
 * rule (not from the job-summary markdown), with values in the unit the threshold was written
 * in: "7.2% > 5%", "312 ms > 200 ms".
 */
/** The verdict fields read here; the gates package may add others. */
export type VerdictFields = Pick<
  RuleVerdict,
  | 'rule'
  | 'status'
  | 'severity'
  | 'reason'
  | 'threshold'
  | 'last'
  | 'worst'
  | 'samples'
  | 'points'
  | 'errors'
  | 'firedAt'
  | 'breachSince'
>;

export interface VerdictView {
  rule: string;
  status: RuleVerdict['status'];
  severity: RuleVerdict['severity'];
  threshold: string;
  unit: ThresholdUnit;
  last: number | null;
  lastText: string;
  worst: number | null;
  worstText: string;
  samples: number;
  points: number;
  errors: number;
  breachSince: string | null;
  firedAt: string | null;
  reason: string;
}

export function verdictView(verdict: VerdictFields, rule: GateRule | undefined): VerdictView {
  const unit = rule?.threshold.unit ?? '';
  const iso = (t: number | undefined) => (t === undefined ? null : new Date(t).toISOString());
  return {
    rule: verdict.rule,
    status: verdict.status,
    severity: verdict.severity,
    threshold: rule === undefined ? verdict.threshold : formatThreshold(rule.threshold),
    unit,
    last: verdict.last ?? null,
    lastText: formatInUnit(verdict.last, unit),
    worst: verdict.worst ?? null,
    worstText: formatInUnit(verdict.worst, unit),
    samples: verdict.samples,
    points: verdict.points,
    errors: verdict.errors,
    breachSince: iso(verdict.breachSince),
    firedAt: iso(verdict.firedAt),
    reason: verdict.reason,
  };
}

/**
 * One phrase: "error-rate 7.2% > 5% for 5m" for a breach that lasted its `for`, the gate's own
 * reason for anything else that did not pass, "error-rate pass" otherwise.
 */
export function describeVerdict(verdict: VerdictFields, rule: GateRule | undefined): string {
  if (verdict.status === 'pass') return `${verdict.rule} pass`;
  if (
    verdict.status === 'fail' &&
    verdict.firedAt !== undefined &&
    verdict.breachSince !== undefined &&
    rule !== undefined
  )
    return `${verdict.rule} ${formatInUnit(verdict.last, rule.threshold.unit)} ${formatThreshold(rule.threshold)} for ${formatDuration(verdict.firedAt - verdict.breachSince)}`;
  return `${verdict.rule} ${verdict.status}: ${verdict.reason}`;
}
