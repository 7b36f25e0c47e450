import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMemoryKit, failureMessage } from '@cutover/action-kit';
import { main } from '../../../actions/deploy-stack/src/main.js';
import { MemoryStackEngine, createEventClock } from '../../support/memory-stack-engine.js';

const root = join(import.meta.dirname, '../../..');

/** The example plan with its stacks: section replaced. */
const withStacks = (stacks: string) =>
  readFileSync(join(root, 'examples/plans/lightning-talk-circle-blue-green.yaml'), 'utf8').replace(
    /^stacks:[\s\S]*$/m,
    stacks,
  );

function workspace(files: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-stack-main-'));
  cpSync(join(root, 'examples'), join(dir, 'examples'), { recursive: true });
  for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path), text);
  return dir;
}

async function run(
  dir: string,
  inputs: Record<string, string>,
  engine?: MemoryStackEngine,
  clock = createEventClock(Date.UTC(2026, 0, 1)),
) {
  const stackEngine = engine ?? new MemoryStackEngine(clock, {});
  const kit = createMemoryKit({
    inputs: { 'rollback-record': join(dir, 'record.json'), region: 'us-east-1', ...inputs },
    env: { GITHUB_WORKSPACE: dir },
    clock,
  });
  let failure: string | undefined;
  try {
    await main(kit, {
      stackEngine: () => Promise.resolve(stackEngine),
      templateUploader: () => Promise.reject(new Error('no bucket')),
      onCancel: () => undefined,
    });
  } catch (error) {
    failure = failureMessage(error);
  }
  return { kit, failure, engine: stackEngine };
}

describe('deploy-stack main when runs go wrong', () => {
  // A: the plan's `stacks: {assembly, only}` is validated by readPlanStacks, then ignored.
  it('deploys only the stacks a plan names with only:', async () => {
    const plan = readFileSync(
      join(root, 'examples/plans/lightning-talk-circle-cdk.yaml'),
      'utf8',
    ).replace(
      '  assembly: examples/cdk/lightning-talk-circle/cdk.out',
      '  assembly: examples/cdk/lightning-talk-circle/cdk.out\n  only: [LightningTalk-Database-prod]',
    );
    const dir = workspace({ 'only.yaml': plan });
    const { kit, failure } = await run(dir, { plan: 'only.yaml', mode: 'plan' });
    expect(failure).toBeUndefined();
    const results = JSON.parse(kit.outputs.results ?? '[]') as { name: string }[];
    expect(results.map((r) => r.name)).toEqual(['LightningTalk-Database-prod']);
  });

  // E: a parameters file written as YAML (or with a typo) puts its content in the failure.
  it('does not quote a parameters file in its parse error', async () => {
    const dir = workspace({
      't.json':
        '{"Parameters": {"DbPassword": {"Type": "String", "NoEcho": true}}, "Resources": {"T": {"Type": "AWS::SNS::Topic"}}}',
      'p.json': '{"DbPassword": hunter2-Sup3rS3cret}',
      'plan.yaml': withStacks(
        'stacks:\n  - name: Db\n    template: t.json\n    parameters-file: p.json\n',
      ),
    });
    const { failure } = await run(dir, { plan: 'plan.yaml' });
    expect(failure).toBeDefined();
    expect(failure).not.toContain('hunter2');
  });

  // Record only at the very end: a job killed in wave 2 (timeout-minutes, a second cancel, a
  // runner lost) leaves no record of the wave-1 stacks it changed.
  it('writes the rollback record as soon as a stack executes', async () => {
    const clock = createEventClock(Date.UTC(2026, 0, 1));
    const engine = new MemoryStackEngine(clock, {
      A: { existing: { status: 'UPDATE_COMPLETE', template: '{"old":1}' }, deployMs: 60_000 },
      B: { deployMs: 3_600_000 },
    });
    const dir = workspace({
      't.json': '{"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}',
      'plan.yaml': withStacks(
        'stacks:\n  - name: A\n    template: t.json\n  - name: B\n    template: t.json\n    depends-on: [A]\n',
      ),
    });
    const done = run(dir, { plan: 'plan.yaml' }, engine, clock);
    // Wait until B is executing (A has been updated and is done).
    while (engine.callsOf('B', 'executeChangeSet').length === 0)
      await new Promise((resolve) => setImmediate(resolve));
    const written = existsSync(join(dir, 'record.json'));
    await done;
    expect(written).toBe(true);
  });
});
