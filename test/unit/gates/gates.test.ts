import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '@cutover/kit';
import {
  ProviderUnavailable,
  QueryRejected,
  checkWindow,
  watchGates,
  type MetricsSource,
} from '@cutover/gates';
import { parseThreshold, type GateRule } from '@cutover/plan';
import { functionSource } from '../../support/function-source.js';
import { M, S, rule } from './rule-fixture.js';

const watch = (rules: GateRule[], source: MetricsSource, until: number) =>
  watchGates(rules, source, createVirtualClock(0), { from: 0, until });

describe('gate semantics (watch mode on a virtual clock)', () => {
  it('fails when the breach lasts the whole for window, at the first point after it', async () => {
    const report = await watch(
      [rule()],
      functionSource({ errors: (t) => (t >= 10 * M ? 0.08 : 0.01) }),
      60 * M,
    );
    expect(report.outcome.status).toBe('fail');
    expect(report.verdicts[0]).toMatchObject({
      status: 'fail',
      firedAt: 15 * M,
      breachSince: 10 * M,
      reason: '8.0% > 5% for 5m',
    });
  });

  it('passes a breach shorter than for', async () => {
    const report = await watch(
      [rule()],
      functionSource({ errors: (t) => (t >= 10 * M && t < 14 * M ? 0.5 : 0.01) }),
      30 * M,
    );
    expect(report.outcome.status).toBe('pass');
    expect(report.verdicts[0]?.worst).toBe(0.5);
  });

  it('restarts the for window after a gap without data, and never passes the unseen breach', async () => {
    const report = await watch(
      [rule()],
      functionSource({ errors: (t) => (t === 12 * M ? undefined : t >= 10 * M ? 0.08 : 0.01) }),
      16 * M,
    );
    // Confirmed firing needs 5m of seen breaching points (12m15s + 5m > 16m); with the
    // missing point counted as breaching, it would have fired at 15m: inconclusive.
    expect(report.verdicts[0]).toMatchObject({
      status: 'inconclusive',
      cause: 'unconfirmed-breach',
      firedAt: undefined,
      reason:
        '8.0% > 5% with points without data from 1970-01-01T00:10:00Z to 1970-01-01T00:15:00Z: the breach may have lasted 5m unseen',
    });
  });

  it('stops polling as soon as a critical rule fails', async () => {
    const source = functionSource({ errors: () => 0.9 });
    const report = await watch([rule({ forMs: 0 })], source, 24 * 60 * M);
    expect(report.outcome.status).toBe('fail');
    expect(source.calls).toBe(1);
  });

  it('never passes without data by default, and honours on-no-data', async () => {
    const empty = functionSource({});
    expect((await watch([rule()], empty, 10 * M)).outcome.status).toBe('inconclusive');
    expect((await watch([rule({ onNoData: 'fail' })], empty, 10 * M)).outcome.status).toBe('fail');
    expect((await watch([rule({ onNoData: 'pass' })], empty, 10 * M)).outcome.status).toBe('pass');
  });

  it('is inconclusive with fewer samples than min-samples', async () => {
    const report = await watch(
      [rule({ minSamples: 100 })],
      functionSource({ errors: () => 0.01 }),
      10 * M,
    );
    expect(report.verdicts[0]).toMatchObject({
      status: 'inconclusive',
      reason: '41 of 100 samples needed, last 1.0%',
    });
  });

  it('ignores points before initial-delay', async () => {
    const report = await watch(
      [rule({ initialDelayMs: 5 * M, forMs: 0 })],
      functionSource({ errors: (t) => (t < 5 * M ? 0.9 : 0.01) }),
      10 * M,
    );
    expect(report.outcome.status).toBe('pass');
  });

  it('does not judge points under the traffic guard', async () => {
    const low = rule({ forMs: 0, minTraffic: { query: 'rps', threshold: 1 }, maxGapMs: 10 * M });
    const report = await watch([low], functionSource({ errors: () => 0.9, rps: () => 0.2 }), 5 * M);
    expect(report.verdicts[0]).toMatchObject({
      status: 'inconclusive',
      reason: '0 of 1 sample needed, 21 points under min-traffic 1',
    });
  });

  it('compares the candidate with stable in a relative rule', async () => {
    const relative = rule({
      threshold: parseThreshold('> 2') ?? rule().threshold,
      forMs: M,
      relative: { baseline: 'stable', mode: 'ratio' },
    });
    const worse = await watch(
      [relative],
      functionSource({ errors: () => 0.03, stable: () => 0.01 }),
      5 * M,
    );
    expect(worse.verdicts[0]).toMatchObject({ status: 'fail', last: 3 });
    const same = await watch(
      [relative],
      functionSource({ errors: () => 0.02, stable: () => 0.015 }),
      5 * M,
    );
    expect(same.outcome.status).toBe('pass');
  });

  it('reports a failing warning rule without failing the gate', async () => {
    const report = await watch(
      [rule({ severity: 'warning', forMs: 0 }), rule({ name: 'ok', query: 'ok' })],
      functionSource({ errors: () => 0.9, ok: () => 0 }),
      5 * M,
    );
    expect(report.outcome.status).toBe('pass');
    expect(report.outcome.reason).toContain('passed with warnings: errors');
  });

  it('tolerates provider errors within the budget, then fails the rule', async () => {
    let calls = 0;
    const flaky: MetricsSource = {
      name: 'flaky',
      instant: () =>
        ++calls <= 3
          ? Promise.reject(new ProviderUnavailable('HTTP 503'))
          : Promise.resolve([{ labels: {}, points: [[0, 0.01]] }]),
      range: () => Promise.reject(new Error('unused')),
    };
    // Three points lost of 121: coverage 97%.
    expect((await watch([rule({ errorBudget: 3 })], flaky, 30 * M)).outcome.status).toBe('pass');
    calls = 0;
    const report = await watch([rule({ errorBudget: 2 })], flaky, 30 * M);
    expect(report.verdicts[0]).toMatchObject({
      status: 'fail',
      reason: '3 provider errors in a row (error-budget 2); last: HTTP 503',
    });
  });

  it('fails at once on a rejected query', async () => {
    const bad: MetricsSource = {
      name: 'bad',
      instant: () => Promise.reject(new QueryRejected('parse error at char 5')),
      range: () => Promise.reject(new QueryRejected('x')),
    };
    const report = await watch([rule()], bad, 60 * M);
    expect(report.verdicts[0]).toMatchObject({
      status: 'fail',
      reason: 'parse error at char 5',
      points: 0,
    });
  });

  it('refuses a query that returns several series', async () => {
    const many: MetricsSource = {
      name: 'many',
      instant: () =>
        Promise.resolve([
          { labels: { pod: 'a' }, points: [[0, 1]] },
          { labels: { pod: 'b' }, points: [[0, 2]] },
        ]),
      range: () => Promise.resolve([]),
    };
    const report = await watch([rule()], many, M);
    expect(report.verdicts[0]?.reason).toBe(
      'query "errors" returned 2 series ({pod="a"}, {pod="b"}); a gate needs one: aggregate it, e.g. sum(...) or max(...)',
    );
  });
});

