import {
  breaches,
  formatDuration,
  formatThreshold,
  type GateRule,
  type ThresholdUnit,
} from '@cutover/plan';
import { plural, showInstant, showShare, showSpan, showValue } from './verdict-text.js';

/**
 * Gate evaluation as a fold over evaluation points, so a finished window (check mode, from a
 * range query) and a live bake (watch mode, one instant query per interval) share one
 * semantics. Like Prometheus alerting, a breach fires once the condition has held at every
 * point for `for`; a point without data ends that run.
 *
 * Coverage is judged with the values. A point without data is one with no value, a value
 * under the traffic guard, a non-finite value that does not breach (NaN, -Inf for "> 5%"), or
 * (watch mode) a provider error. Each point stands for the interval before it, so a run of n
 * such points on the grid is a gap of n × interval, from one interval before its first point
 * to its last. A gap longer than `max-gap`, data at fewer than `min-coverage` of the points, or
 * a run of breaching and missing points that lasted `for` (the breach may have fired unseen)
 * gives the `on-no-data` verdict.
 */
export type EvaluationPoint =
  | { t: number; kind: 'value'; value: number; traffic?: number | undefined }
  | { t: number; kind: 'no-data' }
  /** `lost`: the evaluation point at t has no data because of the error (watch mode). */
  | { t: number; kind: 'error'; message: string; permanent: boolean; lost?: boolean };

/** A run of points without data: (from, to], `to` being the last point without data. */
export interface Gap {
  from: number;
  to: number;
}

/** The rule's values for a chart, evenly spaced in time: the worst value per step, null = no data. */
export interface ChartSeries {
  from: number;
  stepMs: number;
  values: (number | null)[];
}

export interface RuleState {
  windowStart: number;
  /** Evaluation points after initial-delay. */
  points: number;
  /** Points with data at or above the traffic guard. */
  samples: number;
  noData: number;
  lowTraffic: number;
  nonFinite: number;
  lostToErrors: number;
  consecutiveErrors: number;
  errors: number;
  lastError: string | undefined;
  /** Permanent failure: a rejected query or the error budget spent. */
  broken: string | undefined;
  brokenAt: number | undefined;
  breachStart: number | undefined;
  fired: { at: number; since: number; value: number } | undefined;
  /** The current run of breaching or missing points; `value` once it holds a breaching one. */
  suspect: { since: number; value: number | undefined } | undefined;
  /** A run of breaching and missing points lasted `for`: the breach may have fired unseen. */
  unconfirmed: { since: number; at: number; value: number } | undefined;
  openGap: Gap | undefined;
  /** Gaps that ended (the first GAP_LIMIT of them; gapCount counts all). */
  gaps: Gap[];
  gapCount: number;
  longestGap: Gap | undefined;
  /** When a gap first grew longer than max-gap. */
  gapBreachAt: number | undefined;
  /** The latest point after initial-delay: the end of what was observed. */
  latest: number | undefined;
  last: { t: number; value: number } | undefined;
  worst: number | undefined;
  chart: ChartSeries | undefined;
}

export const HISTORY_LIMIT = 120;
export const GAP_LIMIT = 50;

export function initialRuleState(windowStart: number): RuleState {
  return {
    windowStart,
    points: 0,
    samples: 0,
    noData: 0,
    lowTraffic: 0,
    nonFinite: 0,
    lostToErrors: 0,
    consecutiveErrors: 0,
    errors: 0,
    lastError: undefined,
    broken: undefined,
    brokenAt: undefined,
    breachStart: undefined,
    fired: undefined,
    suspect: undefined,
    unconfirmed: undefined,
    openGap: undefined,
    gaps: [],
    gapCount: 0,
    longestGap: undefined,
    gapBreachAt: undefined,
    latest: undefined,
    last: undefined,
    worst: undefined,
    chart: undefined,
  };
}

/** The rule has failed for good: nothing later can change its verdict, so folding stops. */
export function isSettled(rule: GateRule, state: RuleState): boolean {
  return (
    state.broken !== undefined ||
    state.fired !== undefined ||
    (rule.onNoData === 'fail' &&
      (state.gapBreachAt !== undefined || state.unconfirmed !== undefined))
  );
}

