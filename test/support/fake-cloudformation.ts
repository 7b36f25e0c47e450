import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { LoopbackFake } from './loopback-fake.js';
import { escapeXml, toXml, unflatten, type Json } from './aws-query.js';

/**
 * A fake of the CloudFormation query API (form-encoded POST, Action=…&Version=2010-05-15, XML
 * answers in the 2010-05-15 namespace) with a stack state machine that moves on timers of
 * `stepMs`: one resource event per step, failures and rollbacks scripted per test. Modelled on
 * the API reference, https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/ (cited
 * below as "ref: API_<Action>"), and on the SDK's model of the wire error codes
 * (@aws-sdk/client-cloudformation schemas: ChangeSetNotFound 404, InvalidChangeSetStatus 400,
 * AlreadyExistsException, InsufficientCapabilitiesException, TokenAlreadyExistsException 400).
 *
 * Simplifications, each named: templates are JSON only (CDK synthesizes JSON); `Ref` to a
 * parameter is the only intrinsic resolved (outputs are literal strings otherwise); a Modify
 * replaces the resource when a property ending in `Name` changes (BucketName, TableName…),
 * else not; a stack changes (non-empty change set) when its resolved resources, outputs or
 * tags change.
 */
const NS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
const ACCOUNT = '123456789012';

interface Resource {
  Type: string;
  [key: string]: Json;
}

interface EventRecord {
  EventId: string;
  StackId: string;
  StackName: string;
  LogicalResourceId: string;
  PhysicalResourceId: string;
  ResourceType: string;
  Timestamp: string;
  ResourceStatus: string;
  ResourceStatusReason?: string;
  ClientRequestToken?: string;
}

/** What a stack runs: what a change set proposes and a rollback restores. */
interface StackConfig {
  template: string;
  resources: Record<string, Resource>;
  outputs: Record<string, string>;
  parameters: Record<string, string>;
  tags: Record<string, string>;
  capabilities: string[];
  notificationArns: string[];
  roleArn: string | undefined;
}

interface FakeChange {
  Action: 'Add' | 'Modify' | 'Remove';
  LogicalResourceId: string;
  ResourceType: string;
  Replacement?: 'True' | 'False';
}

interface FakeChangeSet {
  id: string;
  name: string;
  stackId: string;
  type: 'CREATE' | 'UPDATE';
  status: 'CREATE_PENDING' | 'CREATE_COMPLETE' | 'FAILED' | 'DELETE_COMPLETE';
  executionStatus:
    'UNAVAILABLE' | 'AVAILABLE' | 'EXECUTE_IN_PROGRESS' | 'EXECUTE_COMPLETE' | 'OBSOLETE';
  statusReason: string | undefined;
  changes: FakeChange[];
  config: StackConfig;
  clientToken: string | undefined;
  created: string;
}

/** One step of an operation: what it emits, and the stack status it leaves (if it changes). */
interface Frame {
  events: { logicalId: string; type: string; status: string; reason?: string }[];
  status?: string;
  reason?: string;
  /** Runs when the frame plays (config swap, deletion). */
  effect?: () => void;
}

export interface FakeStack {
  id: string;
  name: string;
  status: string;
  statusReason: string | undefined;
  config: StackConfig;
  /** The configuration a failed update rolls back to. */
  previous: StackConfig | undefined;
  terminationProtection: boolean;
  created: string;
  lastUpdated: string | undefined;
  deleted: boolean;
  /** Chronological; DescribeStackEvents answers newest first. */
  events: EventRecord[];
  changeSets: Map<string, FakeChangeSet>;
  frames: Frame[];
  timer: NodeJS.Timeout | undefined;
  /** The operation in flight, for the token it carries and what a cancel rolls back. */
  token: string | undefined;
  /** Tokens already used on this stack, with the action they were used for. */
  tokens: Map<string, string>;
  /** Resources whose rollback failed (UPDATE_ROLLBACK_FAILED): what ContinueUpdateRollback may skip. */
  rollbackFailed: Set<string>;
  /** The change set being executed (its changes drive rollback and cleanup). */
  executing: FakeChangeSet | undefined;
  /** Resources of the executing update already changed, in order (rolled back in reverse). */
  applied: FakeChange[];
}

class QueryError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const fail = (code: string, message: string, status = 400): never => {
  throw new QueryError(status, code, message);
};

export class FakeCloudFormation extends LoopbackFake {
  /** Milliseconds per state-machine step (one resource event). Small in tests. */
  stepMs = 5;
  /** DescribeStackEvents page size (the real API pages at 1 MB; small here to exercise NextToken). */
  eventPageSize = 100;
  /** Requests received per action, including throttled and dropped ones. */
  readonly calls = new Map<string, number>();
  /** Templates "in S3", by TemplateURL. */
  readonly objects = new Map<string, string>();
  private readonly stacks = new Map<string, FakeStack>();
  private readonly failures = new Map<string, Map<string, string>>();
  private readonly rollbackFailures = new Map<string, Set<string>>();
  private throttled = 0;
  private dropped = 0;

  /** The resource fails to create or update on `stack`, with this reason, until cleared. */
  failResource(stack: string, logicalId: string, reason: string): void {
    const map = this.failures.get(stack) ?? new Map<string, string>();
    map.set(logicalId, reason);
    this.failures.set(stack, map);
  }

  /** Rolling the resource back fails on `stack`: an update rollback ends UPDATE_ROLLBACK_FAILED. */
  failRollback(stack: string, logicalId: string): void {
    const set = this.rollbackFailures.get(stack) ?? new Set<string>();
    set.add(logicalId);
    this.rollbackFailures.set(stack, set);
  }

