import { escapeMarkdown, heading, table } from '@cutover/action-kit';
import type { ChecklistVerdict, ItemStatus } from '@cutover/checklist';

const STATUS_LABEL: Record<ItemStatus, string> = {
  done: '✅ done',
  verified: '✅ verified, ticked',
  missing: '❌ missing',
  'false-claim': '❌ ticked but false',
  invalid: '❌ invalid directive',
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
    ? `✅ Checklist complete: ${verdict.checked} of ${verdict.total} required items`
    : verdict.results.length === 0
      ? '❌ Checklist empty: no task items found'
      : `❌ Checklist incomplete: ${failing} item(s) block the cutover (${verdict.checked} of ${verdict.total} required done)`;
  const parts = [
    heading(2, title),
    `Source: ${escapeMarkdown(sourceDescription)} · digest \`${digest}\``,
  ];

  const bySection = new Map<string, ChecklistVerdict['results']>();
  for (const result of verdict.results) {
    const key = `${result.origin}\u0000${result.item.section}`;
    bySection.set(key, [...(bySection.get(key) ?? []), result]);
  }
  for (const [key, results] of bySection) {
    const [origin = '', section = ''] = key.split('\u0000');
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
