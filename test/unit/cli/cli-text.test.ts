import { describe, expect, it } from 'vitest';
import { parsePlan, parseThreshold, type GateRule, type Plan } from '@cutover/plan';
import type { Marker } from '@cutover/traffic';
import { closestName } from '../../../packages/cli/src/closest-name.js';
import {
  describeVerdict,
  verdictView,
  type VerdictFields,
} from '../../../packages/cli/src/describe-verdict.js';
import { columns, plain } from '../../../packages/cli/src/plain-text.js';
import { renderStatusText, statusView } from '../../../packages/cli/src/status.js';

describe('closestName', () => {
  it.each([
    ['rehears', 'rehearse'],
    ['stauts', 'status'],
    ['PLAN', 'plan'],
    ['backtets', 'backtest'],
  ])('suggests %s -> %s', (typed, meant) => {
    expect(closestName(typed, ['plan', 'rehearse', 'backtest', 'status'])).toBe(meant);
  });

  it('suggests nothing when no name is close', () => {
    expect(closestName('launch', ['plan', 'rehearse', 'backtest', 'status'])).toBeUndefined();
    expect(closestName('x', ['plan'])).toBeUndefined();
  });

  it('prefers the nearer of two candidates', () => {
    expect(closestName('fromat', ['from', 'format'])).toBe('format');
  });
});

describe('plain text', () => {
  it('aligns columns to the widest cell without trailing spaces', () => {
    expect(
      columns(
        ['a', 'bb'],
        [
          ['long cell', 'x'],
          ['y', ''],
        ],
      ),
    ).toBe(['  a          bb', '  long cell  x', '  y'].join('\n'));
  });

  it('neutralises control characters from outside text, ANSI escapes and newlines included', () => {
    expect(plain('run\u001b[31m-1\nfake line\r')).toBe('run�[31m-1�fake line�');
    expect(columns(['id'], [['a\u001b]0;title\u0007b']])).toBe('  id\n  a�]0;title�b');
  });
});

function rule(threshold: string, forMs = 300_000): GateRule {
  const parsed = parseThreshold(threshold);
  if (parsed === undefined) throw new Error(threshold);
  return {
    name: 'r',
    query: 'q',
    threshold: parsed,
    forMs,
    intervalMs: 15_000,
    initialDelayMs: 0,
    minSamples: 1,
    minTraffic: undefined,
    onNoData: 'inconclusive',
    minCoverage: 0.9,
    maxGapMs: forMs,
    errorBudget: 3,
    relative: undefined,
    severity: 'critical',
    description: undefined,
  };
}

function verdict(fields: Partial<VerdictFields>): VerdictFields {
  return {
    rule: 'r',
    status: 'pass',
    severity: 'critical',
    reason: 'gate reason',
    threshold: '',
    last: undefined,
    worst: undefined,
    samples: 10,
    points: 10,
    errors: 0,
    firedAt: undefined,
    breachSince: undefined,
    ...fields,
  };
}

describe('verdicts in the threshold’s unit', () => {
  it('shows a percentage rule’s breach as a percentage, with how long it held', () => {
    const v = verdict({
      status: 'fail',
      last: 0.08,
      worst: 0.09,
      breachSince: 0,
      firedAt: 300_000,
    });
    expect(describeVerdict(v, rule('> 5%'))).toBe('r 8.0% > 5% for 5m');
    expect(verdictView(v, rule('> 5%'))).toMatchObject({
      threshold: '> 5%',
      lastText: '8.0%',
      worstText: '9.0%',
      breachSince: '1970-01-01T00:00:00.000Z',
      firedAt: '1970-01-01T00:05:00.000Z',
    });
  });

  it('shows a latency rule in milliseconds and a bare number as a number', () => {
    const fired = { status: 'fail' as const, last: 0.312, breachSince: 0, firedAt: 600_000 };
    expect(describeVerdict(verdict(fired), rule('> 200ms', 600_000))).toBe(
      'r 312 ms > 200 ms for 10m',
    );
    expect(describeVerdict(verdict({ ...fired, last: 3 }), rule('> 2', 600_000))).toBe(
      'r 3 > 2 for 10m',
    );
  });

  it('falls back to the gate’s reason for failures that are not a breach, and for unknowns', () => {
    expect(
      describeVerdict(verdict({ status: 'fail', reason: 'query rejected' }), rule('> 5%')),
    ).toBe('r fail: query rejected');
    expect(
      describeVerdict(verdict({ status: 'inconclusive', reason: 'no data' }), rule('> 5%')),
    ).toBe('r inconclusive: no data');
    expect(describeVerdict(verdict({}), rule('> 5%'))).toBe('r pass');
  });
});