  clearFailures(stack: string): void {
    this.failures.delete(stack);
    this.rollbackFailures.delete(stack);
  }

  /** The next `times` requests answer Throttling (HTTP 400, "Rate exceeded"). */
  throttle(times: number): void {
    this.throttled += times;
  }

  /** The next `times` requests are carried out, then their connection is destroyed unanswered. */
  dropResponses(times: number): void {
    this.dropped += times;
  }

  callsTo(action: string): number {
    return this.calls.get(action) ?? 0;
  }

  /** The live stack of that name (not deleted), for assertions. */
  stack(name: string): FakeStack | undefined {
    return [...this.stacks.values()].find((s) => s.name === name && !s.deleted);
  }

  override async stop(): Promise<void> {
    for (const stack of this.stacks.values()) clearTimeout(stack.timer);
    await super.stop();
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const action = params.get('Action') ?? '';
    this.calls.set(action, this.callsTo(action) + 1);
    const authorization = req.headers.authorization ?? '';
    // Signature Version 4 is required: https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/CommonErrors.html
    if (!authorization.startsWith('AWS4-HMAC-SHA256 '))
      return this.error(res, 403, 'MissingAuthenticationToken', 'Missing Authentication Token');
    if (params.get('Version') !== '2010-05-15')
      return this.error(
        res,
        400,
        'InvalidAction',
        `unknown version ${params.get('Version') ?? ''}`,
      );
    // Common errors: Throttling, HTTP 400 (ref: CommonErrors).
    if (this.throttled > 0) {
      this.throttled--;
      return this.error(res, 400, 'Throttling', 'Rate exceeded');
    }
    const region = /Credential=[^/]+\/\d+\/([^/]+)\//.exec(authorization)?.[1] ?? 'us-east-1';
    let result: Json | undefined;
    try {
      result = this.dispatch(action, unflatten(params), region);
    } catch (error) {
      if (!(error instanceof QueryError)) throw error;
      return this.error(res, error.status, error.code, error.message);
    }
    if (this.dropped > 0) {
      // The request took effect and the answer is lost: what client tokens exist for.
      this.dropped--;
      req.socket.destroy();
      return false;
    }
    return this.ok(res, action, result);
  }

  private dispatch(action: string, input: Record<string, Json>, region: string): Json | undefined {
    switch (action) {
      case 'CreateChangeSet':
        return this.createChangeSet(input, region);
      case 'DescribeChangeSet':
        return this.describeChangeSet(input);
      case 'ExecuteChangeSet':
        return this.executeChangeSet(input);
      case 'DeleteChangeSet':
        return this.deleteChangeSet(input);
      case 'DescribeStacks':
        return this.describeStacks(input);
      case 'DescribeStackEvents':
        return this.describeStackEvents(input);
      case 'DeleteStack':
        return this.deleteStack(input);
      case 'CancelUpdateStack':
        return this.cancelUpdateStack(input);
      case 'ContinueUpdateRollback':
        return this.continueUpdateRollback(input);
      case 'UpdateTerminationProtection':
        return this.updateTerminationProtection(input);
      case 'GetTemplate':
        return this.getTemplate(input);
      default:
        return fail('InvalidAction', `The action ${action} is not valid for this web service.`);
    }
  }

  // ref: API_CreateChangeSet. CREATE on a new name makes the stack in REVIEW_IN_PROGRESS; CREATE
  // on an existing stack is AlreadyExistsException, UPDATE on a missing one a ValidationError; a
  // stack that is busy or failed cannot be updated; the same ClientToken returns the change set
  // it created ("so that CloudFormation knows that you're not attempting to create another change
  // set with the same name"); IAM resources need CAPABILITY_IAM or CAPABILITY_NAMED_IAM
  // (InsufficientCapabilitiesException); a change set with no changes ends FAILED with the reason
  // AWS gives.
  private createChangeSet(input: Record<string, Json>, region: string): Json {
    const stackName = str(input.StackName);
    const name = str(input.ChangeSetName);
    const type = (str(input.ChangeSetType) || 'UPDATE') as 'CREATE' | 'UPDATE';
    const token = optional(input.ClientToken);
    if (stackName === '' || name === '')
      fail('ValidationError', 'StackName and ChangeSetName are required');
    if (!/^[a-zA-Z][-a-zA-Z0-9]*$/.test(name))
      fail(
        'ValidationError',
        `1 validation error detected: Value '${name}' at 'changeSetName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*`,
      );
    let stack = this.find(stackName);
    if (stack !== undefined && token !== undefined) {
      const again = [...stack.changeSets.values()].find(
        (cs) => cs.clientToken === token && cs.name === name,
      );
      if (again !== undefined) return { Id: again.id, StackId: stack.id };
    }
    if (type === 'CREATE' && stack !== undefined && stack.status !== 'REVIEW_IN_PROGRESS')
      fail('AlreadyExistsException', `Stack [${stackName}] already exists`);
    if (type === 'UPDATE') {
      if (stack === undefined)
        return fail('ValidationError', `Stack [${stackName}] does not exist`);
      if (!updatable(stack.status))
        fail(
          'ValidationError',
          `Stack:${stack.id} is in ${stack.status} state and can not be updated.`,
        );
    }
    if (stack?.changeSets.has(name))
      fail('AlreadyExistsException', `ChangeSet ${name} already exists`);
    const config = this.configFrom(input, stack);
    const iam = Object.values(config.resources).some((r) => r.Type.startsWith('AWS::IAM::'));
    if (
      iam &&
      !config.capabilities.includes('CAPABILITY_IAM') &&
      !config.capabilities.includes('CAPABILITY_NAMED_IAM')
    )
      fail('InsufficientCapabilitiesException', 'Requires capabilities : [CAPABILITY_IAM]');
    if (stack === undefined) {
      stack = this.newStack(stackName, region, config);
      // A CREATE change set makes the stack, empty, in REVIEW_IN_PROGRESS (ref: API_CreateChangeSet).
      this.emit(stack, [
        {
          logicalId: stackName,
          type: 'AWS::CloudFormation::Stack',
          status: 'REVIEW_IN_PROGRESS',
          reason: 'User Initiated',
        },
      ]);
    }
    const changes = diff(stack.status === 'REVIEW_IN_PROGRESS' ? undefined : stack.config, config);
    const changeSet: FakeChangeSet = {
      id: `arn:aws:cloudformation:${region}:${ACCOUNT}:changeSet/${name}/${randomUUID()}`,
      name,
      stackId: stack.id,
      type,
      status: 'CREATE_PENDING',
      executionStatus: 'UNAVAILABLE',
      statusReason: undefined,
      changes,
      config,
      clientToken: token,
      created: new Date().toISOString(),
    };
    stack.changeSets.set(name, changeSet);
    // Creating a change set is asynchronous: CREATE_PENDING, then CREATE_COMPLETE or FAILED
    // (ref: API_DescribeChangeSet, Status).
    setTimeout(() => {
      if (changeSet.status !== 'CREATE_PENDING') return;
      const unchanged =
        changes.length === 0 &&
        stack.status !== 'REVIEW_IN_PROGRESS' &&
        same(stack.config.outputs, config.outputs) &&
        same(stack.config.tags, config.tags);
      if (unchanged) {
        changeSet.status = 'FAILED';
        changeSet.statusReason =
          "The submitted information didn't contain changes. Submit different information to create a change set.";
      } else {
        changeSet.status = 'CREATE_COMPLETE';
        changeSet.executionStatus = 'AVAILABLE';
      }
    }, this.stepMs).unref();
    return { Id: changeSet.id, StackId: stack.id };
  }

