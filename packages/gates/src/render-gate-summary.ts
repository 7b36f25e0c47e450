import { escapeMarkdown, heading, table } from '@cutover/action-kit/summary';
import { formatDuration, type GateOutcome, type GateRule } from '@cutover/plan';
import { formatValue, type RuleVerdict } from './rule-state.js';

const ICON = { pass: '✅', fail: '❌', inconclusive: '⚠️' } as const;

/**
 * Pure: the gate job summary. A table of every rule's observed values against its threshold,
 * then one mermaid chart per rule (GitHub renders them) with the threshold as a second line.
 */
export function renderGateSummary(input: {
  title: string;
  outcome: GateOutcome;
  verdicts: readonly RuleVerdict[];
  rules: readonly GateRule[];
  window: { from: number; to: number };
  queries: number;
  shadow: boolean;
}): string {
  const { outcome } = input;
  const parts = [
    heading(
      2,
      `${ICON[outcome.status]} ${escapeMarkdown(input.title)}: ${outcome.status}${input.shadow ? ' (shadow: reported, never fails)' : ''}`,
    ),
    `Window ${new Date(input.window.from).toISOString()} → ${new Date(input.window.to).toISOString()} (${formatDuration(input.window.to - input.window.from)}) · ${input.queries} provider queries`,
    table(
      ['Rule', 'Severity', 'Verdict', 'Threshold', 'For', 'Last', 'Worst', 'Samples', 'Reason'],
      input.verdicts.map((v) => {
        const rule = input.rules.find((r) => r.name === v.rule);
        return [
          escapeMarkdown(v.rule),
          v.severity,
          `${ICON[v.status]} ${v.status}`,
          escapeMarkdown(v.threshold),
          rule === undefined ? '' : formatDuration(rule.forMs),
          formatValue(v.last),
          formatValue(v.worst),
          String(v.samples),
          escapeMarkdown(v.reason),
        ];
      }),
    ),
  ];
  for (const verdict of input.verdicts) {
    const rule = input.rules.find((r) => r.name === verdict.rule);
    if (rule !== undefined && verdict.history.length >= 2)
      parts.push(chart(verdict, rule, input.window.from));
  }
  return `${parts.join('\n\n')}\n`;
}

function chart(verdict: RuleVerdict, rule: GateRule, from: number): string {
  const minutes = verdict.history.map(([t]) => `"${formatDuration(t - from) || '0s'}"`);
  const values = verdict.history.map(([, v]) =>
    Number.isFinite(v) ? Number(v.toPrecision(4)) : 0,
  );
  const threshold = verdict.history.map(() => rule.threshold.value);
  const all = [...values, rule.threshold.value];
  const low = Math.min(...all);
  const high = Math.max(...all);
  const pad = (high - low) * 0.1 || Math.abs(high) * 0.1 || 1;
  return [
    '```mermaid',
    'xychart-beta',
    `  title "${verdict.rule.replace(/"/g, "'")} (threshold ${rule.threshold.text.replace(/"/g, "'")})"`,
    `  x-axis [${minutes.join(', ')}]`,
    `  y-axis "value" ${Number((low - pad).toPrecision(3))} --> ${Number((high + pad).toPrecision(3))}`,
    `  line [${values.join(', ')}]`,
    `  line [${threshold.join(', ')}]`,
    '```',
  ].join('\n');
}
