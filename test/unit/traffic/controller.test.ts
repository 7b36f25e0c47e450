import { describe, expect, it } from 'vitest';
import { ConfigError, Refusal, createVirtualClock } from '@cutover/kit';
import { parsePlan, type GateOutcome, type Plan, type Weights } from '@cutover/plan';
import {
  chooseMove,
  decideNext,
  observeCutover,
  planHash,
  readCutover,
  shiftTraffic,
  type CutoverState,
  type DecisionContext,
  type Marker,
} from '@cutover/traffic';
import { MemoryTarget, memoryObject } from '../../support/memory-target.js';

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
const HASH = planHash(plan);
const H = 3_600_000;
const NOW = Date.UTC(2026, 10, 22, 10);
const pass: GateOutcome = { status: 'pass', reason: 'ok' };
const at = (candidate: number): Weights => ({ stable: 100 - candidate, candidate });
const iso = (t: number) => new Date(t).toISOString();

/** A target at `candidate`% whose marker says the step began `startedAgo` before NOW. */
function observed(
  candidate: number,
  startedAgo: number | undefined,
  overrides: Partial<Marker> = {},
): CutoverState {
  const marker: Marker | undefined =
    startedAgo === undefined
      ? undefined
      : {
          version: 1,
          runId: 'run-1',
          step: candidate,
          before: at(0),
          after: at(candidate),
          state: 'done',
          at: iso(NOW - startedAgo),
          planHash: HASH,
          stepStartedAt: iso(NOW - startedAgo),
          ...overrides,
        };
  return observeCutover(plan, [{ object: 'route', weights: at(candidate), marker }]);
}
const context = (overrides: Partial<DecisionContext> = {}): DecisionContext => ({
  now: NOW,
  runId: 'run-2',
  planHash: HASH,
  verdict: pass,
  ...overrides,
});

describe('observeCutover', () => {
  it('reads step number, weight, start, run, plan hash and verdict from the marker', () => {
    const state = observed(50, 0.5 * H, { verdict: { status: 'pass', at: iso(NOW - H) } });
    expect(state).toMatchObject({
      step: { number: 2, weight: 50 },
      stepStartedAt: NOW - 0.5 * H,
      runId: 'run-1',
      planHash: HASH,
      verdict: { status: 'pass' },
      rolledBack: false,
      disagreements: [],
    });
  });

  it('reads a marker written before stepStartedAt existed: a verified move began its bake at `at`', () => {
    const rest: Marker = { ...(observed(10, H).marker as Marker) };
    delete rest.stepStartedAt;
    delete rest.planHash;
    const state = observeCutover(plan, [{ object: 'route', weights: at(10), marker: rest }]);
    expect(state.stepStartedAt).toBe(NOW - H);
    expect(state.planHash).toBeUndefined();
  });

  it('lists the objects that disagree with the first', () => {
    const first = observed(10, H).marker;
    const state = observeCutover(plan, [
      { object: 'a', weights: at(10), marker: first },
      { object: 'b', weights: at(0), marker: undefined },
    ]);
    expect(state.disagreements).toEqual(['b']);
  });
});