  // ref: API_DescribeChangeSet: Changes.member.N of Type Resource with a ResourceChange (Action,
  // LogicalResourceId, ResourceType, Replacement for a Modify); ChangeSetNotFound (HTTP 404).
  private describeChangeSet(input: Record<string, Json>): Json {
    const { stack, changeSet } = this.changeSet(input);
    return {
      ChangeSetName: changeSet.name,
      ChangeSetId: changeSet.id,
      StackId: stack.id,
      StackName: stack.name,
      CreationTime: changeSet.created,
      Status: changeSet.status,
      ExecutionStatus: changeSet.executionStatus,
      ...(changeSet.statusReason === undefined ? {} : { StatusReason: changeSet.statusReason }),
      Parameters: params(changeSet.config.parameters),
      Tags: tagList(changeSet.config.tags),
      Capabilities: changeSet.config.capabilities,
      NotificationARNs: changeSet.config.notificationArns,
      Changes: changeSet.changes.map((change) => ({
        Type: 'Resource',
        ResourceChange: { ...change, Scope: [], Details: [] },
      })),
    };
  }

  // ref: API_ExecuteChangeSet: only an AVAILABLE change set runs (else InvalidChangeSetStatus);
  // the same ClientRequestToken repeats harmlessly, a token already used for another request is
  // TokenAlreadyExistsException; executing makes the stack's other change sets OBSOLETE.
  private executeChangeSet(input: Record<string, Json>): Json {
    const { stack, changeSet } = this.changeSet(input);
    const token = optional(input.ClientRequestToken);
    if (token !== undefined && this.repeated(stack, token, `ExecuteChangeSet ${changeSet.id}`))
      return {};
    if (
      changeSet.executionStatus !== 'AVAILABLE' ||
      (stack.status.endsWith('_IN_PROGRESS') && stack.status !== 'REVIEW_IN_PROGRESS')
    )
      fail(
        'InvalidChangeSetStatus',
        `ChangeSet [${changeSet.id}] cannot be executed in its current status of [${changeSet.status}] (execution status ${changeSet.executionStatus}, stack status ${stack.status})`,
      );
    if (token !== undefined) stack.tokens.set(token, `ExecuteChangeSet ${changeSet.id}`);
    for (const other of stack.changeSets.values())
      if (other !== changeSet) other.executionStatus = 'OBSOLETE';
    changeSet.executionStatus = 'EXECUTE_IN_PROGRESS';
    stack.token = token;
    stack.executing = changeSet;
    stack.applied = [];
    stack.previous = stack.config;
    if (stack.status === 'REVIEW_IN_PROGRESS') this.playCreate(stack, changeSet);
    else this.playUpdate(stack, changeSet);
    return {};
  }

  // ref: API_DeleteChangeSet: a change set being executed cannot be deleted (InvalidChangeSetStatus).
  private deleteChangeSet(input: Record<string, Json>): Json {
    const { stack, changeSet } = this.changeSet(input);
    if (changeSet.executionStatus === 'EXECUTE_IN_PROGRESS')
      fail(
        'InvalidChangeSetStatus',
        `ChangeSet [${changeSet.id}] cannot be deleted in its current status of [EXECUTE_IN_PROGRESS]`,
      );
    changeSet.status = 'DELETE_COMPLETE';
    stack.changeSets.delete(changeSet.name);
    return {};
  }

