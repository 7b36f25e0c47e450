import { describe, expect, it } from 'vitest';
import { ConfigError, ConflictError, Refusal, ServiceError } from '@cutover/kit';
import {
  type DeployOptions,
  type StackSpec,
  type StackEvent,
  deployStacks,
  parseStackSpecs,
} from '@cutover/stacks';
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
  terminationProtection: false,
  rollbackTriggers: undefined,
  notificationArns: [],
  dependsOn,
  ...extra,
});

function setup(scripts: Record<string, StackScript>, options: Partial<DeployOptions> = {}) {
  const clock = createEventClock(0);
  const engine = new MemoryStackEngine(clock, scripts);
  const events: { stack: string; event: StackEvent }[] = [];
  const run = (specs: StackSpec[], more: Partial<DeployOptions> = {}) =>
    deployStacks(specs, engine, {
      clock,
      readFile: (path) => Promise.resolve(`{"Description": "${path}"}`),
      random: () => 0.5,
      runId: 'run1',
      onEvent: (stack, event) => events.push({ stack, event }),
      ...options,
      ...more,
    });
  return { clock, engine, events, run };
}

/** The Lightning Talk Circle plan: foundation in parallel, Api then StaticSite, observability in parallel. */
const ltcSpecs = (): StackSpec[] => [
  spec('Database'),
  spec('Security'),
  spec('Api', ['Database', 'Security'], {
    parameters: { DatabaseUrl: { stack: 'Database', output: 'Url' } },
  }),
  spec('StaticSite', ['Api']),
  spec('Monitoring', ['StaticSite']),
  spec('Observability', ['StaticSite']),
  spec('DisasterRecovery', ['StaticSite']),
];
const ltcScripts = (): Record<string, StackScript> => ({
  Database: { deployMs: 600_000, outputs: { Url: 'postgres://db:5432/ltc' } },
  Security: { deployMs: 300_000 },
  Api: {
    deployMs: 480_000,
    existing: {
      status: 'UPDATE_COMPLETE',
      parameters: { DatabaseUrl: 'old' },
      template: '{"old":1}',
      tags: { app: 'ltc' },
    },
  },
  StaticSite: { deployMs: 240_000 },
  Monitoring: { deployMs: 180_000 },
  Observability: { deployMs: 200_000 },
  DisasterRecovery: { deployMs: 300_000 },
});

