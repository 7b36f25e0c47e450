import { formatDuration, type GateRule, type ThresholdUnit } from '@cutover/plan';
import type { RuleVerdict } from './rule-state.js';

const SCALE: Record<ThresholdUnit, { factor: number; label: string }> = {
  '%': { factor: 100, label: '%' },
  ms: { factor: 1000, label: 'ms' },
  s: { factor: 1, label: 's' },
  '': { factor: 1, label: 'value' },
};

const TIME_UNITS = [
  { ms: 1000, name: 'seconds' },
  { ms: 60_000, name: 'minutes' },
  { ms: 3_600_000, name: 'hours' },
  { ms: 86_400_000, name: 'days' },
] as const;

/**
 * A mermaid xychart of one rule, or undefined without two evaluation steps to draw. The x axis
 * is linear in time (mermaid spreads the points evenly between its ends, and the fold keeps
 * chart steps even), in minutes/hours/days before the window end, so mermaid labels a handful
 * of ticks like "-50". The y axis is in the threshold's unit and starts at 0 for non-negative
 * data. Series: grey bars where there was no data, red bars at the breach start and where the
 * rule failed, the values (worst per step), the threshold.
 */
export function renderRuleChart(
  verdict: RuleVerdict,
  rule: GateRule,
  window: { from: number; to: number },
): string | undefined {
  const chart = verdict.chart;
  if (chart === undefined || chart.values.length < 2) return undefined;
  if (!chart.values.some((v) => v !== null)) return undefined;
  const { factor, label } = SCALE[rule.threshold.unit];
  const stepTimes = chart.values.map((_, i) => chart.from + i * chart.stepMs);
  const lastStep = stepTimes.at(-1) ?? chart.from;
  const end = Math.max(window.to, lastStep);
  const timeUnit = TIME_UNITS.findLast((u) => end - window.from >= 3 * u.ms) ?? TIME_UNITS[0];

  const threshold = rule.threshold.value * factor;
  const finite = chart.values.filter((v): v is number => v !== null && Number.isFinite(v));
  const scaled = finite.map((v) => v * factor);
  const all = [...scaled, threshold];
  let low = Math.min(...all);
  let high = Math.max(...all);
  const pad = (high - low) * 0.1 || Math.abs(high) * 0.1 || 1;
  // Rates, latencies and ratios are never negative: no axis below zero for them.
  low = low >= 0 ? 0 : nice(low - pad);
  high = nice(high + pad);
  if (high <= low) high = low + 1;

  let previous = scaled[0] ?? threshold;
  const line = chart.values.map((v) => {
    if (v === null) return previous; // drawn flat across a gap; the grey bars say there was none
    const point = Number.isFinite(v) ? v * factor : v > 0 ? high : low;
    previous = Math.min(high, Math.max(low, point));
    return previous;
  });
  const stepOf = (t: number | undefined) =>
    t === undefined ? -1 : Math.floor((t - chart.from) / chart.stepMs);
  const markers = new Set(
    verdict.status === 'fail'
      ? [
          stepOf(verdict.firedAt === undefined ? undefined : verdict.breachSince),
          stepOf(verdict.failedAt),
        ]
      : [],
  );
  const series: { kind: 'bar' | 'line'; color: string; values: number[] }[] = [];
  if (chart.values.some((v) => v === null))
    series.push({
      kind: 'bar',
      color: '#c8c8c8',
      values: chart.values.map((v) => (v === null ? high : low)),
    });
  if ([...markers].some((i) => i >= 0 && i < chart.values.length))
    series.push({
      kind: 'bar',
      color: '#d62728',
      values: chart.values.map((_, i) => (markers.has(i) ? high : low)),
    });
  series.push({ kind: 'line', color: '#1f77b4', values: line });
  series.push({ kind: 'line', color: '#ff7f0e', values: line.map(() => threshold) });

  const offset = (t: number) => fixed((t - end) / timeUnit.ms);
  const events = [
    verdict.firedAt !== undefined && verdict.breachSince !== undefined
      ? `breach ${ago(verdict.breachSince, end)}, fired ${ago(verdict.firedAt, end)}`
      : '',
    verdict.firedAt === undefined && verdict.failedAt !== undefined
      ? `failed ${ago(verdict.failedAt, end)}`
      : '',
    chart.values.some((v) => v === null) ? 'grey: no data' : '',
  ].filter((e) => e !== '');
  const title = `${verdict.rule}: ${verdict.status}, threshold ${verdict.threshold}${events.length > 0 ? ` (${events.join('; ')})` : ''}`;
  const palette = series.map((s) => s.color).join(', ');
  return [
    '```mermaid',
    `%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "${palette}"}}}}%%`,
    'xychart-beta',
    `  title "${quoteSafe(title)}"`,
    `  x-axis "${timeUnit.name} before the window end" ${offset(chart.from)} --> ${offset(lastStep)}`,
    `  y-axis "${label}" ${fixed(low)} --> ${fixed(high)}`,
    ...series.map((s) => `  ${s.kind} [${s.values.map(fixed).join(', ')}]`),
    '```',
  ].join('\n');
}

function ago(t: number, end: number): string {
  return t >= end ? 'at the end' : `-${formatDuration(end - t)}`;
}

/** Mermaid's number token has no exponent: plain decimals, 4 significant digits. */
function fixed(value: number): string {
  if (!Number.isFinite(value) || Math.abs(value) < 1e-9) return '0';
  const clamped = Math.max(-1e15, Math.min(1e15, value));
  const decimals = Math.min(12, Math.max(0, 3 - Math.floor(Math.log10(Math.abs(clamped)))));
  const text = clamped.toFixed(decimals);
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

function nice(value: number): number {
  return Number(value.toPrecision(3));
}

/** Titles are quoted and sit inside a ``` fence: no quotes, backticks or line breaks. */
function quoteSafe(text: string): string {
  return text.replace(/["`]/g, "'").replace(/[\r\n]+/g, ' ');
}
