import { describe, expect, it } from 'vitest';
import {
  type RollbackRecord,
  type StackSpec,
  parseRollbackRecord,
  restoreStacks,
} from '@cutover/stacks';
import { MemoryStackEngine, createEventClock } from '../../support/memory-stack-engine.js';

const updated = (name: string, extra: Partial<RollbackRecord> = {}): RollbackRecord => ({
  name,
  existed: true,
  previousTemplate: `{"Resources": {"${name}": {"Type": "AWS::SNS::Topic"}}}`,
  previousParameters: { Version: '1.4.2' },
  previousTags: { release: 'v1' },
  ...extra,
});
const created = (name: string): RollbackRecord => ({
  name,
  existed: false,
  previousTemplate: undefined,
  previousParameters: {},
  previousTags: {},
});
const spec = (name: string, dependsOn: string[] = []): StackSpec => ({
  name,
  template: `${name}.json`,
  parameters: {},
  parametersFile: undefined,
  tags: {},
  capabilities: ['CAPABILITY_IAM'],
  roleArn: undefined,
  terminationProtection: false,
  rollbackTriggers: undefined,
  notificationArns: [],
  dependsOn,
});
const complete = { existing: { status: 'UPDATE_COMPLETE' as const }, deployMs: 60_000 };

describe('restoreStacks', () => {
  it('redeploys recorded templates and deletes created stacks, dependents first', async () => {
    const clock = createEventClock(0);
    const engine = new MemoryStackEngine(clock, {
      Database: complete,
      Api: complete,
      Site: { existing: { status: 'CREATE_COMPLETE' }, deleteMs: 30_000 },
    });
    // Execution order as deploy-stack recorded it: Database, then Api, then Site (new).
    const outcome = await restoreStacks(
      [updated('Database'), updated('Api'), created('Site')],
      engine,
      {
        clock,
        runId: 'r1',
        specs: [spec('Database'), spec('Api', ['Database']), spec('Site', ['Api'])],
      },
    );
    expect(outcome.ok).toBe(true);
    expect(outcome.changed).toBe(true);
    expect(outcome.stacks.map((s) => [s.name, s.status])).toEqual([
      ['Site', 'deleted'],
      ['Api', 'restored'],
      ['Database', 'restored'],
    ]);
    // Api starts only once Site is gone, Database only once Api is restored.
    const first = (stack: string, method: string) => engine.callsOf(stack, method)[0]?.at ?? -1;
    expect(first('Api', 'createChangeSet')).toBeGreaterThanOrEqual(engine.finishedAt('Site') ?? 0);
    expect(first('Database', 'createChangeSet')).toBeGreaterThanOrEqual(
      engine.finishedAt('Api') ?? 0,
    );
    // The change set carries the recorded template, parameters and tags, and the plan's capabilities.
    const token = engine.callsOf('Api', 'createChangeSet')[0]?.token ?? '';
    expect(token).toMatch(/^cutover-rollback-r1-/);
  });

  it('without the plan restores one stack at a time, newest deployed first', async () => {
    const clock = createEventClock(0);
    const engine = new MemoryStackEngine(clock, { A: complete, B: complete, C: complete });
    const outcome = await restoreStacks([updated('A'), updated('B'), updated('C')], engine, {
      clock,
      runId: 'r2',
    });
    expect(outcome.stacks.map((s) => s.name)).toEqual(['C', 'B', 'A']);
    expect(engine.callsOf('B', 'createChangeSet')[0]?.at ?? 0).toBeGreaterThanOrEqual(
      engine.finishedAt('C') ?? Infinity,
    );
  });

  it('cancels an update in progress, then finds the stack back as recorded', async () => {
    const clock = createEventClock(0);
    const engine = new MemoryStackEngine(clock, {
      Api: {
        existing: { status: 'UPDATE_IN_PROGRESS' },
        empty: true,
        rollbackMs: 20_000,
      },
    });
    const outcome = await restoreStacks([updated('Api')], engine, { clock, runId: 'r3' });
    expect(engine.callsOf('Api', 'cancelUpdate')).toHaveLength(1);
    expect(outcome.stacks[0]).toMatchObject({
      status: 'restored',
      actions: ['cancelled the update in progress'],
    });
    expect(engine.callsOf('Api', 'executeChangeSet')).toHaveLength(0);
  });

  it('is idempotent: nothing to change is a success that changed nothing', async () => {
    const clock = createEventClock(0);
    const engine = new MemoryStackEngine(clock, { Api: { ...complete, empty: true } });
    const outcome = await restoreStacks([updated('Api'), created('Gone')], engine, {
      clock,
      runId: 'r4',
    });
    expect(outcome.ok).toBe(true);
    expect(outcome.changed).toBe(false);
    expect(outcome.stacks.map((s) => s.status)).toEqual(['unchanged', 'unchanged']);
    expect(engine.callsOf('Api', 'deleteChangeSet')).toHaveLength(1);
  });

  it('continues UPDATE_ROLLBACK_FAILED only with resources named for that stack', async () => {
    const failedRollback = {
      existing: {
        status: 'UPDATE_ROLLBACK_FAILED' as const,
        events: [
          {
            logicalId: 'Api',
            resourceType: 'AWS::CloudFormation::Stack',
            status: 'UPDATE_ROLLBACK_IN_PROGRESS',
            reason: undefined,
            isStack: true,
          },
          {
            logicalId: 'Queue',
            resourceType: 'AWS::SQS::Queue',
            status: 'UPDATE_FAILED',
            reason: 'queue in use',
            isStack: false,
          },
        ],
      },
      empty: true,
    };
    let clock = createEventClock(0);
    let engine = new MemoryStackEngine(clock, { Api: failedRollback });
    const refused = await restoreStacks([updated('Api')], engine, { clock, runId: 'r5' });
    expect(refused.ok).toBe(false);
    expect(refused.stacks[0]?.reason).toContain('continue-rollback-skip: Api:Queue');
    expect(engine.callsOf('Api', 'continueUpdateRollback')).toHaveLength(0);

    clock = createEventClock(0);
    engine = new MemoryStackEngine(clock, { Api: failedRollback });
    const continued = await restoreStacks([updated('Api')], engine, {
      clock,
      runId: 'r6',
      continueRollbackSkip: ['Api:Queue'],
    });
    expect(continued.stacks[0]?.status).toBe('restored');
    expect(engine.callsOf('Api', 'continueUpdateRollback')).toHaveLength(1);
  });

  it('stops at a failure: what the failed stack depends on is not touched', async () => {
    const clock = createEventClock(0);
    const engine = new MemoryStackEngine(clock, { Database: complete, Api: complete });
    const outcome = await restoreStacks(
      [updated('Database'), updated('Api', { previousParameters: { Password: '****' } })],
      engine,
      { clock, runId: 'r7', specs: [spec('Database'), spec('Api', ['Database'])] },
    );
    expect(outcome.ok).toBe(false);
    expect(outcome.stacks.map((s) => [s.name, s.status])).toEqual([
      ['Api', 'failed'],
      ['Database', 'skipped'],
    ]);
    expect(outcome.stacks[0]?.reason).toContain('Password are NoEcho');
    expect(outcome.error?.message).toContain('2 of 2 stacks not restored');
    expect(engine.callsOf('Database')).toHaveLength(0);
  });

  it('refuses a record that is not one, naming where', () => {
    expect(() => parseRollbackRecord('{"stacks": [{"name": 3}]}', 'record.json')).toThrow(
      'record.json: stacks[0] is not a rollback record entry',
    );
    expect(parseRollbackRecord('{"stacks": []}', 'record.json')).toEqual([]);
  });
});
