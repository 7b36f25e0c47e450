import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '@cutover/kit';
import { createMemoryKit, failureMessage } from '@cutover/action-kit';
import { main } from '../../actions/gate-metrics/src/main.js';
import { gappyCounterOpenMetrics, type GappySeries } from '../support/gappy-openmetrics.js';
import { mermaidBlocks, parseMermaid } from '../support/mermaid.js';
import { startPrometheus, type RunningPrometheus } from '../support/prometheus.js';

/**
 * Data coverage against a real Prometheus: an hour of recorded traffic per scenario, backfilled
 * with promtool, where the candidate's scrapes go missing (or its traffic dries up) for part
 * of the window. rate(...[1m]) still answers for about a minute after the last sample, so the
 * gaps the gate sees are a little shorter than the missing scrapes.
 */
const M = 60;
const scenarios: Record<string, { present?: (t: number) => boolean; rps?: (t: number) => number }> =
  {
    healthy: {},
    'end-gap': { present: (t) => t < 45 * M },
    'long-gap': { present: (t) => t < 20 * M || t >= 30 * M },
    'short-gap': { present: (t) => t < 20 * M || t >= 22 * M },
    'traffic-dries-up': { rps: (t) => (t < 45 * M ? 50 : 0.2) },
  };

const errorRate = (scenario: string) =>
  `sum(rate(app_requests_total{scenario="${scenario}",code="500"}[1m])) / sum(rate(app_requests_total{scenario="${scenario}"}[1m]))`;
const traffic = (scenario: string) => `sum(rate(app_requests_total{scenario="${scenario}"}[1m]))`;

function planFor(url: string): string {
  const gates = Object.keys(scenarios).map((name) => {
    const guard =
      name === 'traffic-dries-up'
        ? `, min-traffic: { query: '${traffic(name)}', threshold: 1 }`
        : '';
    return `  ${name}: { query: '${errorRate(name)}', threshold: '> 5%', for: 5m, interval: 15s${guard} }\n  ${name}-strict: { query: '${errorRate(name)}', threshold: '> 5%', for: 5m, interval: 15s, on-no-data: fail${guard} }`;
  });
  return `version: 1
name: coverage
strategy: blue-green
target: { kind: file, name: shop }
router: { kind: file, path: w.json, stable: stable, candidate: candidate }
metrics: { provider: prometheus, url: '${url}' }
steps:
  - { weight: 100, bake: 1h, gates: [healthy] }
gates:
${gates.join('\n')}
`;
}

interface Result {
  rule: string;
  status: string;
  reason: string;
  coverage: number | null;
  gaps: { from: string; to: string }[];
  cause: string | null;
}

describe('data coverage against a real Prometheus', () => {
  let prometheus: RunningPrometheus;
  let dir = '';
  let startS = 0;

  beforeAll(async () => {
    startS = Math.floor(Date.now() / 1000 / 3600) * 3600 - 4 * 3600;
    // Traffic starts 10 minutes before the window, so rate() has data at its first point.
    const lead = 10 * M;
    const series: GappySeries[] = Object.entries(scenarios).flatMap(([scenario, shape]) =>
      ['200', '500'].map((code) => ({
        name: 'app_requests_total',
        labels: { scenario, code },
        ratePerSecond: (t: number) =>
          (shape.rps?.(t - lead) ?? 50) * (code === '500' ? 0.01 : 0.99),
        present: (t: number) => shape.present?.(t - lead) ?? true,
      })),
    );
    prometheus = await startPrometheus({
      openMetrics: gappyCounterOpenMetrics(series, startS - lead, 3600 + lead, 15),
    });
    dir = mkdtempSync(join(tmpdir(), 'cutover-coverage-'));
    writeFileSync(join(dir, 'plan.yaml'), planFor(prometheus.url));
  }, 60_000);
  afterAll(async () => {
    await prometheus.stop();
  });

  async function check(gate: string, inputs: Record<string, string> = {}) {
    const kit = createMemoryKit({
      inputs: {
        plan: 'plan.yaml',
        mode: 'check',
        gates: gate,
        from: new Date(startS * 1000).toISOString(),
        to: new Date((startS + 3600) * 1000).toISOString(),
        ...inputs,
      },
      env: { GITHUB_WORKSPACE: dir },
      clock: systemClock,
    });
    let failure: string | undefined;
    try {
      await main(kit);
    } catch (error) {
      failure = failureMessage(error);
    }
    const [result] = JSON.parse(kit.outputs.results ?? '[]') as Result[];
    return { kit, failure, result };
  }
  const minutes = (gap: { from: string; to: string }) =>
    (Date.parse(gap.to) - Date.parse(gap.from)) / 60_000;

  it('passes the healthy hour with full coverage', async () => {
    const { failure, result } = await check('healthy');
    expect(failure).toBeUndefined();
    expect(result).toMatchObject({ status: 'pass', coverage: 1, gaps: [] });
  });

  it('does not pass a candidate that stopped reporting 15 minutes before the end', async () => {
    const { kit, failure, result } = await check('end-gap');
    expect(kit.outputs.verdict).toBe('inconclusive');
    expect(result?.cause).toBe('gap');
    expect(result?.reason).toMatch(
      /^no data for the last 14m\d*s? \(max-gap 5m\); data at 7\d\.\d% of points \(min 90%\)$/,
    );
    expect(failure).toMatch(/^gates inconclusive in check mode: end-gap: no data for the last 14m/);
    const strict = await check('end-gap-strict');
    expect(strict.failure).toMatch(
      /^gate failed: end-gap-strict: no data for the last 5m15s \(max-gap 5m\); on-no-data: fail$/,
    );
  });

  it('does not pass a gap in the middle longer than max-gap, though the data came back', async () => {
    const { kit, result } = await check('long-gap');
    expect(kit.outputs.verdict).toBe('inconclusive');
    expect(result?.cause).toBe('gap');
    expect(result?.reason).toMatch(/^no data for 9m\d*s? from \S+ to \S+ \(max-gap 5m\)/);
    expect(result?.gaps).toHaveLength(1);
    expect(minutes(result?.gaps[0] ?? { from: '', to: '' })).toBeGreaterThan(8.5);
    expect(kit.summary).toContain('### Gaps in the data');
    expect((await check('long-gap-strict')).kit.outputs.verdict).toBe('fail');
  });

  it('passes a gap within max-gap and still shows it', async () => {
    const { kit, failure, result } = await check('short-gap');
    expect(failure).toBeUndefined();
    expect(result?.status).toBe('pass');
    expect(result?.gaps).toHaveLength(1);
    expect(minutes(result?.gaps[0] ?? { from: '', to: '' })).toBeLessThan(2);
    expect(result?.reason).toMatch(/1 gap that ended \(longest 1m\d*s?\)/);
    expect(kit.summary).toContain('### Gaps in the data');
    for (const chart of mermaidBlocks(kit.summary)) await parseMermaid(chart);
  });

  it('does not pass a candidate whose traffic fell under min-traffic for the last part of the bake', async () => {
    const { kit, result } = await check('traffic-dries-up');
    expect(kit.outputs.verdict).toBe('inconclusive');
    expect(result?.reason).toMatch(/^no data for the last 1[45]m\d*s? \(max-gap 5m\)/);
    expect(
      (await check('traffic-dries-up', { gates: 'traffic-dries-up-strict' })).kit.outputs.verdict,
    ).toBe('fail');
  });
});
