import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMemoryKit, failureMessage, type MemoryKit } from '@cutover/action-kit';
import { createVirtualClock, type Clock } from '@cutover/kit';
import { MARKER_KEY } from '@cutover/traffic';
import { main } from '../../actions/shift-traffic/src/main.js';

const PLAN = `version: 1
name: shop
strategy: phased
target: { kind: kubernetes, name: shop }
router: { kind: file, path: weights.json, stable: blue, candidate: green }
metrics: { provider: file, path: m.yaml }
steps:
  - { weight: 10, bake: 1h }
  - { weight: 25, bake: 1h }
  - { weight: 50, bake: 1h }
  - { weight: 100, bake: 1h }
gates: {}
rollback: { traffic-timeout: 30s }
`;

/** Runs shift-traffic's main() in-process, as runAction would, in a fresh workspace. */
async function shift(options: {
  inputs: Record<string, string>;
  files?: Record<string, string>;
  tweak?: (kit: MemoryKit) => void;
  /** A workspace an earlier run used (runs in sequence on one target). */
  workspace?: string;
  runId?: string;
  clock?: Clock;
}) {
  const root =
    options.workspace === undefined
      ? mkdtempSync(join(tmpdir(), 'cutover-shift-'))
      : join(options.workspace, '..');
  const workspace = options.workspace ?? join(root, 'workspace');
  if (options.workspace === undefined) mkdirSync(workspace);
  for (const [path, text] of Object.entries(options.files ?? {}))
    writeFileSync(join(workspace, path), text);
  const kit = createMemoryKit({
    inputs: options.inputs,
    env: {
      GITHUB_WORKSPACE: workspace,
      GITHUB_RUN_ID: options.runId ?? '777',
      GITHUB_RUN_ATTEMPT: '1',
    },
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
  options.tweak?.(kit);
  const cancelListeners: (() => void)[] = [];
  let failure: string | undefined;
  try {
    await main(kit, {
      readFile: (path) => readFileSync(path, 'utf8'),
      onCancel: (listener) => cancelListeners.push(listener),
    });
  } catch (error) {
    failure = failureMessage(error);
  }
  const weights = () =>
    JSON.parse(readFileSync(join(workspace, 'weights.json'), 'utf8')) as Record<string, unknown>;
  return {
    kit,
    failure,
    root,
    workspace,
    weights,
    cancel: () => cancelListeners.forEach((l) => l()),
  };
}

describe('shift-traffic with a file router: paths', () => {
  it.each([
    ['../outside.json', 'outside.json'],
    ['../../..', undefined],
    ['sub/../../outside.json', 'outside.json'],
  ])('refuses a router path outside the workspace (%s), writing nothing', async (path, file) => {
    const run = await shift({
      inputs: {
        router: `{ kind: file, path: '${path}', stable: blue, candidate: green }`,
        weight: '10',
      },
    });
    expect(run.failure).toContain(`input 'router': router.path: "${path}" resolves to`);
    expect(run.failure).toContain(
      `outside the workspace ${run.workspace}; expected a path inside it`,
    );
    expect(run.failure).toContain("(set input 'allow-outside-workspace' to allow it)");
    if (file !== undefined) expect(existsSync(join(run.root, file))).toBe(false);
  });

  it('refuses an absolute path elsewhere named by a plan', async () => {
    const outside = join(mkdtempSync(join(tmpdir(), 'cutover-elsewhere-')), 'weights.json');
    const run = await shift({
      inputs: { plan: 'plan.yaml', step: 'next' },
      files: { 'plan.yaml': PLAN.replace('path: weights.json', `path: '${outside}'`) },
    });
    expect(run.failure).toContain('plan.yaml: router.path: ');
    expect(existsSync(outside)).toBe(false);
  });

  it('writes outside the workspace when allow-outside-workspace is set', async () => {
    const run = await shift({
      inputs: {
        router: '{ kind: file, path: ../outside.json, stable: blue, candidate: green }',
        weight: '10',
        'allow-outside-workspace': 'true',
      },
    });
    expect(run.failure).toBeUndefined();
    expect(JSON.parse(readFileSync(join(run.root, 'outside.json'), 'utf8'))).toMatchObject({
      blue: 90,
      green: 10,
    });
  });
});

describe('shift-traffic with a file router: state', () => {
  it('refuses "next" from inconsistent weights, naming them, and writes nothing', async () => {
    const run = await shift({
      inputs: { plan: 'plan.yaml', step: 'next' },
      files: { 'plan.yaml': PLAN, 'weights.json': '{"blue": 90, "green": 90}' },
    });
    expect(run.failure).toContain(
      `input 'step': "next" cannot follow these weights: file ${join(run.workspace, 'weights.json')}: the weights read are stable 90 / candidate 90; expected whole percentages from 0 to 100 that add up to 100`,
    );
    expect(run.weights()).toEqual({ blue: 90, green: 90 });
  });

  it('a rerun of a killed step finishes that step and keeps its original before', async () => {
    const interrupted = {
      version: 1,
      runId: '777-1',
      step: 25,
      before: { stable: 90, candidate: 10 },
      after: { stable: 75, candidate: 25 },
      state: 'shifting',
      at: '2026-01-01T00:00:00.000Z',
    };
    const run = await shift({
      inputs: { plan: 'plan.yaml', step: 'next' },
      files: {
        'plan.yaml': PLAN,
        'weights.json': JSON.stringify({ blue: 75, green: 25, [MARKER_KEY]: interrupted }),
      },
    });
    expect(run.failure).toBeUndefined();
    expect(run.kit.outputs['previous-weights']).toBe('{"stable":90,"candidate":10}');
    expect(run.kit.outputs.weights).toBe('{"stable":75,"candidate":25}');
    expect(run.weights()).toMatchObject({
      blue: 75,
      green: 25,
      [MARKER_KEY]: { state: 'done', before: { stable: 90, candidate: 10 } },
    });
  });
});

describe('shift-traffic with a file router: after traffic moved', () => {
  it('warns, and does not fail the completed shift, when the job summary cannot be written', async () => {
    const run = await shift({
      inputs: { plan: 'plan.yaml', step: 'next' },
      files: { 'plan.yaml': PLAN },
      tweak: (kit) => {
        kit.appendSummary = () =>
          Promise.reject(new Error('ENOENT: no such file or directory, open /summary'));
      },
    });
    expect(run.failure).toBeUndefined();
    expect(run.kit.outputs.weights).toBe('{"stable":90,"candidate":10}');
    expect(run.weights()).toMatchObject({ blue: 90, green: 10, [MARKER_KEY]: { state: 'done' } });
    expect(run.kit.logs).toContainEqual({
      level: 'warning',
      message:
        'traffic is at 10% (verified and recorded), but the job summary could not be written: ENOENT: no such file or directory, open /summary',
    });
  });

  it('says a cancellation after the shift completed puts nothing back', async () => {
    const run = await shift({
      inputs: { plan: 'plan.yaml', step: 'next' },
      files: { 'plan.yaml': PLAN },
    });
    run.cancel();
    expect(run.failure).toBeUndefined();
    expect(run.kit.logs.at(-1)?.message).toBe(
      'cancellation received after the shift to 10% was verified and recorded; nothing to put back',
    );
    expect(run.weights()).toMatchObject({ blue: 90, green: 10 });
  });
});

describe('shift-traffic: one meaning of step', () => {
  const done = (candidate: number, at: string, extra: Record<string, unknown> = {}) => ({
    version: 1,
    runId: '700-1',
    step: candidate,
    before: { stable: 100, candidate: 0 },
    after: { stable: 100 - candidate, candidate },
    state: 'done',
    at,
    ...extra,
  });

  it('refuses a weight written in step, saying what to write instead', async () => {
    const run = await shift({
      inputs: { plan: 'plan.yaml', step: '25' },
      files: { 'plan.yaml': PLAN },
    });
    expect(run.failure).toBe(
      "input 'step': 25 is not a step number (the plan has steps 1-4); step now means the plan step: for the 25% step write step: 2, or weight: 25",
    );
  });

  it('step current re-asserts the step the marker records without writing', async () => {
    const text = JSON.stringify({
      blue: 90,
      green: 10,
      [MARKER_KEY]: done(10, '2026-01-01T00:00:00.000Z'),
    });
    const run = await shift({
      inputs: { plan: 'plan.yaml', step: 'current' },
      files: { 'plan.yaml': PLAN, 'weights.json': text },
    });
    expect(run.failure).toBeUndefined();
    expect(run.kit.outputs.step).toBe('1');
    expect(readFileSync(join(run.workspace, 'weights.json'), 'utf8')).toBe(text);
  });

  it('step next refuses while the current step bakes, saying until when', async () => {
    // The memory kit's clock reads 2026-01-01T00:00:00Z: the step began 10 minutes before.
    const recent = '2025-12-31T23:50:00.000Z';
    const run = await shift({
      inputs: { plan: 'plan.yaml', step: 'next' },
      files: {
        'plan.yaml': PLAN,
        'weights.json': JSON.stringify({ blue: 90, green: 10, [MARKER_KEY]: done(10, recent) }),
      },
    });
    expect(run.failure).toMatch(
      /^input 'step': "next" holds \(hold\): baking step 1 \(10%\) for 50m more; wait until 2026-01-01T00:50:00.000Z, promote now \(step: promote\), or name the step to move to \(step: N\)$/,
    );
    expect(run.weights()).toMatchObject({ blue: 90, green: 10 });
  });

  it('records the verdict that justified the move, the plan hash and the bake start', async () => {
    const results = JSON.stringify([
      { rule: 'errors', status: 'pass', severity: 'critical', reason: 'never > 5% for 5m' },
      { rule: 'latency', status: 'fail', severity: 'warning', reason: '350 ms > 200 ms' },
    ]);
    const run = await shift({
      inputs: { plan: 'plan.yaml', step: '1', verdict: results },
      files: { 'plan.yaml': PLAN },
    });
    expect(run.failure).toBeUndefined();
    const marker = run.weights()[MARKER_KEY] as Record<string, unknown>;
    expect(marker).toMatchObject({
      state: 'done',
      verdict: { status: 'pass', reason: 'errors: never > 5% for 5m' },
    });
    expect(marker.planHash).toMatch(/^[0-9a-f]{12}$/);
    expect(marker.stepStartedAt).toBe(marker.at);
  });

  it.each(['fail', 'maybe'])('refuses verdict %s that cannot justify a move', async (verdict) => {
    const run = await shift({
      inputs: { plan: 'plan.yaml', step: 'next', verdict },
      files: { 'plan.yaml': PLAN },
    });
    expect(run.failure).toMatch(
      verdict === 'fail'
        ? /"next" holds \(rollback\)/
        : /^input 'verdict': expected pass, fail or inconclusive/,
    );
    expect(existsSync(join(run.workspace, 'weights.json'))).toBe(false);
  });

  it('refuses a run-id that would not fit the marker, naming the input and the limit', async () => {
    const run = await shift({
      inputs: { plan: 'plan.yaml', step: 'next', 'run-id': 'x'.repeat(65) },
      files: { 'plan.yaml': PLAN },
    });
    expect(run.failure).toContain(
      `input 'run-id': "${'x'.repeat(65)}" (65 characters) is not a run id; expected 1 to 64 characters`,
    );
  });
});

describe('shift-traffic: manual control (promote, pause, resume) and the state output', () => {
  const START = Date.UTC(2026, 0, 1);
  const state = (run: { kit: MemoryKit }) =>
    JSON.parse(run.kit.outputs.state ?? 'null') as Record<string, unknown>;

  it('pause holds next and promote with how to resume; resume lets promote skip the bake', async () => {
    const clock = createVirtualClock(START);
    const first = await shift({
      inputs: { plan: 'plan.yaml', step: 'next' },
      files: { 'plan.yaml': PLAN },
      clock,
    });
    expect(first.failure).toBeUndefined();
    const { workspace } = first;
    expect(state(first)).toMatchObject({
      weights: { stable: 90, candidate: 10 },
      step: { number: 1, weight: 10 },
      stepStartedAt: '2026-01-01T00:00:00.000Z',
      bakeEndsAt: '2026-01-01T01:00:00.000Z',
      paused: null,
      runId: '777-1',
      steps: [10, 25, 50, 100].map((weight, i) => ({ number: i + 1, weight, bakeMs: 3_600_000 })),
    });

    await clock.sleep(5 * 60_000);
    const pause = await shift({
      inputs: {
        plan: 'plan.yaml',
        step: 'pause',
        reason: 'error budget alert\n::stop-commands::x',
      },
      workspace,
      runId: '800',
      clock,
    });
    expect(pause.failure).toBeUndefined();
    expect(pause.weights()).toMatchObject({
      blue: 90,
      green: 10,
      [MARKER_KEY]: {
        runId: '777-1',
        stepStartedAt: '2026-01-01T00:00:00.000Z',
        paused: {
          at: '2026-01-01T00:05:00.000Z',
          by: '800-1',
          reason: 'error budget alert\n::stop-commands::x',
        },
      },
    });
    expect(pause.kit.outputs.weights).toBe('{"stable":90,"candidate":10}');
    expect(pause.kit.outputs.step).toBe('1');
    expect(state(pause)).toMatchObject({ paused: { by: '800-1' } });
    expect(pause.kit.summary).toContain('Cutover paused');
    // The untrusted reason reaches the summary escaped, and never starts a workflow command.
    const lines = pause.kit.logs.flatMap((l) => l.message.split('\n'));
    expect(lines.some((line) => line.includes('error budget alert'))).toBe(true);
    expect(lines.filter((line) => line.trimStart().startsWith('::'))).toEqual([]);

    // A scheduled advance after the bake: held, saying how to resume; state still reported.
    await clock.sleep(60 * 60_000);
    for (const step of ['next', 'promote', '2']) {
      const held = await shift({
        inputs: { plan: 'plan.yaml', step },
        workspace,
        runId: '900',
        clock,
      });
      expect(held.failure, step).toContain('paused by run 800-1 at 2026-01-01T00:05:00.000Z');
      expect(held.failure, step).toContain('resume first (shift-traffic with step: resume)');
      expect(state(held)).toMatchObject({ paused: { by: '800-1' }, step: { number: 1 } });
      expect(held.weights()).toMatchObject({ blue: 90, green: 10 });
      expect(held.kit.outputs.decision, step).toBe(step === '2' ? '' : 'hold');
    }

    const resume = await shift({
      inputs: { plan: 'plan.yaml', step: 'resume' },
      workspace,
      runId: '801',
      clock,
    });
    expect(resume.failure).toBeUndefined();
    expect((resume.weights()[MARKER_KEY] as Record<string, unknown>).paused).toBeUndefined();
    expect(state(resume)).toMatchObject({ paused: null });
    const again = await shift({ inputs: { plan: 'plan.yaml', step: 'resume' }, workspace, clock });
    expect(again.failure).toBeUndefined();
    expect(again.kit.summary).toContain(
      'Cutover not changed: the cutover is not paused; nothing to resume',
    );

    // Step 2 begins; ten minutes into its hour-long bake, promote moves on to step 3 at once.
    const second = await shift({
      inputs: { plan: 'plan.yaml', step: 'next', verdict: 'pass' },
      workspace,
      clock,
    });
    expect(second.failure).toBeUndefined();
    await clock.sleep(10 * 60_000);
    const early = await shift({ inputs: { plan: 'plan.yaml', step: 'next' }, workspace, clock });
    expect(early.failure).toContain('"next" holds (hold): baking step 2 (25%) for 50m more');
    const promoted = await shift({
      inputs: { plan: 'plan.yaml', step: 'promote', verdict: 'inconclusive' },
      workspace,
      runId: '802',
      clock,
    });
    expect(promoted.failure).toBeUndefined();
    expect(promoted.kit.outputs.step).toBe('3');
    expect(promoted.kit.outputs.decision).toBe('shift');
    expect(promoted.weights()).toMatchObject({
      blue: 50,
      green: 50,
      [MARKER_KEY]: { state: 'done', runId: '802-1', verdict: { status: 'inconclusive' } },
    });
    expect(promoted.kit.summary).toContain(
      "promoted from step 2 \\(25%\\), skipping the last 50m of its bake; gates inconclusive, promoted on a human's call · verification bound 30s · verdict recorded: inconclusive",
    );
    expect(state(promoted)).toMatchObject({
      step: { number: 3, weight: 50 },
      stepStartedAt: '2026-01-01T01:15:00.000Z',
    });
  });

  it('refuses promote on a fail verdict, and pause with no cutover, writing nothing', async () => {
    const clock = createVirtualClock(START);
    const fail = await shift({
      inputs: { plan: 'plan.yaml', step: 'promote', verdict: 'fail' },
      files: { 'plan.yaml': PLAN },
      clock,
    });
    expect(fail.failure).toMatch(/^input 'step': "promote" holds \(rollback\): fail; roll back: /);
    expect(fail.kit.outputs.decision).toBe('rollback');
    expect(existsSync(join(fail.workspace, 'weights.json'))).toBe(false);
    expect(state(fail)).toMatchObject({ weights: { stable: 100, candidate: 0 }, state: null });
    const pause = await shift({
      inputs: { plan: 'plan.yaml', step: 'pause' },
      workspace: fail.workspace,
      clock,
    });
    expect(pause.failure).toContain('input \'step\': "pause": no cutover is recorded on file ');
    expect(existsSync(join(fail.workspace, 'weights.json'))).toBe(false);
  });

  it('a traffic rollback (weight 0) works while paused and clears the pause', async () => {
    const first = await shift({
      inputs: { plan: 'plan.yaml', step: '1' },
      files: { 'plan.yaml': PLAN },
    });
    const { workspace } = first;
    expect(
      (await shift({ inputs: { plan: 'plan.yaml', step: 'pause' }, workspace })).failure,
    ).toBeUndefined();
    const twice = await shift({ inputs: { plan: 'plan.yaml', step: 'pause' }, workspace });
    expect(twice.failure).toBeUndefined();
    expect(twice.kit.summary).toContain('Cutover not changed: file ');
    expect(twice.kit.summary).toContain('already paused by run 777-1');
    const back = await shift({
      inputs: {
        router: '{ kind: file, path: weights.json, stable: blue, candidate: green }',
        weight: '0',
      },
      workspace,
    });
    expect(back.failure).toBeUndefined();
    expect(back.weights()).toMatchObject({ blue: 100, green: 0 });
    expect(state(back)).toMatchObject({
      paused: null,
      step: null,
      weights: { stable: 100, candidate: 0 },
    });
  });
});