describe('decideNext', () => {
  it('starts with the first step on a fresh target', () => {
    expect(decideNext(plan, observed(0, undefined), context({ verdict: undefined }))).toMatchObject(
      {
        kind: 'shift',
        weight: 10,
        step: 1,
      },
    );
  });

  it('holds until the bake is over, saying until when', () => {
    expect(decideNext(plan, observed(10, 0.5 * H), context())).toMatchObject({
      kind: 'hold',
      untilMs: NOW + 0.5 * H,
      needsHuman: false,
      reason: 'baking step 1 (10%) for 30m more',
    });
  });

  it('shifts to the next step after a passing bake, never skipping a step', () => {
    expect(decideNext(plan, observed(10, H), context())).toMatchObject({
      kind: 'shift',
      weight: 50,
      step: 2,
    });
    expect(decideNext(plan, observed(50, H), context())).toMatchObject({
      kind: 'shift',
      weight: 100,
      step: 3,
    });
  });

  it('is done after the last bake passes', () => {
    expect(decideNext(plan, observed(100, 2 * H), context()).kind).toBe('done');
  });

  it('rolls back on a failed gate at any time, even mid-bake', () => {
    const fail: GateOutcome = { status: 'fail', reason: 'errors: 8% > 5% for 5m' };
    expect(decideNext(plan, observed(50, 0.1 * H), context({ verdict: fail }))).toEqual({
      kind: 'rollback',
      reason: 'errors: 8% > 5% for 5m',
    });
  });

  it('holds on inconclusive gates, then rolls back after max-hold', () => {
    const unknown: GateOutcome = { status: 'inconclusive', reason: 'no data' };
    expect(
      decideNext(plan, observed(10, H + 10 * 60_000), context({ verdict: unknown })),
    ).toMatchObject({
      kind: 'hold',
      reason: 'gates inconclusive: no data',
      untilMs: NOW + 20 * 60_000,
    });
    expect(
      decideNext(plan, observed(10, H + 30 * 60_000), context({ verdict: unknown })),
    ).toMatchObject({
      kind: 'rollback',
    });
  });

  it('asks a human when the weight is no step of the plan', () => {
    expect(decideNext(plan, observed(33, H), context())).toMatchObject({
      kind: 'hold',
      needsHuman: true,
    });
  });

  it('stays rolled back, whatever the verdict, until a human starts again at step 1', () => {
    const rolled = observed(0, H, { state: 'rolled-back', before: at(50), after: at(0) });
    expect(decideNext(plan, rolled, context()).kind).toBe('rolled-back');
    expect(
      decideNext(plan, rolled, context({ verdict: { status: 'fail', reason: 'x' } })).kind,
    ).toBe('rolled-back');
    expect(() => chooseMove(plan, rolled, { kind: 'next' }, context())).toThrow(Refusal);
    expect(chooseMove(plan, rolled, { kind: 'step', number: 1 }, context())).toMatchObject({
      weight: 10,
    });
  });

  it('asks a human when the plan changed since the cutover began', () => {
    const decision = decideNext(plan, observed(10, H), context({ planHash: 'ffffffffffff' }));
    expect(decision).toMatchObject({ kind: 'hold', needsHuman: true });
    expect(decision.reason).toContain(
      `the plan changed since run run-1 moved traffic to 10% (plan ${HASH}, now ffffffffffff)`,
    );
    // A new cutover from 0% follows whatever plan there is now.
    expect(
      decideNext(plan, observed(0, undefined), context({ planHash: 'ffffffffffff' })).kind,
    ).toBe('shift');
  });

  it('finishes its own interrupted shift; holds for another run that is shifting', () => {
    const shifting = observed(50, 0.1 * H, { state: 'shifting', before: at(10), after: at(50) });
    expect(decideNext(plan, shifting, context({ runId: 'run-1' }))).toMatchObject({
      kind: 'shift',
      weight: 50,
      step: 2,
    });
    expect(decideNext(plan, shifting, context())).toMatchObject({
      kind: 'hold',
      needsHuman: false,
    });
  });

  it('is idempotent: the same observation gives the same decision', () => {
    for (const [weight, ago] of [
      [0, undefined],
      [10, 0.2 * H],
      [10, H],
      [50, 2 * H],
      [100, 3 * H],
    ] as const)
      expect(decideNext(plan, observed(weight, ago), context())).toEqual(
        decideNext(plan, observed(weight, ago), context()),
      );
  });
});

