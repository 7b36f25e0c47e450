/**
 * One error model for every package. Each kind maps to one way of failing a step (runAction):
 * the message of an expected kind is shown as it is, so it must name the input, setting or
 * object, the value and what is allowed; anything else is a bug and is labelled so.
 */

/** Configuration the user must fix: an input, a plan or router setting, a missing object, a permission. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** A precondition refused the action before anything was written (another run shifting, skipped step). */
export class Refusal extends Error {
  override name = 'Refusal';
}

/** The action did its job and the answer is "no" (an incomplete checklist, a failed gate, a reverted shift). */
export class GateFailure extends Error {
  override name = 'GateFailure';
}

/** A remote service kept failing after retries, or timed out; we fail closed rather than guess. */
export class ServiceError extends Error {
  override name = 'ServiceError';
}

/**
 * A conditional write lost its race: the object changed since it was read (HTTP 409/412, a
 * Route 53 DELETE that no longer matches). Callers re-read and decide again; never shown raw.
 */
export class ConflictError extends Error {
  override name = 'ConflictError';
}

/** A metrics provider refused the query itself (bad PromQL, invalid parameters): the plan must change. */
export class QueryRejected extends ConfigError {
  override name = 'QueryRejected';
}

/** A metrics provider could not answer (down, throttled, timed out, malformed answer). */
export class ProviderUnavailable extends ServiceError {
  override name = 'ProviderUnavailable';
}

export type ErrorKind = 'config' | 'refusal' | 'gate' | 'service' | 'internal';

export function errorKind(error: unknown): ErrorKind {
  if (error instanceof ConfigError) return 'config';
  if (error instanceof Refusal) return 'refusal';
  if (error instanceof GateFailure) return 'gate';
  if (error instanceof ServiceError) return 'service';
  return 'internal';
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
