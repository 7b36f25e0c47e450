import type { VerifierOutcome } from './evaluate-checklist.js';
import type { ChecklistItem } from './parse-checklist.js';
import { pluralise } from './pluralise.js';
import type { ScopedDocument } from './scope-documents.js';
import { tickItems } from './tick-items.js';

/** The stored body of an editable document (an issue or pull request); adapters implement it. */
export interface EditableBody {
  read(): Promise<string>;
  write(text: string): Promise<void>;
}

export type TickResult =
  | { ticked: []; text: string; warning?: string }
  | { ticked: ChecklistItem[]; text: string; notice: string };

/** Pure: unticked, well-formed items whose every verifier ran and passed. */
export function tickCandidates(
  items: readonly ChecklistItem[],
  outcomes: ReadonlyMap<ChecklistItem, readonly VerifierOutcome[]>,
): ChecklistItem[] {
  return items.filter((item) => {
    const list = outcomes.get(item) ?? [];
    return (
      !item.ticked &&
      item.flagged === undefined &&
      !item.notApplicable &&
      item.problems.length === 0 &&
      list.length > 0 &&
      list.length === item.verifiers.length &&
      list.every((o) => o.ok)
    );
  });
}

/**
 * Ticks, in the stored body, the unticked items whose verifiers all passed. GitHub offers no
 * conditional update for issue bodies, so the body is re-read just before the write and again
 * after it: if anyone else edited it in between, nothing counts as ticked (fail closed).
 */
export async function tickVerified(
  { document, items }: ScopedDocument,
  outcomes: ReadonlyMap<ChecklistItem, readonly VerifierOutcome[]>,
  body: EditableBody,
): Promise<TickResult> {
  const candidates = tickCandidates(items, outcomes);
  if (candidates.length === 0) return { ticked: [], text: document.text };
  if ((await body.read()) !== document.text)
    return {
      ticked: [],
      text: document.text,
      warning: `${document.origin} was edited while it was being verified; not ticking ${pluralise(candidates.length, 'verified item')}. Re-run to tick ${candidates.length === 1 ? 'it' : 'them'}.`,
    };
  const ticked = tickItems(document.text, candidates);
  await body.write(ticked);
  if ((await body.read()) !== ticked)
    return {
      ticked: [],
      text: document.text,
      warning: `${document.origin} was edited by someone else while ticking; the ticks may be lost. Re-run to check again.`,
    };
  return {
    ticked: candidates,
    text: ticked,
    notice: `Ticked ${pluralise(candidates.length, 'verified item')} in ${document.origin}.`,
  };
}
