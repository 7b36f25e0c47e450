export * from './stack-engine.js';
export {
  CAPABILITIES,
  type Capability,
  MAX_MONITORING_MINUTES,
  type OutputRef,
  type ParameterValue,
  type StackSpec,
  type StackSpecsResult,
  parseStackSpecs,
} from './stack-specs.js';
export {
  dependencyProblems,
  findCycle,
  stackWaves,
  transitiveDependencies,
} from './stack-order.js';
export { type ReadText, joinPath, readCloudAssembly } from './cloud-assembly.js';
export {
  type ResourceFailure,
  describeFailures,
  isBusy,
  isEmptyChangeSet,
  isRollingBack,
  isSuccess,
  isTerminal,
  resourceFailures,
} from './stack-states.js';
export {
  type DeployOptions,
  type DeployOutcome,
  INLINE_TEMPLATE_LIMIT_BYTES,
  URL_TEMPLATE_LIMIT_BYTES,
  type RollbackRecord,
  type StackOutcome,
  type StackResult,
  deployStacks,
  describeOutcome,
} from './deploy-stacks.js';
export {
  describeChange,
  describeStackEvent,
  formatStackDuration,
  isFailureEvent,
  renderChangeSet,
  renderStackResults,
} from './render-stacks.js';
export {
  RESTORE_TOKEN_PREFIX,
  type RestoreOptions,
  type RestoreOutcome,
  type RestoreResult,
  type RestoreStatus,
  describeRestore,
  parseRollbackRecord,
  restoreStacks,
} from './restore-stacks.js';
