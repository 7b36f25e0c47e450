// The pure kit: importable from every package without loading @actions/core.
export { type Clock, createVirtualClock, systemClock } from './clock.js';
export {
  ConfigError,
  ConflictError,
  type ErrorKind,
  GateFailure,
  ProviderUnavailable,
  QueryRejected,
  Refusal,
  ServiceError,
  errorKind,
  errorMessage,
} from './errors.js';
export {
  type InputField,
  type InputSchema,
  type InputValues,
  InputParseError,
  input,
  readInputs,
  splitList,
} from './inputs.js';
export {
  SUMMARY_LIMIT_BYTES,
  capSummary,
  details,
  escapeMarkdown,
  heading,
  table,
} from './markdown.js';
export { INERT_LEAD, isCommandLike, neutraliseCommands } from './neutralise-commands.js';
export { plural } from './plural.js';
export { type PollOptions, pollUntil } from './poll-until.js';
export { maskValues, redactUrls, urlCredentials } from './redact.js';
export { type RetryDecision, type RetryOptions, retry } from './retry.js';
export {
  type AdapterDefinition,
  type SecretEnvironment,
  type Resolved,
  SecretRef,
  type SettingsCheck,
  checkSettings,
  resolveSecrets,
  secretOr,
  secretRef,
  secretRefs,
  settingsObject,
  v,
} from './settings.js';
