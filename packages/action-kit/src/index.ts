export { type Clock, createVirtualClock, systemClock } from './clock.js';
export { GateFailure, ServiceError, UserError, errorMessage } from './errors.js';
export {
  type InputField,
  type InputSchema,
  type InputValues,
  InputParseError,
  input,
  readInputs,
  splitList,
} from './inputs.js';
export type { ActionKit, AnnotationTarget } from './kit.js';
export { type LogEntry, type MemoryKit, createMemoryKit } from './memory-kit.js';
export { type RetryDecision, type RetryOptions, retry } from './retry.js';
export { maskValues, redactUrls, urlCredentials } from './redact.js';
export { INERT_LEAD, isCommandLike, neutraliseCommands } from './neutralise-commands.js';
export { type OutputGuard, createOutputGuard } from './output-guard.js';
export { runAction, failureMessage } from './run-action.js';
export { type CoreKit } from './core-kit.js';
export {
  SUMMARY_LIMIT_BYTES,
  capSummary,
  details,
  escapeMarkdown,
  heading,
  table,
} from './summary.js';
export { resolveInWorkspace } from './workspace-path.js';
