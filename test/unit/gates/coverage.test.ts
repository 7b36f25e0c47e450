import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '@cutover/kit';
import {
  ProviderUnavailable,
  checkWindow,
  initialRuleState,
  observe,
  ruleVerdict,
  watchGates,
  type EvaluationPoint,
  type MetricsSource,
  type RuleVerdict,
} from '@cutover/gates';
import type { GateRule } from '@cutover/plan';
import { functionSource } from '../../support/function-source.js';
import { M, S, rule, threshold } from './rule-fixture.js';

const check = (rules: GateRule[], source: MetricsSource, to: number) =>
  checkWindow(rules, source, 0, to, createVirtualClock(0));
const watch = (rules: GateRule[], source: MetricsSource, until: number, holdUntil?: number) =>
  watchGates(rules, source, createVirtualClock(0), {
    from: 0,
    until,
    ...(holdUntil === undefined ? {} : { holdUntil }),
  });

describe('data coverage is part of the verdict', () => {
  it('does not pass a window whose data stops before the end, and says for how long', async () => {
    const errors = (t: number) => (t <= 54 * M ? 0.01 : undefined);
    const report = await check([rule()], functionSource({ errors }), 60 * M);
    expect(report.verdicts[0]).toMatchObject({
      status: 'inconclusive',
      cause: 'gap',
      reason: 'no data for the last 6m (max-gap 5m)',
      openGap: { from: 54 * M, to: 60 * M },
      lastAt: 54 * M,
      observedUntil: 60 * M,
    });
    const failing = await check([rule({ onNoData: 'fail' })], functionSource({ errors }), 60 * M);
    expect(failing.verdicts[0]).toMatchObject({
      status: 'fail',
      reason: 'no data for the last 5m15s (max-gap 5m); on-no-data: fail',
      failedAt: 59 * M + 15 * S,
    });
  });

  it('watch mode stops as soon as a gap passes max-gap when on-no-data is fail', async () => {
    const source = functionSource({ errors: (t) => (t < 10 * M ? 0.01 : undefined) });
    const report = await watch([rule({ onNoData: 'fail' })], source, 24 * 60 * M);
    expect(report.outcome.status).toBe('fail');
    expect(report.verdicts[0]).toMatchObject({ failedAt: 15 * M, cause: 'gap' });
    // The gap (9m45s, 15m] is 5m15s long at 15m: one poll past the limit, not the day.
    expect(source.calls).toBe(61);
  });

  it('keeps an inconclusive gap visible after the data comes back', async () => {
    const errors = (t: number) => (t >= 10 * M && t < 17 * M ? undefined : 0.01);
    const report = await watch([rule()], functionSource({ errors }), 60 * M);
    expect(report.verdicts[0]).toMatchObject({
      status: 'inconclusive',
      reason:
        'no data for 7m from 1970-01-01T00:09:45Z to 1970-01-01T00:16:45Z (max-gap 5m); data at 88.3% of points (min 90%)',
      gaps: [{ from: 9 * M + 45 * S, to: 16 * M + 45 * S }],
      longestGapMs: 7 * M,
    });
  });

  it('passes a gap within max-gap and lists it', async () => {
    const errors = (t: number) => (t >= 10 * M && t < 12 * M ? undefined : 0.01);
    const report = await check([rule()], functionSource({ errors }), 60 * M);
    expect(report.verdicts[0]).toMatchObject({
      status: 'pass',
      gaps: [{ from: 9 * M + 45 * S, to: 11 * M + 45 * S }],
      gapCount: 1,
      reason:
        'never > 5% for 5m: 233 samples, data at 96.6% of points, 1 gap that ended (longest 2m), last 1.0%, worst 1.0%',
    });
  });

  it('judges coverage at the end of the window', async () => {
    // Every fourth point is missing: no gap longer than one interval, data at 75%.
    const errors = (t: number) => ((t / (15 * S)) % 4 === 3 ? undefined : 0.01);
    const report = await check([rule()], functionSource({ errors }), 60 * M);
    expect(report.verdicts[0]).toMatchObject({
      status: 'inconclusive',
      cause: 'coverage',
      reason: 'data at 75.1% of points (min 90%)',
    });
    const relaxed = await check([rule({ minCoverage: 0.7 })], functionSource({ errors }), 60 * M);
    expect(relaxed.outcome.status).toBe('pass');
  });

  it('counts points under min-traffic as missing: no traffic at the end of the bake is not a pass', async () => {
    const guarded = rule({ minTraffic: { query: 'rps', threshold: 5 } });
    const source = functionSource({ errors: () => 0.01, rps: (t) => (t < 50 * M ? 40 : 0.5) });
    const report = await check([guarded], source, 60 * M);
    expect(report.verdicts[0]).toMatchObject({
      status: 'inconclusive',
      reason: 'no data for the last 10m15s (max-gap 5m); data at 82.9% of points (min 90%)',
    });
  });

  it('never counts a non-finite value as a passing sample', async () => {
    for (const value of [Number.NaN, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY]) {
      const report = await check(
        [rule({ threshold: threshold('< 80%') })],
        functionSource({ errors: () => value }),
        10 * M,
      );
      // -Inf breaches "< 80%"; NaN and +Inf are no data.
      expect(report.verdicts[0]?.status, String(value)).toBe(
        value === Number.NEGATIVE_INFINITY ? 'fail' : 'inconclusive',
      );
    }
    for (const value of [Number.NaN, Number.NEGATIVE_INFINITY]) {
      const report = await check([rule()], functionSource({ errors: () => value }), 10 * M);
      expect(report.verdicts[0]?.status, String(value)).toBe('inconclusive');
      expect(report.verdicts[0]?.samples).toBe(0);
    }
    // histogram_quantile answers +Inf past the last bucket: slower than any bucket breaches.
    const slow = await check(
      [rule({ threshold: threshold('> 200ms'), forMs: 0 })],
      functionSource({ errors: () => Number.POSITIVE_INFINITY }),
      10 * M,
    );
    expect(slow.verdicts[0]).toMatchObject({ status: 'fail', reason: '+Inf > 200 ms' });
  });

  it('never lets a non-finite baseline or traffic value through', async () => {
    const relative = rule({
      threshold: threshold('> 2'),
      relative: { baseline: 'stable', mode: 'ratio' },
    });
    const report = await check(
      [relative],
      functionSource({ errors: () => 0.5, stable: () => Number.POSITIVE_INFINITY }),
      10 * M,
    );
    expect(report.verdicts[0]).toMatchObject({ status: 'inconclusive', samples: 0 });
    const guarded = rule({ minTraffic: { query: 'rps', threshold: 5 } });
    const nan = await check(
      [guarded],
      functionSource({ errors: () => 0.01, rps: () => Number.NaN }),
      10 * M,
    );
    expect(nan.verdicts[0]).toMatchObject({ status: 'inconclusive', samples: 0 });
  });

  it('reports last with its age when the data stopped', async () => {
    const errors = (t: number) => (t <= 10 * M ? 0.01 : undefined);
    const report = await check(
      [rule({ minSamples: 100, maxGapMs: 60 * M, minCoverage: 0 })],
      functionSource({ errors }),
      16 * M,
    );
    expect(report.verdicts[0]?.reason).toBe(
      '41 of 100 samples needed, 24 points without data, last 1.0% (6m old)',
    );
  });

  it('counts provider errors that cost a watch point as missing data', async () => {
    let calls = 0;
    const alternating: MetricsSource = {
      name: 'alternating',
      instant: (_q, at) =>
        ++calls % 2 === 0
          ? Promise.reject(new ProviderUnavailable('HTTP 503'))
          : Promise.resolve([{ labels: {}, points: [[at, 0.01]] }]),
      range: () => Promise.reject(new Error('unused')),
    };
    const report = await watch([rule()], alternating, 30 * M);
    // Never more than one error in a row, but half the points had no data.
    expect(report.verdicts[0]).toMatchObject({
      status: 'inconclusive',
      reason: 'data at 50.4% of points (min 90%)',
    });
  });
});

