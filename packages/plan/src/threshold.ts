/**
 * A gate condition: "> 5%", ">= 0.05", "> 200ms", "< 80%". Percentages become fractions and
 * durations become seconds, the units Prometheus queries answer in (rate ratios, histogram
 * quantiles in seconds).
 */
export type Comparison = '>' | '>=' | '<' | '<=';

/** The unit the threshold was written in; values are shown in it. '' = a bare number. */
export type ThresholdUnit = '%' | 'ms' | 's' | '';

export interface Threshold {
  comparison: Comparison;
  value: number;
  unit: ThresholdUnit;
  /** As written, for messages and summaries. */
  text: string;
}

export function parseThreshold(text: string): Threshold | undefined {
  const match = /^\s*(>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)\s*(%|ms|s)?\s*$/.exec(text);
  if (match === null) return undefined;
  const number = Number(match[2]);
  const unit = (match[3] ?? '') as ThresholdUnit;
  const value = unit === '%' ? number / 100 : unit === 'ms' ? number / 1000 : number;
  return { comparison: match[1] as Comparison, value, unit, text: text.trim() };
}

/**
 * A measured value in the unit its threshold was written in, so "8.0% > 5%" reads true where
 * "0.08 > 5%" reads false: 0.08 for "> 5%" is "8.0%", 0.312 for "> 200ms" is "312 ms".
 */
export function formatInUnit(value: number | undefined, unit: ThresholdUnit): string {
  if (value === undefined) return 'n/a';
  if (!Number.isFinite(value)) return String(value);
  switch (unit) {
    case '%': {
      const percent = value * 100;
      return `${trimNumber(percent, Math.abs(percent) < 1 ? 2 : 1)}%`;
    }
    case 'ms': {
      const ms = value * 1000;
      return `${trimNumber(ms, Math.abs(ms) < 10 ? 1 : 0)} ms`;
    }
    case 's':
      return `${significant(value)} s`;
    case '':
      return significant(value);
  }
}

/** The threshold with its unit spaced as values are: "> 200 ms", "> 5%", ">= 0.05". */
export function formatThreshold(threshold: Threshold): string {
  const written = /^\s*(?:>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)/.exec(threshold.text)?.[1];
  const number = written ?? String(threshold.value);
  const unit =
    threshold.unit === 'ms' || threshold.unit === 's' ? ` ${threshold.unit}` : threshold.unit;
  return `${threshold.comparison} ${number}${unit}`;
}

function trimNumber(value: number, decimals: number): string {
  return value.toFixed(decimals);
}

function significant(value: number): string {
  const abs = Math.abs(value);
  return abs !== 0 && (abs < 0.001 || abs >= 1e6)
    ? value.toExponential(2)
    : String(Number(value.toPrecision(4)));
}

export function breaches(value: number, threshold: Threshold): boolean {
  switch (threshold.comparison) {
    case '>':
      return value > threshold.value;
    case '>=':
      return value >= threshold.value;
    case '<':
      return value < threshold.value;
    case '<=':
      return value <= threshold.value;
  }
}
