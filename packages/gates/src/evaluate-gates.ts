import { type Clock } from '@cutover/kit';
import { breaches, type GateOutcome, type GateRule, type MetricQuery } from '@cutover/plan';
import {
  ProviderUnavailable,
  QueryRejected,
  singleSeries,
  type MetricsSource,
} from './metrics-source.js';
import {
  couldRecover,
  initialRuleState,
  observe,
  ruleVerdict,
  type EvaluationPoint,
  type RuleState,
  type RuleVerdict,
} from './rule-state.js';

export interface GateReport {
  outcome: GateOutcome;
  verdicts: RuleVerdict[];
  /** Provider calls made, for the bench and the summary. */
  queries: number;
  /** Watch mode: how long the watch went on past its end, holding for data (0 without a hold). */
  heldMs: number;
}

/** Pure: critical failures fail, critical unknowns are inconclusive, warnings only report. */
export function combineVerdicts(verdicts: readonly RuleVerdict[]): GateOutcome {
  const critical = verdicts.filter((v) => v.severity === 'critical');
  const failed = critical.filter((v) => v.status === 'fail');
  if (failed.length > 0)
    return { status: 'fail', reason: failed.map((v) => `${v.rule}: ${v.reason}`).join('; ') };
  const unknown = critical.filter((v) => v.status === 'inconclusive');
  if (unknown.length > 0)
    return {
      status: 'inconclusive',
      reason: unknown.map((v) => `${v.rule}: ${v.reason}`).join('; '),
    };
  const warned = verdicts.filter((v) => v.status !== 'pass');
  return {
    status: 'pass',
    reason:
      warned.length > 0
        ? `passed with warnings: ${warned.map((v) => `${v.rule}: ${v.reason}`).join('; ')}`
        : `${verdicts.length === 1 ? '1 rule' : `${verdicts.length} rules`} passed`,
  };
}

/** Counts provider calls; classifies thrown errors into evaluation points. */
class Querier {
  queries = 0;
  constructor(readonly source: MetricsSource) {}

  async instantValue(query: MetricQuery, at: number): Promise<number | undefined> {
    this.queries++;
    const series = singleSeries(await this.source.instant(query, at), query);
    return series?.points.at(-1)?.[1];
  }

  async rangeValues(
    query: MetricQuery,
    from: number,
    to: number,
    stepMs: number,
  ): Promise<Map<number, number>> {
    this.queries++;
    const series = singleSeries(await this.source.range(query, from, to, stepMs), query);
    return new Map(series?.points ?? []);
  }
}

/** `lost`: the error cost the evaluation point at t (watch); a retried range query loses none. */
function errorPoint(t: number, error: unknown, lost: boolean): EvaluationPoint {
  if (error instanceof QueryRejected)
    return { t, kind: 'error', message: error.message, permanent: true, lost };
  if (error instanceof ProviderUnavailable)
    return { t, kind: 'error', message: error.message, permanent: false, lost };
  throw error;
}

function combine(
  rule: GateRule,
  value: number | undefined,
  baseline: number | undefined,
): number | undefined {
  if (rule.relative === undefined) return value;
  // A non-finite baseline says nothing about the candidate: no data, never a pass.
  if (value === undefined || baseline === undefined || !Number.isFinite(baseline)) return undefined;
  if (rule.relative.mode === 'difference') return value - baseline;
  // A candidate error rate over a stable rate of zero is "infinitely worse" unless it is zero too.
  return baseline === 0 ? (value === 0 ? 1 : Number.POSITIVE_INFINITY) : value / baseline;
}

async function pointAt(rule: GateRule, querier: Querier, t: number): Promise<EvaluationPoint> {
  try {
    const [value, baseline, traffic] = await Promise.all([
      querier.instantValue(rule.query, t),
      rule.relative === undefined ? undefined : querier.instantValue(rule.relative.baseline, t),
      rule.minTraffic === undefined ? undefined : querier.instantValue(rule.minTraffic.query, t),
    ]);
    const combined = combine(rule, value, baseline);
    // Non-finite values go to the fold, which counts them as missing unless they breach.
    return combined === undefined
      ? { t, kind: 'no-data' }
      : { t, kind: 'value', value: combined, traffic };
  } catch (error) {
    return errorPoint(t, error, true);
  }
}

/** Evaluation points of one rule over [from, to] on its interval grid, from range queries. */
async function rangePoints(
  rule: GateRule,
  querier: Querier,
  from: number,
  to: number,
): Promise<EvaluationPoint[]> {
  const [values, baselines, traffic] = await Promise.all([
    querier.rangeValues(rule.query, from, to, rule.intervalMs),
    rule.relative === undefined
      ? undefined
      : querier.rangeValues(rule.relative.baseline, from, to, rule.intervalMs),
    rule.minTraffic === undefined
      ? undefined
      : querier.rangeValues(rule.minTraffic.query, from, to, rule.intervalMs),
  ]);
  const valueAt = cursor(values, rule.intervalMs);
  const baselineAt = cursor(baselines, rule.intervalMs);
  const trafficAt = cursor(traffic, rule.intervalMs);
  const points: EvaluationPoint[] = [];
  for (let t = from; t <= to; t += rule.intervalMs) {
    const value = combine(rule, valueAt(t), baselineAt(t));
    points.push(
      value === undefined
        ? { t, kind: 'no-data' }
        : { t, kind: 'value', value, traffic: trafficAt(t) },
    );
  }
  return points;
}

/**
 * Check mode: judge a finished window [from, to] with range queries at the rule's interval.
 * A failing provider is retried (each failure spends the rule's error budget).
 */
