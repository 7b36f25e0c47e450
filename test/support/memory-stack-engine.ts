import type {
  ChangeSetDescription,
  ResourceChange,
  StackDescription,
  StackEngine,
  StackEvent,
  StackRequest,
  StackStatus,
} from '@cutover/stacks';
import type { Clock } from '@cutover/kit';

/**
 * A discrete-event virtual clock: sleeps resolve in time order, once every pending promise has
 * settled, so parallel waiters share one timeline (the kit's virtual clock adds them up).
 */
export function createEventClock(start = 0): Clock & { readonly sleeps: number } {
  let now = start;
  let sequence = 0;
  let sleeps = 0;
  let scheduled = false;
  const timers: { at: number; seq: number; resolve: () => void }[] = [];
  const pump = () => {
    scheduled = false;
    timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const first = timers[0];
    if (first === undefined) return;
    now = Math.max(now, first.at);
    while (timers[0] !== undefined && timers[0].at <= now) timers.shift()?.resolve();
    if (timers.length > 0) schedule();
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(pump);
  };
  return {
    get sleeps() {
      return sleeps;
    },
    now: () => now,
    sleep: (ms, signal) =>
      new Promise<void>((resolve) => {
        sleeps++;
        if (signal?.aborted === true) {
          resolve();
          return;
        }
        const timer = { at: now + Math.max(0, ms), seq: sequence++, resolve };
        timers.push(timer);
        // Like the system clock: an abort ends the sleep at the current virtual time.
        signal?.addEventListener(
          'abort',
          () => {
            const index = timers.indexOf(timer);
            if (index !== -1) timers.splice(index, 1);
            resolve();
          },
          { once: true },
        );
        schedule();
      }),
  };
}

/** How one stack behaves, timed from the call that starts each operation. */
export interface StackScript {
  /** The stack before the run; absent: it does not exist. */
  existing?: {
    status: StackStatus;
    outputs?: Record<string, string>;
    parameters?: Record<string, string>;
    tags?: Record<string, string>;
    template?: string;
    terminationProtection?: boolean;
    /** Events already there (oldest first), e.g. the failures behind UPDATE_ROLLBACK_FAILED. */
    events?: Omit<StackEvent, 'id' | 'timestamp' | 'clientRequestToken'>[];
    /** A busy stack reaches this status after `settleMs`. */
    settlesTo?: StackStatus;
    settleMs?: number;
  };
  changeSetMs?: number;
  /** The template changes nothing: the change set fails with "didn't contain changes". */
  empty?: boolean;
  /** The change set fails with this reason (e.g. a template error). */
  changeSetFails?: string;
  changes?: ResourceChange[];
  deployMs?: number;
  outputs?: Record<string, string>;
  /** The execution fails at `atMs`: the resource fails, the stack rolls back for `rollbackMs`. */
  fail?: {
    logicalId: string;
    resourceType: string;
    reason: string;
    atMs: number;
    rollbackMs: number;
    /** The rollback itself fails (UPDATE_ROLLBACK_FAILED). */
    rollbackFails?: boolean;
  };
  deleteMs?: number;
  rollbackMs?: number;
}

interface TimedEvent extends StackEvent {
  at: number;
}

interface StackState {
  script: StackScript;
  events: TimedEvent[];
  exists: boolean;
  outputs: Record<string, string>;
  parameters: Record<string, string>;
  tags: Record<string, string>;
  template: string;
  terminationProtection: boolean;
  outputsAt: number;
  deletedAt: number | undefined;
  changeSets: Map<
    string,
    {
      readyAt: number;
      empty: boolean;
      fails: string | undefined;
      changes: ResourceChange[];
      request: StackRequest;
      type: string;
      deleted: boolean;
    }
  >;
}

export interface EngineCall {
  at: number;
  method: string;
  stack: string;
  token?: string;
}

class ValidationError extends Error {
  override name = 'ValidationError';
}

/** StackEngine in memory: scripted state machines with timed transitions, every call logged. */
export class MemoryStackEngine implements StackEngine {
  readonly log: EngineCall[] = [];
  private readonly stacks = new Map<string, StackState>();
  private eventSeq = 0;

