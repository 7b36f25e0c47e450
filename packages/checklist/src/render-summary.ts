import { escapeMarkdown, heading, table } from '@cutover/kit';
import type { ChecklistVerdict, ItemStatus } from './evaluate-checklist.js';
import { blockCount, pluralise } from './pluralise.js';

const STATUS_LABEL: Record<ItemStatus, string> = {
  done: '✅ done',
  verified: '✅ verified, ticked',
  missing: '❌ missing',
  'false-claim': '❌ ticked but false',
  invalid: '❌ invalid directive',
  flagged: '❌ not a real checkbox',
  optional: '⚪ optional',
  'not-applicable': '➖ n/a',
};

/** Pure: the job summary, one table per section, every user-provided string escaped. */
export function renderSummary(
  verdict: ChecklistVerdict,
  sourceDescription: string,
  digest: string,
): string {
  const failing = verdict.missing.length;
  const title = verdict.complete
    ? `✅ Checklist complete: ${verdict.checked} of ${pluralise(verdict.total, 'required item')}`
    : verdict.results.length === 0
      ? '❌ Checklist empty: no task items found'
      : `❌ Checklist incomplete: ${blockCount(failing)} the cutover (${verdict.checked} of ${verdict.total} required done)`;
  const parts = [
    heading(2, title),
    `Source: ${escapeMarkdown(sourceDescription)} · digest \`${digest}\``,
  ];

  // Appended in place: copying the group per item made 20k items in one section take seconds.
  const bySection = new Map<
    string,
    { origin: string; section: string; results: ChecklistVerdict['results'] }
  >();
  for (const result of verdict.results) {
    const key = `${result.origin}\u0000${result.item.section}`;
    const group = bySection.get(key);
    if (group === undefined)
      bySection.set(key, {
        origin: result.origin,
        section: result.item.section,
        results: [result],
      });
    else group.results.push(result);
  }
  for (const { origin, section, results } of bySection.values()) {
    const done = results.filter((r) => r.status === 'done' || r.status === 'verified').length;
    const prefix = origin === sourceDescription ? '' : `${escapeMarkdown(origin)} › `;
    parts.push(
      heading(
        3,
        `${prefix}${escapeMarkdown(section)} (${done}/${results.filter((r) => r.required).length})`,
      ),
      table(
        ['Line', 'Item', 'Status', 'Detail'],
        results.map((r) => [
          String(r.item.line),
          escapeMarkdown(r.item.text) + (r.item.optional ? ' _(optional)_' : ''),
          STATUS_LABEL[r.status],
          escapeMarkdown(r.reason),
        ]),
      ),
    );
  }
  return `${parts.join('\n\n')}\n`;
}
