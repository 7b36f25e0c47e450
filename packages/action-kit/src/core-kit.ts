import * as core from '@actions/core';
import { systemClock, errorMessage, readInputs, urlCredentials, capSummary } from '@cutover/kit';
import type { ActionKit, AnnotationTarget } from './kit.js';
import { createOutputGuard } from './output-guard.js';

/** The real kit, plus the guard runAction needs for the failure message and stack trace. */
export interface CoreKit extends ActionKit {
  /** Text made safe for the log: secrets masked, URL userinfo redacted, commands made inert. */
  forLog(text: string): string;
}

/**
 * The kit backed by the real runner: inputs from INPUT_*, outputs and summary to the runner's
 * files. Every printed text goes through one OutputGuard. @actions/core already escapes the
 * data of the commands it writes (%, CR and LF in messages; also ":" and "," in properties), so
 * annotations, debug lines and group names stay one line; core.info writes raw, hence the guard.
 */
export function createCoreKit(): CoreKit {
  const guard = createOutputGuard();
  let summaryWritten = '';
  let summaryWarned = false;
  const annotation = (target: AnnotationTarget | undefined): core.AnnotationProperties => {
    if (target === undefined) return {};
    const properties: core.AnnotationProperties = {};
    if (target.title !== undefined) properties.title = guard.forLog(target.title);
    if (target.file !== undefined) properties.file = target.file;
    if (target.startLine !== undefined) properties.startLine = target.startLine;
    return properties;
  };
  const mask = (secret: string) => {
    for (const value of guard.addSecret(secret)) core.setSecret(value);
  };
  let summaryQueue: Promise<void> = Promise.resolve();
  const appendNow = async (markdown: string): Promise<void> => {
    if (process.env.GITHUB_STEP_SUMMARY === undefined) return;
    // The cap applies to the whole step summary, so count what this step already wrote.
    const capped = capSummary(summaryWritten + guard.forSummary(markdown));
    const addition = capped.slice(summaryWritten.length);
    try {
      await core.summary.addRaw(addition, true).write();
      summaryWritten = capped;
    } catch (error) {
      // The summary is a report of work already done (traffic may have moved): never fail for it.
      core.summary.emptyBuffer();
      if (summaryWarned) return;
      summaryWarned = true;
      kit.warning(
        `job summary not written (${errorMessage(error)}); the step's result and outputs are unaffected`,
      );
    }
  };
  const kit: CoreKit = {
    env: process.env,
    clock: systemClock,
    forLog: (text) => guard.forLog(text),
    readInputs: (schema) =>
      readInputs(schema, (name) => {
        const raw = core.getInput(name);
        // Masked before any error message or log line can quote the value.
        for (const credential of urlCredentials(raw)) mask(credential);
        return raw;
      }),
    setOutput: (name, value) => {
      core.setOutput(name, guard.forOutput(value));
    },
    mask,
    debug: (message) => {
      core.debug(guard.forLog(message));
    },
    info: (message) => {
      core.info(guard.forLog(message));
    },
    notice: (message, target) => {
      core.notice(guard.forLog(message), annotation(target));
    },
    warning: (message, target) => {
      core.warning(guard.forLog(message), annotation(target));
    },
    error: (message, target) => {
      core.error(guard.forLog(message), annotation(target));
    },
    group: (name, body) => core.group(guard.forLog(name), body),
    // One append at a time: core.summary is one shared buffer, and two appends in flight
    // (two stacks' change sets ready on the same tick) would each write the other's text.
    appendSummary: (markdown) => (summaryQueue = summaryQueue.then(() => appendNow(markdown))),
  };
  return kit;
}