describe('deployStacks', () => {
  it('deploys the seven stacks in three waves and takes the critical path, not the sum', async () => {
    const { clock, engine, run } = setup(ltcScripts());
    const outcome = await run(ltcSpecs());
    expect(outcome.ok).toBe(true);
    expect(outcome.stacks.map((s) => s.status)).toEqual(Array(7).fill('deployed'));
    const startOf = (name: string) => engine.callsOf(name)[0]?.at ?? -1;
    expect(startOf('Database')).toBe(0);
    expect(startOf('Security')).toBe(0);
    expect(startOf('Api')).toBeGreaterThanOrEqual(engine.finishedAt('Database') ?? Infinity);
    expect(startOf('StaticSite')).toBeGreaterThanOrEqual(engine.finishedAt('Api') ?? Infinity);
    const wave3 = ['Monitoring', 'Observability', 'DisasterRecovery'].map(startOf);
    expect(new Set(wave3).size).toBe(1);
    expect(wave3[0]).toBeGreaterThanOrEqual(engine.finishedAt('StaticSite') ?? Infinity);
    // Critical path of execution times 600 + 480 + 240 + 300 s; the sum is 2300 s.
    const criticalPath = 1_620_000;
    const makespan = clock.now();
    expect(makespan).toBeGreaterThanOrEqual(criticalPath);
    // Per wave at most a change set (3 s, seen within a poll) and one poll interval of noticing.
    expect(makespan).toBeLessThanOrEqual(criticalPath + 4 * (5000 + 15_000));
    expect(makespan).toBeLessThan(2_300_000);
    // Api took Database's output, and its previous state is kept for the rollback.
    const apiChangeSet = engine.callsOf('Api', 'createChangeSet');
    expect(apiChangeSet).toHaveLength(1);
    expect(outcome.rollback.find((r) => r.name === 'Api')).toEqual({
      name: 'Api',
      existed: true,
      previousTemplate: '{"old":1}',
      previousParameters: { DatabaseUrl: 'old' },
      previousTags: { app: 'ltc' },
    });
    expect(outcome.rollback.find((r) => r.name === 'Database')).toMatchObject({
      existed: false,
      previousTemplate: undefined,
    });
    expect(outcome.stacks.find((s) => s.name === 'Database')?.outputs).toEqual({
      Url: 'postgres://db:5432/ltc',
    });
  });

  it('passes another stack’s output as a parameter value', async () => {
    const { engine, run } = setup(ltcScripts());
    const parameters: Record<string, string>[] = [];
    const original = engine.createChangeSet.bind(engine);
    engine.createChangeSet = (request, options) => {
      if (request.name === 'Api') parameters.push(request.parameters);
      return original(request, options);
    };
    await run(ltcSpecs());
    expect(parameters).toEqual([{ DatabaseUrl: 'postgres://db:5432/ltc' }]);
  });

  it('respects the parallelism bound', async () => {
    const { engine, run } = setup(ltcScripts());
    await run(ltcSpecs(), { parallelism: 1 });
    expect(engine.callsOf('Security')[0]?.at).toBeGreaterThanOrEqual(
      engine.finishedAt('Database') ?? Infinity,
    );
  });

  it('makes at most one call per in-flight stack per tick while waiting, each mutating call with a token', async () => {
    const { engine, run } = setup(ltcScripts());
    await run(ltcSpecs());
    const polls = engine.log.filter((call) =>
      ['stackEvents', 'describeChangeSet'].includes(call.method),
    );
    const perTick = new Map<string, number>();
    for (const call of polls)
      perTick.set(`${call.stack}@${call.at}`, (perTick.get(`${call.stack}@${call.at}`) ?? 0) + 1);
    expect(Math.max(...perTick.values())).toBe(1);
    // A 600 s deployment at 5 s backing off to 15 s: about 40 event polls, not 120.
    expect(engine.callsOf('Database', 'stackEvents').length).toBeLessThanOrEqual(45);
    for (const call of engine.log.filter((c) =>
      ['createChangeSet', 'executeChangeSet'].includes(c.method),
    ))
      expect(call.token).toMatch(/^[A-Za-z0-9][-A-Za-z0-9]{0,127}$/);
    const tokens = engine.log.filter((c) => c.method === 'executeChangeSet').map((c) => c.token);
    expect(new Set(tokens).size).toBe(7);
  });

  it('notices a finished stack within the current poll interval', async () => {
    const { engine, run } = setup(ltcScripts());
    await run(ltcSpecs());
    for (const [done, next] of [
      ['Database', 'Api'],
      ['Api', 'StaticSite'],
      ['StaticSite', 'Monitoring'],
    ] as const) {
      const finished = engine.finishedAt(done) ?? 0;
      const noticed = engine.callsOf(next)[0]?.at ?? Infinity;
      expect(noticed - finished).toBeLessThanOrEqual(15_000);
      expect(noticed - finished).toBeGreaterThanOrEqual(0);
    }
  });

  it('starts nothing new after a failure and lets the stacks in flight finish', async () => {
    const scripts = ltcScripts();
    scripts.Security = {
      deployMs: 300_000,
      fail: {
        logicalId: 'WafAcl',
        resourceType: 'AWS::WAFv2::WebACL',
        reason: 'Rate limit exceeded',
        atMs: 60_000,
        rollbackMs: 120_000,
      },
    };
    const { engine, events, run } = setup(scripts);
    const outcome = await run(ltcSpecs());
    expect(outcome.ok).toBe(false);
    const byName = Object.fromEntries(outcome.stacks.map((s) => [s.name, s]));
    expect(byName.Security?.status).toBe('failed');
    expect(byName.Security?.reason).toContain(
      'WafAcl (AWS::WAFv2::WebACL) CREATE_FAILED: Rate limit exceeded',
    );
    expect(byName.Security?.stackStatus).toBe('ROLLBACK_COMPLETE');
    expect(byName.Database?.status).toBe('deployed');
    expect(byName.Api).toMatchObject({ status: 'skipped', reason: 'not started: Security failed' });
    expect(engine.callsOf('Api')).toEqual([]);
    expect(outcome.error).toBeInstanceOf(ServiceError);
    expect(
      events.some(
        (e) =>
          e.stack === 'Security' &&
          e.event.status === 'CREATE_FAILED' &&
          e.event.reason === 'Rate limit exceeded',
      ),
    ).toBe(true);
  });

  it('treats a rollback in progress as the failure signal at once', async () => {
    // Security starts rolling back at 60 s and takes 10 min to finish; Database finishes at 120 s.
    const { engine, run } = setup({
      Database: { deployMs: 120_000 },
      Security: {
        existing: { status: 'UPDATE_COMPLETE' },
        fail: {
          logicalId: 'Role',
          resourceType: 'AWS::IAM::Role',
          reason: 'denied',
          atMs: 60_000,
          rollbackMs: 600_000,
        },
      },
      Api: {},
    });
    const outcome = await run([spec('Database'), spec('Security'), spec('Api', ['Database'])]);
    expect(engine.callsOf('Api')).toEqual([]);
    expect(outcome.stacks.map((s) => s.status)).toEqual(['deployed', 'failed', 'skipped']);
    expect(outcome.stacks[1]?.stackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
  });

  it('succeeds on an empty change set, unchanged, with the change set deleted', async () => {
    const { engine, run } = setup({
      Api: {
        empty: true,
        existing: { status: 'UPDATE_COMPLETE', outputs: { Endpoint: 'https://api' } },
      },
    });
    const outcome = await run([spec('Api')]);
    expect(outcome.ok).toBe(true);
    expect(outcome.stacks[0]).toMatchObject({
      status: 'unchanged',
      changed: false,
      outputs: { Endpoint: 'https://api' },
    });
    expect(engine.callsOf('Api', 'deleteChangeSet')).toHaveLength(1);
    expect(engine.callsOf('Api', 'executeChangeSet')).toEqual([]);
    expect(outcome.rollback).toEqual([]);
  });

  it('in plan mode describes the changes and executes nothing', async () => {
    const { engine, run } = setup({ Api: { existing: { status: 'UPDATE_COMPLETE' } }, Web: {} });
    const outcome = await run([spec('Api'), spec('Web', ['Api'])], { mode: 'plan' });
    expect(outcome.ok).toBe(true);
    expect(outcome.stacks.map((s) => s.status)).toEqual(['planned', 'planned']);
    expect(outcome.stacks[0]?.changes).toHaveLength(1);
    expect(engine.log.filter((c) => c.method === 'executeChangeSet')).toEqual([]);
    // The CREATE change set's empty stack is removed again.
    expect(engine.callsOf('Web', 'deleteStack')).toHaveLength(1);
  });

  it('refuses a ROLLBACK_COMPLETE stack unless recreating is allowed', async () => {
    const { engine, run } = setup({ Api: { existing: { status: 'ROLLBACK_COMPLETE' } } });
    const outcome = await run([spec('Api')]);
    expect(outcome.stacks[0]?.status).toBe('failed');
    expect(outcome.error).toBeInstanceOf(ConfigError);
    expect(outcome.error?.message).toMatch(/ROLLBACK_COMPLETE .*allow-recreate: true/);
    expect(engine.callsOf('Api', 'deleteStack')).toEqual([]);
  });

  it('deletes and recreates a ROLLBACK_COMPLETE stack when allowed', async () => {
    const { engine, run } = setup({
      Api: { existing: { status: 'ROLLBACK_COMPLETE' }, deleteMs: 20_000 },
    });
    const outcome = await run([spec('Api')], { allowRecreate: true });
    expect(outcome.stacks[0]).toMatchObject({ status: 'deployed', stackStatus: 'CREATE_COMPLETE' });
    expect(engine.callsOf('Api', 'createChangeSet')[0]?.at).toBeGreaterThanOrEqual(20_000);
    expect(outcome.rollback[0]).toMatchObject({ existed: false });
  });

  it('creates a stack left in REVIEW_IN_PROGRESS', async () => {
    const { engine, run } = setup({ Api: { existing: { status: 'REVIEW_IN_PROGRESS' } } });
    const outcome = await run([spec('Api')]);
    expect(outcome.stacks[0]?.stackStatus).toBe('CREATE_COMPLETE');
    expect(outcome.rollback[0]).toMatchObject({ existed: false });
    expect(engine.callsOf('Api', 'currentTemplate')).toEqual([]);
  });

  const rollbackFailed = (stack = 'Api'): StackScript => ({
    existing: {
      status: 'UPDATE_ROLLBACK_FAILED',
      events: [
        {
          logicalId: stack,
          resourceType: 'AWS::CloudFormation::Stack',
          status: 'UPDATE_ROLLBACK_IN_PROGRESS',
          reason: undefined,
          isStack: true,
        },
        {
          logicalId: 'Fn',
          resourceType: 'AWS::Lambda::Function',
          status: 'UPDATE_FAILED',
          reason: 'Function not found',
          isStack: false,
        },
      ],
    },
  });

  it('fails on UPDATE_ROLLBACK_FAILED naming the resources and reasons', async () => {
    const { engine, run } = setup({ Api: rollbackFailed() });
    const outcome = await run([spec('Api')]);
    expect(outcome.error).toBeInstanceOf(ConfigError);
    expect(outcome.error?.message).toContain(
      'UPDATE_ROLLBACK_FAILED: Fn (AWS::Lambda::Function) UPDATE_FAILED: Function not found',
    );
    expect(outcome.error?.message).toContain('continue-rollback-skip: Api:Fn');
    expect(engine.callsOf('Api', 'continueUpdateRollback')).toEqual([]);
  });

  it('continues the rollback with the explicit skip list, then deploys', async () => {
    const { engine, run } = setup({ Api: rollbackFailed() });
    const outcome = await run([spec('Api')], { continueRollbackSkip: ['Fn'] });
    expect(engine.lastSkip).toEqual(['Fn']);
    expect(outcome.stacks[0]).toMatchObject({ status: 'deployed', stackStatus: 'UPDATE_COMPLETE' });
  });

  it('waits for another operation to end when on-busy is wait, bounded', async () => {
    const busy: StackScript = {
      existing: { status: 'UPDATE_IN_PROGRESS', settlesTo: 'UPDATE_COMPLETE', settleMs: 90_000 },
    };
    const { engine, run } = setup({ Api: busy });
    const outcome = await run([spec('Api')], { onBusy: 'wait' });
    expect(outcome.stacks[0]?.status).toBe('deployed');
    expect(engine.callsOf('Api', 'createChangeSet')[0]?.at).toBeGreaterThanOrEqual(90_000);

    const bounded = setup({
      Api: {
        ...busy,
        existing: { ...busy.existing, status: 'UPDATE_IN_PROGRESS', settleMs: 3_600_000 },
      },
    });
    const late = await bounded.run([spec('Api')], { onBusy: 'wait', busyTimeoutMs: 300_000 });
    expect(late.stacks[0]?.status).toBe('failed');
    expect(late.error?.message).toMatch(/still UPDATE_IN_PROGRESS after waiting 300s/);
    expect(bounded.clock.now()).toBeLessThanOrEqual(300_000);
  });

  it('fails fast on a busy stack when on-busy is fail', async () => {
    const { engine, run } = setup({
      Api: { existing: { status: 'UPDATE_IN_PROGRESS', settlesTo: 'UPDATE_COMPLETE' } },
    });
    const outcome = await run([spec('Api')], { onBusy: 'fail' });
    expect(outcome.error).toBeInstanceOf(Refusal);
    expect(outcome.error?.message).toContain('stack Api is busy: UPDATE_IN_PROGRESS');
    expect(engine.calls).toBe(1);
  });

  it('fails a stack over its timeout and cancels the update when asked', async () => {
    const scripts = {
      Api: {
        existing: { status: 'UPDATE_COMPLETE' as const },
        deployMs: 3_600_000,
        rollbackMs: 60_000,
      },
    };
    const { engine, run } = setup(scripts);
    const outcome = await run([spec('Api')], { timeoutMs: 600_000, cancelOnTimeout: true });
    expect(outcome.stacks[0]?.status).toBe('timed-out');
    expect(outcome.error).toBeInstanceOf(ServiceError);
    expect(outcome.error?.message).toMatch(
      /not finished within 600s.*UPDATE_IN_PROGRESS.*cancelled the update/,
    );
    expect(engine.callsOf('Api', 'cancelUpdate')).toHaveLength(1);

    const kept = setup(scripts);
    const noCancel = await kept.run([spec('Api')], { timeoutMs: 600_000 });
    expect(noCancel.stacks[0]?.status).toBe('timed-out');
    expect(kept.engine.callsOf('Api', 'cancelUpdate')).toEqual([]);
  });

  it('on cancellation stops scheduling and reports what is still in flight', async () => {
    const controller = new AbortController();
    const { clock, engine, run } = setup(ltcScripts());
    const outcome = run(ltcSpecs(), {
      signal: controller.signal,
      onLog: (line) => {
        if (line.startsWith('Security: deployed')) controller.abort();
      },
    });
    const result = await outcome;
    expect(result.cancelled).toBe(true);
    expect(result.inFlight).toEqual(['Database']);
    const byName = Object.fromEntries(result.stacks.map((s) => [s.name, s]));
    expect(byName.Security?.status).toBe('deployed');
    expect(byName.Database?.status).toBe('in-flight');
    expect(byName.Database?.reason).toContain('last status CREATE_IN_PROGRESS');
    expect(byName.Api).toMatchObject({
      status: 'skipped',
      reason: 'not started: the run was cancelled',
    });
    expect(result.error?.message).toContain('still in flight on CloudFormation: Database');
    expect(engine.log.filter((c) => c.method === 'cancelUpdate')).toEqual([]);
    expect(clock.now()).toBeLessThan(600_000);
  });

  it('a cancellation ends the wait at once, not at the next poll', async () => {
    const controller = new AbortController();
    const { clock, run } = setup(ltcScripts());
    let abortedAt = -1;
    const outcome = run(ltcSpecs(), {
      signal: controller.signal,
      onLog: (line) => {
        if (!line.startsWith('Security: deployed')) return;
        abortedAt = clock.now();
        controller.abort();
      },
    });
    const result = await outcome;
    expect(result.cancelled).toBe(true);
    expect(abortedAt).toBeGreaterThan(0);
    // Database was sleeping between polls (up to 15 s): it stops when the signal comes.
    expect(clock.now()).toBe(abortedAt);
  });

  describe('cancellation before executing', () => {
    it('does not execute a change set when cancelled while reading the previous template, and deletes it', async () => {
      const controller = new AbortController();
      const { clock, engine, run } = setup({ Api: { existing: { status: 'UPDATE_COMPLETE' } } });
      const original = engine.currentTemplate.bind(engine);
      engine.currentTemplate = async (name) => {
        controller.abort();
        await clock.sleep(1000);
        return original(name);
      };
      const outcome = await run([spec('Api')], { signal: controller.signal });
      // Nothing may execute after deployStacks returned either.
      await clock.sleep(60_000);
      expect(engine.callsOf('Api', 'executeChangeSet')).toEqual([]);
      expect(engine.callsOf('Api', 'deleteChangeSet')).toHaveLength(1);
      expect(engine.liveChangeSets('Api')).toBe(0);
      expect(outcome.cancelled).toBe(true);
      expect(outcome.inFlight).toEqual([]);
      expect(outcome.rollback).toEqual([]);
      expect(outcome.stacks[0]).toMatchObject({
        status: 'skipped',
        reason: 'not started: the run was cancelled before its change set was executed',
      });
      expect(outcome.error?.message).toContain('no stack in flight');
    });

    it('deletes the REVIEW_IN_PROGRESS stack of a new stack cancelled before executing', async () => {
      const controller = new AbortController();
      const { engine, run } = setup({ Web: {} });
      const outcome = await run([spec('Web')], {
        signal: controller.signal,
        onChangeSet: () => controller.abort(),
      });
      expect(engine.callsOf('Web', 'executeChangeSet')).toEqual([]);
      expect(engine.callsOf('Web', 'deleteChangeSet')).toHaveLength(1);
      expect(engine.callsOf('Web', 'deleteStack')).toHaveLength(1);
      expect(outcome.stacks[0]?.status).toBe('skipped');
      expect(outcome.inFlight).toEqual([]);
    });

    it('waits for every run to stop before returning, cleaning up the change sets not executed', async () => {
      const controller = new AbortController();
      const { engine, run } = setup({
        Database: { deployMs: 600_000 },
        Api: { changeSetMs: 60_000 },
      });
      const outcome = await run([spec('Database'), spec('Api')], {
        signal: controller.signal,
        onLog: (line) => {
          if (line.startsWith('Database: executing')) controller.abort();
        },
      });
      expect(outcome.inFlight).toEqual(['Database']);
      expect(outcome.stacks.map((s) => s.status)).toEqual(['in-flight', 'skipped']);
      expect(engine.callsOf('Api', 'executeChangeSet')).toEqual([]);
      expect(engine.liveChangeSets('Api')).toBe(0);
      expect(outcome.rollback.map((r) => r.name)).toEqual(['Database']);
    });
  });

  describe('continue-rollback-skip per stack', () => {
    it('gives each UPDATE_ROLLBACK_FAILED stack only its own ids and does not continue a stack without any', async () => {
      const { engine, run } = setup({ Api: rollbackFailed('Api'), Web: rollbackFailed('Web') });
      const outcome = await run([spec('Api'), spec('Web')], { continueRollbackSkip: ['Api:Fn'] });
      expect(engine.lastSkip).toEqual(['Fn']);
      expect(engine.callsOf('Api', 'continueUpdateRollback')).toHaveLength(1);
      expect(engine.callsOf('Web', 'continueUpdateRollback')).toEqual([]);
      const [api, web] = outcome.stacks;
      // Api's rollback was continued (a repair), but once Web failed nothing new executes.
      expect(api?.status).toBe('skipped');
      expect(api?.reason).toBe('not executed: Web failed');
      expect(engine.callsOf('Api', 'executeChangeSet')).toEqual([]);
      expect(web?.status).toBe('failed');
      expect(web?.error).toBeInstanceOf(ConfigError);
      expect(web?.reason).toContain(
        'UPDATE_ROLLBACK_FAILED: Fn (AWS::Lambda::Function) UPDATE_FAILED: Function not found',
      );
      expect(web?.reason).toContain('continue-rollback-skip: Web:Fn');
    });

    it('refuses a bare LogicalId when more than one stack is deployed, or an unknown stack', async () => {
      const { engine, run } = setup({ Api: rollbackFailed('Api'), Web: rollbackFailed('Web') });
      await expect(
        run([spec('Api'), spec('Web')], { continueRollbackSkip: ['Fn'] }),
      ).rejects.toThrow(
        /continue-rollback-skip: "Fn" names no stack; with 2 stacks deployed, write it as Stack:LogicalId/,
      );
      await expect(
        run([spec('Api'), spec('Web')], { continueRollbackSkip: ['Db:Fn'] }),
      ).rejects.toThrow(ConfigError);
      expect(engine.calls).toBe(0);
    });
  });

  describe('failed polls', () => {
    const throttled = () =>
      Object.assign(new ServiceError('Rate exceeded (Throttling)'), { retryable: true });

    it('retries a failed poll on the next tick and deploys', async () => {
      const { clock, engine, run } = setup({ Api: { deployMs: 120_000 } });
      const original = engine.stackEvents.bind(engine);
      engine.stackEvents = (name, after) =>
        clock.now() > 20_000 && clock.now() < 90_000
          ? Promise.reject(throttled())
          : original(name, after);
      const outcome = await run([spec('Api')]);
      expect(outcome.stacks[0]).toMatchObject({
        status: 'deployed',
        stackStatus: 'CREATE_COMPLETE',
      });
      expect(outcome.ok).toBe(true);
    });

    it('fails only at the deadline, naming the last poll error', async () => {
      const { engine, run } = setup({ Api: { deployMs: 120_000 } });
      engine.stackEvents = () => Promise.reject(throttled());
      const outcome = await run([spec('Api')], { timeoutMs: 600_000 });
      expect(outcome.stacks[0]?.status).toBe('timed-out');
      expect(outcome.error?.message).toMatch(
        /not finished within 600s.*the last poll failed: Rate exceeded \(Throttling\)/,
      );
    });

    it('does not retry an error that is not transient', async () => {
      const { engine, run } = setup({ Api: {} });
      engine.stackEvents = () => Promise.reject(new ConfigError('access denied'));
      const outcome = await run([spec('Api')]);
      expect(outcome.stacks[0]).toMatchObject({ status: 'failed', reason: 'access denied' });
    });
  });

  describe('plan mode cleanup', () => {
    it('deletes the change set and the REVIEW_IN_PROGRESS stack when the change set failed', async () => {
      const { engine, run } = setup({ Web: { changeSetFails: 'Template format error' } });
      const outcome = await run([spec('Web')], { mode: 'plan' });
      expect(outcome.stacks[0]?.reason).toContain('the change set failed: Template format error');
      expect(engine.callsOf('Web', 'deleteChangeSet')).toHaveLength(1);
      expect(engine.callsOf('Web', 'deleteStack')).toHaveLength(1);
      expect(engine.liveChangeSets('Web')).toBe(0);
    });

    it('deletes the change set and the REVIEW_IN_PROGRESS stack when the run is cancelled', async () => {
      const controller = new AbortController();
      const { engine, run } = setup({
        Web: { changeSetMs: 60_000 },
        Api: { existing: { status: 'UPDATE_COMPLETE' }, changeSetMs: 60_000 },
      });
      const original = engine.describeChangeSet.bind(engine);
      engine.describeChangeSet = (stack, id) => {
        controller.abort();
        return original(stack, id);
      };
      const outcome = await run([spec('Web'), spec('Api')], {
        mode: 'plan',
        signal: controller.signal,
      });
      expect(outcome.cancelled).toBe(true);
      expect(engine.liveChangeSets('Web')).toBe(0);
      expect(engine.liveChangeSets('Api')).toBe(0);
      expect(engine.callsOf('Web', 'deleteStack')).toHaveLength(1);
      expect(engine.callsOf('Api', 'deleteStack')).toEqual([]);
    });
  });

  describe('a conflict on ExecuteChangeSet', () => {
    const racing = (engine: MemoryStackEngine) => {
      const original = engine.executeChangeSet.bind(engine);
      let first = true;
      engine.executeChangeSet = (stack, id, token) => {
        if (!first) return original(stack, id, token);
        first = false;
        engine.startOtherOperation(stack, 90_000);
        return Promise.reject(
          new ConflictError('ChangeSet cannot be executed in its current status of OBSOLETE'),
        );
      };
    };

    it('waits for the other operation, deletes its stale change set and deploys again', async () => {
      const { engine, run } = setup({ Api: { existing: { status: 'UPDATE_COMPLETE' } } });
      racing(engine);
      const outcome = await run([spec('Api')], { onBusy: 'wait' });
      expect(outcome.stacks[0]).toMatchObject({
        status: 'deployed',
        stackStatus: 'UPDATE_COMPLETE',
      });
      const created = engine.callsOf('Api', 'createChangeSet');
      expect(created).toHaveLength(2);
      expect(created[1]?.at).toBeGreaterThanOrEqual(90_000);
      expect(new Set(created.map((c) => c.token)).size).toBe(2);
      expect(engine.liveChangeSets('Api')).toBe(1);
      expect(outcome.rollback).toHaveLength(1);
    });

    it('refuses naming the other operation when on-busy is fail, deleting its change set', async () => {
      const { engine, run } = setup({ Api: { existing: { status: 'UPDATE_COMPLETE' } } });
      racing(engine);
      const outcome = await run([spec('Api')], { onBusy: 'fail' });
      expect(outcome.error).toBeInstanceOf(Refusal);
      expect(outcome.error?.message).toContain('stack Api is busy: UPDATE_IN_PROGRESS');
      expect(engine.liveChangeSets('Api')).toBe(0);
      expect(outcome.rollback).toEqual([]);
    });
  });

  it('accepts specs parsed from a plan section', async () => {
    const parsed = parseStackSpecs([
      { name: 'Database', template: 'db.json' },
      {
        name: 'Api',
        template: 'api.json',
        'depends-on': ['Database'],
        parameters: { Url: { stack: 'Database', output: 'Url' } },
      },
    ]);
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const { run } = setup({ Database: { outputs: { Url: 'u' } }, Api: {} });
    expect((await run(parsed.specs)).ok).toBe(true);
  });
});

describe('pre-flight: every file is checked before the first wave', () => {
  const big = (bytes: number) => `{"Description": "${'x'.repeat(bytes)}"}`;

  it('a bad template of the last wave fails the run before any stack is touched, naming every problem', async () => {
    const { engine, run } = setup(ltcScripts(), {
      readFile: (path) =>
        path === 'templates/DisasterRecovery.json'
          ? Promise.reject(new Error('ENOENT: no such file'))
          : path === 'templates/Monitoring.json'
            ? Promise.resolve(big(60_000))
            : path === 'params/api.json'
              ? Promise.resolve('{"DatabaseUrl": ["not", "text"]}')
              : Promise.resolve('{"Description": "ok"}'),
    });
    const specs = ltcSpecs().map((s) =>
      s.name === 'Api' ? { ...s, parametersFile: 'params/api.json' } : s,
    );
    const failure = await run(specs).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConfigError);
    const message = (failure as Error).message;
    expect(message).toContain('3 problems found before deploying anything');
    expect(message).toContain('stack DisasterRecovery: cannot read the template');
    expect(message).toContain(
      'stack Monitoring: the template templates/Monitoring.json is 60019 bytes',
    );
    expect(message).toContain(
      'stack Api: parameters-file params/api.json: the value of DatabaseUrl is not text',
    );
    for (const name of ltcSpecs().map((s) => s.name)) expect(engine.callsOf(name)).toEqual([]);
  });

  it('refuses an empty template and one over the 1 MB limit for S3, and uploads nothing when any file is bad', async () => {
    const uploads: string[] = [];
    const { engine, run } = setup(
      { Database: {}, Api: {} },
      {
        readFile: (path) =>
          Promise.resolve(path === 'templates/Database.json' ? big(1_048_600) : ' \n'),
        uploadTemplate: (stack) => {
          uploads.push(stack);
          return Promise.resolve(`https://bucket.s3.amazonaws.com/${stack}.json`);
        },
      },
    );
    const failure = await run([spec('Database'), spec('Api', ['Database'])]).catch(
      (error: unknown) => error,
    );
    expect((failure as Error).message).toContain("over CloudFormation's 1048576-byte limit");
    expect((failure as Error).message).toContain(
      'stack Api: the template templates/Api.json is empty',
    );
    expect(uploads).toEqual([]);
    expect(engine.callsOf('Database')).toEqual([]);
  });

  it('uploads an oversized template once, before the first wave, and deploys it from the URL', async () => {
    const uploads: string[] = [];
    const { engine, run } = setup(
      { Database: {}, Api: {} },
      {
        readFile: (path) =>
          Promise.resolve(path === 'templates/Api.json' ? big(60_000) : '{"Description": "db"}'),
        uploadTemplate: (stack) => {
          uploads.push(stack);
          return Promise.resolve(`https://bucket.s3.amazonaws.com/${stack}.json`);
        },
      },
    );
    const outcome = await run([spec('Database'), spec('Api', ['Database'])]);
    expect(outcome.ok).toBe(true);
    expect(uploads).toEqual(['Api']);
    expect(engine.callsOf('Api', 'createChangeSet')).toHaveLength(1);
  });
});
