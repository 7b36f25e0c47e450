import * as core from '@actions/core';
import { createCoreKit } from './core-kit.js';
import { GateFailure, ServiceError, UserError, errorMessage } from './errors.js';
import type { ActionKit } from './kit.js';

/**
 * The entry point of every action and the only place that calls core.setFailed.
 * User errors and gate failures are shown as they are; anything else is a bug in this
 * toolkit and is labelled so, with the stack trace in the log. Both go through the kit's
 * output guard: an error message may quote a Prometheus reply or a checklist line.
 */
export async function runAction(main: (kit: ActionKit) => Promise<void>): Promise<void> {
  const kit = createCoreKit();
  try {
    await main(kit);
  } catch (error) {
    core.setFailed(kit.forLog(failureMessage(error)));
    if (!isExpected(error) && error instanceof Error && error.stack !== undefined)
      kit.info(error.stack);
  }
}

function isExpected(error: unknown): boolean {
  return (
    error instanceof UserError || error instanceof GateFailure || error instanceof ServiceError
  );
}

export function failureMessage(error: unknown): string {
  if (isExpected(error)) return errorMessage(error);
  return `internal error: ${errorMessage(error)} (a bug in the cutover actions; the stack trace follows in the log)`;
}
