export { MAX_DURATION_MS, formatDuration, parseDuration } from './duration.js';
/** A gates' verdict (gates produce it; the cutover controller in @cutover/traffic acts on it). */
export interface GateOutcome {
  status: 'pass' | 'fail' | 'inconclusive';
  reason: string;
}
export type {
  GateRule,
  MetricQuery,
  MetricsConfig,
  NoDataPolicy,
  Plan,
  PlanStep,
  RollbackPolicy,
  Severity,
  Strategy,
} from './plan-types.js';
export {
  type Comparison,
  type Threshold,
  type ThresholdUnit,
  breaches,
  formatInUnit,
  formatThreshold,
  parseThreshold,
} from './threshold.js';
export { type Weights, shareOf, weightsFor } from './traffic-router.js';
export { type Timeline, type TimelineStep, planTimeline } from './timeline.js';
export {
  GATE_NAME_PATTERN,
  PLAN_LIMITS,
  type PlanResult,
  parsePlan,
  sameSideProblems,
  validatePlan,
} from './validate-plan.js';
export { loadPlanFile } from './load-plan.js';
export {
  type ExpandedTemplate,
  type GateTemplate,
  type GateTemplateUse,
  type TemplateLanguage,
  type TemplateParamValue,
  GATE_TEMPLATES,
  TEMPLATE_LANGUAGES,
  expandGateTemplate,
  promString,
  templateParams,
} from './gate-templates.js';
export { TIME_SPEC_FORMS, parseTimeSpec } from './time-spec.js';