  constructor(
    private readonly clock: Clock,
    scripts: Record<string, StackScript>,
  ) {
    for (const [name, script] of Object.entries(scripts)) {
      const existing = script.existing;
      const state: StackState = {
        script,
        events: [],
        exists: existing !== undefined,
        outputs: { ...existing?.outputs },
        parameters: { ...existing?.parameters },
        tags: { ...existing?.tags },
        template: existing?.template ?? '{}',
        terminationProtection: existing?.terminationProtection ?? false,
        outputsAt: -Infinity,
        deletedAt: undefined,
        changeSets: new Map(),
      };
      this.stacks.set(name, state);
      if (existing !== undefined) {
        for (const event of existing.events ?? [])
          this.push(state, name, -1, { ...event, clientRequestToken: 'before' });
        this.push(state, name, -1, this.stackEvent(name, existing.status, 'before'));
        if (existing.settlesTo !== undefined)
          this.push(
            state,
            name,
            clock.now() + (existing.settleMs ?? 60_000),
            this.stackEvent(name, existing.settlesTo, 'before'),
          );
      }
    }
  }

  get calls(): number {
    return this.log.length;
  }

  /** When the stack's last scheduled status event happens (its operation's end). */
  finishedAt(name: string): number | undefined {
    const events = this.state(name).events.filter((event) => event.isStack);
    return events.at(-1)?.at;
  }

  /** Calls per stack, optionally of one method. */
  callsOf(stack: string, method?: string): EngineCall[] {
    return this.log.filter(
      (call) => call.stack === stack && (method === undefined || call.method === method),
    );
  }

  private record(method: string, stack: string, token?: string) {
    this.log.push({
      at: this.clock.now(),
      method,
      stack,
      ...(token === undefined ? {} : { token }),
    });
  }

  private state(name: string): StackState {
    let state = this.stacks.get(name);
    if (state === undefined) {
      state = {
        script: {},
        events: [],
        exists: false,
        outputs: {},
        parameters: {},
        tags: {},
        template: '{}',
        terminationProtection: false,
        outputsAt: -Infinity,
        deletedAt: undefined,
        changeSets: new Map(),
      };
      this.stacks.set(name, state);
    }
    return state;
  }

  private stackEvent(name: string, status: string, token: string, reason?: string) {
    return {
      logicalId: name,
      resourceType: 'AWS::CloudFormation::Stack',
      status,
      reason,
      isStack: true,
      clientRequestToken: token,
    };
  }

  private push(
    state: StackState,
    _name: string,
    at: number,
    event: Omit<StackEvent, 'id' | 'timestamp'>,
  ) {
    const id = `e${++this.eventSeq}`;
    state.events.push({ ...event, id, timestamp: new Date(Math.max(0, at)).toISOString(), at });
    state.events.sort((a, b) => a.at - b.at);
  }

  private visible(state: StackState): TimedEvent[] {
    const now = this.clock.now();
    return state.events.filter((event) => event.at <= now);
  }

  /** The current status, or undefined when the stack does not exist (yet, or any more). */
  status(name: string): StackStatus | undefined {
    const state = this.state(name);
    if (state.deletedAt !== undefined && state.deletedAt <= this.clock.now()) return undefined;
    const last = this.visible(state)
      .filter((event) => event.isStack)
      .at(-1);
    return last?.status as StackStatus | undefined;
  }

  describeStack(name: string): Promise<StackDescription | undefined> {
    this.record('describeStack', name);
    const status = this.status(name);
    if (status === undefined) return Promise.resolve(undefined);
    const state = this.state(name);
    return Promise.resolve({
      name,
      id: `arn:aws:cloudformation:us-east-1:123456789012:stack/${name}/1`,
      status,
      statusReason: undefined,
      outputs: state.outputsAt <= this.clock.now() ? { ...state.outputs } : {},
      parameters: { ...state.parameters },
      tags: { ...state.tags },
      terminationProtection: state.terminationProtection,
      lastUpdated: undefined,
    });
  }

  createChangeSet(
    request: StackRequest,
    options: { changeSetName: string; type: 'CREATE' | 'UPDATE'; clientToken: string },
  ): Promise<{ id: string }> {
    this.record('createChangeSet', request.name, options.clientToken);
    const state = this.state(request.name);
    const status = this.status(request.name);
    if (options.type === 'UPDATE' && (status === undefined || status === 'REVIEW_IN_PROGRESS'))
      return Promise.reject(new ValidationError(`Stack [${request.name}] does not exist`));
    if (options.type === 'UPDATE' && status === 'ROLLBACK_COMPLETE')
      return Promise.reject(
        new ValidationError(
          `Stack:${request.name} is in ROLLBACK_COMPLETE state and can not be updated.`,
        ),
      );
    if (options.type === 'CREATE' && status !== undefined && status !== 'REVIEW_IN_PROGRESS')
      return Promise.reject(new ValidationError(`Stack [${request.name}] already exists`));
    if (options.type === 'CREATE' && status === undefined) {
      state.events = [];
      state.deletedAt = undefined;
      state.outputs = {};
      this.push(
        state,
        request.name,
        this.clock.now(),
        this.stackEvent(request.name, 'REVIEW_IN_PROGRESS', options.clientToken),
      );
    }
    const id = `arn:aws:cloudformation:us-east-1:123456789012:changeSet/${options.changeSetName}/${state.changeSets.size + 1}`;
    state.changeSets.set(id, {
      readyAt: this.clock.now() + (state.script.changeSetMs ?? 3000),
      empty: state.script.empty === true,
      fails: state.script.changeSetFails,
      changes: state.script.changes ?? [
        {
          action: options.type === 'CREATE' ? 'Add' : 'Modify',
          logicalId: 'Resource',
          resourceType: 'AWS::SNS::Topic',
          replacement: options.type === 'CREATE' ? undefined : 'False',
        },
      ],
      request,
      type: options.type,
      deleted: false,
    });
    return Promise.resolve({ id });
  }

