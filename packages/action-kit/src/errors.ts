/**
 * A problem the user can fix: a bad input, a missing permission, a refused precondition.
 * Its message is shown as is, so it must name the input or object, the value and what is allowed.
 */
export class UserError extends Error {
  override name = 'UserError';
}

/** The action did its job and the answer is "no" (an incomplete checklist, a failed gate). */
export class GateFailure extends Error {
  override name = 'GateFailure';
}

/** A remote service kept failing after retries; we fail closed rather than guess. */
export class ServiceError extends Error {
  override name = 'ServiceError';
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
