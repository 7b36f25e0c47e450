import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsServiceError, CloudFormationEngine } from '@cutover/aws';
import { ConfigError, ConflictError } from '@cutover/kit';
import type { StackDescription, StackRequest } from '@cutover/stacks';
import { FakeCloudFormation } from '../support/fake-cloudformation.js';

let cfn: FakeCloudFormation;
let engine: CloudFormationEngine;
const saved = { ...process.env };

const template = (tableName: string, memory: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    Parameters: { Colour: { Type: 'String', Default: 'green' } },
    Resources: {
      Table: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: tableName } },
      Api: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          MemorySize: memory,
          Environment: { Variables: { COLOUR: { Ref: 'Colour' } } },
        },
      },
      ...extra,
    },
    Outputs: {
      ApiUrl: { Value: 'https://api.lightningtalk.example' },
      Colour: { Value: { Ref: 'Colour' } },
    },
  });
const V1 = template('talks', 128);
const V2 = template('talks-v2', 256);

const request = (templateBody: string, overrides: Partial<StackRequest> = {}): StackRequest => ({
  name: 'LightningTalkApi',
  templateBody,
  parameters: { Colour: 'green' },
  tags: { app: 'lightningtalk' },
  capabilities: [],
  notificationArns: [],
  rollbackTriggers: undefined,
  terminationProtection: false,
  ...overrides,
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls (bounded) until the change set leaves CREATE_PENDING. */
async function changeSetReady(id: string) {
  for (let i = 0; i < 500; i++) {
    const described = await engine.describeChangeSet('LightningTalkApi', id);
    if (described.status !== 'CREATE_PENDING' && described.status !== 'CREATE_IN_PROGRESS')
      return described;
    await sleep(2);
  }
  throw new Error(`change set ${id} never left CREATE_PENDING`);
}

/** Polls (bounded) until the stack reaches a state that is not *_IN_PROGRESS. */
async function settled(name = 'LightningTalkApi'): Promise<StackDescription | undefined> {
  for (let i = 0; i < 1000; i++) {
    const stack = await engine.describeStack(name);
    if (stack === undefined || !stack.status.endsWith('_IN_PROGRESS')) return stack;
    await sleep(2);
  }
  throw new Error(`${name} never settled`);
}

/** Change set, execute, wait: one deployment as the domain runs it. */
async function deploy(body: string, token: string, overrides: Partial<StackRequest> = {}) {
  const exists = (await engine.describeStack('LightningTalkApi')) !== undefined;
  const { id } = await engine.createChangeSet(request(body, overrides), {
    changeSetName: `cutover-${token}`,
    type: exists ? 'UPDATE' : 'CREATE',
    clientToken: `cs-${token}`,
  });
  const changeSet = await changeSetReady(id);
  expect(changeSet.status).toBe('CREATE_COMPLETE');
  await engine.executeChangeSet('LightningTalkApi', id, `exec-${token}`);
  return { id, changeSet };
}

beforeAll(() => {
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
});
afterAll(() => {
  process.env = saved;
});
beforeEach(async () => {
  cfn = await new FakeCloudFormation().start();
  cfn.stepMs = 2;
  engine = new CloudFormationEngine({ region: 'ap-northeast-1', endpoint: cfn.url });
});
afterEach(async () => {
  await cfn.stop();
});

describe('CloudFormationEngine on the real SDK against a fake CloudFormation', () => {
  it('creates a stack through a CREATE change set: review, execute, complete, outputs and events', async () => {
    const { id } = await engine.createChangeSet(request(V1), {
      changeSetName: 'cutover-1',
      type: 'CREATE',
      clientToken: 'cs-1',
    });
    expect((await engine.describeStack('LightningTalkApi'))?.status).toBe('REVIEW_IN_PROGRESS');
    const changeSet = await changeSetReady(id);
    expect(changeSet).toMatchObject({ status: 'CREATE_COMPLETE', executionStatus: 'AVAILABLE' });
    expect(changeSet.changes).toEqual([
      {
        action: 'Add',
        logicalId: 'Table',
        resourceType: 'AWS::DynamoDB::Table',
        replacement: undefined,
      },
      {
        action: 'Add',
        logicalId: 'Api',
        resourceType: 'AWS::Lambda::Function',
        replacement: undefined,
      },
    ]);
    await engine.executeChangeSet('LightningTalkApi', id, 'exec-1');
    const stack = await settled();
    expect(stack).toMatchObject({
      status: 'CREATE_COMPLETE',
      outputs: { ApiUrl: 'https://api.lightningtalk.example', Colour: 'green' },
      parameters: { Colour: 'green' },
      tags: { app: 'lightningtalk' },
      terminationProtection: false,
    });
    expect(stack?.id).toMatch(
      /^arn:aws:cloudformation:ap-northeast-1:\d{12}:stack\/LightningTalkApi\//,
    );
    const events = await engine.stackEvents('LightningTalkApi', undefined);
    expect(events[0]).toMatchObject({
      status: 'CREATE_COMPLETE',
      isStack: true,
      clientRequestToken: 'exec-1',
    });
    expect(events.filter((e) => !e.isStack).map((e) => `${e.logicalId} ${e.status}`)).toEqual([
      'Api CREATE_COMPLETE',
      'Api CREATE_IN_PROGRESS',
      'Table CREATE_COMPLETE',
      'Table CREATE_IN_PROGRESS',
    ]);
    expect(events.at(-1)).toMatchObject({ status: 'REVIEW_IN_PROGRESS', isStack: true });
  });

  it('updates a stack: Modify with replacement when a name changes, cleanup, new template', async () => {
    await deploy(V1, '1');
    await settled();
    const { changeSet } = await deploy(V2, '2');
    expect(changeSet.changes).toEqual([
      {
        action: 'Modify',
        logicalId: 'Table',
        resourceType: 'AWS::DynamoDB::Table',
        replacement: 'True',
      },
      {
        action: 'Modify',
        logicalId: 'Api',
        resourceType: 'AWS::Lambda::Function',
        replacement: 'False',
      },
    ]);
    expect((await settled())?.status).toBe('UPDATE_COMPLETE');
    const statuses = (await engine.stackEvents('LightningTalkApi', undefined))
      .filter((e) => e.isStack)
      .map((e) => e.status);
    expect(statuses.slice(0, 3)).toEqual([
      'UPDATE_COMPLETE',
      'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
      'UPDATE_IN_PROGRESS',
    ]);
    expect(await engine.currentTemplate('LightningTalkApi')).toBe(V2);
  });

  it('reports a change set without changes as FAILED with AWS reason, and deletes it', async () => {
    await deploy(V1, '1');
    await settled();
    const { id } = await engine.createChangeSet(request(V1), {
      changeSetName: 'cutover-2',
      type: 'UPDATE',
      clientToken: 'cs-2',
    });
    expect(await changeSetReady(id)).toMatchObject({
      status: 'FAILED',
      statusReason:
        "The submitted information didn't contain changes. Submit different information to create a change set.",
      changes: [],
    });
    await engine.deleteChangeSet('LightningTalkApi', id);
    const gone = await engine.describeChangeSet('LightningTalkApi', id).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(ConfigError);
    expect((gone as Error).message).toContain('not found (ChangeSetNotFound');
  });

  it('rolls a failed create back to ROLLBACK_COMPLETE with the failing resource and its reason in the events', async () => {
    cfn.failResource(
      'LightningTalkApi',
      'Api',
      'Resource handler returned message: "MemorySize exceeds the limit"',
    );
    await deploy(V1, '1');
    const stack = await settled();
    expect(stack).toMatchObject({ status: 'ROLLBACK_COMPLETE', outputs: {} });
    expect(stack?.statusReason).toContain('[Api]');
    const events = await engine.stackEvents('LightningTalkApi', undefined);
    expect(events.find((e) => e.status === 'CREATE_FAILED')).toMatchObject({
      logicalId: 'Api',
      reason: 'Resource handler returned message: "MemorySize exceeds the limit"',
    });
    expect(events.some((e) => e.isStack && e.status === 'ROLLBACK_IN_PROGRESS')).toBe(true);
    const update = await engine
      .createChangeSet(request(V2), {
        changeSetName: 'cutover-2',
        type: 'UPDATE',
        clientToken: 'cs-2',
      })
      .catch((e: unknown) => e);
    expect(update).toBeInstanceOf(ConflictError);
    expect((update as Error).message).toContain(
      'is in ROLLBACK_COMPLETE state and can not be updated',
    );
  });

  it('ends UPDATE_ROLLBACK_FAILED when a rollback fails, and continues only past resources whose rollback failed', async () => {
    await deploy(V1, '1');
    await settled();
    cfn.failResource('LightningTalkApi', 'Api', 'Resource handler returned message: "Rate limit"');
    cfn.failRollback('LightningTalkApi', 'Table');
    await deploy(V2, '2');
    const failed = await settled();
    expect(failed).toMatchObject({ status: 'UPDATE_ROLLBACK_FAILED' });
    expect(failed?.statusReason).toContain('[Table]');
    const events = await engine.stackEvents('LightningTalkApi', undefined);
    expect(
      events.find((e) => e.logicalId === 'Table' && e.status === 'UPDATE_FAILED')?.reason,
    ).toContain('could not be restored');
    expect(events.find((e) => e.logicalId === 'Api' && e.status === 'UPDATE_FAILED')?.reason).toBe(
      'Resource handler returned message: "Rate limit"',
    );

    const wrongSkip = await engine
      .continueUpdateRollback('LightningTalkApi', ['Api'], 'continue-0')
      .catch((e: unknown) => e);
    expect(wrongSkip).toBeInstanceOf(ConfigError);
    expect((wrongSkip as Error).message).toContain('ContinueUpdateRollback');

    await engine.continueUpdateRollback('LightningTalkApi', ['Table'], 'continue-1');
    const back = await settled();
    expect(back).toMatchObject({
      status: 'UPDATE_ROLLBACK_COMPLETE',
      outputs: { Colour: 'green' },
    });
    expect(await engine.currentTemplate('LightningTalkApi')).toBe(V1);
    const latest = await engine.stackEvents('LightningTalkApi', undefined);
    expect(latest.find((e) => e.logicalId === 'Table')).toMatchObject({
      status: 'UPDATE_COMPLETE',
      clientRequestToken: 'continue-1',
    });
  });

  it('refuses to update a busy stack as a conflict, and cancels only an update in progress', async () => {
    await deploy(V1, '1');
    await settled();
    const { id } = await engine.createChangeSet(request(V2), {
      changeSetName: 'cutover-2',
      type: 'UPDATE',
      clientToken: 'cs-2',
    });
    await changeSetReady(id);
    cfn.stepMs = 60_000; // the update stays UPDATE_IN_PROGRESS until cancelled
    await engine.executeChangeSet('LightningTalkApi', id, 'exec-2');
    expect((await engine.describeStack('LightningTalkApi'))?.status).toBe('UPDATE_IN_PROGRESS');
    const busy = await engine
      .createChangeSet(request(template('talks-v3', 512)), {
        changeSetName: 'cutover-3',
        type: 'UPDATE',
        clientToken: 'cs-3',
      })
      .catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(ConflictError);
    expect((busy as Error).message).toMatch(
      /Stack:arn:aws:cloudformation:\S+ is in UPDATE_IN_PROGRESS state and can not be updated\./,
    );
    cfn.stepMs = 2;
    await engine.cancelUpdate('LightningTalkApi', 'cancel-1');
    expect((await settled())?.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    const again = await engine
      .cancelUpdate('LightningTalkApi', 'cancel-2')
      .catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ConfigError);
    expect((again as Error).message).toContain(
      'CancelUpdateStack cannot be called from current stack status',
    );
  });

  it('lets the SDK retry throttling, counting every attempt, and reports throttling that outlasts the retries', async () => {
    await deploy(V1, '1');
    await settled();
    const before = engine.calls;
    const describesBefore = cfn.callsTo('DescribeStacks');
    cfn.throttle(2);
    expect((await engine.describeStack('LightningTalkApi'))?.status).toBe('CREATE_COMPLETE');
    expect(engine.calls - before).toBe(3);
    expect(cfn.callsTo('DescribeStacks') - describesBefore).toBe(3);

    cfn.throttle(2);
    const impatient = new CloudFormationEngine({
      region: 'ap-northeast-1',
      endpoint: cfn.url,
      maxAttempts: 2,
    });
    const error = await impatient.describeStack('LightningTalkApi').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsServiceError);
    expect(error).toMatchObject({ retryable: true, code: 'Throttling' });
    expect((error as Error).message).toContain(
      'DescribeStacks on arn:aws:cloudformation:ap-northeast-1:*:stack/LightningTalkApi/*',
    );
  });

  it('retries a lost answer safely: the same client token yields the same change set and one execution', async () => {
    cfn.dropResponses(1);
    const { id } = await engine.createChangeSet(request(V1), {
      changeSetName: 'cutover-1',
      type: 'CREATE',
      clientToken: 'cs-1',
    });
    expect(cfn.callsTo('CreateChangeSet')).toBe(2);
    expect([...(cfn.stack('LightningTalkApi')?.changeSets.keys() ?? [])]).toEqual(['cutover-1']);
    expect((await changeSetReady(id)).status).toBe('CREATE_COMPLETE');
    cfn.dropResponses(1);
    await engine.executeChangeSet('LightningTalkApi', id, 'exec-1');
    expect(cfn.callsTo('ExecuteChangeSet')).toBe(2);
    expect((await settled())?.status).toBe('CREATE_COMPLETE');
    const starts = (await engine.stackEvents('LightningTalkApi', undefined)).filter(
      (e) => e.isStack && e.status === 'CREATE_IN_PROGRESS',
    );
    expect(starts).toHaveLength(1);
  });

  it('refuses to delete a stack under termination protection, and deletes it once lifted', async () => {
    await deploy(V1, '1');
    await settled();
    await engine.updateTerminationProtection('LightningTalkApi', true);
    expect((await engine.describeStack('LightningTalkApi'))?.terminationProtection).toBe(true);
    const refused = await engine
      .deleteStack('LightningTalkApi', 'delete-1')
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as Error).message).toContain(
      'cannot be deleted while TerminationProtection is enabled',
    );
    await engine.updateTerminationProtection('LightningTalkApi', false);
    await engine.deleteStack('LightningTalkApi', 'delete-2');
    expect(await settled()).toBeUndefined();
  });

  it('follows event pages newest first until a known event', async () => {
    cfn.eventPageSize = 3;
    await deploy(V1, '1');
    await settled();
    const firstPage = await engine.stackEvents('LightningTalkApi', undefined);
    expect(firstPage).toHaveLength(3);
    const all =
      cfn
        .stack('LightningTalkApi')
        ?.events.map((e) => e.EventId)
        .reverse() ?? [];
    expect(all.length).toBeGreaterThan(6);
    const oldest = all.at(-1);
    const calls = cfn.callsTo('DescribeStackEvents');
    const newer = await engine.stackEvents('LightningTalkApi', oldest);
    expect(newer.map((e) => e.id)).toEqual(all.slice(0, -1));
    expect(cfn.callsTo('DescribeStackEvents') - calls).toBe(Math.ceil(all.length / 3));
  });

  it('answers undefined for a stack that does not exist, and names capabilities the template needs', async () => {
    expect(await engine.describeStack('NoSuchStack')).toBeUndefined();
    const withRole = template('talks', 128, { Role: { Type: 'AWS::IAM::Role', Properties: {} } });
    const refused = await engine
      .createChangeSet(request(withRole), {
        changeSetName: 'cutover-1',
        type: 'CREATE',
        clientToken: 'cs-1',
      })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as Error).message).toContain('CAPABILITY_IAM');
    const { id } = await engine.createChangeSet(
      request(withRole, { capabilities: ['CAPABILITY_IAM'] }),
      {
        changeSetName: 'cutover-1',
        type: 'CREATE',
        clientToken: 'cs-1',
      },
    );
    expect((await changeSetReady(id)).changes.map((c) => c.logicalId)).toEqual([
      'Table',
      'Api',
      'Role',
    ]);
  });
});
