import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVirtualClock, systemClock, type Clock } from '@cutover/kit';
import { createMemoryKit, failureMessage } from '@cutover/action-kit';
import { main } from '../../actions/gate-metrics/src/main.js';
import { LIVE_ERROR_RATE, LiveExporter } from '../support/live-exporter.js';
import { mermaidBlocks, parseMermaid } from '../support/mermaid.js';
import {
  counterOpenMetrics,
  startPrometheus,
  type RunningPrometheus,
} from '../support/prometheus.js';

const T0 = Date.UTC(2026, 5, 1);
const M = 60_000;

/** A workspace with a plan (file provider unless told otherwise) and recorded samples. */
function workspace(plan: string, samples = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-gate-'));
  writeFileSync(join(dir, 'plan.yaml'), plan);
  writeFileSync(join(dir, 'samples.yaml'), samples);
  return dir;
}

const plan = (
  metrics: string,
  gates = "  errors: { query: errors, threshold: '> 5%', for: 5m, interval: 15s, min-samples: 4 }\n  latency: { query: latency, threshold: '> 200ms', for: 10m, interval: 15s, severity: warning }",
) => `version: 1
name: shop
strategy: phased
target: { kind: file, name: shop }
router: { kind: file, path: w.json, stable: stable, candidate: candidate }
metrics: ${metrics}
steps:
  - { weight: 10, bake: 30m, gates: [errors, latency] }
  - { weight: 100, bake: 1h, gates: [errors] }
gates:
${gates}
`;

async function run(
  dir: string,
  inputs: Record<string, string>,
  clock: Clock = createVirtualClock(T0),
) {
  const kit = createMemoryKit({
    inputs: { plan: 'plan.yaml', ...inputs },
    env: { GITHUB_WORKSPACE: dir },
    clock,
  });
  let failure: string | undefined;
  try {
    await main(kit);
  } catch (error) {
    failure = failureMessage(error);
  }
  return { kit, failure };
}

