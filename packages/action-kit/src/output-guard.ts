import { neutraliseCommands, maskValues, redactUrls } from '@cutover/kit';

/**
 * The one path every kit sends text through before it leaves the process. The runner masks
 * registered secrets too, but only line by line and only in the log; masking here first also
 * covers the summary file and keeps a secret hidden when neutralising would alter it.
 */
export interface OutputGuard {
  /** Registers a secret; returns the mask values not registered before (whole, each line). */
  addSecret(secret: string): string[];
  /** Log lines, annotation messages and titles, group names, the failure and its stack trace. */
  forLog(text: string): string;
  /** Job-summary markdown: a file, not parsed for commands, but shown to everyone. */
  forSummary(text: string): string;
  /** Output values: data for later steps; secrets and URL credentials never travel in them. */
  forOutput(text: string): string;
}

export function createOutputGuard(): OutputGuard {
  // Longest first, so a whole multi-line secret is replaced before its lines.
  const secrets: string[] = [];
  const hide = (text: string) =>
    secrets.reduce((hidden, secret) => hidden.split(secret).join('***'), text);
  return {
    addSecret(secret) {
      const added = maskValues(secret).filter((value) => !secrets.includes(value));
      secrets.push(...added);
      secrets.sort((a, b) => b.length - a.length);
      return added;
    },
    forLog: (text) => neutraliseCommands(redactUrls(hide(text))),
    forSummary: (text) => redactUrls(hide(text)),
    forOutput: (text) => redactUrls(hide(text)),
  };
}
