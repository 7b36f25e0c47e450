import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '@cutover/cli';
import {
  counterOpenMetrics,
  startPrometheus,
  type RunningPrometheus,
} from '../support/prometheus.js';

const NEXTEVENT = 'examples/plans/nextevent-phased.yaml';
async function cutover(...argv: string[]) {
  const lines: string[] = [];
  const code = await run(argv, (line) => lines.push(line));
  return { code, output: lines.join('\n') };
}

describe('cutover plan', () => {
  it('renders the NextEvent timeline, gates and worst case', async () => {
    const { code, output } = await cutover('plan', NEXTEVENT);
    expect(code).toBe(0);
    expect(output).toContain(
      '| 3 | 50% | +2d | 1d | error-rate, p95-latency, db-connection-failures | 12m15s |',
    );
    expect(output).toContain('Expected duration when every gate passes: **11d**');
    expect(output).toContain(
      'Worst case from a breach to traffic back on stable: **12m15s** (gate p95-latency + one interval + traffic-timeout 2m; target 15m)',
    );
  });

  it('renders the Lightning Talk Circle blue/green DNS cutover', async () => {
    const { output } = await cutover(
      'plan',
      'examples/plans/lightning-talk-circle-blue-green.yaml',
    );
    expect(output).toContain('## Plan lightning-talk-circle-dns-cutover (blue-green)');
    expect(output).toContain(
      '| 1 | 100% | +0s | 30m | api-error-rate, api-p95-critical, api-p95-warning | 9m |',
    );
  });
});

describe('cutover rehearse', () => {
  it('rolls back the NextEvent plan when the error rate climbs at 50%', async () => {
    const summary = join(mkdtempSync(join(tmpdir(), 'cutover-cli-')), 'summary.md');
    const { code, output } = await cutover(
      'rehearse',
      NEXTEVENT,
      '--scenario',
      'examples/scenarios/nextevent-errors-climb-at-50.yaml',
      '--summary',
      summary,
      '--expect',
      'rolled-back',
    );
    expect(code).toBe(0);
    expect(output).toMatch(/\+2d\s+shift\s+50%\s+25% → 50%/);
    expect(output).toMatch(
      /\+2d2h15m45s\s+rollback\s+0%\s+50% → 0%: error-rate: 0\.07172 > 5% for 5m/,
    );
    expect(output).toContain(
      'Breach began at +2d2h10m45s; the gate failed 5m later; traffic back on stable at +2d2h15m45s.',
    );
    expect(output).toContain('router now blue 100% / green 0%');
    const markdown = readFileSync(summary, 'utf8');
    expect(markdown).toContain('## Rehearsal of nextevent-phased-cutover: rolled-back');
    expect(markdown).toContain('## ❌ Step 50%: fail');
  });

  it('completes the plan on a healthy scenario, riding out a latency blip shorter than for', async () => {
    const { code, output } = await cutover(
      'rehearse',
      NEXTEVENT,
      '--scenario',
      'examples/scenarios/nextevent-healthy.yaml',
      '--expect',
      'done',
    );
    expect(code).toBe(0);
    expect(output).toMatch(/\+11d\s+done\s+100%/);
  });

  it('exits 1 when the outcome is not the expected one', async () => {
    const { code, output } = await cutover(
      'rehearse',
      NEXTEVENT,
      '--scenario',
      'examples/scenarios/nextevent-healthy.yaml',
      '--expect',
      'rolled-back',
    );
    expect(code).toBe(1);
    expect(output).toContain('expected outcome rolled-back, got done');
  });

  it('refuses a scenario series that matches no gate', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cutover-cli-')), 'typo.yaml');
    writeFileSync(file, 'eror-rate:\n  - { from: 0s, to: 1d, value: 0.01 }\n');
    await expect(cutover('rehearse', NEXTEVENT, '--scenario', file)).rejects.toThrow(
      /"eror-rate" match no gate of plan nextevent-phased-cutover; series names: error-rate, error-rate.traffic, p95-latency, db-connection-failures/,
    );
  });

  it('prints usage for an unknown command', async () => {
    expect((await cutover('launch', NEXTEVENT)).code).toBe(2);
  });
});

describe('cutover backtest against a real Prometheus', () => {
  let prometheus: RunningPrometheus;
  let startS = 0;
  beforeAll(async () => {
    startS = Math.floor(Date.now() / 1000 / 3600) * 3600 - 4 * 3600;
    // Two 6-minute spikes of 9% errors, at 20m and 50m.
    const share = (t: number) =>
      (t >= 20 * 60 && t < 26 * 60) || (t >= 50 * 60 && t < 56 * 60) ? 0.09 : 0.01;
    const labels = { app: 'nextevent', track: 'green' };
    prometheus = await startPrometheus({
      openMetrics: counterOpenMetrics(
        [
          {
            name: 'http_requests_total',
            labels: { ...labels, code: '200' },
            ratePerSecond: (t) => 50 * (1 - share(t)),
          },
          {
            name: 'http_requests_total',
            labels: { ...labels, code: '503' },
            ratePerSecond: (t) => 50 * share(t),
          },
        ],
        startS,
        3600,
        15,
      ),
    });
  }, 60_000);
  afterAll(() => prometheus.stop());

  it('reports each time the error-rate gate would have fired', async () => {
    const iso = (s: number) => new Date(s * 1000).toISOString();
    const { code, output } = await cutover(
      'backtest',
      NEXTEVENT,
      '--prometheus',
      prometheus.url,
      '--from',
      iso(startS),
      '--to',
      iso(startS + 3600),
      '--gates',
      'error-rate',
    );
    expect(code).toBe(0);
    const firings = output.split('\n').filter((line) => line.includes('would have failed'));
    expect(firings).toHaveLength(2);
    expect(firings[0]).toMatch(
      /error-rate\s+breach from .*, would have failed at .* \(\+5m\), value 0\.0[89]/,
    );
  });
});
