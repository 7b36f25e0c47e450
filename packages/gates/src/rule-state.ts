import { breaches, formatDuration, type GateRule } from '@cutover/plan';

/**
 * Gate evaluation as a fold over evaluation points, so a finished window (check mode, from a
 * range query) and a live bake (watch mode, one instant query per interval) share one
 * semantics. Like Prometheus alerting, a breach fires once the condition has held at every
 * point for `for`; a point without data, or below the traffic guard, ends the breach run.
 */
export type EvaluationPoint =
  | { t: number; kind: 'value'; value: number; traffic?: number | undefined }
  | { t: number; kind: 'no-data' }
  | { t: number; kind: 'error'; message: string; permanent: boolean };

export interface RuleState {
  windowStart: number;
  points: number;
  samples: number;
  noData: number;
  lowTraffic: number;
  consecutiveErrors: number;
  errors: number;
  lastError: string | undefined;
  /** Permanent failure: a rejected query or the error budget spent. */
  broken: string | undefined;
  breachStart: number | undefined;
  fired: { at: number; since: number; value: number } | undefined;
  last: { t: number; value: number } | undefined;
  worst: number | undefined;
  /** Down-sampled history for charts: at most HISTORY_LIMIT points. */
  history: [number, number][];
}

export const HISTORY_LIMIT = 120;

export function initialRuleState(windowStart: number): RuleState {
  return {
    windowStart,
    points: 0,
    samples: 0,
    noData: 0,
    lowTraffic: 0,
    consecutiveErrors: 0,
    errors: 0,
    lastError: undefined,
    broken: undefined,
    breachStart: undefined,
    fired: undefined,
    last: undefined,
    worst: undefined,
    history: [],
  };
}

export function observe(rule: GateRule, state: RuleState, point: EvaluationPoint): RuleState {
  if (state.broken !== undefined || state.fired !== undefined) return state;
  if (point.kind === 'error') {
    const consecutiveErrors = state.consecutiveErrors + 1;
    const next = {
      ...state,
      errors: state.errors + 1,
      consecutiveErrors,
      lastError: point.message,
    };
    if (point.permanent) return { ...next, broken: point.message };
    if (consecutiveErrors > rule.errorBudget)
      return {
        ...next,
        broken: `${consecutiveErrors} provider errors in a row (error-budget ${rule.errorBudget}); last: ${point.message}`,
      };
    return next;
  }
  const base = { ...state, consecutiveErrors: 0 };
  if (point.t < state.windowStart + rule.initialDelayMs) return base;
  const points = state.points + 1;
  if (point.kind === 'no-data')
    return { ...base, points, noData: state.noData + 1, breachStart: undefined };
  if (
    rule.minTraffic !== undefined &&
    (point.traffic === undefined || point.traffic < rule.minTraffic.threshold)
  )
    return { ...base, points, lowTraffic: state.lowTraffic + 1, breachStart: undefined };

  const value = point.value;
  const history = appendHistory(state.history, [point.t, value]);
  const worst =
    state.worst === undefined || breaches(value, { ...rule.threshold, value: state.worst })
      ? value
      : state.worst;
  const next = {
    ...base,
    points,
    samples: state.samples + 1,
    last: { t: point.t, value },
    worst,
    history,
  };
  if (!breaches(value, rule.threshold)) return { ...next, breachStart: undefined };
  const breachStart = state.breachStart ?? point.t;
  if (point.t - breachStart >= rule.forMs)
    return { ...next, breachStart, fired: { at: point.t, since: breachStart, value } };
  return { ...next, breachStart };
}

export interface RuleVerdict {
  rule: string;
  status: 'pass' | 'fail' | 'inconclusive';
  severity: GateRule['severity'];
  reason: string;
  threshold: string;
  last: number | undefined;
  worst: number | undefined;
  samples: number;
  points: number;
  errors: number;
  firedAt: number | undefined;
  breachSince: number | undefined;
  history: [number, number][];
}

/** The rule's verdict so far. `final` marks the end of the window, where the on-no-data policy applies. */
export function ruleVerdict(rule: GateRule, state: RuleState, final: boolean): RuleVerdict {
  const base = {
    rule: rule.name,
    severity: rule.severity,
    threshold: rule.threshold.text,
    last: state.last?.value,
    worst: state.worst,
    samples: state.samples,
    points: state.points,
    errors: state.errors,
    firedAt: state.fired?.at,
    breachSince: state.fired?.since ?? state.breachStart,
    history: state.history,
  };
  if (state.fired !== undefined)
    return {
      ...base,
      status: 'fail',
      reason: `${formatValue(state.fired.value)} ${rule.threshold.text} for ${formatDuration(state.fired.at - state.fired.since)} (for: ${formatDuration(rule.forMs)})`,
    };
  if (state.broken !== undefined) return { ...base, status: 'fail', reason: state.broken };
  // Mid-watch this reads "passing so far"; the watch only stops early on a failure.
  if (state.samples >= rule.minSamples)
    return {
      ...base,
      status: 'pass',
      reason: `${state.samples} samples, last ${formatValue(state.last?.value)}, worst ${formatValue(state.worst)}; never ${rule.threshold.text} for ${formatDuration(rule.forMs)}`,
    };
  const why = [
    `${state.samples} of ${rule.minSamples} samples needed`,
    state.noData > 0 ? `${state.noData} points without data` : '',
    state.lowTraffic > 0
      ? `${state.lowTraffic} points under min-traffic ${rule.minTraffic?.threshold ?? ''}`
      : '',
    state.errors > 0 ? `${state.errors} provider errors (last: ${state.lastError ?? ''})` : '',
  ]
    .filter((part) => part !== '')
    .join(', ');
  if (!final) return { ...base, status: 'inconclusive', reason: why };
  // No data is never a silent pass: only the plan can say so.
  if (state.samples === 0 && rule.onNoData !== 'inconclusive')
    return {
      ...base,
      status: rule.onNoData,
      reason: `no data (${why}); on-no-data: ${rule.onNoData}`,
    };
  return { ...base, status: 'inconclusive', reason: why };
}

export function formatValue(value: number | undefined): string {
  if (value === undefined) return 'n/a';
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  return abs !== 0 && (abs < 0.001 || abs >= 1e6)
    ? value.toExponential(2)
    : String(Number(value.toPrecision(4)));
}

function appendHistory(history: [number, number][], point: [number, number]): [number, number][] {
  const next = [...history, point];
  if (next.length <= HISTORY_LIMIT) return next;
  // Keep every other point of the older half: bounded memory, the shape survives.
  const half = Math.floor(next.length / 2);
  return [...next.slice(0, half).filter((_, i) => i % 2 === 0), ...next.slice(half)];
}