  // ref: API_DescribeStacks: "If the stack doesn't exist, a ValidationError is returned"; the
  // message AWS gives is "Stack with id X does not exist".
  private describeStacks(input: Record<string, Json>): Json {
    const stack = this.existing(str(input.StackName));
    const config = stack.config;
    return {
      Stacks: [
        {
          StackId: stack.id,
          StackName: stack.name,
          CreationTime: stack.created,
          ...(stack.lastUpdated === undefined ? {} : { LastUpdatedTime: stack.lastUpdated }),
          StackStatus: stack.status,
          ...(stack.statusReason === undefined ? {} : { StackStatusReason: stack.statusReason }),
          DisableRollback: false,
          EnableTerminationProtection: stack.terminationProtection,
          Parameters: params(config.parameters),
          Tags: tagList(config.tags),
          Capabilities: config.capabilities,
          NotificationARNs: config.notificationArns,
          ...(config.roleArn === undefined ? {} : { RoleARN: config.roleArn }),
          // Outputs of the template the stack runs; none before it is created (ref: Stack.Outputs).
          Outputs: !['REVIEW_IN_PROGRESS', 'CREATE_IN_PROGRESS'].includes(stack.status)
            ? Object.entries(config.outputs).map(([OutputKey, OutputValue]) => ({
                OutputKey,
                OutputValue,
              }))
            : [],
        },
      ],
    };
  }

  // ref: API_DescribeStackEvents: "all stack related events … in reverse chronological order",
  // paged with NextToken; a deleted stack answers by its id only.
  private describeStackEvents(input: Record<string, Json>): Json {
    const stack = this.find(str(input.StackName), true);
    if (stack === undefined)
      return fail('ValidationError', `Stack [${str(input.StackName)}] does not exist`);
    const newestFirst = [...stack.events].reverse();
    const next = optional(input.NextToken);
    let start = 0;
    if (next !== undefined) {
      const after = Buffer.from(next, 'base64url').toString('utf8');
      const index = newestFirst.findIndex((e) => e.EventId === after);
      if (index < 0) fail('ValidationError', 'Invalid NextToken');
      start = index + 1;
    }
    const page = newestFirst.slice(start, start + this.eventPageSize);
    const last = page.at(-1);
    const more = start + page.length < newestFirst.length && last !== undefined;
    return {
      StackEvents: page as unknown as Json[],
      ...(more ? { NextToken: Buffer.from(last.EventId).toString('base64url') } : {}),
    };
  }

  // ref: API_DeleteStack: deleting a stack that does not exist succeeds; termination protection
  // refuses (ref: UserGuide using-cfn-protect-stacks: "you can't delete it");
  // ClientRequestToken as for every stack operation.
  private deleteStack(input: Record<string, Json>): Json | undefined {
    const stack = this.find(str(input.StackName));
    if (stack === undefined || stack.status === 'DELETE_IN_PROGRESS') return undefined;
    const token = optional(input.ClientRequestToken);
    if (token !== undefined && this.repeated(stack, token, 'DeleteStack')) return undefined;
    if (stack.terminationProtection)
      fail(
        'ValidationError',
        `Stack [${stack.name}] cannot be deleted while TerminationProtection is enabled`,
      );
    if (/^UPDATE.*_IN_PROGRESS$/.test(stack.status))
      fail(
        'ValidationError',
        `Stack:${stack.id} is in ${stack.status} state and can not be deleted.`,
      );
    if (token !== undefined) stack.tokens.set(token, 'DeleteStack');
    stack.token = token;
    const resources = Object.entries(stack.config.resources).reverse();
    this.play(stack, [
      {
        events: [this.stackEvent(stack, 'DELETE_IN_PROGRESS', 'User Initiated')],
        status: 'DELETE_IN_PROGRESS',
      },
      ...resources.flatMap(([id, r]) => pair(id, r.Type, 'DELETE')),
      {
        events: [this.stackEvent(stack, 'DELETE_COMPLETE')],
        status: 'DELETE_COMPLETE',
        effect: () => {
          stack.deleted = true;
        },
      },
    ]);
    return undefined;
  }

  // ref: API_CancelUpdateStack: "You can cancel only stacks that are in the UPDATE_IN_PROGRESS
  // state"; the update rolls back.
  private cancelUpdateStack(input: Record<string, Json>): Json | undefined {
    const stack = this.existing(str(input.StackName));
    const token = optional(input.ClientRequestToken);
    if (token !== undefined && this.repeated(stack, token, 'CancelUpdateStack')) return undefined;
    if (stack.status !== 'UPDATE_IN_PROGRESS')
      fail('ValidationError', 'CancelUpdateStack cannot be called from current stack status');
    if (token !== undefined) stack.tokens.set(token, 'CancelUpdateStack');
    this.play(stack, this.rollbackFrames(stack, 'Stack update cancelled'));
    return undefined;
  }

