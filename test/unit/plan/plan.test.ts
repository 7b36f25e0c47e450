import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  formatDuration,
  parseDuration,
  parsePlan,
  parseThreshold,
  planTimeline,
  type Plan,
} from '@cutover/plan';

const example = (name: string) =>
  readFileSync(new URL(`../../../examples/plans/${name}`, import.meta.url), 'utf8');
const load = (text: string): Plan => {
  const result = parsePlan(text, 'plan.yaml');
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.plan;
};
const minimal = (steps: string, extra = '') => `version: 1
name: t
strategy: phased
target: { kind: file, name: app }
router: { kind: file, path: w.json }
metrics: { provider: file, path: m.yaml }
steps:
${steps}
gates:
  errors: { query: 'x', threshold: '> 5%', for: 5m }
${extra}`;

describe('durations and thresholds', () => {
  it.each([
    ['90s', 90_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['2d', 172_800_000],
    ['1w', 604_800_000],
    ['250ms', 250],
    ['0', 0],
  ])('parses %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
  it.each(['', '5', 'm5', '5 minutes', '-1m', '5m garbage'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
  it('formats durations compactly', () => {
    expect([
      formatDuration(5_400_000),
      formatDuration(86_400_000 * 7),
      formatDuration(15_000),
    ]).toEqual(['1h30m', '7d', '15s']);
  });
  it('converts percentages to fractions and milliseconds to seconds', () => {
    expect(parseThreshold('> 5%')).toEqual({
      comparison: '>',
      value: 0.05,
      unit: '%',
      text: '> 5%',
    });
    expect(parseThreshold('>200ms')?.value).toBe(0.2);
    expect(parseThreshold('<= 80%')?.comparison).toBe('<=');
    expect(parseThreshold('about 5')).toBeUndefined();
  });
});

describe('parsePlan', () => {
  it('loads both seed plans', () => {
    const nextevent = load(example('nextevent-phased.yaml'));
    expect(nextevent.steps.map((s) => s.weight)).toEqual([10, 25, 50, 75, 100]);
    expect(nextevent.gates['error-rate']).toMatchObject({
      forMs: 300_000,
      threshold: { value: 0.05 },
      intervalMs: 15_000,
      severity: 'critical',
      onNoData: 'inconclusive',
    });
    expect(nextevent.gates['p95-latency']?.threshold.value).toBe(0.2);
    const ltc = load(example('lightning-talk-circle-blue-green.yaml'));
    expect(ltc.strategy).toBe('blue-green');
    expect(ltc.gates['api-p95-warning']?.severity).toBe('warning');
  });

  it('reports every problem with its path, the value and what is allowed', () => {
    const result = parsePlan(
      minimal(
        `  - { weight: 50, bake: 1d, gates: [errors] }
  - { weight: fifty, bake: soon, gates: [latency] }
  - { weight: 25, bake: 1h }`,
        'rollback: { on-inconclusive: shrug }',
      ),
      'plan.yaml',
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors).toEqual([
      'plan.yaml: steps[1].weight: expected a whole percentage from 1 to 100, got "fifty"',
      'plan.yaml: steps[1].bake: expected a duration like "90s", "5m", "1h30m" or "2d", got "soon"',
      'plan.yaml: steps[1].gates: gate "latency" is not defined under gates; defined: errors',
      'plan.yaml: rollback.on-inconclusive: expected one of hold, rollback, got "shrug"',
    ]);
  });

  it('refuses weights that do not ascend to 100', () => {
    const result = parsePlan(minimal('  - { weight: 50, bake: 1h }\n  - { weight: 25, bake: 1h }'));
    expect(!result.ok && result.errors).toEqual([
      'plan: steps[1].weight: weights must ascend, got 50 -> 25',
      'plan: steps[1].weight: the last step must send 100% to the candidate, got 25',
    ]);
  });

  it('refuses a blue-green plan with several steps and a phased plan with one', () => {
    const blueGreen = parsePlan(
      minimal('  - { weight: 50, bake: 1h }\n  - { weight: 100, bake: 1h }').replace(
        'phased',
        'blue-green',
      ),
    );
    expect(!blueGreen.ok && blueGreen.errors[0]).toContain('a blue-green plan switches once');
    const phased = parsePlan(minimal('  - { weight: 100, bake: 1h }'));
    expect(!phased.ok && phased.errors[0]).toContain('a phased plan needs at least two steps');
  });

  it('refuses bad gate definitions precisely', () => {
    const result = parsePlan(
      minimal(
        '  - { weight: 50, bake: 1h, gates: [errors] }\n  - { weight: 100, bake: 1h }',
        '',
      ).replace(
        "errors: { query: 'x', threshold: '> 5%', for: 5m }",
        "errors: { query: '', threshold: 'high', for: 5m, interval: 100ms, on-no-data: ignore, colour: red }",
      ),
    );
    expect(!result.ok && result.errors).toEqual([
      'plan: gates.errors.colour: unknown key; allowed: query, template, params, threshold, for, interval, initial-delay, min-samples, min-traffic, on-no-data, min-coverage, max-gap, error-budget, relative, severity, description',
      'plan: gates.errors.query: expected a PromQL expression or a CloudWatch query mapping, got ""',
      'plan: gates.errors.threshold: expected a comparison like "> 5%", "> 200ms" or ">= 0.05", got "high"',
      'plan: gates.errors.interval: expected at least 1s, got "100ms"',
      'plan: gates.errors.on-no-data: expected one of fail, inconclusive, pass, got "ignore"',
    ]);
  });

  it('requires for to be a multiple of interval, so a breach is noticed within one interval', () => {
    const result = parsePlan(
      minimal(
        '  - { weight: 50, bake: 1h, gates: [errors] }\n  - { weight: 100, bake: 1h }',
      ).replace('for: 5m }', 'for: 5m, interval: 40s }'),
    );
    expect(!result.ok && result.errors).toEqual([
      'plan: gates.errors.for: 5m is not a multiple of the interval 40s; use e.g. 5m20s',
    ]);
  });

  it('refuses a plan whose worst case breach-to-stable exceeds its target', () => {
    const result = parsePlan(
      minimal(
        '  - { weight: 50, bake: 1h, gates: [errors] }\n  - { weight: 100, bake: 1h }',
        'rollback: { traffic-timeout: 2m, max-time-to-stable: 5m }',
      ),
    );
    expect(!result.ok && result.errors).toEqual([
      'plan: rollback.max-time-to-stable: the worst case from a breach to traffic on stable is 7m15s (gate "errors"), over the target 5m; shorten its for/interval or the traffic-timeout',
    ]);
  });

  it('explains broken YAML', () => {
    const result = parsePlan('steps: [1, 2', 'bad.yaml');
    expect(!result.ok && result.errors[0]).toMatch(/^bad\.yaml: YAML /);
  });
});

describe('planTimeline', () => {
  it('computes the NextEvent timeline: 11 days, worst case 12m15s from breach to stable', () => {
    const timeline = planTimeline(load(example('nextevent-phased.yaml')));
    expect(timeline.steps.map((s) => [s.weight, formatDuration(s.startsAtMs)])).toEqual([
      [10, '0s'],
      [25, '1d'],
      [50, '2d'],
      [75, '3d'],
      [100, '4d'],
    ]);
    expect(formatDuration(timeline.expectedDurationMs)).toBe('11d');
    // p95 for 10m + one 15s interval to notice + 2m to move traffic back.
    expect(formatDuration(timeline.worstCaseBreachToStableMs)).toBe('12m15s');
    expect(timeline.slowestGate).toBe('p95-latency');
  });
});
