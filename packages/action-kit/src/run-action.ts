import * as core from '@actions/core';
import { errorKind, errorMessage } from '@cutover/kit';
import { createCoreKit } from './core-kit.js';
import type { ActionKit } from './kit.js';

/**
 * The entry point of every action and the one place that maps the error model to the runner
 * and calls core.setFailed. Configuration errors, refusals, gate failures and service errors
 * are shown as they are; anything else is a bug in this toolkit and is labelled so, with the
 * stack trace in the log. Both go through the kit's output guard: an error message may quote a
 * Prometheus reply or a checklist line.
 */
export async function runAction(main: (kit: ActionKit) => Promise<void>): Promise<void> {
  const kit = createCoreKit();
  try {
    await main(kit);
  } catch (error) {
    core.setFailed(kit.forLog(failureMessage(error)));
    if (errorKind(error) === 'internal' && error instanceof Error && error.stack !== undefined)
      kit.info(error.stack);
  }
}

export function failureMessage(error: unknown): string {
  if (errorKind(error) !== 'internal') return errorMessage(error);
  return `internal error: ${errorMessage(error)} (a bug in the cutover actions; the stack trace follows in the log)`;
}
