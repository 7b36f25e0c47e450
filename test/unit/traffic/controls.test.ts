import { describe, expect, it } from 'vitest';
import { ConfigError, Refusal, createVirtualClock } from '@cutover/kit';
import { parsePlan, type GateOutcome, type Plan, type Weights } from '@cutover/plan';
import {
  ShiftRefused,
  chooseMove,
  decideNext,
  observeCutover,
  observedStateJson,
  parseMoveRequest,
  pauseNoop,
  planHash,
  readCutover,
  rollbackTraffic,
  setPaused,
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
const at = (candidate: number): Weights => ({ stable: 100 - candidate, candidate });
const iso = (t: number) => new Date(t).toISOString();
const PAUSE = { at: iso(NOW - 0.1 * H), by: 'pauser-1', reason: 'checking a report' };

function marker(candidate: number, startedAgo: number, overrides: Partial<Marker> = {}): Marker {
  return {
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
}
const observed = (candidate: number, startedAgo: number, overrides: Partial<Marker> = {}) =>
  observeCutover(plan, [
    { object: 'route', weights: at(candidate), marker: marker(candidate, startedAgo, overrides) },
  ]);
const context = (overrides: Partial<DecisionContext> = {}): DecisionContext => ({
  now: NOW,
  runId: 'run-2',
  planHash: HASH,
  verdict: undefined,
  ...overrides,
});
const verdict = (status: GateOutcome['status']): GateOutcome => ({ status, reason: `${status}!` });
const refusal = (state: CutoverState, kind: 'next' | 'promote', ctx = context()) => {
  try {
    chooseMove(plan, state, { kind }, ctx);
  } catch (error) {
    expect(error).toBeInstanceOf(Refusal);
    return (error as Error).message;
  }
  throw new Error(`"${kind}" was not refused`);
};

describe('step: promote', () => {
  it('moves to the next step mid-bake, saying how much of the bake it skipped', () => {
    expect(
      chooseMove(
        plan,
        observed(10, 0.25 * H),
        { kind: 'promote' },
        context({ verdict: verdict('pass') }),
      ),
    ).toEqual({
      weight: 50,
      step: 2,
      reason: 'promoted from step 1 (10%), skipping the last 45m of its bake; gates passing',
    });
  });

  it('moves one step only, and starts a fresh cutover at step 1', () => {
    expect(chooseMove(plan, observed(50, 0), { kind: 'promote' }, context())).toMatchObject({
      weight: 100,
      step: 3,
      reason: expect.stringContaining('no gate verdict given') as string,
    });
    const fresh = observeCutover(plan, [{ object: 'route', weights: at(0), marker: undefined }]);
    expect(chooseMove(plan, fresh, { kind: 'promote' }, context())).toMatchObject({
      weight: 10,
      step: 1,
    });
  });

  it('is refused after a fail verdict, mid-bake or not: rollback wins', () => {
    for (const started of [0.1 * H, 2 * H])
      expect(refusal(observed(10, started), 'promote', context({ verdict: verdict('fail') }))).toBe(
        `input 'step': "promote" holds (rollback): fail!; roll back: run the rollback action (scope: traffic) with the same plan, or abort through the cutover workflow`,
      );
  });

  it('takes an inconclusive verdict as the human call that next waits for', () => {
    // next, after the bake and past max-hold, rolls back on inconclusive; promote goes on.
    const late = observed(10, 2 * H);
    expect(decideNext(plan, late, context({ verdict: verdict('inconclusive') }))).toMatchObject({
      kind: 'rollback',
    });
    expect(
      chooseMove(plan, late, { kind: 'promote' }, context({ verdict: verdict('inconclusive') })),
    ).toMatchObject({
      weight: 50,
      reason: expect.stringContaining(
        "gates inconclusive (inconclusive!), promoted on a human's call",
      ) as string,
    });
  });

  it('is refused after a rollback and after the last step', () => {
    expect(refusal(observed(0, H, { state: 'rolled-back', before: at(10) }), 'promote')).toMatch(
      /^input 'step': "promote" holds \(rolled-back\): run run-1 rolled the cutover back at /,
    );
    expect(refusal(observed(100, 0), 'promote')).toBe(
      `input 'step': "promote" after 100%: step 3 (100%) is the plan's last: the plan (10, 50, 100) has no further step`,
    );
  });

  it('is refused while another run is shifting and when the plan changed, like next', () => {
    const shifting = observed(50, 0, { state: 'shifting', before: at(10), runId: 'run-9' });
    expect(refusal(shifting, 'promote')).toContain('run run-9 is shifting 10% → 50%');
    expect(refusal(observed(10, 0, { planHash: 'abcdefabcdef' }), 'promote')).toContain(
      'the plan changed since run run-1 moved traffic to 10%',
    );
  });
});

describe('step: pause, as the controller sees it', () => {
  const paused = observed(10, 0.25 * H, { paused: PAUSE });

  it('refuses next and promote, saying who paused, why, and how to resume', () => {
    const message = `holds (hold): paused by run pauser-1 at ${PAUSE.at} (checking a report); traffic stays where it is until resumed; resume first (shift-traffic with step: resume); a rollback still works while paused`;
    expect(refusal(paused, 'next')).toBe(`input 'step': "next" ${message}`);
    expect(refusal(paused, 'promote')).toBe(`input 'step': "promote" ${message}`);
  });

  it('holds a scheduled advance even after the bake, and past max-hold does not roll back', () => {
    for (const v of [undefined, verdict('pass'), verdict('inconclusive')])
      expect(
        decideNext(plan, observed(10, 5 * H, { paused: PAUSE }), context({ verdict: v })),
      ).toMatchObject({
        kind: 'hold',
        needsHuman: true,
        untilMs: undefined,
      });
  });

  it('still rolls back on a fail verdict: rollback always wins', () => {
    expect(decideNext(plan, paused, context({ verdict: verdict('fail') }))).toEqual({
      kind: 'rollback',
      reason: 'fail!',
    });
  });

  it('holds when only one of several objects records the pause', () => {
    const state = observeCutover(plan, [
      { object: 'a', weights: at(10), marker: marker(10, 2 * H) },
      { object: 'b', weights: at(10), marker: marker(10, 2 * H, { paused: PAUSE }) },
    ]);
    expect(state.paused).toEqual(PAUSE);
    expect(state.disagreements).toEqual([]);
    expect(decideNext(plan, state, context())).toMatchObject({ kind: 'hold', needsHuman: true });
  });

  it('reports the pause, the bake and the verdict in the state output', () => {
    expect(
      observedStateJson(
        observed(10, 0.25 * H, { paused: PAUSE, verdict: { status: 'pass', at: iso(NOW) } }),
        plan,
      ),
    ).toEqual({
      object: 'route',
      weights: at(10),
      step: { number: 1, weight: 10 },
      stepStartedAt: iso(NOW - 0.25 * H),
      bakeEndsAt: iso(NOW + 0.75 * H),
      state: 'done',
      paused: PAUSE,
      verdict: { status: 'pass', at: iso(NOW) },
      rolledBack: false,
      runId: 'run-1',
      planHash: HASH,
      disagreements: [],
      steps: [
        { number: 1, weight: 10, bakeMs: H },
        { number: 2, weight: 50, bakeMs: H },
        { number: 3, weight: 100, bakeMs: 2 * H },
      ],
    });
  });

  it('has nothing to pause without a cutover or after a rollback, and nothing to resume unpaused', () => {
    const fresh = observeCutover(plan, [{ object: 'route', weights: at(0), marker: undefined }]);
    expect(() => pauseNoop(fresh, 'pause')).toThrow(
      `input 'step': "pause": no cutover is recorded on route (no cutover.dev/traffic marker); there is nothing to hold`,
    );
    expect(() => pauseNoop(observed(0, H, { state: 'rolled-back' }), 'pause')).toThrow(Refusal);
    expect(pauseNoop(observed(10, H), 'resume')).toBe(
      'the cutover is not paused; nothing to resume',
    );
    expect(pauseNoop(observed(10, H), 'pause')).toBeUndefined();
    expect(pauseNoop(paused, 'resume')).toBeUndefined();
  });
});

describe('step words', () => {
  it('parses promote, pause and resume, and names every word when the step is wrong', () => {
    for (const kind of ['promote', 'pause', 'resume'] as const)
      expect(parseMoveRequest(plan, ` ${kind} `, undefined)).toEqual({ kind });
    expect(() => parseMoveRequest(plan, 'abort', undefined)).toThrow(ConfigError);
    expect(() => parseMoveRequest(plan, 'abort', undefined)).toThrow(
      `input 'step': expected "next", "promote", "current", "pause", "resume" or a step number from 1 to 3, got "abort"`,
    );
    expect(() => parseMoveRequest(undefined, 'pause', undefined)).toThrow(
      "input 'step' needs input 'plan'",
    );
  });
});

describe('pause and resume against a target', () => {
  const shiftOptions = (clock: ReturnType<typeof createVirtualClock>, runId = 'run-1') => ({
    runId,
    planSteps: plan.steps.map((s) => s.weight),
    force: false,
    clock,
    verifyTimeoutMs: 60_000,
    verifyIntervalMs: 1000,
    log: () => undefined,
    planHash: HASH,
  });
  const pauseOptions = (clock: ReturnType<typeof createVirtualClock>, runId = 'pauser-1') => ({
    runId,
    clock,
    reason: 'checking a report',
    log: () => undefined,
  });

  it('records the pause, weights and move untouched; time paused counts towards the bake', async () => {
    const clock = createVirtualClock(NOW);
    const object = memoryObject(at(0));
    const target = new MemoryTarget(object);
    const next = async (kind: 'next' | 'promote' = 'next') => {
      const { state } = await readCutover(plan, [target]);
      return chooseMove(plan, state, { kind }, context({ now: clock.now(), runId: 'run-1' }));
    };
    await shiftTraffic([target], 10, shiftOptions(clock));
    const moved = structuredClone(object.marker);
    await clock.sleep(10 * 60_000);
    const outcomes = await setPaused([target], 'pause', pauseOptions(clock));
    expect(outcomes).toEqual([
      {
        description: 'memory route',
        weights: at(10),
        changed: true,
        detail: 'paused at 10%: checking a report',
      },
    ]);
    expect(object.weights).toEqual(at(10));
    expect(object.marker).toEqual({
      ...moved,
      paused: { at: iso(NOW + 10 * 60_000), by: 'pauser-1', reason: 'checking a report' },
    });
    await clock.sleep(60 * 60_000);
    await expect(next()).rejects.toThrow('resume first (shift-traffic with step: resume)');
    await expect(next('promote')).rejects.toThrow('paused by run pauser-1');
    await setPaused([target], 'resume', pauseOptions(clock, 'resumer-1'));
    expect(object.marker).toEqual(moved);
    // The bake began at NOW and lasted an hour, 60 minutes of it paused: over.
    expect(await next()).toMatchObject({ weight: 50, step: 2 });
  });

  it('pausing twice keeps the first pause and writes nothing', async () => {
    const clock = createVirtualClock(NOW);
    const object = memoryObject(at(10), marker(10, H, { paused: PAUSE }));
    const outcomes = await setPaused(
      [new MemoryTarget(object)],
      'pause',
      pauseOptions(clock, 'other-1'),
    );
    expect(outcomes[0]).toMatchObject({
      changed: false,
      detail: expect.stringContaining('already paused by run pauser-1') as string,
    });
    expect(object.writes).toEqual([]);
  });

  it('refuses to pause while another run is shifting, writing nothing on any object', async () => {
    const clock = createVirtualClock(NOW);
    const calm = memoryObject(at(10), marker(10, H));
    const busy = memoryObject(
      at(50),
      marker(50, 0, { state: 'shifting', before: at(10), runId: 'run-9' }),
    );
    await expect(
      setPaused(
        [new MemoryTarget(calm), new MemoryTarget(busy, { description: 'b' })],
        'pause',
        pauseOptions(clock),
      ),
    ).rejects.toThrow(
      new ShiftRefused(
        `b: run run-9 is shifting 10% → 50% since ${iso(NOW)}; pause once that shift is done (it takes at most its verify-timeout), or roll back`,
      ),
    );
    expect(calm.writes).toEqual([]);
    expect(busy.writes).toEqual([]);
  });

  it('refuses a move towards the candidate while paused, even a pause that lands mid-run', async () => {
    const clock = createVirtualClock(NOW);
    const object = memoryObject(at(10), marker(10, 2 * H));
    const pauser = new MemoryTarget(object);
    let paused = false;
    const racing = new MemoryTarget(object, {
      // The pause is written between this run's read and its write: the write conflicts,
      // the re-read sees the pause, and the shift is refused.
      beforeWrite: async () => {
        if (paused) return;
        paused = true;
        await setPaused([pauser], 'pause', pauseOptions(clock));
      },
    });
    await expect(shiftTraffic([racing], 50, shiftOptions(clock, 'run-2'))).rejects.toThrow(
      /memory route changed while this run was writing, and its new state refuses the shift:\nmemory route: paused by run pauser-1 at .* \(checking a report\); no move towards the candidate \(10% → 50%\) until resumed/,
    );
    expect(object.weights).toEqual(at(10));
    expect(object.marker?.paused).toMatchObject({ by: 'pauser-1' });
    // force overrides another run's shift, never a pause.
    await expect(
      shiftTraffic([pauser], 50, { ...shiftOptions(clock, 'run-2'), force: true }),
    ).rejects.toThrow(ShiftRefused);
  });

  it('keeps the pause through a move towards stable, and a rollback clears it', async () => {
    const clock = createVirtualClock(NOW);
    const object = memoryObject(at(50), marker(50, H, { paused: PAUSE }));
    const target = new MemoryTarget(object);
    await shiftTraffic([target], 25, { ...shiftOptions(clock), planSteps: undefined });
    expect(object.marker).toMatchObject({ state: 'done', after: at(25), paused: PAUSE });
    await rollbackTraffic([target], { ...shiftOptions(clock, 'rollback-1') });
    expect(object.weights).toEqual(at(0));
    expect(object.marker).toMatchObject({ state: 'rolled-back' });
    expect(object.marker?.paused).toBeUndefined();
  });

  it('clears the pause when traffic goes back to stable with weight 0', async () => {
    const clock = createVirtualClock(NOW);
    const object = memoryObject(at(50), marker(50, H, { paused: PAUSE }));
    await shiftTraffic([new MemoryTarget(object)], 0, {
      ...shiftOptions(clock),
      planSteps: undefined,
    });
    expect(object.marker).toMatchObject({ state: 'done', after: at(0) });
    expect(object.marker?.paused).toBeUndefined();
  });
});