describe('status', () => {
  const parsed = parsePlan(
    `version: 1
name: p
strategy: phased
target: { kind: kubernetes, name: api }
router: { kind: file, path: w.json, stable: blue, candidate: green }
metrics: { provider: prometheus, url: http://prometheus:9090 }
steps:
  - { weight: 10, bake: 1h, gates: [] }
  - { weight: 50, bake: 1h, gates: [] }
  - { weight: 100, bake: 1h, gates: [] }
gates: {}
rollback: { on-inconclusive: hold, max-hold: 1h, traffic-timeout: 2m }
`,
    'p.yaml',
  );
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const plan: Plan = parsed.plan;
  const names = { stable: 'blue', candidate: 'green' };
  const marker = (fields: Partial<Marker> & Record<string, unknown> = {}): Marker => ({
    version: 1,
    runId: '9-1',
    step: 50,
    before: { stable: 90, candidate: 10 },
    after: { stable: 50, candidate: 50 },
    state: 'done',
    at: '2026-11-20T10:00:00.000Z',
    ...fields,
  });
  const now = Date.parse('2026-11-20T12:30:00.000Z');

  it('places the marker on the plan’s steps and says how long ago it was written', () => {
    const view = statusView(
      plan,
      [{ object: 'file w.json', weights: { stable: 50, candidate: 50 }, marker: marker() }],
      now,
    );
    expect(view.cutover).toMatchObject({
      step: { number: 2, of: 3, weight: 50 },
      ageMs: 9_000_000,
    });
    const text = renderStatusText(plan, view, names);
    expect(text).toContain('p: step 2 of 3 (50% to the candidate), state done (verified)');
    expect(text).toContain('run 9-1, since 2026-11-20T10:00:00.000Z (2h30m ago)');
    expect(text).toContain('last verdict: not recorded');
  });

  it('shows a verdict when the marker records one', () => {
    const view = statusView(
      plan,
      [
        {
          object: 'o',
          weights: { stable: 50, candidate: 50 },
          marker: marker({
            verdict: { status: 'pass', reason: '3 rules passed', at: '2026-11-20T10:00:00Z' },
          }),
        },
      ],
      now,
    );
    expect(renderStatusText(plan, view, names)).toContain('last verdict: pass: 3 rules passed');
  });

  it('notices weights changed by hand and objects whose markers disagree', () => {
    const view = statusView(
      plan,
      [
        { object: 'a', weights: { stable: 70, candidate: 30 }, marker: marker() },
        { object: 'b', weights: { stable: 90, candidate: 10 }, marker: marker({ step: 10 }) },
      ],
      now,
    );
    expect(view.targets[0]?.changedByHand).toBe(true);
    expect(view.disagreements).toEqual(['b']);
    const text = renderStatusText(plan, view, names);
    expect(text).toContain('the marker says blue 50% / green 50%: changed by hand since');
    expect(text).toContain('disagree with the first one');
  });

  it('names a weight that is no step of the plan, and 0% as back on stable', () => {
    const at = (step: number, state: Marker['state']) =>
      renderStatusText(
        plan,
        statusView(
          plan,
          [
            {
              object: 'o',
              weights: { stable: 100 - step, candidate: step },
              marker: marker({ step, state }),
            },
          ],
          now,
        ),
        names,
      );
    expect(at(30, 'done')).toContain(
      '30% to the candidate, which is no step of the plan (10, 50, 100)',
    );
    expect(at(0, 'rolled-back')).toContain(
      'back on stable (0% to the candidate), state rolled-back',
    );
  });
});
