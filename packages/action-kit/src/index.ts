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
export { redactUrls, urlCredentials } from './redact.js';
export { runAction, failureMessage } from './run-action.js';
export {
  SUMMARY_LIMIT_BYTES,
  capSummary,
  details,
  escapeMarkdown,
  heading,
  table,
} from './summary.js';
export { resolveInWorkspace } from './workspace-path.js';