describe('check mode', () => {
  it('judges a finished window with one range query per rule', async () => {
    const source = functionSource({ errors: (t) => (t >= 100 * M && t < 106 * M ? 0.2 : 0.01) });
    const report = await checkWindow([rule()], source, 0, 24 * 60 * M, createVirtualClock(0));
    expect(report.verdicts[0]).toMatchObject({ status: 'fail', firedAt: 105 * M, samples: 421 });
    expect(report.queries).toBe(1);
  });

  it('retries a failing range query within the error budget', async () => {
    let calls = 0;
    const flaky: MetricsSource = {
      name: 'flaky',
      instant: () => Promise.reject(new Error('unused')),
      range: (_q, from, to, step) =>
        ++calls < 3
          ? Promise.reject(new ProviderUnavailable('timeout'))
          : Promise.resolve([
              {
                labels: {},
                points: Array.from(
                  { length: Math.floor((to - from) / step) + 1 },
                  (_, i): [number, number] => [from + i * step, 0.01],
                ),
              },
            ]),
    };
    const report = await checkWindow([rule()], flaky, 0, 10 * M, createVirtualClock(0));
    expect(report.outcome.status).toBe('pass');
    expect(calls).toBe(3);
  });
});

describe('gate properties', () => {
  // Plans require `for` to be a multiple of `interval` (validate-plan), so the properties do too.
  const arbitraryRule = fc
    .record({
      intervalS: fc.integer({ min: 1, max: 60 }),
      multiple: fc.integer({ min: 1, max: 40 }),
    })
    .map(({ intervalS, multiple }) => ({ intervalS, forS: intervalS * multiple }));

  it('a breach shorter than for never fails', async () => {
    await fc.assert(
      fc.asyncProperty(
        arbitraryRule,
        fc.integer({ min: 0, max: 3600 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        async ({ intervalS, forS }, startS, fraction) => {
          const start = startS * S;
          const length = Math.floor(fraction * (forS * S - 1));
          const source = functionSource({
            errors: (t) => (t >= start && t < start + length ? 0.5 : 0.01),
          });
          const report = await watch(
            [rule({ intervalMs: intervalS * S, forMs: forS * S })],
            source,
            start + forS * S * 3,
          );
          expect(report.outcome.status).toBe('pass');
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a sustained breach fails no later than one interval after it has lasted for', async () => {
    await fc.assert(
      fc.asyncProperty(
        arbitraryRule,
        fc.integer({ min: 0, max: 3600 }),
        async ({ intervalS, forS }, startS) => {
          const start = startS * S;
          const report = await watch(
            [rule({ intervalMs: intervalS * S, forMs: forS * S })],
            functionSource({ errors: (t) => (t >= start ? 0.5 : 0.01) }),
            start + forS * S * 3 + intervalS * S,
          );
          const firedAt = report.verdicts[0]?.firedAt ?? Number.NaN;
          expect(report.outcome.status).toBe('fail');
          expect(firedAt).toBeGreaterThanOrEqual(start + forS * S);
          expect(firedAt - (start + forS * S)).toBeLessThanOrEqual(intervalS * S);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('no data never passes by default, whatever the window', async () => {
    await fc.assert(
      fc.asyncProperty(
        arbitraryRule,
        fc.integer({ min: 1, max: 7200 }),
        async ({ intervalS, forS }, lengthS) => {
          const report = await watch(
            [rule({ intervalMs: intervalS * S, forMs: forS * S })],
            functionSource({}),
            lengthS * S,
          );
          expect(report.outcome.status).not.toBe('pass');
        },
      ),
      { numRuns: 100 },
    );
  });

  it('check mode and watch mode agree on the same data, gaps included', async () => {
    await fc.assert(
      fc.asyncProperty(
        arbitraryRule,
        fc.array(fc.tuple(fc.integer({ min: 0, max: 7200 }), fc.integer({ min: 1, max: 2400 })), {
          maxLength: 4,
        }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 7200 }), fc.integer({ min: 1, max: 900 })), {
          maxLength: 3,
        }),
        fc.record({
          onNoData: fc.constantFrom('fail' as const, 'inconclusive' as const, 'pass' as const),
          maxGapIntervals: fc.integer({ min: 0, max: 60 }),
          minCoverage: fc.constantFrom(0, 0.5, 0.9, 1),
        }),
        async ({ intervalS, forS }, bursts, gaps, coverage) => {
          const interval = intervalS * S;
          const errors = (t: number) =>
            gaps.some(([g, l]) => t >= g * S && t < (g + l) * S)
              ? undefined
              : bursts.some(([b, l]) => t >= b * S && t < (b + l) * S)
                ? 0.3
                : 0.01;
          const end = Math.floor((7200 * S) / interval) * interval;
          const gate = rule({
            intervalMs: interval,
            forMs: forS * S,
            onNoData: coverage.onNoData,
            maxGapMs: coverage.maxGapIntervals * interval,
            minCoverage: coverage.minCoverage,
          });
          const watched = await watch([gate], functionSource({ errors }), end);
          const checked = await checkWindow(
            [gate],
            functionSource({ errors }),
            0,
            end,
            createVirtualClock(0),
          );
          expect(checked.outcome.status).toBe(watched.outcome.status);
          expect(checked.verdicts[0]?.firedAt).toBe(watched.verdicts[0]?.firedAt);
          expect(checked.verdicts[0]?.failedAt).toBe(watched.verdicts[0]?.failedAt);
          expect(checked.verdicts[0]?.reason).toBe(watched.verdicts[0]?.reason);
        },
      ),
      { numRuns: 100 },
    );
  });
});
