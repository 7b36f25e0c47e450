import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '@cutover/kit';
import {
  checkWindow,
  renderGateSummary,
  watchGates,
  type GateReport,
  type MetricsSource,
} from '@cutover/gates';
import type { GateRule } from '@cutover/plan';
import { functionSource } from '../../support/function-source.js';
import { mermaidBlocks, parseMermaid } from '../../support/mermaid.js';
import { M, S, rule, threshold } from './rule-fixture.js';

const H = 60 * M;

function summarize(report: GateReport, rules: GateRule[], to: number, shadow = false) {
  return renderGateSummary({
    title: 'Gates',
    outcome: report.outcome,
    verdicts: report.verdicts,
    rules,
    window: { from: 0, to },
    queries: report.queries,
    shadow,
  });
}

async function checked(rules: GateRule[], source: MetricsSource, to: number) {
  return summarize(await checkWindow(rules, source, 0, to, createVirtualClock(0)), rules, to);
}

/** Summaries covering every kind of chart: units, gaps, failures, negatives, +Inf, long windows. */
async function gallery(): Promise<string[]> {
  const latency = rule({ name: 'p95 "api"`', query: 'latency', threshold: threshold('> 200ms') });
  const delta = rule({
    name: 'delta',
    query: 'errors',
    threshold: threshold('> 0.02'),
    relative: { baseline: 'stable', mode: 'difference' },
  });
  return [
    await checked(
      [rule()],
      functionSource({ errors: (t) => (t >= 20 * M && t < 30 * M ? 0.08 : 0.01) }),
      H,
    ),
    await checked(
      [latency],
      functionSource({
        latency: (t) => (t >= 10 * M && t < 12 * M ? undefined : t > 50 * M ? undefined : 0.085),
      }),
      H,
    ),
    await checked(
      [delta],
      functionSource({ errors: (t) => 0.01 + (t % (5 * M)) / (50 * M), stable: () => 0.05 }),
      2 * H,
    ),
    await checked(
      [rule({ forMs: 0 })],
      functionSource({ errors: (t) => (t === 24 * H - 3 * H ? Number.POSITIVE_INFINITY : 0.01) }),
      24 * H,
    ),
    await checked(
      [rule({ threshold: threshold('> 3') })],
      functionSource({ errors: (t) => (t < 5 * M ? 1e-9 : 2e6) }),
      10 * M,
    ),
    summarize(
      await watchGates(
        [rule()],
        functionSource({ errors: (t) => (t >= 5 * M ? 0.3 : 0.01) }),
        createVirtualClock(0),
        { from: 0, until: H },
      ),
      [rule()],
      10 * M,
    ),
    await checked([rule()], functionSource({ errors: () => 0.01 }), 2 * M),
  ];
}

describe('gate summary charts', () => {
  it('every chart the summary renders is accepted by mermaid', async () => {
    const charts = (await gallery()).flatMap(mermaidBlocks);
    expect(charts.length).toBeGreaterThanOrEqual(6);
    for (const chart of charts) await expect(parseMermaid(chart), chart).resolves.toBeUndefined();
  });

  it('refuses a broken chart (the parser really checks)', async () => {
    await expect(parseMermaid('xychart-beta\n  line [1, 2e-7]')).rejects.toThrow();
  });

  it('draws time evenly, in the rule unit, from zero, with the threshold and the breach', async () => {
    const [failed] = await gallery();
    const chart = mermaidBlocks(failed ?? '')[0] ?? '';
    expect(chart).toContain('x-axis "minutes before the window end" -60 --> -35');
    expect(chart).toContain('y-axis "%" 0 --> 8.7\n');
    expect(chart).toContain('title "errors: fail, threshold > 5% (breach -40m, fired -35m)"');
    const lines = chart.split('\n');
    const threshold = lines.filter((l) => l.startsWith('  line ')).at(-1) ?? '';
    expect(new Set(threshold.slice(8, -1).split(', '))).toEqual(new Set(['5']));
    const markers = lines.find((l) => l.startsWith('  bar ')) ?? '';
    expect(
      markers
        .slice(7, -1)
        .split(', ')
        .filter((v) => v !== '0'),
    ).toHaveLength(2);
  });

  it('marks the steps without data and shows latency in ms', async () => {
    const charts = mermaidBlocks((await gallery())[1] ?? '');
    expect(charts[0]).toContain('y-axis "ms" 0 --> 212\n');
    expect(charts[0]).toContain('grey: no data');
    expect(charts[0]).toMatch(/^ {2}bar \[0, 0, .*212, 212\]$/m);
  });

  it('lets the axis go below zero only for negative data', async () => {
    const chart = mermaidBlocks((await gallery())[2] ?? '')[0] ?? '';
    expect(chart).toMatch(/y-axis "value" -0\.0\d+ --> /);
  });

  it('down-samples a day evenly and keeps a one-point spike', async () => {
    const spiky = rule({ forMs: 0, threshold: threshold('> 95%') });
    const report = await checkWindow(
      [spiky],
      functionSource({ errors: (t) => (t === 7 * H + 15 * S ? 0.9 : 0.01) }),
      0,
      24 * H,
      createVirtualClock(0),
    );
    const chart = report.verdicts[0]?.chart;
    expect(chart?.stepMs).toBe(15 * S * 64);
    expect(chart?.values.length).toBe(91);
    expect(Math.max(...(chart?.values ?? []).map((v) => v ?? 0))).toBe(0.9);
    const summary = summarize(report, [spiky], 24 * H);
    expect(mermaidBlocks(summary)[0]).toContain('x-axis "hours before the window end" -24 --> 0');
  });
});

describe('gate summary text', () => {
  it('states the outcome first, then when each failed rule breached and fired in the window', async () => {
    const summary = (await gallery())[0] ?? '';
    const lines = summary.split('\n').filter((l) => l !== '');
    expect(lines[0]).toBe('## ❌ Gates: fail');
    expect(lines[1]).toBe('**Step fails: errors: 8.0% &gt; 5% for 5m.**');
    expect(lines[2]).toBe(
      'Window 1970-01-01T00:00:00Z → 1970-01-01T01:00:00Z (1h) · 1 provider query',
    );
    expect(summary).toContain(
      '- **errors** (critical): breach began 1970-01-01T00:20:00Z (+20m), rule fired 1970-01-01T00:25:00Z (+25m); window 1970-01-01T00:00:00Z → 1970-01-01T01:00:00Z. 8.0% &gt; 5% for 5m',
    );
    expect(summary).toContain(
      '| errors | critical | ❌ fail | &gt; 5% | 5m | 8.0% | 8.0% | 101 of 101 | 100% |',
    );
  });

  it('lists gaps within limits, the trailing gap, and last with its age', async () => {
    const summary = (await gallery())[1] ?? '';
    expect(summary).toContain('### Gaps in the data');
    expect(summary).toContain(
      '1970-01-01T00:09:45Z → 1970-01-01T00:11:45Z (2m, at +9m45s); 1970-01-01T00:50:00Z → 1970-01-01T01:00:00Z (10m, at +50m), to the end',
    );
    expect(summary).toContain('| 85 ms \\(10m old\\) |');
    expect(summary).toContain('no data for the last 10m \\(max-gap 5m\\)');
  });
});
