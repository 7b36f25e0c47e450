import { describe, expect, it } from 'vitest';
import {
  nextStep,
  parsePlan,
  type GateOutcome,
  type ObservedState,
  type Plan,
} from '@cutover/plan';

const result = parsePlan(`version: 1
name: t
strategy: phased
target: { kind: file, name: app }
router: { kind: file, path: w.json }
metrics: { provider: file, path: m.yaml }
steps:
  - { weight: 10, bake: 1h, gates: [errors] }
  - { weight: 50, bake: 1h, gates: [errors] }
  - { weight: 100, bake: 2h, gates: [errors] }
gates:
  errors: { query: x, threshold: '> 5%', for: 5m }
rollback: { max-hold: 30m }
`);
if (!result.ok) throw new Error(result.errors.join('\n'));
const plan: Plan = result.plan;
const H = 3_600_000;
const pass: GateOutcome = { status: 'pass', reason: 'ok' };
const observed = (
  candidateWeight: number,
  startedAgo: number | undefined,
  rolledBack = false,
): ObservedState => ({
  candidateWeight,
  stepStartedAt: startedAgo === undefined ? undefined : 10 * H - startedAgo,
  now: 10 * H,
  rolledBack,
});

describe('nextStep', () => {
  it('starts with the first step', () => {
    expect(nextStep(plan, observed(0, undefined), undefined)).toMatchObject({
      kind: 'shift',
      weight: 10,
      stepIndex: 0,
    });
  });

  it('holds until the bake is over', () => {
    expect(nextStep(plan, observed(10, 0.5 * H), pass)).toMatchObject({
      kind: 'hold',
      untilMs: 10.5 * H,
      reason: 'baking 10% for 30m more',
    });
  });

  it('shifts to the next weight after a passing bake, never skipping a step', () => {
    expect(nextStep(plan, observed(10, H), pass)).toMatchObject({
      kind: 'shift',
      weight: 50,
      stepIndex: 1,
    });
    expect(nextStep(plan, observed(50, H), pass)).toMatchObject({ kind: 'shift', weight: 100 });
  });

  it('is done after the last bake passes', () => {
    expect(nextStep(plan, observed(100, 2 * H), pass).kind).toBe('done');
  });

  it('rolls back on a failed gate at any time, even mid-bake', () => {
    expect(
      nextStep(plan, observed(50, 0.1 * H), { status: 'fail', reason: 'errors: 8% > 5% for 5m' }),
    ).toEqual({ kind: 'rollback', reason: 'errors: 8% > 5% for 5m' });
  });

  it('holds on inconclusive gates, then rolls back after max-hold', () => {
    const unknown: GateOutcome = { status: 'inconclusive', reason: 'no data' };
    expect(nextStep(plan, observed(10, H + 10 * 60_000), unknown)).toMatchObject({
      kind: 'hold',
      reason: 'gates inconclusive: no data',
    });
    expect(nextStep(plan, observed(10, H + 30 * 60_000), unknown)).toMatchObject({
      kind: 'rollback',
    });
  });

  it('asks a human when the observed weight is not a step of the plan', () => {
    expect(nextStep(plan, observed(33, H), pass)).toMatchObject({ kind: 'hold', needsHuman: true });
  });

  it('stays rolled back', () => {
    expect(nextStep(plan, observed(0, undefined, true), pass).kind).toBe('rolled-back');
  });

  it('is idempotent: the same observation gives the same decision', () => {
    for (const [weight, ago] of [
      [0, undefined],
      [10, 0.2 * H],
      [10, H],
      [50, 2 * H],
      [100, 3 * H],
    ] as const)
      expect(nextStep(plan, observed(weight, ago), pass)).toEqual(
        nextStep(plan, observed(weight, ago), pass),
      );
  });
});