  // ref: API_ContinueUpdateRollback: only from UPDATE_ROLLBACK_FAILED; ResourcesToSkip may name
  // only resources whose rollback failed; skipped ones are marked UPDATE_COMPLETE and the
  // rollback goes on to UPDATE_ROLLBACK_COMPLETE.
  private continueUpdateRollback(input: Record<string, Json>): Json {
    const stack = this.existing(str(input.StackName));
    const token = optional(input.ClientRequestToken);
    if (token !== undefined && this.repeated(stack, token, 'ContinueUpdateRollback')) return {};
    if (stack.status !== 'UPDATE_ROLLBACK_FAILED')
      fail(
        'ValidationError',
        `Stack:${stack.id} is in ${stack.status} state and can not continue update rollback.`,
      );
    const skip = list(input.ResourcesToSkip).map(String);
    const wrong = skip.filter((id) => !stack.rollbackFailed.has(id));
    if (wrong.length > 0)
      fail(
        'ValidationError',
        `Resources [${wrong.join(', ')}] are not in UPDATE_FAILED state because of a failed rollback and can not be skipped`,
      );
    if (token !== undefined) stack.tokens.set(token, 'ContinueUpdateRollback');
    stack.token = token;
    // Resources not skipped are rolled back again: they fail again while still scripted to.
    const failing = this.rollbackFailures.get(stack.name) ?? new Set<string>();
    const retried = [...stack.rollbackFailed].filter((id) => !skip.includes(id));
    const remaining = retried.filter((id) => failing.has(id));
    const typeOf = (id: string) =>
      stack.previous?.resources[id]?.Type ?? stack.config.resources[id]?.Type ?? '';
    stack.rollbackFailed = new Set();
    this.play(stack, [
      {
        events: [this.stackEvent(stack, 'UPDATE_ROLLBACK_IN_PROGRESS', 'User Initiated')],
        status: 'UPDATE_ROLLBACK_IN_PROGRESS',
      },
      ...skip.map((id) => ({
        events: [
          {
            logicalId: id,
            type: typeOf(id),
            status: 'UPDATE_COMPLETE',
            reason: 'Resource skipped during continue update rollback',
          },
        ],
      })),
      ...retried.map((id) => ({
        events: [
          remaining.includes(id)
            ? {
                logicalId: id,
                type: typeOf(id),
                status: 'UPDATE_FAILED',
                reason: `Resource handler returned message: "${id} could not be restored to its previous configuration"`,
              }
            : { logicalId: id, type: typeOf(id), status: 'UPDATE_COMPLETE' },
        ],
      })),
      ...this.rollbackTail(stack, remaining),
    ]);
    return {};
  }

  // ref: API_UpdateTerminationProtection: EnableTerminationProtection, answers the StackId.
  private updateTerminationProtection(input: Record<string, Json>): Json {
    const stack = this.existing(str(input.StackName));
    stack.terminationProtection = str(input.EnableTerminationProtection) === 'true';
    return { StackId: stack.id };
  }

  // ref: API_GetTemplate: TemplateBody of the stack (or of a change set), StagesAvailable.
  private getTemplate(input: Record<string, Json>): Json {
    const changeSetName = optional(input.ChangeSetName);
    if (changeSetName !== undefined) {
      const { changeSet } = this.changeSet(input);
      return {
        TemplateBody: changeSet.config.template,
        StagesAvailable: ['Original', 'Processed'],
      };
    }
    const stack = this.existing(str(input.StackName));
    return { TemplateBody: stack.config.template, StagesAvailable: ['Original', 'Processed'] };
  }

  // --- the state machine ---

  private playCreate(stack: FakeStack, changeSet: FakeChangeSet): void {
    const failures = this.failures.get(stack.name);
    const frames: Frame[] = [
      {
        events: [this.stackEvent(stack, 'CREATE_IN_PROGRESS', 'User Initiated')],
        status: 'CREATE_IN_PROGRESS',
        effect: () => {
          stack.config = changeSet.config;
        },
      },
    ];
    const created: string[] = [];
    for (const change of changeSet.changes) {
      const reason = failures?.get(change.LogicalResourceId);
      frames.push({
        events: [
          {
            logicalId: change.LogicalResourceId,
            type: change.ResourceType,
            status: 'CREATE_IN_PROGRESS',
          },
        ],
      });
      if (reason !== undefined) {
        // ref: UserGuide troubleshooting: a failed create rolls back, deleting what was made,
        // and ends ROLLBACK_COMPLETE (the stack can then only be deleted).
        const failed = `The following resource(s) failed to create: [${change.LogicalResourceId}]. Rollback requested by user.`;
        frames.push(
          {
            events: [
              {
                logicalId: change.LogicalResourceId,
                type: change.ResourceType,
                status: 'CREATE_FAILED',
                reason,
              },
            ],
          },
          {
            events: [this.stackEvent(stack, 'ROLLBACK_IN_PROGRESS', failed)],
            status: 'ROLLBACK_IN_PROGRESS',
            reason: failed,
            effect: () => {
              stack.config = { ...stack.config, outputs: {} };
            },
          },
          ...[change.LogicalResourceId, ...created.reverse()].flatMap((id) =>
            pair(id, changeSet.config.resources[id]?.Type ?? '', 'DELETE'),
          ),
          {
            events: [this.stackEvent(stack, 'ROLLBACK_COMPLETE')],
            status: 'ROLLBACK_COMPLETE',
            // The reason of the failed create stays on the stack.
            reason: failed,
            effect: () => {
              stack.config = { ...stack.config, resources: {}, outputs: {} };
              this.finish(stack, 'EXECUTE_COMPLETE');
            },
          },
        );
        this.play(stack, frames);
        return;
      }
      frames.push({
        events: [
          {
            logicalId: change.LogicalResourceId,
            type: change.ResourceType,
            status: 'CREATE_COMPLETE',
          },
        ],
      });
      created.push(change.LogicalResourceId);
    }
    frames.push({
      events: [this.stackEvent(stack, 'CREATE_COMPLETE')],
      status: 'CREATE_COMPLETE',
      effect: () => this.finish(stack, 'EXECUTE_COMPLETE'),
    });
    this.play(stack, frames);
  }

