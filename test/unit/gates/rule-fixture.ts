import { parseThreshold, type GateRule } from '@cutover/plan';

export const S = 1000;
export const M = 60 * S;

/** A rule with the plan's defaults: min-coverage 90%, max-gap max(for, interval). */
export function rule(overrides: Partial<GateRule> = {}): GateRule {
  const built: GateRule = {
    name: 'errors',
    query: 'errors',
    threshold: parseThreshold('> 5%') ?? { comparison: '>', value: 0.05, unit: '%', text: '> 5%' },
    forMs: 5 * M,
    intervalMs: 15 * S,
    initialDelayMs: 0,
    minSamples: 1,
    minTraffic: undefined,
    onNoData: 'inconclusive',
    minCoverage: 0.9,
    maxGapMs: 0,
    errorBudget: 3,
    relative: undefined,
    severity: 'critical',
    description: undefined,
    ...overrides,
  };
  return { ...built, maxGapMs: overrides.maxGapMs ?? Math.max(built.forMs, built.intervalMs) };
}

export function threshold(text: string) {
  const parsed = parseThreshold(text);
  if (parsed === undefined) throw new Error(`bad threshold ${text}`);
  return parsed;
}
