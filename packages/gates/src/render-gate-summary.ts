import { escapeMarkdown, heading, table } from '@cutover/kit';
import { formatDuration, type GateOutcome, type GateRule } from '@cutover/plan';
import type { RuleVerdict } from './rule-state.js';
import { renderRuleChart } from './render-rule-chart.js';
import { plural, showInstant, showShare, showValue } from './verdict-text.js';

const ICON = { pass: '✅', fail: '❌', inconclusive: '⚠️' } as const;
const GAPS_SHOWN = 10;

/**
 * Pure: the gate job summary. The step's outcome in one line; a table of every rule's values
 * against its threshold, in the threshold's unit, with data coverage; when each failed rule's
 * breach began and when it fired; the gaps in the data; one mermaid chart per rule.
 */
export function renderGateSummary(input: {
  title: string;
  outcome: GateOutcome;
  verdicts: readonly RuleVerdict[];
  rules: readonly GateRule[];
  window: { from: number; to: number };
  queries: number;
  shadow: boolean;
  /** What the step does with this outcome, one line; by default read off the outcome. */
  step?: string;
}): string {
  const { outcome, window } = input;
  const at = (t: number) => `${showInstant(t)} (${relative(t, window.from)})`;
  const parts = [
    heading(
      2,
      `${ICON[outcome.status]} ${escapeMarkdown(input.title)}: ${outcome.status}${input.shadow ? ' (shadow: reported, never fails)' : ''}`,
    ),
    `**${escapeMarkdown(input.step ?? defaultStepLine(outcome, input.shadow))}**`,
    `Window ${showInstant(window.from)} → ${showInstant(window.to)} (${formatDuration(window.to - window.from)}) · ${plural(input.queries, 'provider query', 'provider queries')}`,
    table(
      [
        'Rule',
        'Severity',
        'Verdict',
        'Threshold',
        'For',
        'Last',
        'Worst',
        'Samples',
        'Coverage',
        'Reason',
      ],
      input.verdicts.map((v) => {
        const rule = input.rules.find((r) => r.name === v.rule);
        return [
          escapeMarkdown(v.rule),
          v.severity,
          `${ICON[v.status]} ${v.status}`,
          escapeMarkdown(v.threshold),
          rule === undefined ? '' : formatDuration(rule.forMs),
          escapeMarkdown(lastCell(v)),
          escapeMarkdown(showValue(v.worst, v.unit)),
          `${v.samples} of ${v.points}`,
          escapeMarkdown(coverageCell(v)),
          escapeMarkdown(v.reason),
        ];
      }),
    ),
  ];

  const failed = input.verdicts.filter((v) => v.status === 'fail');
  if (failed.length > 0)
    parts.push(
      heading(3, 'Failed rules'),
      failed
        .map((v) => {
          const events =
            v.firedAt !== undefined && v.breachSince !== undefined
              ? `breach began ${at(v.breachSince)}, rule fired ${at(v.firedAt)}`
              : `failed ${v.failedAt === undefined ? 'at the end of the window' : at(v.failedAt)}`;
          return `- **${escapeMarkdown(v.rule)}** (${v.severity}): ${events}; window ${showInstant(window.from)} → ${showInstant(window.to)}. ${escapeMarkdown(v.reason)}`;
        })
        .join('\n'),
    );

  const withGaps = input.verdicts.filter((v) => v.gapCount > 0 || v.openGap !== undefined);
  if (withGaps.length > 0)
    parts.push(
      heading(3, 'Gaps in the data'),
      withGaps
        .map((v) => {
          const listed = [
            ...v.gaps.slice(0, GAPS_SHOWN).map((g) => gapText(g, window.from)),
            ...(v.openGap === undefined ? [] : [`${gapText(v.openGap, window.from)}, to the end`]),
          ];
          const more = v.gapCount - Math.min(v.gaps.length, GAPS_SHOWN);
          return `- **${escapeMarkdown(v.rule)}** (max-gap ${formatDuration(v.maxGapMs)}): ${listed.join('; ')}${more > 0 ? `; and ${more} more` : ''}`;
        })
        .join('\n'),
    );

  for (const verdict of input.verdicts) {
    const rule = input.rules.find((r) => r.name === verdict.rule);
    const chart = rule === undefined ? undefined : renderRuleChart(verdict, rule, window);
    if (chart !== undefined) parts.push(chart);
  }
  return `${parts.join('\n\n')}\n`;
}

function defaultStepLine(outcome: GateOutcome, shadow: boolean): string {
  if (shadow) return `Shadow gate ${outcome.status}: the step continues whatever the verdict.`;
  if (outcome.status === 'pass') return `Step passes: ${outcome.reason}.`;
  if (outcome.status === 'fail') return `Step fails: ${outcome.reason}.`;
  return `Gates inconclusive: ${outcome.reason}.`;
}

function lastCell(v: RuleVerdict): string {
  const value = showValue(v.last, v.unit);
  if (v.lastAt === undefined || v.observedUntil === undefined || v.observedUntil <= v.lastAt)
    return value;
  return `${value} (${formatDuration(v.observedUntil - v.lastAt)} old)`;
}

function coverageCell(v: RuleVerdict): string {
  if (v.coverage === undefined) return 'no points';
  const gaps =
    v.gapCount + (v.openGap === undefined ? 0 : 1) > 0
      ? `, longest gap ${formatDuration(v.longestGapMs)}`
      : '';
  return `${showShare(v.coverage)}${gaps}`;
}

function gapText(gap: { from: number; to: number }, windowStart: number): string {
  return `${showInstant(gap.from)} → ${showInstant(gap.to)} (${formatDuration(gap.to - gap.from)}, at ${relative(gap.from, windowStart)})`;
}

/** "+10m" from the window start. */
function relative(t: number, from: number): string {
  return t >= from ? `+${formatDuration(t - from)}` : `-${formatDuration(from - t)}`;
}