export function observe(rule: GateRule, state: RuleState, point: EvaluationPoint): RuleState {
  if (isSettled(rule, state)) return state;
  const inWindow = point.t >= state.windowStart + rule.initialDelayMs;
  if (point.kind === 'error') {
    const consecutiveErrors = state.consecutiveErrors + 1;
    const next = {
      ...state,
      errors: state.errors + 1,
      consecutiveErrors,
      lastError: point.message,
    };
    if (point.permanent) return { ...next, broken: point.message, brokenAt: point.t };
    if (consecutiveErrors > rule.errorBudget)
      return {
        ...next,
        broken: `${consecutiveErrors} provider errors in a row (error-budget ${rule.errorBudget}); last: ${point.message}`,
        brokenAt: point.t,
      };
    return point.lost === true && inWindow ? missing(rule, next, point.t, 'lostToErrors') : next;
  }
  const base = { ...state, consecutiveErrors: 0 };
  if (!inWindow) return base;
  if (point.kind === 'no-data') return missing(rule, base, point.t, 'noData');
  if (
    rule.minTraffic !== undefined &&
    !(
      point.traffic !== undefined &&
      Number.isFinite(point.traffic) &&
      point.traffic >= rule.minTraffic.threshold
    )
  )
    return missing(rule, base, point.t, 'lowTraffic');
  // NaN and ±Inf are never a passing sample; +Inf (histogram_quantile past the last bucket)
  // still breaches "> 200ms".
  if (!Number.isFinite(point.value) && !breaches(point.value, rule.threshold))
    return missing(rule, base, point.t, 'nonFinite');
  return covered(rule, base, point.t, point.value);
}

const span = (gap: Gap) => gap.to - gap.from;

function missing(
  rule: GateRule,
  state: RuleState,
  t: number,
  counter: 'noData' | 'lowTraffic' | 'nonFinite' | 'lostToErrors',
): RuleState {
  const openGap = { from: state.openGap?.from ?? t - rule.intervalMs, to: t };
  const longestGap =
    state.longestGap === undefined || span(openGap) > span(state.longestGap)
      ? openGap
      : state.longestGap;
  const suspect = state.suspect ?? { since: t, value: undefined };
  return {
    ...state,
    [counter]: state[counter] + 1,
    points: state.points + 1,
    latest: t,
    breachStart: undefined,
    openGap,
    longestGap,
    gapBreachAt: state.gapBreachAt ?? (span(openGap) > rule.maxGapMs ? t : undefined),
    suspect,
    unconfirmed: state.unconfirmed ?? unconfirmedAt(rule, suspect, t),
    chart: chartWith(rule, state, t, undefined),
  };
}

function covered(rule: GateRule, state: RuleState, t: number, value: number): RuleState {
  const closed = state.openGap;
  const worst =
    state.worst === undefined || breaches(value, { ...rule.threshold, value: state.worst })
      ? value
      : state.worst;
  const next: RuleState = {
    ...state,
    points: state.points + 1,
    samples: state.samples + 1,
    latest: t,
    last: { t, value },
    worst,
    openGap: undefined,
    gaps:
      closed !== undefined && state.gaps.length < GAP_LIMIT ? [...state.gaps, closed] : state.gaps,
    gapCount: state.gapCount + (closed === undefined ? 0 : 1),
    chart: chartWith(rule, state, t, value),
  };
  if (!breaches(value, rule.threshold))
    return { ...next, breachStart: undefined, suspect: undefined };
  const breachStart = state.breachStart ?? t;
  const suspect = { since: state.suspect?.since ?? t, value };
  if (t - breachStart >= rule.forMs)
    return { ...next, breachStart, suspect, fired: { at: t, since: breachStart, value } };
  return {
    ...next,
    breachStart,
    suspect,
    unconfirmed: state.unconfirmed ?? unconfirmedAt(rule, suspect, t),
  };
}

function unconfirmedAt(
  rule: GateRule,
  suspect: { since: number; value: number | undefined },
  t: number,
): RuleState['unconfirmed'] {
  return suspect.value !== undefined && t - suspect.since >= rule.forMs
    ? { since: suspect.since, at: t, value: suspect.value }
    : undefined;
}

/** The worse of two values for this rule: the one further past the threshold's side. */
function worse(rule: GateRule, a: number | null | undefined, b: number): number {
  if (a === null || a === undefined) return b;
  return breaches(b, { ...rule.threshold, value: a }) ? b : a;
}

/**
 * Chart values in even time steps. When the window outgrows HISTORY_LIMIT steps, pairs merge
 * (keeping the worse value) and the step doubles, so spacing stays even and spikes survive.
 */