describe('gate-metrics on recorded samples', () => {
  const samples = `errors:\n  - { from: 0s, to: 10m, value: 0.01 }\n  - { from: 10m, to: 20m, value: 0.09 }\n  - { from: 20m, to: 2h, value: 0.01 }\nlatency:\n  - { from: 0s, to: 2h, value: 0.35 }\n`;
  const dir = workspace(
    plan(`{ provider: file, path: samples.yaml, start: '${new Date(T0).toISOString()}' }`),
    samples,
  );

  it('watch mode fails as soon as the breach has lasted its for window', async () => {
    const { kit, failure } = await run(dir, { step: '1' });
    expect(failure).toBe('gate failed: errors: 9.0% > 5% for 5m');
    expect(kit.outputs.verdict).toBe('fail');
    // One line for the deployment status: each rule's last value.
    expect(kit.outputs.headline).toBe('gates fail: errors 9.0%, latency 350 ms');
    const results = JSON.parse(kit.outputs.results ?? '[]') as {
      rule: string;
      status: string;
      severity: string;
      firedAt: string | null;
    }[];
    expect(results.find((r) => r.rule === 'errors')).toMatchObject({
      status: 'fail',
      firedAt: new Date(T0 + 15 * M).toISOString(),
    });
    // The warning rule breached too and says so, but a warning never fails the gate.
    expect(results.find((r) => r.rule === 'latency')).toMatchObject({
      status: 'fail',
      severity: 'warning',
    });
  });

  it('writes a summary with each rule against its threshold and a chart', async () => {
    const { kit } = await run(dir, { weight: '10' });
    const lines = kit.summary.split('\n').filter((line) => line !== '');
    expect(lines[0]).toBe('## ❌ Gates errors, latency \\(watch, step 1: 10%\\): fail');
    expect(lines[1]).toBe('**Step fails: gate failed: errors: 9.0% &gt; 5% for 5m.**');
    expect(kit.summary).toContain(
      '| errors | critical | ❌ fail | &gt; 5% | 5m | 9.0% | 9.0% | 61 of 61 | 100% | 9.0% &gt; 5% for 5m |',
    );
    expect(kit.summary).toContain(
      '| latency | warning | ❌ fail | &gt; 200 ms | 10m | 350 ms | 350 ms | 41 of 41 | 100% | 350 ms &gt; 200 ms for 10m |',
    );
    expect(kit.summary).toContain(
      '- **errors** (critical): breach began 2026-06-01T00:10:00Z (+10m), rule fired 2026-06-01T00:15:00Z (+15m); window 2026-06-01T00:00:00Z → 2026-06-01T00:15:00Z.',
    );
    const charts = mermaidBlocks(kit.summary);
    expect(charts).toHaveLength(2);
    for (const chart of charts) await parseMermaid(chart);
  });

  it('shadow mode reports the failure but does not fail the step', async () => {
    const { kit, failure } = await run(dir, { step: '1', shadow: 'true' });
    expect(failure).toBeUndefined();
    expect(kit.outputs.verdict).toBe('fail');
    expect(
      kit.logs.some(
        (l) => l.level === 'warning' && l.message.startsWith('shadow gate would have failed'),
      ),
    ).toBe(true);
  });

  it('check mode judges a finished window: a day later, the bake of step 100 ending at 1h passes', async () => {
    const clock = createVirtualClock(T0 + 24 * 60 * M);
    const { kit, failure } = await run(
      dir,
      { mode: 'check', step: '2', to: new Date(T0 + 2 * 60 * M).toISOString() },
      clock,
    );
    expect(failure).toBeUndefined();
    expect(kit.outputs).toMatchObject({ verdict: 'pass', queries: '1' });
  });

  it('refuses bad inputs before querying anything, naming the input and what is allowed', async () => {
    expect((await run(dir, { weight: '50' })).failure).toBe(
      "input 'weight': the plan has no step of weight 50; steps: 10, 100",
    );
    expect((await run(dir, { gates: 'errors, typo' })).failure).toBe(
      'input \'gates\': "typo" not defined in plan.yaml; gates: errors, latency',
    );
    expect((await run(dir, { gates: 'errors' })).failure).toBe(
      "mode watch needs input 'duration' (like \"30m\") or input 'step' (its bake is the duration)",
    );
    expect((await run(dir, { gates: 'errors', duration: 'soon' })).failure).toBe(
      `input 'duration': expected a duration like "30m" or "1d", got "soon"`,
    );
    expect(
      (await run(dir, { mode: 'check', gates: 'errors', from: '1h', to: '2h' })).failure,
    ).toMatch(/input 'from' must be before input 'to'/);
    expect((await run(dir, { mode: 'check', gates: 'errors', from: 'yesterday' })).failure).toBe(
      `input 'from': expected an ISO 8601 time like "2026-11-20T10:00:00Z", a duration ago like "24h", or "now", got "yesterday"`,
    );
    expect((await run(dir, { mode: 'sometimes' })).failure).toBe(
      `input 'mode': expected one of watch, check, got "sometimes"`,
    );
  });

  it.each([
    [
      { step: '10' },
      "input 'step': 10 is not a step number (the plan has steps 1-2); step now means the plan step: for the 10% step write step: 1, or weight: 10",
    ],
    [
      { step: '50' },
      'input \'step\': 50 is not a step number (the plan has steps 1-2); expected "current" or a step number from 1 to 2 (step means the plan step, weight a percentage: 10%, 100%)',
    ],
    [
      { step: 'next' },
      `input 'step': "next" has no gates yet; gates judge the step traffic is at: write step: current, or the step's number`,
    ],
    [{ step: '1', weight: '10' }, "give at most one of input 'step' and input 'weight'"],
    [{ weight: '10%' }, `input 'weight': expected a whole percentage from 0 to 100, got "10%"`],
  ])('refuses step/weight %j, saying what to write instead', async (inputs, message) => {
    expect((await run(dir, inputs)).failure).toBe(message);
  });

  it('step current reads the step and its start from the marker on the router target', async () => {
    const here = workspace(
      plan(`{ provider: file, path: samples.yaml, start: '${new Date(T0).toISOString()}' }`),
      samples,
    );
    const marker = {
      version: 1,
      runId: '41-1',
      step: 100,
      before: { stable: 90, candidate: 10 },
      after: { stable: 0, candidate: 100 },
      state: 'done',
      at: new Date(T0 + 30 * M).toISOString(),
      stepStartedAt: new Date(T0 + 30 * M).toISOString(),
    };
    writeFileSync(
      join(here, 'w.json'),
      JSON.stringify({ stable: 0, candidate: 100, 'cutover.dev/traffic': marker }),
    );
    // A day later, check mode judges step 2's bake from when it began, not the hour before `to`.
    const { kit, failure } = await run(
      here,
      { mode: 'check', step: 'current', to: new Date(T0 + 70 * M).toISOString() },
      createVirtualClock(T0 + 24 * 60 * M),
    );
    expect(failure).toBeUndefined();
    expect(kit.summary).toContain('(check, step 2: 100%\\): pass');
    expect(kit.summary).toContain('Window 2026-06-01T00:30:00Z → 2026-06-01T01:10:00Z (40m)');
  });

  it('step current on a target with no cutover step refuses, naming the weight', async () => {
    const here = workspace(plan('{ provider: file, path: samples.yaml }'));
    writeFileSync(join(here, 'w.json'), JSON.stringify({ stable: 100, candidate: 0 }));
    expect((await run(here, { step: 'current' })).failure).toContain(
      'has 0% on the candidate, which is no step of the plan (10, 100); no step is being baked',
    );
  });

  it('refuses an invalid plan with every problem listed', async () => {
    const bad = workspace(
      plan('{ provider: file, path: samples.yaml }').replace('weight: 100', 'weight: 5'),
    );
    expect((await run(bad, { step: '1' })).failure).toBe(
      "input 'plan': plan.yaml is not a valid plan:\nplan.yaml: steps[1].weight: weights must ascend, got 10 -> 5\nplan.yaml: steps[1].weight: the last step must send 100% to the candidate, got 5",
    );
  });
});

