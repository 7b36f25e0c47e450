/**
 * A gate condition: "> 5%", ">= 0.05", "> 200ms", "< 80%". Percentages become fractions and
 * durations become seconds, the units Prometheus queries answer in (rate ratios, histogram
 * quantiles in seconds).
 */
export type Comparison = '>' | '>=' | '<' | '<=';

export interface Threshold {
  comparison: Comparison;
  value: number;
  /** As written, for messages and summaries. */
  text: string;
}

export function parseThreshold(text: string): Threshold | undefined {
  const match = /^\s*(>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)\s*(%|ms|s)?\s*$/.exec(text);
  if (match === null) return undefined;
  const number = Number(match[2]);
  const unit = match[3];
  const value = unit === '%' ? number / 100 : unit === 'ms' ? number / 1000 : number;
  return { comparison: match[1] as Comparison, value, text: text.trim() };
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