  describeChangeSet(stack: string, changeSetId: string): Promise<ChangeSetDescription> {
    this.record('describeChangeSet', stack);
    const changeSet = this.state(stack).changeSets.get(changeSetId);
    if (changeSet === undefined)
      return Promise.reject(new Error(`ChangeSet [${changeSetId}] does not exist`));
    const ready = changeSet.readyAt <= this.clock.now();
    if (ready && !changeSet.deleted && changeSet.fails !== undefined)
      return Promise.resolve({
        id: changeSetId,
        status: 'FAILED',
        executionStatus: 'UNAVAILABLE',
        statusReason: changeSet.fails,
        changes: [],
      });
    return Promise.resolve({
      id: changeSetId,
      status: changeSet.deleted
        ? 'DELETE_COMPLETE'
        : !ready
          ? 'CREATE_IN_PROGRESS'
          : changeSet.empty
            ? 'FAILED'
            : 'CREATE_COMPLETE',
      executionStatus: ready && !changeSet.empty ? 'AVAILABLE' : 'UNAVAILABLE',
      statusReason:
        ready && changeSet.empty
          ? "The submitted information didn't contain changes. Submit different information to create a change set."
          : undefined,
      changes: ready && !changeSet.empty ? changeSet.changes : [],
    });
  }

  executeChangeSet(stack: string, changeSetId: string, clientToken: string): Promise<void> {
    this.record('executeChangeSet', stack, clientToken);
    const state = this.state(stack);
    const changeSet = state.changeSets.get(changeSetId);
    if (changeSet === undefined || changeSet.empty)
      return Promise.reject(new Error('ChangeSet not executable'));
    const now = this.clock.now();
    const op = changeSet.type === 'CREATE' ? 'CREATE' : 'UPDATE';
    const script = state.script;
    const deployMs = script.deployMs ?? 60_000;
    this.push(
      state,
      stack,
      now,
      this.stackEvent(stack, `${op}_IN_PROGRESS`, clientToken, 'User Initiated'),
    );
    for (const change of changeSet.changes)
      this.push(state, stack, now + 1000, {
        logicalId: change.logicalId,
        resourceType: change.resourceType,
        status: `${op}_IN_PROGRESS`,
        reason: undefined,
        isStack: false,
        clientRequestToken: clientToken,
      });
    const fail = script.fail;
    if (fail !== undefined) {
      this.push(state, stack, now + fail.atMs, {
        logicalId: fail.logicalId,
        resourceType: fail.resourceType,
        status: `${op}_FAILED`,
        reason: fail.reason,
        isStack: false,
        clientRequestToken: clientToken,
      });
      const rolling = op === 'CREATE' ? 'ROLLBACK' : 'UPDATE_ROLLBACK';
      this.push(
        state,
        stack,
        now + fail.atMs,
        this.stackEvent(
          stack,
          `${rolling}_IN_PROGRESS`,
          clientToken,
          `The following resource(s) failed: [${fail.logicalId}]`,
        ),
      );
      if (fail.rollbackFails === true) {
        this.push(state, stack, now + fail.atMs + fail.rollbackMs, {
          logicalId: fail.logicalId,
          resourceType: fail.resourceType,
          status: 'UPDATE_FAILED',
          reason: 'Resource is not in a state to roll back',
          isStack: false,
          clientRequestToken: clientToken,
        });
        this.push(
          state,
          stack,
          now + fail.atMs + fail.rollbackMs,
          this.stackEvent(stack, `${rolling}_FAILED`, clientToken),
        );
      } else {
        this.push(
          state,
          stack,
          now + fail.atMs + fail.rollbackMs,
          this.stackEvent(stack, `${rolling}_COMPLETE`, clientToken),
        );
      }
      return Promise.resolve();
    }
    for (const change of changeSet.changes)
      this.push(state, stack, now + deployMs - 1000, {
        logicalId: change.logicalId,
        resourceType: change.resourceType,
        status: `${op}_COMPLETE`,
        reason: undefined,
        isStack: false,
        clientRequestToken: clientToken,
      });
    this.push(state, stack, now + deployMs, this.stackEvent(stack, `${op}_COMPLETE`, clientToken));
    state.outputs = { ...script.outputs };
    state.outputsAt = now + deployMs;
    state.parameters = { ...changeSet.request.parameters };
    state.tags = { ...changeSet.request.tags };
    state.template = changeSet.request.templateBody ?? changeSet.request.templateUrl ?? '';
    return Promise.resolve();
  }

