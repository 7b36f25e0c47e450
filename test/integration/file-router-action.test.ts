import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMemoryKit, failureMessage, type MemoryKit } from '@cutover/action-kit';
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
}) {
  const root = mkdtempSync(join(tmpdir(), 'cutover-shift-'));
  const workspace = join(root, 'workspace');
  mkdirSync(workspace);
  for (const [path, text] of Object.entries(options.files ?? {}))
    writeFileSync(join(workspace, path), text);
  const kit = createMemoryKit({
    inputs: options.inputs,
    env: { GITHUB_WORKSPACE: workspace, GITHUB_RUN_ID: '777', GITHUB_RUN_ATTEMPT: '1' },
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
      /^input 'step': "next" holds \(hold\): baking step 1 \(10%\) for 50m more; wait until 2026-01-01T00:50:00.000Z, or name the step to move now \(step: N\)$/,
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
