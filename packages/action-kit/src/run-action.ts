import * as core from '@actions/core';
import { errorKind, errorMessage } from '@cutover/kit';
import { createCoreKit, type CoreKit } from './core-kit.js';
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
  guardProcessOutput(kit);
  try {
    await main(kit);
  } catch (error) {
    fail(kit, error);
  }
}

export function failureMessage(error: unknown): string {
  if (errorKind(error) !== 'internal') return errorMessage(error);
  return `internal error: ${errorMessage(error)} (a bug in the cutover actions; the stack trace follows in the log)`;
}

function fail(kit: CoreKit, error: unknown): void {
  core.setFailed(kit.forLog(failureMessage(error)));
  if (errorKind(error) === 'internal' && error instanceof Error && error.stack !== undefined)
    kit.info(error.stack);
}

/**
 * Node prints process warnings (a library's emitWarning quoting its input) and unhandled
 * rejections raw to stderr, which the runner parses for commands too. Send them through the
 * guard instead: warnings as debug lines, a stray rejection as the step's failure.
 */
function guardProcessOutput(kit: CoreKit): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    kit.debug(`${warning.name}: ${warning.message}`);
  });
  const stray = (error: unknown) => {
    fail(kit, error);
    process.exit(1);
  };
  process.on('unhandledRejection', stray);
  process.on('uncaughtException', stray);
}