describe('inconclusive: holding for data', () => {
  it('keeps watching past the window until enough data arrives', async () => {
    const gate = rule({ minSamples: 60, minCoverage: 0 });
    const report = await watch([gate], functionSource({ errors: () => 0.01 }), 10 * M, 70 * M);
    expect(report.outcome.status).toBe('pass');
    // 41 samples at the end of the bake; the 60th arrives 19 intervals later.
    expect(report.heldMs).toBe(19 * 15 * S);
  });

  it('gives up at max-hold, still inconclusive', async () => {
    const gate = rule({ minSamples: 10_000, minCoverage: 0 });
    const report = await watch([gate], functionSource({ errors: () => 0.01 }), 10 * M, 70 * M);
    expect(report.outcome.status).toBe('inconclusive');
    expect(report.heldMs).toBe(60 * M);
  });

  it('does not hold for a gap that waiting cannot undo', async () => {
    const errors = (t: number) => (t >= 2 * M && t < 9 * M ? undefined : 0.01);
    const source = functionSource({ errors });
    const report = await watch([rule()], source, 10 * M, 70 * M);
    expect(report.outcome.status).toBe('inconclusive');
    expect(report.heldMs).toBe(0);
  });
});

describe('coverage properties', () => {
  type Kind = 'ok' | 'breach' | 'missing';
  const VALUE = { ok: 0.01, breach: 0.3 } as const;
  const RANK = { fail: 0, inconclusive: 1, pass: 2 } as const;

  const arbitraryRule = fc
    .record({
      intervalS: fc.integer({ min: 1, max: 60 }),
      forIntervals: fc.integer({ min: 0, max: 4 }),
      gapFraction: fc.double({ min: 0, max: 1, noNaN: true }),
      minCoverage: fc.constantFrom(0, 0.5, 0.8, 0.9, 1),
      minSamples: fc.integer({ min: 1, max: 5 }),
      onNoData: fc.constantFrom('fail' as const, 'inconclusive' as const, 'pass' as const),
    })
    .map((r) =>
      rule({
        intervalMs: r.intervalS * S,
        forMs: r.forIntervals * r.intervalS * S,
        // A gap longer than `for` can hide a whole breach, so the property holds for
        // max-gap <= for (the default, max(for, interval), for every for >= interval).
        maxGapMs: Math.round(r.gapFraction * r.forIntervals) * r.intervalS * S,
        minCoverage: r.minCoverage,
        minSamples: r.minSamples,
        onNoData: r.onNoData,
      }),
    );
  // Healthy windows with a few breach runs and gaps, built from segments.
  const arbitraryWindow = fc
    .array(
      fc.oneof(
        {
          arbitrary: fc.tuple(fc.constant<Kind>('ok'), fc.integer({ min: 1, max: 12 })),
          weight: 3,
        },
        {
          arbitrary: fc.tuple(fc.constant<Kind>('breach'), fc.integer({ min: 1, max: 6 })),
          weight: 2,
        },
        {
          arbitrary: fc.tuple(fc.constant<Kind>('missing'), fc.integer({ min: 1, max: 3 })),
          weight: 1,
        },
      ),
      { minLength: 1, maxLength: 8 },
    )
    .map((segments) => segments.flatMap(([kind, length]) => Array<Kind>(length).fill(kind)));

  function fold(gate: GateRule, kinds: readonly Kind[]): RuleVerdict {
    let state = initialRuleState(0);
    kinds.forEach((kind, i) => {
      const t = i * gate.intervalMs;
      const point: EvaluationPoint =
        kind === 'missing' ? { t, kind: 'no-data' } : { t, kind: 'value', value: VALUE[kind] };
      state = observe(gate, state, point);
    });
    return ruleVerdict(gate, state, true);
  }

  it('deleting points never improves a verdict beyond what on-no-data gives', () => {
    fc.assert(
      fc.property(
        arbitraryRule,
        arbitraryWindow,
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), {
          minLength: 1,
          maxLength: 4,
        }),
        (gate, kinds, where) => {
          // Aim most deletions at breaching points: those are the ones that could hide a failure.
          const breaching = kinds.flatMap((kind, i) => (kind === 'breach' ? [i] : []));
          const deleted = where.map((f, n) =>
            n % 2 === 0 && breaching.length > 0
              ? (breaching[Math.floor(f * breaching.length)] ?? 0)
              : Math.floor(f * kinds.length),
          );
          const thinned = kinds.map((kind, i) => (deleted.includes(i) ? 'missing' : kind));
          const before = RANK[fold(gate, kinds).status];
          const after = RANK[fold(gate, thinned).status];
          expect(after).toBeLessThanOrEqual(Math.max(before, RANK[gate.onNoData]));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('a pass implies coverage within limits, unless on-no-data says pass', () => {
    fc.assert(
      fc.property(
        arbitraryRule,
        fc.integer({ min: 0, max: 20 }),
        arbitraryWindow,
        (planned, extraGap, kinds) => {
          const gate = { ...planned, maxGapMs: planned.maxGapMs + extraGap * planned.intervalMs };
          const verdict = fold(gate, kinds);
          if (verdict.status !== 'pass' || gate.onNoData === 'pass') return;
          expect(verdict.coverage ?? 0).toBeGreaterThanOrEqual(gate.minCoverage);
          expect(verdict.longestGapMs).toBeLessThanOrEqual(gate.maxGapMs);
          expect(verdict.samples).toBeGreaterThanOrEqual(gate.minSamples);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
