import { escapeMarkdown, heading, table } from '@cutover/kit';
import type { Firing } from '@cutover/gates';
import { formatDuration, formatInUnit, formatThreshold, type GateRule } from '@cutover/plan';
import { columns, plain } from './plain-text.js';

export interface BacktestRun {
  plan: string;
  rules: GateRule[];
  from: number;
  to: number;
  firings: Firing[];
  queries: number;
}

const iso = (t: number) => new Date(t).toISOString();

function firingView(firing: Firing, rules: readonly GateRule[]) {
  const rule = rules.find((r) => r.name === firing.rule);
  return {
    rule: firing.rule,
    since: iso(firing.since),
    at: iso(firing.at),
    afterMs: firing.at - firing.since,
    value: firing.value,
    valueText: formatInUnit(firing.value, rule?.threshold.unit ?? ''),
    threshold: rule === undefined ? '' : formatThreshold(rule.threshold),
  };
}

/** Pure: one line per firing, the value in its threshold's unit. */
export function renderBacktestText(run: BacktestRun): string {
  const out = [
    `Backtest of ${run.rules.map((r) => plain(r.name)).join(', ')} over ${iso(run.from)} → ${iso(run.to)} (${formatDuration(run.to - run.from)}, ${run.queries} range ${run.queries === 1 ? 'query' : 'queries'})`,
  ];
  if (run.firings.length === 0) out.push('No gate would have fired.');
  const width = Math.max(...run.rules.map((r) => r.name.length));
  for (const firing of run.firings) {
    const view = firingView(firing, run.rules);
    out.push(
      `  ${plain(view.rule).padEnd(width)}  breach from ${view.since}, would have failed at ${view.at} (+${formatDuration(view.afterMs)}), ${view.valueText} ${view.threshold}`,
    );
  }
  if (run.firings.length > 0) {
    const counts = run.rules.map((r) => [
      r.name,
      formatThreshold(r.threshold),
      formatDuration(r.forMs),
      String(run.firings.filter((f) => f.rule === r.name).length),
    ]);
    out.push('', columns(['gate', 'condition', 'for', 'firings'], counts));
  }
  return out.join('\n');
}

/** Pure: the markdown for `--summary` and `--format markdown`. */
export function renderBacktestMarkdown(run: BacktestRun): string {
  const parts = [
    heading(
      2,
      `Backtest of ${escapeMarkdown(run.plan)}: ${run.firings.length === 0 ? 'no gate would have fired' : `${run.firings.length} ${run.firings.length === 1 ? 'firing' : 'firings'}`}`,
    ),
    `Window ${iso(run.from)} → ${iso(run.to)} (${formatDuration(run.to - run.from)}) · gates ${run.rules.map((r) => escapeMarkdown(r.name)).join(', ')} · ${run.queries} range ${run.queries === 1 ? 'query' : 'queries'}`,
  ];
  if (run.firings.length > 0)
    parts.push(
      table(
        ['Gate', 'Breach from', 'Would have failed at', 'After', 'Value', 'Threshold'],
        run.firings.map((f) => {
          const view = firingView(f, run.rules);
          return [
            escapeMarkdown(view.rule),
            view.since,
            view.at,
            formatDuration(view.afterMs),
            escapeMarkdown(view.valueText),
            escapeMarkdown(view.threshold),
          ];
        }),
      ),
    );
  return `${parts.join('\n\n')}\n`;
}

/** Pure: `cutover backtest --format json`. */
export function backtestJson(run: BacktestRun): Record<string, unknown> {
  return {
    command: 'backtest',
    plan: run.plan,
    from: iso(run.from),
    to: iso(run.to),
    gates: run.rules.map((r) => r.name),
    queries: run.queries,
    firings: run.firings.map((f) => firingView(f, run.rules)),
  };
}