export async function checkWindow(
  rules: readonly GateRule[],
  source: MetricsSource,
  from: number,
  to: number,
  clock: Clock,
): Promise<GateReport> {
  const querier = new Querier(source);
  const verdicts: RuleVerdict[] = [];
  for (const rule of rules) {
    let state = initialRuleState(from);
    for (;;) {
      try {
        for (const point of await rangePoints(rule, querier, from, to))
          state = observe(rule, state, point);
        break;
      } catch (error) {
        state = observe(rule, state, errorPoint(to, error, false));
        if (state.broken !== undefined) break;
        await clock.sleep(Math.min(30_000, 1000 * 2 ** state.consecutiveErrors));
      }
    }
    verdicts.push(ruleVerdict(rule, state, true));
  }
  return { outcome: combineVerdicts(verdicts), verdicts, queries: querier.queries, heldMs: 0 };
}

export interface Firing {
  rule: string;
  /** When the breach began (first breaching point) and when the gate would have failed. */
  since: number;
  at: number;
  value: number;
}

/**
 * Backtest: every time a rule would have fired over [from, to]. After a firing the rule re-arms
 * once its condition clears, as an alert would.
 */
export async function findFirings(
  rules: readonly GateRule[],
  source: MetricsSource,
  from: number,
  to: number,
): Promise<{ firings: Firing[]; queries: number }> {
  const querier = new Querier(source);
  const firings: Firing[] = [];
  for (const planned of rules) {
    // Firings only: gaps never stop the replay (an inconclusive rule keeps folding).
    const rule: GateRule = { ...planned, onNoData: 'inconclusive' };
    let state = initialRuleState(from);
    let armed = true;
    for (const point of await rangePoints(rule, querier, from, to)) {
      if (!armed) {
        if (point.kind === 'value' && !breaches(point.value, rule.threshold)) armed = true;
        else continue;
      }
      state = observe(rule, state, point);
      if (state.fired !== undefined) {
        firings.push({
          rule: rule.name,
          since: state.fired.since,
          at: state.fired.at,
          value: state.fired.value,
        });
        state = initialRuleState(from);
        armed = false;
      }
    }
  }
  firings.sort((a, b) => a.at - b.at);
  return { firings, queries: querier.queries };
}

export interface WatchOptions {
  /** Start of the bake (initial-delay counts from here). */
  from: number;
  /** End of the watch; the verdicts are final then. */
  until: number;
  /**
   * When the window ends inconclusive, keep watching until this time for data to arrive
   * (the plan's on-inconclusive: hold with max-hold); stops early on a pass, a fail, or an
   * inconclusive that more data cannot change (a gap longer than max-gap stays).
   */
  holdUntil?: number;
  /** Called after every evaluation round, e.g. to log progress. */
  onRound?: (verdicts: RuleVerdict[], now: number) => void;
}

/**
 * Watch mode: one instant query per rule per interval during the bake; returns as soon as a
 * critical rule fails (its breach lasted `for`, or its data stopped for longer than max-gap
 * with on-no-data: fail), or with final verdicts at `until` (or later, holding).
 */
export async function watchGates(
  rules: readonly GateRule[],
  source: MetricsSource,
  clock: Clock,
  options: WatchOptions,
): Promise<GateReport> {
  const querier = new Querier(source);
  const states = new Map<GateRule, RuleState>(
    rules.map((rule) => [rule, initialRuleState(options.from)]),
  );
  const due = new Map<GateRule, number>(
    rules.map((rule) => [rule, Math.max(clock.now(), options.from + rule.initialDelayMs)]),
  );
  for (;;) {
    const now = clock.now();
    const dueRules = rules.filter((rule) => (due.get(rule) ?? 0) <= now);
    const points = await Promise.all(dueRules.map((rule) => pointAt(rule, querier, now)));
    dueRules.forEach((rule, i) => {
      const point = points[i];
      if (point !== undefined)
        states.set(rule, observe(rule, states.get(rule) ?? initialRuleState(options.from), point));
      due.set(rule, now + rule.intervalMs);
    });
    const final = now >= options.until;
    const verdicts = rules.map((rule) =>
      ruleVerdict(rule, states.get(rule) ?? initialRuleState(options.from), final),
    );
    options.onRound?.(verdicts, now);
    const outcome = combineVerdicts(verdicts);
    const holdUntil = options.holdUntil ?? options.until;
    const holding =
      final &&
      outcome.status === 'inconclusive' &&
      now < holdUntil &&
      verdicts
        .filter((v) => v.severity === 'critical' && v.status === 'inconclusive')
        .every(couldRecover);
    if (outcome.status === 'fail' || (final && !holding))
      return {
        outcome,
        verdicts,
        queries: querier.queries,
        heldMs: Math.max(0, now - options.until),
      };
    const end = final ? holdUntil : options.until;
    const wake = Math.min(end, ...rules.map((rule) => due.get(rule) ?? end));
    await clock.sleep(Math.max(0, wake - clock.now()));
  }
}

/**
 * Reads a series at ascending grid times: the point within half an interval of t (providers
 * align points differently). A cursor, so a window of n points costs O(n).
 */
function cursor(
  values: Map<number, number> | undefined,
  intervalMs: number,
): (t: number) => number | undefined {
  if (values === undefined) return () => undefined;
  const points = [...values].sort((a, b) => a[0] - b[0]);
  let index = 0;
  return (t) => {
    while (index < points.length && (points[index]?.[0] ?? 0) < t - intervalMs / 2) index++;
    const point = points[index];
    return point !== undefined && Math.abs(point[0] - t) < intervalMs / 2 + (point[0] === t ? 1 : 0)
      ? point[1]
      : undefined;
  };
}
