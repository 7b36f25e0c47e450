import { describe, expect, it } from 'vitest';
import { ServiceError } from '@cutover/kit';
import { type DeployOptions, type StackSpec, deployStacks } from '@cutover/stacks';
import {
  MemoryStackEngine,
  type StackScript,
  createEventClock,
} from '../../support/memory-stack-engine.js';

const spec = (
  name: string,
  dependsOn: string[] = [],
  extra: Partial<StackSpec> = {},
): StackSpec => ({
  name,
  template: `templates/${name}.json`,
  parameters: {},
  parametersFile: undefined,
  tags: {},
  capabilities: [],
  roleArn: undefined,
  terminationProtection: undefined,
  rollbackTriggers: undefined,
  notificationArns: [],
  dependsOn,
  ...extra,
});

function setup(scripts: Record<string, StackScript>, Engine = MemoryStackEngine) {
  const clock = createEventClock(0);
  const engine = new Engine(clock, scripts);
  const run = (specs: StackSpec[], more: Partial<DeployOptions> = {}) =>
    deployStacks(specs, engine, {
      clock,
      readFile: (path) => Promise.resolve(`{"Description": "${path}"}`),
      random: () => 0.5,
      runId: 'run1',
      ...more,
    });
  return { clock, engine, run };
}

describe('deployStacks when the API misleads or another stack fails', () => {
  // I: "on a failure start nothing new": a sibling whose change set is still being made executes anyway.
  it('does not execute a change set after another stack has already failed', async () => {
    const { engine, run } = setup({
      Broken: { changeSetMs: 1000, changeSetFails: 'Template format error: unresolved resource' },
      Slow: { changeSetMs: 30_000, deployMs: 60_000 },
    });
    const outcome = await run([spec('Broken'), spec('Slow')]);
    expect(outcome.stacks.find((s) => s.name === 'Broken')?.status).toBe('failed');
    // Slow's change set became ready ~29 s after Broken failed; executing it widens the blast radius.
    expect(engine.callsOf('Slow', 'executeChangeSet')).toHaveLength(0);
  });

  // B: ExecuteChangeSet took effect but the answer never came (SDK retries exhausted / socket reset).
  it('keeps track of a stack whose ExecuteChangeSet failed ambiguously', async () => {
    class LostAnswer extends MemoryStackEngine {
      override async executeChangeSet(stack: string, id: string, token: string) {
        await super.executeChangeSet(stack, id, token);
        throw Object.assign(new ServiceError('ExecuteChangeSet: socket hang up'), {
          retryable: true,
        });
      }
    }
    const { engine, run } = setup(
      { Api: { existing: { status: 'UPDATE_COMPLETE', template: '{"old":1}' }, deployMs: 60_000 } },
      LostAnswer,
    );
    const outcome = await run([spec('Api')]);
    const api = outcome.stacks[0];
    // Its events carry the run's token: taken as executed, waited for, kept for rollback.
    expect(engine.status('Api')).toBe('UPDATE_COMPLETE');
    expect(api?.status).toBe('deployed');
    expect(api?.changed).toBe(true);
    expect(outcome.rollback.map((r) => r.name)).toEqual(['Api']);
  });

  it('does not delete a stack it has just started creating when ExecuteChangeSet answers badly', async () => {
    class LostAnswer extends MemoryStackEngine {
      override async executeChangeSet(stack: string, id: string, token: string) {
        await super.executeChangeSet(stack, id, token);
        throw Object.assign(new ServiceError('ExecuteChangeSet: Rate exceeded'), {
          retryable: true,
        });
      }
    }
    const { engine, run } = setup({ Db: { deployMs: 60_000 } }, LostAnswer);
    await run([spec('Db')]);
    // The cleanup meant for an unexecuted REVIEW_IN_PROGRESS stack hits a stack being created.
    expect(engine.callsOf('Db', 'deleteStack')).toHaveLength(0);
  });

  // C: the update completed, a read after it failed: reported failed and "changed: no".
  it('reports a completed update as changed even when the describe after it fails', async () => {
    class FlakyAfter extends MemoryStackEngine {
      describes = 0;
      override describeStack(name: string) {
        this.describes++;
        if (this.describes === 2)
          return Promise.reject(
            Object.assign(new ServiceError('Rate exceeded'), { retryable: true }),
          );
        return super.describeStack(name);
      }
    }
    const { engine, run } = setup(
      { Api: { existing: { status: 'UPDATE_COMPLETE' }, deployMs: 60_000 } },
      FlakyAfter,
    );
    const outcome = await run([spec('Api')]);
    expect(engine.status('Api')).toBe('UPDATE_COMPLETE');
    expect(outcome.stacks[0]?.changed).toBe(true);
    expect(outcome.stacks[0]?.status).toBe('deployed');
  });

  // G: cancel-on-timeout: the stack is left rolling back, and nobody reports it as still moving.
  it('reports a stack it cancelled on timeout as still in flight', async () => {
    const { engine, run } = setup({
      Api: { existing: { status: 'UPDATE_COMPLETE' }, deployMs: 3_600_000, rollbackMs: 600_000 },
    });
    const outcome = await run([spec('Api')], { timeoutMs: 120_000, cancelOnTimeout: true });
    expect(engine.status('Api')).toBe('UPDATE_ROLLBACK_IN_PROGRESS');
    expect(outcome.inFlight).toEqual(['Api']);
  });

  // A plan that does not mention termination-protection turns it OFF on a protected stack.
  it('leaves termination protection alone when the spec does not ask for it', async () => {
    const { engine, run } = setup({
      Db: { existing: { status: 'UPDATE_COMPLETE', terminationProtection: true }, empty: true },
    });
    const outcome = await run([spec('Db')]);
    expect(outcome.stacks[0]?.status).toBe('unchanged');
    expect(engine.callsOf('Db', 'updateTerminationProtection')).toHaveLength(0);
  });
});