describe('gate-metrics: an inconclusive verdict is never a green check', () => {
  const stops = `errors:\n  - { from: 0s, to: 40m, value: 0.01 }\n`;
  const fileMetrics = `{ provider: file, path: samples.yaml, start: '${new Date(T0).toISOString()}' }`;
  const gate = (extra = '') =>
    `  errors: { query: errors, threshold: '> 5%', for: 5m, interval: 15s${extra} }\n  latency: { query: latency, threshold: '> 200ms', severity: warning }`;
  const withPolicy = (policy: string, extra = '') =>
    `${plan(fileMetrics, gate(extra))}rollback: ${policy}\n`;
  const checkInputs = { mode: 'check', step: '2', to: new Date(T0 + 60 * M).toISOString() };
  const later = () => createVirtualClock(T0 + 24 * 60 * M);

  it('check mode fails the step on missing data and says what to do', async () => {
    const { kit, failure } = await run(
      workspace(plan(fileMetrics, gate()), stops),
      checkInputs,
      later(),
    );
    expect(kit.outputs.verdict).toBe('inconclusive');
    expect(failure).toBe(
      "gates inconclusive in check mode: errors: no data for the last 20m15s (max-gap 5m); data at 66.3% of points (min 90%). An inconclusive gate never passes a step: check that the candidate reports data for the whole window (the summary lists coverage and gaps) and rerun, or set allow-inconclusive: true to continue and act on the 'verdict' output",
    );
    expect(kit.summary.split('\n')[2]).toMatch(/^\*\*Step fails: gates inconclusive in check mode/);
    expect(kit.summary).toContain('### Gaps in the data');
  });

  it('check mode continues on an inconclusive verdict only when allow-inconclusive opts in', async () => {
    const { kit, failure } = await run(
      workspace(plan(fileMetrics, gate()), stops),
      { ...checkInputs, 'allow-inconclusive': 'true' },
      later(),
    );
    expect(failure).toBeUndefined();
    expect(kit.outputs.verdict).toBe('inconclusive');
    expect(kit.logs).toContainEqual(
      expect.objectContaining({
        level: 'warning',
        message: expect.stringMatching(/continuing \(allow-inconclusive: true\)$/) as unknown,
      }),
    );
  });

  it('watch mode with on-inconclusive: rollback fails the step when the bake ends inconclusive', async () => {
    const dir = workspace(withPolicy('{ on-inconclusive: rollback }'), stops);
    const { kit, failure } = await run(dir, { gates: 'errors', duration: '1h' });
    expect(kit.outputs.verdict).toBe('inconclusive');
    expect(failure).toMatch(
      /^gates inconclusive after the bake \(rollback\.on-inconclusive: rollback\): errors: no data for the last 20m/,
    );
  });

  it('watch mode with on-no-data: fail stops as soon as the gap passes max-gap', async () => {
    const clock = createVirtualClock(T0);
    const dir = workspace(plan(fileMetrics, gate(', on-no-data: fail')), stops);
    const { kit, failure } = await run(dir, { gates: 'errors', duration: '1h' }, clock);
    expect(failure).toBe(
      'gate failed: errors: no data for the last 5m15s (max-gap 5m); on-no-data: fail',
    );
    expect(kit.outputs.verdict).toBe('fail');
    expect(clock.now()).toBe(T0 + 45 * M);
  });

  it('watch mode with on-inconclusive: hold keeps watching until enough data arrives', async () => {
    const clock = createVirtualClock(T0);
    const dir = workspace(
      withPolicy('{ on-inconclusive: hold, max-hold: 1h }', ', min-samples: 200'),
      'errors:\n  - { from: 0s, to: 3h, value: 0.01 }\n',
    );
    const { kit, failure } = await run(dir, { gates: 'errors', duration: '30m' }, clock);
    expect(failure).toBeUndefined();
    expect(kit.outputs.verdict).toBe('pass');
    // 121 samples in the bake; the 200th comes 79 intervals later.
    expect(clock.now()).toBe(T0 + 30 * M + 79 * 15_000);
    expect(kit.logs.map((l) => l.message)).toContain(
      'the bake ended inconclusive; holding for data until 2026-06-01T01:30:00Z (rollback.on-inconclusive: hold, max-hold 1h)',
    );
  });

  it('watch mode with on-inconclusive: hold ends at max-hold and fails the step', async () => {
    const clock = createVirtualClock(T0);
    const dir = workspace(
      withPolicy('{ on-inconclusive: hold, max-hold: 20m }', ', min-samples: 1000'),
      'errors:\n  - { from: 0s, to: 3h, value: 0.01 }\n',
    );
    const { failure } = await run(dir, { gates: 'errors', duration: '30m' }, clock);
    expect(failure).toMatch(
      /^gates inconclusive after the bake and 20m of holding for data \(rollback\.max-hold 20m\): errors: 201 of 1000 samples needed/,
    );
    expect(clock.now()).toBe(T0 + 50 * M);
  });
});