function chartWith(
  rule: GateRule,
  state: RuleState,
  t: number,
  value: number | undefined,
): ChartSeries {
  const chart = state.chart ?? {
    from: state.windowStart + rule.initialDelayMs,
    stepMs: rule.intervalMs,
    values: [],
  };
  let { stepMs, values } = chart;
  let index = Math.floor((t - chart.from) / stepMs);
  if (index < 0) return chart;
  while (index >= HISTORY_LIMIT) {
    const merged: (number | null)[] = [];
    for (let i = 0; i < values.length; i += 2) {
      const a = values[i] ?? null;
      const b = values[i + 1] ?? null;
      merged.push(b === null ? a : worse(rule, a, b));
    }
    values = merged;
    stepMs *= 2;
    index = Math.floor((t - chart.from) / stepMs);
  }
  values = [...values];
  while (values.length <= index) values.push(null);
  if (value !== undefined) values[index] = worse(rule, values[index], value);
  return { from: chart.from, stepMs, values };
}

/** Why a rule is not a pass, for machines: the CLI and the summary group by it. */
export type VerdictCause =
  'breach' | 'provider' | 'gap' | 'unconfirmed-breach' | 'coverage' | 'no-data' | 'min-samples';

export interface RuleVerdict {
  rule: string;
  status: 'pass' | 'fail' | 'inconclusive';
  severity: GateRule['severity'];
  reason: string;
  /** The threshold in its own unit, e.g. "> 200 ms". */
  threshold: string;
  /** The unit values are shown in (formatInUnit). */
  unit: ThresholdUnit;
  last: number | undefined;
  /** When `last` was observed; older than observedUntil when data stopped. */
  lastAt: number | undefined;
  worst: number | undefined;
  samples: number;
  points: number;
  errors: number;
  firedAt: number | undefined;
  breachSince: number | undefined;
  /** Data-bearing chart steps, [time, worst value]; evenly spaced in time, gaps left out. */
  history: [number, number][];
  /** Undefined for a pass. */
  cause: VerdictCause | undefined;
  /** When a failed rule failed (fired, query rejected, gap too long...). */
  failedAt: number | undefined;
  /** Time of the latest evaluation point. */
  observedUntil: number | undefined;
  /** Share of points with data (0..1); undefined before the first point. */
  coverage: number | undefined;
  minCoverage: number;
  maxGapMs: number;
  longestGapMs: number;
  /** Gaps that ended (at most GAP_LIMIT), even those within max-gap. */
  gaps: Gap[];
  gapCount: number;
  /** A gap still running at the latest point. */
  openGap: Gap | undefined;
  chart: ChartSeries | undefined;
}