  deleteChangeSet(stack: string, changeSetId: string): Promise<void> {
    this.record('deleteChangeSet', stack);
    const changeSet = this.state(stack).changeSets.get(changeSetId);
    if (changeSet !== undefined) changeSet.deleted = true;
    return Promise.resolve();
  }

  stackEvents(name: string, after: string | undefined): Promise<StackEvent[]> {
    this.record('stackEvents', name);
    const newestFirst = this.visible(this.state(name)).toReversed();
    const stop = after === undefined ? -1 : newestFirst.findIndex((event) => event.id === after);
    const page = stop === -1 ? newestFirst : newestFirst.slice(0, stop);
    return Promise.resolve(page.map(({ at: _at, ...event }) => event));
  }

  deleteStack(name: string, clientToken: string): Promise<void> {
    this.record('deleteStack', name, clientToken);
    const state = this.state(name);
    const now = this.clock.now();
    const deleteMs = state.script.deleteMs ?? 30_000;
    this.push(state, name, now, this.stackEvent(name, 'DELETE_IN_PROGRESS', clientToken));
    this.push(state, name, now + deleteMs, this.stackEvent(name, 'DELETE_COMPLETE', clientToken));
    state.deletedAt = now + deleteMs;
    return Promise.resolve();
  }

  cancelUpdate(name: string, clientToken: string): Promise<void> {
    this.record('cancelUpdate', name, clientToken);
    const state = this.state(name);
    if (this.status(name) !== 'UPDATE_IN_PROGRESS')
      return Promise.reject(
        new ValidationError('CancelUpdateStack cannot be called from current stack status'),
      );
    const now = this.clock.now();
    state.events = state.events.filter((event) => event.at <= now);
    this.push(
      state,
      name,
      now,
      this.stackEvent(name, 'UPDATE_ROLLBACK_IN_PROGRESS', clientToken, 'Stack UPDATE cancelled'),
    );
    this.push(
      state,
      name,
      now + (state.script.rollbackMs ?? 30_000),
      this.stackEvent(name, 'UPDATE_ROLLBACK_COMPLETE', clientToken),
    );
    return Promise.resolve();
  }

  continueUpdateRollback(
    name: string,
    skipResources: string[],
    clientToken: string,
  ): Promise<void> {
    this.record('continueUpdateRollback', name, clientToken);
    this.lastSkip = skipResources;
    const state = this.state(name);
    if (this.status(name) !== 'UPDATE_ROLLBACK_FAILED')
      return Promise.reject(
        new ValidationError('ContinueUpdateRollback cannot be called from current stack status'),
      );
    const now = this.clock.now();
    this.push(state, name, now, this.stackEvent(name, 'UPDATE_ROLLBACK_IN_PROGRESS', clientToken));
    this.push(
      state,
      name,
      now + (state.script.rollbackMs ?? 30_000),
      this.stackEvent(name, 'UPDATE_ROLLBACK_COMPLETE', clientToken),
    );
    // The next update succeeds: the blocking resource was skipped.
    state.script = { ...state.script };
    delete state.script.fail;
    return Promise.resolve();
  }

  lastSkip: string[] | undefined;

  /** Another run's update starts now and ends after `ms` (its events carry another token). */
  startOtherOperation(name: string, ms: number): void {
    const state = this.state(name);
    const now = this.clock.now();
    this.push(state, name, now, this.stackEvent(name, 'UPDATE_IN_PROGRESS', 'other-run'));
    this.push(state, name, now + ms, this.stackEvent(name, 'UPDATE_COMPLETE', 'other-run'));
  }

  /** Whether a change set is still there (not deleted). */
  liveChangeSets(name: string): number {
    return [...this.state(name).changeSets.values()].filter((c) => !c.deleted).length;
  }

  updateTerminationProtection(name: string, enabled: boolean): Promise<void> {
    this.record('updateTerminationProtection', name);
    this.state(name).terminationProtection = enabled;
    return Promise.resolve();
  }

  currentTemplate(name: string): Promise<string> {
    this.record('currentTemplate', name);
    return Promise.resolve(this.state(name).template);
  }
}
