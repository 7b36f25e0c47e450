export {
  type Firing,
  type GateReport,
  type WatchOptions,
  checkWindow,
  combineVerdicts,
  findFirings,
  watchGates,
} from './evaluate-gates.js';
export {
  type MetricsSource,
  type Series,
  ProviderUnavailable,
  QueryRejected,
  describeQuery,
  singleSeries,
} from './metrics-source.js';
export {
  type ChartSeries,
  type EvaluationPoint,
  type Gap,
  type RuleState,
  type RuleVerdict,
  type VerdictCause,
  GAP_LIMIT,
  HISTORY_LIMIT,
  couldRecover,
  formatValue,
  initialRuleState,
  isSettled,
  observe,
  ruleVerdict,
} from './rule-state.js';
export { plural, showInstant, showShare, showValue } from './verdict-text.js';
export { renderGateSummary } from './render-gate-summary.js';
