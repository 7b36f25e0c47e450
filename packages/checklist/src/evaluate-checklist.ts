import type { ChecklistItem } from './parse-checklist.js';

/** The result of one verifier run against one item. */
export interface VerifierOutcome {
  source: string;
  ok: boolean;
  detail: string;
}

export type ItemStatus =
  | 'done' // ticked, and every verifier (if any) passed
  | 'verified' // was unticked, verifiers passed and the tool ticked it
  | 'missing' // required and not ticked
  | 'false-claim' // ticked, but a verifier failed: a claim must be true
  | 'invalid' // a directive could not be understood
  | 'flagged' // a look-alike checkbox or hidden controls: the line cannot be trusted
  | 'optional' // optional and not ticked
  | 'not-applicable';

export interface ItemResult {
  item: ChecklistItem;
  /** Which document the item came from, e.g. "issue #12" or "docs/checklist.md". */
  origin: string;
  status: ItemStatus;
  required: boolean;
  outcomes: VerifierOutcome[];
  reason: string;
}

export interface MissingItem {
  section: string;
  text: string;
  line: number;
  origin: string;
  reason: string;
}

export interface ChecklistVerdict {
  complete: boolean;
  /** Required items in scope (optional and not-applicable items excluded). */
  total: number;
  /** Required items in scope that are done (ticked and true, or verified and ticked by the tool). */
  checked: number;
  results: ItemResult[];
  missing: MissingItem[];
}

const FAILING: readonly ItemStatus[] = ['missing', 'false-claim', 'invalid', 'flagged'];

export interface EvaluationInput {
  item: ChecklistItem;
  origin: string;
  outcomes: VerifierOutcome[];
  /** True when the tool ticked this item after its verifiers passed. */
  tickedByTool: boolean;
}

export function evaluateChecklist(inputs: readonly EvaluationInput[]): ChecklistVerdict {
  const results = inputs.map(classify);
  const required = results.filter((result) => result.required);
  const failing = results.filter((result) => FAILING.includes(result.status));
  return {
    // An empty checklist is never complete: a gate that found nothing to check proves nothing.
    complete: failing.length === 0 && results.some((result) => result.status !== 'not-applicable'),
    total: required.length,
    checked: required.filter((result) => result.status === 'done' || result.status === 'verified')
      .length,
    results,
    missing: failing.map((result) => ({
      section: result.item.section,
      text: result.item.text,
      line: result.item.line,
      origin: result.origin,
      reason: result.reason,
    })),
  };
}

function classify({ item, origin, outcomes, tickedByTool }: EvaluationInput): ItemResult {
  const required = item.flagged !== undefined || (!item.optional && !item.notApplicable);
  const base = { item, origin, outcomes, required };
  // First: no marker (optional, n/a, a tick) on a line that is not what it looks like counts.
  if (item.flagged !== undefined) return { ...base, status: 'flagged', reason: item.flagged };
  if (item.notApplicable)
    return { ...base, status: 'not-applicable', reason: 'marked not applicable' };
  if (item.problems.length > 0)
    return { ...base, status: 'invalid', reason: item.problems.join('; ') };
  const failed = outcomes.filter((outcome) => !outcome.ok);
  if (item.ticked) {
    if (failed.length > 0)
      return {
        ...base,
        status: 'false-claim',
        reason: `ticked, but ${failed.map(describe).join('; ')}`,
      };
    if (outcomes.length < item.verifiers.length)
      return { ...base, status: 'false-claim', reason: 'ticked, but its verifier did not run' };
    return {
      ...base,
      status: 'done',
      reason: outcomes.length > 0 ? outcomes.map(describe).join('; ') : 'ticked',
    };
  }
  if (tickedByTool)
    return {
      ...base,
      status: 'verified',
      reason: `ticked by the tool: ${outcomes.map(describe).join('; ')}`,
    };
  if (item.optional) return { ...base, status: 'optional', reason: 'optional, not ticked' };
  const hint =
    outcomes.length > 0 && failed.length === 0
      ? ' (its verifier passes: tick it, or set tick-verified: true)'
      : failed.length > 0
        ? ` (${failed.map(describe).join('; ')})`
        : '';
  return { ...base, status: 'missing', reason: `not ticked${hint}` };
}

function describe(outcome: VerifierOutcome): string {
  return `${outcome.source.split(/\s+/)[0] ?? 'verifier'}: ${outcome.detail}`;
}