/** The rule's verdict so far. `final` marks the end of the window, where coverage and on-no-data apply. */
export function ruleVerdict(rule: GateRule, state: RuleState, final: boolean): RuleVerdict {
  const unit = rule.threshold.unit;
  const threshold = formatThreshold(rule.threshold);
  const show = (value: number | undefined) => showValue(value, unit);
  const coverage = state.points > 0 ? state.samples / state.points : undefined;
  const base = {
    rule: rule.name,
    severity: rule.severity,
    threshold,
    unit,
    last: state.last?.value,
    lastAt: state.last?.t,
    worst: state.worst,
    samples: state.samples,
    points: state.points,
    errors: state.errors,
    firedAt: state.fired?.at,
    breachSince: state.fired?.since ?? state.breachStart,
    history: historyOf(state.chart),
    failedAt: undefined,
    observedUntil: state.latest,
    coverage,
    minCoverage: rule.minCoverage,
    maxGapMs: rule.maxGapMs,
    longestGapMs: state.longestGap === undefined ? 0 : span(state.longestGap),
    gaps: state.gaps,
    gapCount: state.gapCount,
    openGap: state.openGap,
    chart: state.chart,
  };
  const lastText = `last ${show(state.last?.value)}${
    state.last !== undefined && state.latest !== undefined && state.latest > state.last.t
      ? ` (${formatDuration(state.latest - state.last.t)} old)`
      : ''
  }`;
  if (state.fired !== undefined) {
    const lasted = state.fired.at - state.fired.since;
    return {
      ...base,
      status: 'fail',
      cause: 'breach',
      failedAt: state.fired.at,
      reason: `${show(state.fired.value)} ${threshold}${rule.forMs > 0 ? ` for ${formatDuration(lasted)}` : ''}`,
    };
  }
  if (state.broken !== undefined)
    return {
      ...base,
      status: 'fail',
      cause: 'provider',
      failedAt: state.brokenAt,
      reason: state.broken,
    };

  const problems: { cause: VerdictCause; text: string; at: number | undefined }[] = [];
  const gap = state.longestGap;
  if (state.gapBreachAt !== undefined && gap !== undefined)
    problems.push({
      cause: 'gap',
      at: state.gapBreachAt,
      text:
        state.openGap?.from === gap.from
          ? `no data for the last ${formatDuration(span(gap))} (max-gap ${showSpan(rule.maxGapMs)})`
          : `no data for ${formatDuration(span(gap))} from ${showInstant(gap.from)} to ${showInstant(gap.to)} (max-gap ${showSpan(rule.maxGapMs)})`,
    });
  if (state.unconfirmed !== undefined)
    problems.push({
      cause: 'unconfirmed-breach',
      at: state.unconfirmed.at,
      text: `${show(state.unconfirmed.value)} ${threshold} with points without data from ${showInstant(state.unconfirmed.since)} to ${showInstant(state.unconfirmed.at)}: the breach may have lasted ${formatDuration(rule.forMs)} unseen`,
    });
  // Coverage is judged at the end of the window, unless the rule already failed on a gap.
  const judgeCoverage = final && !isSettled(rule, state);
  if (judgeCoverage && coverage !== undefined && state.samples > 0 && coverage < rule.minCoverage)
    problems.push({
      cause: 'coverage',
      at: state.latest,
      text: `data at ${showShare(coverage)} of points (min ${showShare(rule.minCoverage)})`,
    });
  const [first] = problems;
  if (first !== undefined && rule.onNoData !== 'pass')
    return {
      ...base,
      status: rule.onNoData,
      cause: first.cause,
      failedAt: rule.onNoData === 'fail' ? first.at : undefined,
      reason: `${problems.map((p) => p.text).join('; ')}${rule.onNoData === 'fail' ? '; on-no-data: fail' : ''}`,
    };

  // Mid-watch this reads "passing so far"; the watch only stops early on a failure.
  if (state.samples >= rule.minSamples && state.samples > 0)
    return {
      ...base,
      status: 'pass',
      cause: undefined,
      reason: [
        `never ${threshold}${rule.forMs > 0 ? ` for ${formatDuration(rule.forMs)}` : ''}: ${plural(state.samples, 'sample')}`,
        coverage !== undefined && coverage < 1 ? `data at ${showShare(coverage)} of points` : '',
        state.gapCount > 0
          ? `${plural(state.gapCount, 'gap')} that ended (longest ${formatDuration(Math.max(...state.gaps.map(span)))})`
          : '',
        state.openGap !== undefined
          ? `no data for the last ${formatDuration(span(state.openGap))}`
          : '',
        ...problems.map((p) => `${p.text} (on-no-data: pass)`),
        lastText,
        `worst ${show(state.worst)}`,
      ]
        .filter((part) => part !== '')
        .join(', '),
    };
  const why = [
    `${state.samples} of ${plural(rule.minSamples, 'sample')} needed`,
    state.noData > 0 ? `${plural(state.noData, 'point')} without data` : '',
    state.lowTraffic > 0
      ? `${plural(state.lowTraffic, 'point')} under min-traffic ${rule.minTraffic?.threshold ?? ''}`
      : '',
    state.nonFinite > 0 ? `${plural(state.nonFinite, 'non-finite value')} (NaN or ±Inf)` : '',
    state.errors > 0
      ? `${plural(state.errors, 'provider error')} (last: ${state.lastError ?? ''})`
      : '',
    state.samples > 0 ? lastText : '',
  ]
    .filter((part) => part !== '')
    .join(', ');
  if (!final || state.samples > 0 || rule.onNoData === 'inconclusive')
    return {
      ...base,
      status: 'inconclusive',
      cause: state.samples === 0 && final ? 'no-data' : 'min-samples',
      reason: why,
    };
  // No data is never a silent pass: only the plan can say so.
  return {
    ...base,
    status: rule.onNoData,
    cause: 'no-data',
    failedAt: rule.onNoData === 'fail' ? state.latest : undefined,
    reason: `no data (${why}); on-no-data: ${rule.onNoData}`,
  };
}

/** True when more data could still turn an inconclusive verdict into a pass (worth holding for). */
export function couldRecover(verdict: RuleVerdict): boolean {
  return (
    verdict.status === 'inconclusive' &&
    (verdict.cause === 'coverage' || verdict.cause === 'no-data' || verdict.cause === 'min-samples')
  );
}

function historyOf(chart: ChartSeries | undefined): [number, number][] {
  if (chart === undefined) return [];
  return chart.values.flatMap((value, i): [number, number][] =>
    value === null ? [] : [[chart.from + i * chart.stepMs, value]],
  );
}

/** Kept for callers that show a bare number; prefer showValue(value, unit). */
export function formatValue(value: number | undefined): string {
  return showValue(value, '');
}
