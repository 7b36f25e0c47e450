import { neutraliseCommands } from '@cutover/kit';
import type { ChecklistVerdict } from './evaluate-checklist.js';
import { blockCount, pluralise } from './pluralise.js';
import { renderSummary } from './render-summary.js';
import type { ChecklistDocument } from './scope-documents.js';

/** An error annotation as data; the runner shows it on the file and line when there is one. */
export interface ChecklistAnnotation {
  message: string;
  target?: { title: string; file?: string; startLine?: number };
}

/** Everything the gate reports: the action writes it as it is. */
export interface ChecklistConclusion {
  verdict: ChecklistVerdict;
  digest: string;
  outputs: {
    complete: string;
    total: string;
    checked: string;
    missing: string;
    digest: string;
    source: string;
  };
  annotations: ChecklistAnnotation[];
  summary: string;
  /** Why the gate says no (a GateFailure for the caller), or undefined when it passed. */
  failure: string | undefined;
  /** The line to log when it passed. */
  message: string;
}

export const MAX_ANNOTATIONS = 50;
const MAX_FAILURE_ITEMS = 100;
const ANNOTATION_TITLE = 'Checklist item blocks the cutover';

/** Pure: outputs, annotations, summary and the outcome of a verdict over `documents`. */
export function concludeChecklist(options: {
  verdict: ChecklistVerdict;
  digest: string;
  documents: readonly ChecklistDocument[];
  /** The source as named to the user, e.g. "issue #12". */
  source: string;
  /** Whether input 'sections' narrowed the gate (the empty-checklist message says so). */
  filtered: boolean;
  /** From input 'expected-digest': the gate fails when the checklist changed since. */
  expectedDigest: string | undefined;
}): ChecklistConclusion {
  const { verdict, digest, source } = options;
  const failure =
    options.expectedDigest !== undefined && options.expectedDigest !== digest
      ? `input 'expected-digest': the checklist in ${source} changed since it was approved: digest is ${digest}, expected ${options.expectedDigest}`
      : verdict.complete
        ? undefined
        : // Quotes item text, which may come from an untrusted pull request.
          neutraliseCommands(failureText(verdict, source, options.filtered));
  return {
    verdict,
    digest,
    outputs: {
      complete: String(verdict.complete),
      total: String(verdict.total),
      checked: String(verdict.checked),
      missing: JSON.stringify(
        verdict.missing.map(({ section, text, line, origin, reason }) => ({
          section,
          text,
          line,
          origin,
          reason,
        })),
      ),
      digest,
      source,
    },
    annotations: annotate(verdict, options.documents, source),
    summary: renderSummary(verdict, source, digest),
    failure,
    message: `Checklist complete: ${verdict.checked} of ${pluralise(verdict.total, 'required item')} done (${digest}).`,
  };
}

/** Text from the checklist (and probe details quoting it) folded onto one log line. */
export function oneLine(text: string): string {
  return text.replace(/[\r\n\u0085\u2028\u2029]+/g, ' ');
}

function annotate(
  verdict: ChecklistVerdict,
  documents: readonly ChecklistDocument[],
  source: string,
): ChecklistAnnotation[] {
  const fileOf = new Map(documents.map((document) => [document.origin, document.file]));
  const annotations = verdict.missing
    .slice(0, MAX_ANNOTATIONS)
    .map((missing): ChecklistAnnotation => {
      const file = fileOf.get(missing.origin);
      const message = oneLine(`[${missing.section}] ${missing.text}: ${missing.reason}`);
      return file === undefined
        ? {
            message: `${missing.origin} line ${missing.line}: ${message}`,
            target: { title: ANNOTATION_TITLE },
          }
        : { message, target: { title: ANNOTATION_TITLE, file, startLine: missing.line } };
    });
  // GitHub shows only so many annotations per step; the summary lists every item.
  if (verdict.missing.length > MAX_ANNOTATIONS)
    annotations.push({
      message: `${pluralise(verdict.missing.length - MAX_ANNOTATIONS, 'more blocking item')} in ${source}; see the job summary`,
    });
  return annotations;
}

function failureText(verdict: ChecklistVerdict, source: string, filtered: boolean): string {
  if (verdict.results.length === 0 || verdict.results.every((r) => r.status === 'not-applicable'))
    return `no task list items ("- [ ] ...") found in ${source}${filtered ? " under input 'sections'" : ''}; an empty checklist never passes`;
  const lines = [
    `checklist in ${source} is incomplete: ${blockCount(verdict.missing.length)} the cutover (${verdict.checked} of ${verdict.total} required done)`,
  ];
  let section = '';
  for (const missing of verdict.missing.slice(0, MAX_FAILURE_ITEMS)) {
    if (missing.section !== section) lines.push(`  ${(section = missing.section)}:`);
    lines.push(
      `    - ${missing.text} (${missing.origin}, line ${missing.line}): ${missing.reason}`,
    );
  }
  if (verdict.missing.length > MAX_FAILURE_ITEMS)
    lines.push(`  … and ${verdict.missing.length - MAX_FAILURE_ITEMS} more`);
  return lines.join('\n');
}