describe('gate-metrics against a real Prometheus', () => {
  let history: RunningPrometheus;
  let live: RunningPrometheus;
  let exporter: LiveExporter;
  let startS = 0;

  beforeAll(async () => {
    startS = Math.floor(Date.now() / 1000 / 3600) * 3600 - 4 * 3600;
    const errorShare = (t: number) => (t >= 40 * 60 && t < 47 * 60 ? 0.2 : 0.01);
    history = await startPrometheus({
      openMetrics: counterOpenMetrics(
        [
          {
            name: 'app_requests_total',
            labels: { code: '200' },
            ratePerSecond: (t) => 100 * (1 - errorShare(t)),
          },
          {
            name: 'app_requests_total',
            labels: { code: '500' },
            ratePerSecond: (t) => 100 * errorShare(t),
          },
        ],
        startS,
        3600,
        15,
      ),
    });
    exporter = await new LiveExporter().start();
    live = await startPrometheus({ scrapeTargets: [exporter.target], scrapeIntervalS: 1 });
  }, 60_000);
  afterAll(async () => {
    await Promise.all([history.stop(), live.stop(), exporter.stop()]);
  });

  const promPlan = (url: string, forWindow: string, interval: string) =>
    plan(
      `{ provider: prometheus, url: '${url}' }`,
      `  errors: { query: '${LIVE_ERROR_RATE.replace(/\[5s\]/g, '[1m]')}', threshold: '> 5%', for: ${forWindow}, interval: ${interval}, min-samples: 3 }\n  latency: { query: 'vector(0.1)', threshold: '> 200ms', for: ${forWindow}, interval: ${interval} }`,
    );

  it('check mode finds the 7-minute error spike in the recorded hour; the token is masked', async () => {
    const dir = workspace(promPlan('http://replaced.invalid', '5m', '15s'));
    const { kit, failure } = await run(
      dir,
      {
        mode: 'check',
        gates: 'errors',
        from: new Date(startS * 1000).toISOString(),
        to: new Date((startS + 3600) * 1000).toISOString(),
        'prometheus-url': history.url,
        'prometheus-token': 'prom-secret',
      },
      systemClock,
    );
    expect(failure).toMatch(/^gate failed: errors: 20\.0% > 5% for 5m$/);
    expect(kit.masked).toContain('prom-secret');
  });

  it('watch mode against live scrapes: passes while healthy, fails once the breach lasts for', async () => {
    const livePlan = promPlan(live.url, '3s', '1s').replace(/\[1m\]/g, '[5s]');
    const dir = workspace(livePlan);
    await new Promise((resolve) => setTimeout(resolve, 6000)); // let rate() over 5s have data
    const healthy = await run(dir, { gates: 'errors', duration: '4s' }, systemClock);
    expect(healthy.kit.outputs.verdict).toBe('pass');
    exporter.setErrorShare(0.5);
    const breached = await run(dir, { gates: 'errors', duration: '60s' }, systemClock);
    exporter.setErrorShare(0.01);
    expect(breached.failure).toMatch(/^gate failed: errors: .* > 5% for [345]s/);
    expect(Number(breached.kit.outputs.queries)).toBeLessThan(30);
  }, 90_000);
});
