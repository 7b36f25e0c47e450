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
  type EvaluationPoint,
  type RuleState,
  type RuleVerdict,
  HISTORY_LIMIT,
  formatValue,
  initialRuleState,
  observe,
  ruleVerdict,
} from './rule-state.js';
export { renderGateSummary } from './render-gate-summary.js';