  private playUpdate(stack: FakeStack, changeSet: FakeChangeSet): void {
    const failures = this.failures.get(stack.name);
    const frames: Frame[] = [
      {
        events: [this.stackEvent(stack, 'UPDATE_IN_PROGRESS', 'User Initiated')],
        status: 'UPDATE_IN_PROGRESS',
        effect: () => {
          stack.config = changeSet.config;
          stack.lastUpdated = new Date().toISOString();
        },
      },
    ];
    const work = changeSet.changes.filter((c) => c.Action !== 'Remove');
    for (const change of work) {
      const verb = change.Action === 'Add' ? 'CREATE' : 'UPDATE';
      const reason = failures?.get(change.LogicalResourceId);
      frames.push({
        events: [
          {
            logicalId: change.LogicalResourceId,
            type: change.ResourceType,
            status: `${verb}_IN_PROGRESS`,
          },
        ],
        effect: () => {
          stack.applied.push(change);
        },
      });
      if (reason !== undefined) {
        frames.push({
          events: [
            {
              logicalId: change.LogicalResourceId,
              type: change.ResourceType,
              status: `${verb}_FAILED`,
              reason,
            },
          ],
          effect: () => {
            stack.frames = this.rollbackFrames(
              stack,
              `The following resource(s) failed to ${verb.toLowerCase()}: [${change.LogicalResourceId}].`,
            );
          },
        });
        this.play(stack, frames);
        return;
      }
      frames.push({
        events: [
          {
            logicalId: change.LogicalResourceId,
            type: change.ResourceType,
            status: `${verb}_COMPLETE`,
          },
        ],
      });
    }
    // ref: Stack.StackStatus: cleanup (removing replaced and deleted resources) after success.
    frames.push({
      events: [this.stackEvent(stack, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS')],
      status: 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
    });
    for (const change of changeSet.changes.filter((c) => c.Action === 'Remove'))
      frames.push(...pair(change.LogicalResourceId, change.ResourceType, 'DELETE'));
    frames.push({
      events: [this.stackEvent(stack, 'UPDATE_COMPLETE')],
      status: 'UPDATE_COMPLETE',
      effect: () => this.finish(stack, 'EXECUTE_COMPLETE'),
    });
    this.play(stack, frames);
  }

  /** UPDATE_ROLLBACK_IN_PROGRESS, each applied change undone in reverse, then the tail. */
  private rollbackFrames(stack: FakeStack, reason: string): Frame[] {
    const failing = this.rollbackFailures.get(stack.name) ?? new Set<string>();
    const applied = [...stack.applied].reverse();
    const frames: Frame[] = [
      {
        events: [this.stackEvent(stack, 'UPDATE_ROLLBACK_IN_PROGRESS', reason)],
        status: 'UPDATE_ROLLBACK_IN_PROGRESS',
        reason,
      },
    ];
    const failed: string[] = [];
    for (const change of applied.filter((c) => c.Action === 'Modify')) {
      frames.push({
        events: [
          {
            logicalId: change.LogicalResourceId,
            type: change.ResourceType,
            status: 'UPDATE_IN_PROGRESS',
          },
        ],
      });
      if (failing.has(change.LogicalResourceId)) {
        failed.push(change.LogicalResourceId);
        frames.push({
          events: [
            {
              logicalId: change.LogicalResourceId,
              type: change.ResourceType,
              status: 'UPDATE_FAILED',
              reason: `Resource handler returned message: "${change.LogicalResourceId} could not be restored to its previous configuration"`,
            },
          ],
        });
      } else
        frames.push({
          events: [
            {
              logicalId: change.LogicalResourceId,
              type: change.ResourceType,
              status: 'UPDATE_COMPLETE',
            },
          ],
        });
    }
    return [...frames, ...this.rollbackTail(stack, failed)];
  }

  /** UPDATE_ROLLBACK_FAILED when a rollback failed, else cleanup and UPDATE_ROLLBACK_COMPLETE. */
  private rollbackTail(stack: FakeStack, failed: string[]): Frame[] {
    if (failed.length > 0) {
      const why = `The following resource(s) failed to update: [${failed.join(', ')}].`;
      return [
        {
          events: [this.stackEvent(stack, 'UPDATE_ROLLBACK_FAILED', why)],
          status: 'UPDATE_ROLLBACK_FAILED',
          reason: why,
          effect: () => {
            stack.rollbackFailed = new Set(failed);
            if (stack.executing !== undefined) stack.executing.executionStatus = 'EXECUTE_COMPLETE';
          },
        },
      ];
    }
    const added = stack.applied.filter((c) => c.Action === 'Add').reverse();
    return [
      {
        events: [this.stackEvent(stack, 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS')],
        status: 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
      },
      ...added.flatMap((c) => pair(c.LogicalResourceId, c.ResourceType, 'DELETE')),
      {
        events: [this.stackEvent(stack, 'UPDATE_ROLLBACK_COMPLETE')],
        status: 'UPDATE_ROLLBACK_COMPLETE',
        effect: () => {
          if (stack.previous !== undefined) stack.config = stack.previous;
          this.finish(stack, 'EXECUTE_COMPLETE');
        },
      },
    ];
  }

  private finish(stack: FakeStack, status: 'EXECUTE_COMPLETE'): void {
    if (stack.executing !== undefined) stack.executing.executionStatus = status;
    stack.executing = undefined;
    stack.applied = [];
    stack.token = undefined;
  }

  /** Plays the frames one per `stepMs`; a frame's effect may replace the frames still to come. */
  private play(stack: FakeStack, frames: Frame[]): void {
    clearTimeout(stack.timer);
    stack.frames = frames;
    const tick = () => {
      const frame = stack.frames.shift();
      if (frame === undefined) {
        stack.timer = undefined;
        return;
      }
      if (frame.status !== undefined) {
        stack.status = frame.status;
        stack.statusReason = frame.reason;
      }
      this.emit(stack, frame.events);
      // After the events, so that they still carry the operation's token.
      frame.effect?.();
      stack.timer = setTimeout(tick, this.stepMs);
      stack.timer.unref();
    };
    tick();
  }

  private emit(stack: FakeStack, events: Frame['events']): void {
    for (const e of events)
      stack.events.push({
        EventId: randomUUID(),
        StackId: stack.id,
        StackName: stack.name,
        LogicalResourceId: e.logicalId,
        // The stack's own events carry its id; a nested stack resource has its own stack's id.
        PhysicalResourceId:
          e.type === 'AWS::CloudFormation::Stack' && e.logicalId === stack.name
            ? stack.id
            : e.type === 'AWS::CloudFormation::Stack'
              ? stack.id.replace(/stack\/[^/]+\//, `stack/${stack.name}-${e.logicalId}-NESTED/`)
              : `${stack.name}-${e.logicalId}`,
        ResourceType: e.type,
        Timestamp: new Date().toISOString(),
        ResourceStatus: e.status,
        ...(e.reason === undefined ? {} : { ResourceStatusReason: e.reason }),
        ...(stack.token === undefined ? {} : { ClientRequestToken: stack.token }),
      });
  }

  private stackEvent(stack: FakeStack, status: string, reason?: string): Frame['events'][number] {
    return {
      logicalId: stack.name,
      type: 'AWS::CloudFormation::Stack',
      status,
      ...(reason === undefined ? {} : { reason }),
    };
  }

  // --- lookups and inputs ---

  private newStack(name: string, region: string, config: StackConfig): FakeStack {
    const stack: FakeStack = {
      id: `arn:aws:cloudformation:${region}:${ACCOUNT}:stack/${name}/${randomUUID()}`,
      name,
      status: 'REVIEW_IN_PROGRESS',
      statusReason: 'User Initiated',
      config: { ...config, resources: {}, outputs: {} },
      previous: undefined,
      terminationProtection: false,
      created: new Date().toISOString(),
      lastUpdated: undefined,
      deleted: false,
      events: [],
      changeSets: new Map(),
      frames: [],
      timer: undefined,
      token: undefined,
      tokens: new Map(),
      rollbackFailed: new Set(),
      executing: undefined,
      applied: [],
    };
    this.stacks.set(stack.id, stack);
    return stack;
  }

  /** By name (live stacks only) or by id (deleted ones too, when `byIdToo`). */
  private find(nameOrId: string, deletedById = false): FakeStack | undefined {
    const byId = this.stacks.get(nameOrId);
    if (byId !== undefined) return byId.deleted && !deletedById ? undefined : byId;
    return this.stack(nameOrId);
  }

  private existing(nameOrId: string): FakeStack {
    return (
      this.find(nameOrId) ?? fail('ValidationError', `Stack with id ${nameOrId} does not exist`)
    );
  }

  private changeSet(input: Record<string, Json>): { stack: FakeStack; changeSet: FakeChangeSet } {
    const ref = str(input.ChangeSetName);
    // A change set ARN names its stack; a bare name needs StackName (ref: API_DescribeChangeSet).
    for (const stack of this.stacks.values()) {
      if (stack.deleted) continue;
      const byArn = [...stack.changeSets.values()].find((cs) => cs.id === ref);
      if (byArn !== undefined) return { stack, changeSet: byArn };
    }
    const stack = this.find(str(input.StackName));
    const changeSet = stack?.changeSets.get(ref);
    if (stack === undefined || changeSet === undefined)
      return fail('ChangeSetNotFound', `ChangeSet [${ref}] does not exist`, 404);
    return { stack, changeSet };
  }

  /** True when `token` already carried this very request; TokenAlreadyExists when another. */
  private repeated(stack: FakeStack, token: string, request: string): boolean {
    const used = stack.tokens.get(token);
    if (used === undefined) return false;
    if (used === request) return true;
    return fail(
      'TokenAlreadyExistsException',
      `Another request with ClientRequestToken ${token} was already made: ${used}`,
    );
  }

  private configFrom(input: Record<string, Json>, stack: FakeStack | undefined): StackConfig {
    const url = optional(input.TemplateURL);
    let template = optional(input.TemplateBody);
    if (template === undefined && url !== undefined) {
      template = this.objects.get(url);
      // ref: API_CreateChangeSet TemplateURL: "The location of the file that contains the revised
      // template. The URL must point to a template … located in an Amazon S3 bucket".
      if (template === undefined) fail('ValidationError', 'TemplateURL must be a supported URL.');
    }
    if (template === undefined) {
      if (str(input.UsePreviousTemplate) === 'true' && stack !== undefined)
        template = stack.config.template;
      else
        return fail('ValidationError', 'Either Template URL or Template Body must be specified.');
    }
    let parsed: {
      Parameters?: Record<string, { Default?: Json }>;
      Resources?: Record<string, Resource>;
      Outputs?: Record<string, { Value: Json }>;
    };
    try {
      // CloudFormation takes JSON or YAML templates (long-form intrinsics here: no !Ref tags).
      parsed = parseYaml(template) as typeof parsed;
    } catch {
      return fail('ValidationError', 'Template format error: YAML not well-formed.');
    }
    if (parsed.Resources === undefined || Object.keys(parsed.Resources).length === 0)
      fail(
        'ValidationError',
        'Template format error: At least one Resources member must be defined.',
      );
    const given = Object.fromEntries(
      list(input.Parameters).map((p) => {
        const { ParameterKey, ParameterValue, UsePreviousValue } = p as Record<string, string>;
        const value =
          UsePreviousValue === 'true'
            ? (stack?.config.parameters[ParameterKey ?? ''] ?? '')
            : (ParameterValue ?? '');
        return [ParameterKey ?? '', value];
      }),
    );
    const parameters: Record<string, string> = {};
    const missing: string[] = [];
    for (const [key, declared] of Object.entries(parsed.Parameters ?? {})) {
      const value =
        given[key] ?? (declared.Default === undefined ? undefined : scalar(declared.Default));
      if (value === undefined) missing.push(key);
      else parameters[key] = value;
    }
    const unknown = Object.keys(given).filter((k) => !(k in (parsed.Parameters ?? {})));
    if (unknown.length > 0)
      fail('ValidationError', `Parameters: [${unknown.join(', ')}] do not exist in the template`);
    if (missing.length > 0)
      fail('ValidationError', `Parameters: [${missing.join(', ')}] must have values`);
    const resolve = (value: Json): Json => resolveRefs(value, parameters);
    return {
      template,
      resources: resolve(parsed.Resources as Json) as Record<string, Resource>,
      outputs: Object.fromEntries(
        Object.entries(parsed.Outputs ?? {}).map(([k, o]) => {
          const value = resolve(o.Value);
          return [k, typeof value === 'string' ? value : JSON.stringify(value)];
        }),
      ),
      parameters,
      tags: Object.fromEntries(
        list(input.Tags).map((t) => [
          (t as Record<string, string>).Key ?? '',
          (t as Record<string, string>).Value ?? '',
        ]),
      ),
      capabilities: list(input.Capabilities).map(String),
      notificationArns: list(input.NotificationARNs).map(String),
      roleArn: optional(input.RoleARN),
    };
  }

  private ok(res: ServerResponse, action: string, result: Json | undefined): boolean {
    const body = result === undefined ? '' : `<${action}Result>${toXml(result)}</${action}Result>`;
    res
      .writeHead(200, { 'content-type': 'text/xml' })
      .end(
        `<${action}Response xmlns="${NS}">${body}<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`,
      );
    return true;
  }

  // ref: CommonErrors / the query protocol's error shape.
  private error(res: ServerResponse, status: number, code: string, message: string): boolean {
    res
      .writeHead(status, { 'content-type': 'text/xml' })
      .end(
        `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
      );
    return true;
  }
}

/** Stack statuses from which an update may start (ref: Stack.StackStatus). */
function updatable(status: string): boolean {
  return [
    'CREATE_COMPLETE',
    'UPDATE_COMPLETE',
    'UPDATE_ROLLBACK_COMPLETE',
    'IMPORT_COMPLETE',
    'IMPORT_ROLLBACK_COMPLETE',
  ].includes(status);
}

/** The resource changes from `before` (undefined: a new stack) to `after`, in template order. */
function diff(before: StackConfig | undefined, after: StackConfig): FakeChange[] {
  const changes: FakeChange[] = [];
  const old = before?.resources ?? {};
  const tagsChanged = before !== undefined && !same(before.tags, after.tags);
  for (const [id, resource] of Object.entries(after.resources)) {
    const previous = old[id];
    if (previous === undefined)
      changes.push({ Action: 'Add', LogicalResourceId: id, ResourceType: resource.Type });
    else if (JSON.stringify(previous) !== JSON.stringify(resource) || tagsChanged) {
      const was = (previous.Properties ?? {}) as Record<string, Json>;
      const now = (resource.Properties ?? {}) as Record<string, Json>;
      const replaced = Object.keys({ ...was, ...now }).some(
        (key) => key.endsWith('Name') && JSON.stringify(was[key]) !== JSON.stringify(now[key]),
      );
      changes.push({
        Action: 'Modify',
        LogicalResourceId: id,
        ResourceType: resource.Type,
        Replacement: replaced ? 'True' : 'False',
      });
    }
  }
  for (const [id, resource] of Object.entries(old))
    if (!(id in after.resources))
      changes.push({ Action: 'Remove', LogicalResourceId: id, ResourceType: resource.Type });
  return changes;
}

function pair(logicalId: string, type: string, verb: 'DELETE'): Frame[] {
  return [
    { events: [{ logicalId, type, status: `${verb}_IN_PROGRESS` }] },
    { events: [{ logicalId, type, status: `${verb}_COMPLETE` }] },
  ];
}

function resolveRefs(value: Json, parameters: Record<string, string>): Json {
  if (Array.isArray(value)) return value.map((v) => resolveRefs(v, parameters));
  if (typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (
    keys.length === 1 &&
    keys[0] === 'Ref' &&
    typeof value.Ref === 'string' &&
    value.Ref in parameters
  )
    return parameters[value.Ref] ?? '';
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveRefs(v, parameters)]));
}

const same = (a: Record<string, string>, b: Record<string, string>) =>
  JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
const str = (value: Json | undefined) => (typeof value === 'string' ? value : '');
const optional = (value: Json | undefined) =>
  typeof value === 'string' && value !== '' ? value : undefined;
/** An empty list arrives as `Key=` (a string): no members. */
const list = (value: Json | undefined): Json[] => (Array.isArray(value) ? value : []);
const scalar = (value: Json) => (typeof value === 'object' ? JSON.stringify(value) : String(value));
const params = (values: Record<string, string>) =>
  Object.entries(values).map(([ParameterKey, ParameterValue]) => ({
    ParameterKey,
    ParameterValue,
  }));
const tagList = (values: Record<string, string>) =>
  Object.entries(values).map(([Key, Value]) => ({ Key, Value }));