describe('the controller on a virtual clock, against a target', () => {
  const options = (clock: ReturnType<typeof createVirtualClock>, runId = 'run-1') => ({
    runId,
    planSteps: plan.steps.map((s) => s.weight),
    force: false,
    clock,
    verifyTimeoutMs: 60_000,
    verifyIntervalMs: 1000,
    log: () => undefined,
    planHash: HASH,
  });

  it('reads the bake start the shift recorded, and moves on only once the bake is over', async () => {
    const clock = createVirtualClock(NOW);
    const object = memoryObject(at(0));
    const target = new MemoryTarget(object);
    const step = async () => {
      const { state } = await readCutover(plan, [target]);
      return decideNext(plan, state, context({ now: clock.now(), runId: 'run-1' }));
    };
    const first = await step();
    expect(first).toMatchObject({ kind: 'shift', weight: 10 });
    await shiftTraffic([target], 10, {
      ...options(clock),
      verdict: { status: 'pass', at: iso(clock.now()) },
    });
    expect(object.marker).toMatchObject({
      stepStartedAt: iso(NOW),
      planHash: HASH,
      verdict: { status: 'pass' },
    });
    await clock.sleep(20 * 60_000);
    expect(await step()).toMatchObject({ kind: 'hold', untilMs: NOW + H });
    await clock.sleep(40 * 60_000);
    expect(await step()).toMatchObject({ kind: 'shift', weight: 50 });
  });

  it('resumes after a crash mid-shift, and a rerun after that is harmless', async () => {
    const clock = createVirtualClock(NOW);
    const crashed: Marker = {
      version: 1,
      runId: 'run-1',
      step: 50,
      before: at(10),
      after: at(50),
      state: 'shifting',
      at: iso(NOW - 60_000),
    };
    const object = memoryObject(at(50), crashed);
    const target = new MemoryTarget(object);
    const { state } = await readCutover(plan, [target]);
    const move = chooseMove(plan, state, { kind: 'next' }, context({ runId: 'run-1' }));
    expect(move).toMatchObject({ weight: 50, step: 2 });
    await shiftTraffic([target], move.weight, options(clock));
    expect(object.marker).toMatchObject({ state: 'done', before: at(10), stepStartedAt: iso(NOW) });
    const writes = object.writes.length;
    const again = chooseMove(
      plan,
      (await readCutover(plan, [target])).state,
      { kind: 'current' },
      context({ runId: 'run-1' }),
    );
    await shiftTraffic([target], again.weight, options(clock));
    expect(object.writes).toHaveLength(writes);
  });

  it('finishes a shift that reached only some objects before the run was killed', async () => {
    const clock = createVirtualClock(NOW);
    const done10: Marker = {
      version: 1,
      runId: 'run-0',
      step: 10,
      before: at(0),
      after: at(10),
      state: 'done',
      at: iso(NOW - 2 * H),
    };
    const half = memoryObject(at(50), {
      version: 1,
      runId: 'run-1',
      step: 50,
      before: at(10),
      after: at(50),
      state: 'shifting',
      at: iso(NOW - 60_000),
    });
    const behind = memoryObject(at(10), done10);
    const targets = [
      new MemoryTarget(half, { description: 'a' }),
      new MemoryTarget(behind, { description: 'b' }),
    ];
    const { state } = await readCutover(plan, targets);
    const move = chooseMove(plan, state, { kind: 'current' }, context({ runId: 'run-1' }));
    await shiftTraffic(targets, move.weight, options(clock));
    expect([half.weights, behind.weights]).toEqual([at(50), at(50)]);
    expect([half.marker?.before, behind.marker?.before]).toEqual([at(10), at(10)]);
  });
});

describe('chooseMove', () => {
  it('re-asserts the current step: a no-op when weights and marker agree', () => {
    expect(chooseMove(plan, observed(50, H), { kind: 'current' }, context())).toMatchObject({
      weight: 50,
      step: 2,
    });
  });

  it('refuses "current" when the weights were changed by hand since the marker', () => {
    const moved = observeCutover(plan, [
      { object: 'route', weights: at(10), marker: observed(50, H).marker },
    ]);
    expect(() => chooseMove(plan, moved, { kind: 'current' }, context())).toThrow(
      /changed by hand/,
    );
  });

  it('refuses "next" while the step bakes, saying until when and how to move now', () => {
    expect(() => chooseMove(plan, observed(10, 0.25 * H), { kind: 'next' }, context())).toThrow(
      `input 'step': "next" holds (hold): baking step 1 (10%) for 45m more; wait until ${iso(NOW + 0.75 * H)}, promote now (step: promote), or name the step to move to (step: N)`,
    );
  });

  it('refuses "next" after the last step', () => {
    expect(() => chooseMove(plan, observed(100, 3 * H), { kind: 'next' }, context())).toThrow(
      'input \'step\': "next" after 100%: 100% on the candidate and the last bake passed: the plan (10, 50, 100) has no further step',
    );
  });

  it('needs a plan for a step', () => {
    expect(() => chooseMove(undefined, undefined, { kind: 'next' }, context())).toThrow(
      ConfigError,
    );
  });
});
