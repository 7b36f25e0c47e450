import * as core from '@actions/core';
import { systemClock } from './clock.js';
import { readInputs } from './inputs.js';
import type { ActionKit, AnnotationTarget } from './kit.js';
import { capSummary } from './summary.js';

function annotation(target: AnnotationTarget | undefined): core.AnnotationProperties {
  if (target === undefined) return {};
  const properties: core.AnnotationProperties = {};
  if (target.title !== undefined) properties.title = target.title;
  if (target.file !== undefined) properties.file = target.file;
  if (target.startLine !== undefined) properties.startLine = target.startLine;
  return properties;
}

/** The kit backed by the real runner: inputs from INPUT_*, outputs and summary to the runner's files. */
export function createCoreKit(): ActionKit {
  let summaryWritten = '';
  return {
    env: process.env,
    clock: systemClock,
    readInputs: (schema) => readInputs(schema, (name) => core.getInput(name)),
    setOutput: (name, value) => {
      core.setOutput(name, value);
    },
    mask: (secret) => {
      if (secret !== '') core.setSecret(secret);
    },
    debug: (message) => {
      core.debug(message);
    },
    info: (message) => {
      core.info(message);
    },
    notice: (message, target) => {
      core.notice(message, annotation(target));
    },
    warning: (message, target) => {
      core.warning(message, annotation(target));
    },
    error: (message, target) => {
      core.error(message, annotation(target));
    },
    group: (name, body) => core.group(name, body),
    appendSummary: async (markdown) => {
      if (process.env.GITHUB_STEP_SUMMARY === undefined) return;
      // The cap applies to the whole step summary, so count what this step already wrote.
      const capped = capSummary(summaryWritten + markdown);
      const addition = capped.slice(summaryWritten.length);
      summaryWritten = capped;
      await core.summary.addRaw(addition, true).write();
    },
  };
}
