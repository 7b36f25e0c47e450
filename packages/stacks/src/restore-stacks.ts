import { type Clock, ConflictError, ServiceError, errorMessage } from '@cutover/kit';
import type { RollbackRecord } from './deploy-stacks.js';
import type {
  StackDescription,
  StackEngine,
  StackEvent,
  StackRequest,
  StackStatus,
} from './stack-engine.js';
import { CAPABILITIES, type StackSpec } from './stack-specs.js';
import {
  type ResourceFailure,
  describeFailures,
  isBusy,
  isEmptyChangeSet,
  isTerminal,
  resourceFailures,
} from './stack-states.js';

/** What restoring one stack came to. */
export type RestoreStatus =
  'restored' | 'deleted' | 'unchanged' | 'failed' | 'timed-out' | 'skipped' | 'in-flight';

export interface RestoreResult {
  name: string;
  status: RestoreStatus;
  /** What was done, in order: "cancelled the update in progress", "redeployed the recorded template"... */
  actions: string[];
  durationMs: number;
  reason: string | undefined;
  stackStatus: StackStatus | undefined;
  failures: ResourceFailure[];
}

export interface RestoreOutcome {
  ok: boolean;
  /** In restore order (dependents before what they depend on). */
  stacks: RestoreResult[];
  /** Anything was changed on CloudFormation. */
  changed: boolean;
  cancelled: boolean;
  /** The first failure, to fail the step with after the report is written. */
  error: Error | undefined;
}

export interface RestoreOptions {
  clock: Clock;
  /** Unique per run: change set names and client request tokens derive from it. */
  runId: string;
  /**
   * The plan's stack settings, when it lists them: dependencies order the restore (dependents
   * first, independent stacks in parallel), and capabilities, role and notification topics are
   * sent as the deployment sent them. Without them: one stack at a time, newest deployed first
   * (the record is in execution order, and a stack executes only after its dependencies).
   */
  specs?: readonly StackSpec[] | undefined;
  /** "Stack:LogicalId" entries: only a stack named here gets ContinueUpdateRollback. */
  continueRollbackSkip?: readonly string[] | undefined;
  /** Per stack, from its start; default 30 minutes. */
  timeoutMs?: number;
  parallelism?: number;
  pollIntervalMs?: number;
  maxPollIntervalMs?: number;
  signal?: AbortSignal | undefined;
  onLog?: (line: string) => void;
}

/** Change sets and tokens of a restore start with this, so a concurrent rollback sees whose update runs. */
export const RESTORE_TOKEN_PREFIX = 'cutover-rollback-';

/** CreateChangeSet's TemplateBody limit (bytes); larger recorded templates cannot be sent inline. */
const INLINE_LIMIT = 51_200;
/** DescribeStacks shows NoEcho parameters as this, never their value. */
const HIDDEN = '****';

class Cancelled extends Error {}
class TimedOut extends ServiceError {}

const safeName = (text: string) => text.replace(/[^A-Za-z0-9-]/g, '-');

/**
 * Reads deploy-stack's rollback record (`{"stacks": [RollbackRecord...]}`), refusing anything
 * else with what was expected. Pure: the caller reads the file.
 */
export function parseRollbackRecord(text: string, where: string): RollbackRecord[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where}: not JSON (${errorMessage(error)})`, { cause: error });
  }
  const stacks = (raw as { stacks?: unknown } | null)?.stacks;
  if (!Array.isArray(stacks))
    throw new Error(`${where}: expected deploy-stack's rollback record {"stacks": [...]}`);
  const text_ = (v: unknown): v is string => typeof v === 'string';
  const map = (v: unknown) =>
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    Object.values(v).every((x) => typeof x === 'string');
  return stacks.map((entry: unknown, index) => {
    const e = (entry ?? {}) as Record<string, unknown>;
    if (
      !text_(e.name) ||
      e.name === '' ||
      typeof e.existed !== 'boolean' ||
      !(e.previousTemplate === undefined || text_(e.previousTemplate)) ||
      !map(e.previousParameters) ||
      !map(e.previousTags)
    )
      throw new Error(
        `${where}: stacks[${index}] is not a rollback record entry (name, existed, previousTemplate, previousParameters, previousTags)`,
      );
    return e as unknown as RollbackRecord;
  });
}

/**
 * The restore order's graph: each recorded stack waits for the recorded stacks that depend on
 * it. From the plan's depends-on when it lists the stacks, else a chain in reverse record order.
 */
function waitsFor(
  records: readonly RollbackRecord[],
  specs: readonly StackSpec[] | undefined,
): Map<string, string[]> {
  const names = records.map((r) => r.name);
  const graph = new Map<string, string[]>(names.map((n) => [n, []]));
  const known = specs !== undefined && names.every((n) => specs.some((s) => s.name === n));
  if (!known) {
    // Newest first, one at a time: a stack's dependents were executed after it.
    names.forEach((name, i) => {
      const next = names[i + 1];
      if (next !== undefined) graph.get(name)?.push(next);
    });
    return graph;
  }
  for (const spec of specs)
    for (const dependency of spec.dependsOn)
      if (graph.has(dependency) && graph.has(spec.name)) graph.get(dependency)?.push(spec.name);
  return graph;
}

/**
 * Puts back the stacks a cutover changed, from deploy-stack's rollback record, dependents
 * before what they depend on. Per stack: an update in progress is cancelled (CancelUpdateStack:
 * CloudFormation rolls it back); another operation is waited for (a concurrent rollback's
 * restore included, recognised by its client request token); UPDATE_ROLLBACK_FAILED is
 * continued only for stacks named in continueRollbackSkip; then a stack the cutover created is
 * deleted, and one it updated gets the recorded template, parameters and tags back through a
 * change set (an empty one means it is already there). Idempotent: run twice, the second run
 * finds every stack as recorded and changes nothing. A stack that fails stops the stacks it
 * depends on (their outputs may be in use); others go on.
 */
export async function restoreStacks(
  records: readonly RollbackRecord[],
  engine: StackEngine,
  options: RestoreOptions,
): Promise<RestoreOutcome> {
  // A stack recorded twice (two deploys): its oldest state is the one to go back to.
  const unique = records.filter((r, i) => records.findIndex((o) => o.name === r.name) === i);
  const graph = waitsFor(unique, options.specs);
  const skips = splitSkips(options.continueRollbackSkip ?? []);
  const results = new Map<string, RestoreResult>();
  const running = new Map<string, Promise<void>>();
  const order: string[] = [];
  const parallelism = Math.max(1, options.parallelism ?? 4);
  const blocked = (name: string) =>
    (graph.get(name) ?? []).find((d) => {
      const status = results.get(d)?.status;
      return status !== undefined && !['restored', 'deleted', 'unchanged'].includes(status);
    });
  const ready = (name: string) =>
    !results.has(name) &&
    !running.has(name) &&
    (graph.get(name) ?? []).every((d) => results.has(d));

  for (;;) {
    // Skipping a stack can make the next one ready: pass again until nothing changes.
    for (let pass = true; pass;) {
      pass = false;
      for (const record of unique) {
        if (running.size >= parallelism) break;
        if (!ready(record.name)) continue;
        const stop = blocked(record.name);
        if (stop !== undefined || options.signal?.aborted === true) {
          order.push(record.name);
          results.set(
            record.name,
            skipped(
              record.name,
              stop === undefined
                ? 'not started: the run was cancelled'
                : `not started: ${stop}, which depends on it, was not restored`,
            ),
          );
          pass = true;
          continue;
        }
        order.push(record.name);
        running.set(
          record.name,
          new StackRestore(record, engine, options, skips.get(record.name)).run().then((result) => {
            results.set(record.name, result);
            running.delete(record.name);
            options.onLog?.(describeRestore(result));
          }),
        );
      }
    }
    if (running.size === 0) {
      // Nothing runs and nothing could start: done (a cycle in the plan cannot get here, but
      // a stack left waiting is reported rather than looped on).
      for (const record of unique)
        if (!results.has(record.name)) {
          order.push(record.name);
          results.set(
            record.name,
            skipped(record.name, 'not started: its dependents never finished'),
          );
        }
      break;
    }
    await Promise.race(running.values());
  }
  const stacks = order.map((name) => results.get(name) as RestoreResult);
  const bad = stacks.filter((s) => !['restored', 'deleted', 'unchanged'].includes(s.status));
  const cancelled = options.signal?.aborted === true;
  const first = bad.find((s) => s.status !== 'skipped') ?? bad[0];
  return {
    ok: bad.length === 0,
    stacks,
    changed: stacks.some((s) => s.actions.length > 0),
    cancelled,
    error:
      first === undefined
        ? undefined
        : new ServiceError(
            `${bad.length} of ${stacks.length} stacks not restored; first: ${first.name}: ${first.status}: ${first.reason ?? ''}`,
          ),
  };
}

function skipped(name: string, reason: string): RestoreResult {
  return {
    name,
    status: 'skipped',
    actions: [],
    durationMs: 0,
    reason,
    stackStatus: undefined,
    failures: [],
  };
}

function splitSkips(entries: readonly string[]): Map<string, string[]> {
  const skips = new Map<string, string[]>();
  for (const entry of entries) {
    const colon = entry.indexOf(':');
    if (colon <= 0 || colon === entry.length - 1)
      throw new Error(
        `continue-rollback-skip: "${entry}" is not Stack:LogicalId (a rollback names the stack of every resource it skips)`,
      );
    const stack = entry.slice(0, colon).trim();
    skips.set(stack, [...(skips.get(stack) ?? []), entry.slice(colon + 1).trim()]);
  }
  return skips;
}

/** One line per stack, for the log. */
export function describeRestore(result: RestoreResult): string {
  const took = `${Math.round(result.durationMs / 1000)}s`;
  const did = result.actions.length === 0 ? '' : ` (${result.actions.join(', ')})`;
  return `${result.name}: ${result.status} after ${took}${did}${result.reason === undefined ? '' : `: ${result.reason}`}`;
}

class StackRestore {
  private readonly started: number;
  private readonly deadline: number;
  private readonly actions: string[] = [];
  private failures: ResourceFailure[] = [];
  private last: StackStatus | undefined;
  /** An operation this run started may still be running on CloudFormation. */
  private operating = false;

  constructor(
    private readonly record: RollbackRecord,
    private readonly engine: StackEngine,
    private readonly options: RestoreOptions,
    private readonly skip: string[] | undefined,
  ) {
    this.started = options.clock.now();
    this.deadline = this.started + (options.timeoutMs ?? 30 * 60_000);
  }

  private get name() {
    return this.record.name;
  }

  private token(operation: string): string {
    return safeName(`${RESTORE_TOKEN_PREFIX}${this.options.runId}-${operation}-${this.name}`).slice(
      0,
      128,
    );
  }

  private log(line: string) {
    this.options.onLog?.(`${this.name}: ${line}`);
  }

  private result(status: RestoreStatus, reason?: string): RestoreResult {
    return {
      name: this.name,
      status,
      actions: this.actions,
      durationMs: this.options.clock.now() - this.started,
      reason,
      stackStatus: this.last,
      failures: this.failures,
    };
  }

  async run(): Promise<RestoreResult> {
    try {
      return await this.restore();
    } catch (error) {
      if (error instanceof Cancelled)
        return this.operating
          ? this.result(
              'in-flight',
              `the run was cancelled; last status ${this.last ?? 'unknown'} (CloudFormation carries on)`,
            )
          : this.result('skipped', 'the run was cancelled before anything was started');
      if (error instanceof TimedOut) return this.result('timed-out', error.message);
      return this.result('failed', errorMessage(error));
    }
  }

  private async describe(): Promise<StackDescription | undefined> {
    const now = await this.engine.describeStack(this.name);
    this.last = now?.status;
    return now;
  }

  /** Sleeps with backoff until `check` gives a value; bounded by the stack's deadline, cancellable. */
  private async poll<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
    const { clock, signal } = this.options;
    let interval = this.options.pollIntervalMs ?? 5000;
    const aborted = () => signal?.aborted === true;
    for (;;) {
      if (aborted()) throw new Cancelled();
      const remaining = this.deadline - clock.now();
      if (remaining <= 0)
        throw new TimedOut(
          `not restored within ${Math.round((this.options.timeoutMs ?? 1_800_000) / 1000)}s: still waiting for ${what} (last status ${this.last ?? 'unknown'})`,
        );
      await clock.sleep(Math.min(interval, remaining), signal);
      if (aborted()) throw new Cancelled();
      const value = await check();
      if (value !== undefined) return value;
      interval = Math.min(this.options.maxPollIntervalMs ?? 15_000, interval * 1.5);
    }
  }

  /** Waits until no operation runs on the stack; returns it as it then stands. */
  private settle(what: string): Promise<{ now: StackDescription | undefined }> {
    return this.poll(what, async () => {
      const now = await this.describe();
      return now === undefined || !isBusy(now.status) ? { now } : undefined;
    });
  }

  private async restore(attempt = 1): Promise<RestoreResult> {
    let now = await this.describe();
    if (now !== undefined && isBusy(now.status)) {
      const newest = (await this.engine.stackEvents(this.name, undefined))[0];
      const ours = newest?.clientRequestToken?.startsWith(RESTORE_TOKEN_PREFIX) === true;
      if (now.status === 'UPDATE_IN_PROGRESS' && !ours) {
        // The cutover's update (or anyone's) still running: CloudFormation rolls it back.
        this.log(
          'update in progress: cancelling it (CancelUpdateStack), CloudFormation rolls it back',
        );
        this.operating = true;
        try {
          await this.engine.cancelUpdate(this.name, this.token(`cancel-${attempt}`));
          this.actions.push('cancelled the update in progress');
        } catch (error) {
          // It ended between the read and the cancel: decide again from what it is now.
          this.log(`cancel refused (${errorMessage(error)}); reading it again`);
        }
      } else
        this.log(
          `${now.status}${ours ? ' (another rollback is restoring it)' : ''}: waiting for it to end`,
        );
      now = (await this.settle(`${this.name} to leave ${now.status}`)).now;
    }
    if (now?.status === 'UPDATE_ROLLBACK_FAILED') {
      await this.continueRollback();
      now = await this.describe();
    }
    if (!this.record.existed) {
      if (now === undefined || now.status === 'DELETE_COMPLETE')
        return this.result(
          this.actions.length > 0 ? 'deleted' : 'unchanged',
          'not there (the cutover created it; nothing to delete)',
        );
      return this.deleteCreated(now);
    }
    if (now === undefined || now.status === 'DELETE_COMPLETE')
      throw new Error(
        'it no longer exists, so the recorded template cannot be restored onto it: create it again from the rollback record by hand, or redeploy the stable version',
      );
    if (
      ['ROLLBACK_COMPLETE', 'ROLLBACK_FAILED', 'DELETE_FAILED', 'CREATE_FAILED'].includes(
        now.status,
      )
    )
      throw new Error(
        `it is ${now.status}${now.statusReason === undefined ? '' : ` (${now.statusReason})`}; CloudFormation cannot update it: fix or delete it first`,
      );
    return this.redeploy(attempt);
  }

  /** UPDATE_ROLLBACK_FAILED: continued only when told which of its resources to skip. */
  private async continueRollback(): Promise<void> {
    const events = await this.engine.stackEvents(this.name, undefined);
    const current = [];
    for (const event of events) {
      if (event.isStack && event.status === 'UPDATE_ROLLBACK_IN_PROGRESS') break;
      current.push(event);
    }
    this.failures = resourceFailures(current.toReversed());
    const named =
      this.failures.length === 0
        ? 'no failed resource in its events'
        : describeFailures(this.failures);
    if (this.skip === undefined)
      throw new Error(
        `UPDATE_ROLLBACK_FAILED: ${named}. Fix the cause and run again, or continue its rollback skipping what cannot roll back (continue-rollback-skip: ${this.failures.map((f) => `${this.name}:${f.logicalId}`).join(', ') || `${this.name}:LogicalId`})`,
      );
    this.log(`UPDATE_ROLLBACK_FAILED: continuing the rollback skipping ${this.skip.join(', ')}`);
    this.operating = true;
    await this.engine.continueUpdateRollback(this.name, this.skip, this.token('continue'));
    this.actions.push(`continued the rollback skipping ${this.skip.join(', ')}`);
    const { now } = await this.settle('the continued rollback to end');
    if (now?.status !== 'UPDATE_ROLLBACK_COMPLETE')
      throw new Error(`continuing the rollback ended ${now?.status ?? 'with the stack gone'}`);
  }

  /** A stack the cutover created: deleted (termination protection is a human's call, never lifted here). */
  private async deleteCreated(now: StackDescription): Promise<RestoreResult> {
    if (now.terminationProtection)
      throw new Error(
        'the cutover created it, but termination protection is on: turn it off (aws cloudformation update-termination-protection --no-enable-termination-protection) and run again, or keep it',
      );
    this.log(`created by the cutover (${now.status}): deleting it`);
    this.operating = true;
    await this.engine.deleteStack(this.name, this.token('delete'));
    this.actions.push('deleted the stack the cutover created');
    const { now: after } = await this.settle('the deletion to end');
    if (after !== undefined && after.status !== 'DELETE_COMPLETE')
      throw new Error(
        `deleting it ended ${after.status}${after.statusReason === undefined ? '' : `: ${after.statusReason}`}`,
      );
    return this.result('deleted');
  }

  /** The recorded template, parameters and tags, back through a change set. */
  private async redeploy(attempt: number): Promise<RestoreResult> {
    const template = this.record.previousTemplate;
    if (template === undefined || template.trim() === '')
      throw new Error('the rollback record holds no previous template for it');
    if (new TextEncoder().encode(template).length > INLINE_LIMIT)
      throw new Error(
        `its recorded template is over CloudFormation's ${INLINE_LIMIT}-byte inline limit; restore it from the record through S3 by hand`,
      );
    const hidden = Object.entries(this.record.previousParameters)
      .filter(([, value]) => value === HIDDEN)
      .map(([key]) => key);
    if (hidden.length > 0)
      throw new Error(
        `parameters ${hidden.join(', ')} are NoEcho: CloudFormation never showed their previous values, so they cannot be restored from the record; restore it by hand`,
      );
    const spec = this.options.specs?.find((s) => s.name === this.name);
    const request: StackRequest = {
      name: this.name,
      templateBody: template,
      parameters: this.record.previousParameters,
      tags: this.record.previousTags,
      // The template ran before under these acknowledgements; without the plan, all of them.
      capabilities: spec?.capabilities ?? [...CAPABILITIES],
      ...(spec?.roleArn === undefined ? {} : { roleArn: spec.roleArn }),
      notificationArns: spec?.notificationArns ?? [],
      rollbackTriggers: spec?.rollbackTriggers,
      terminationProtection: spec?.terminationProtection ?? false,
    };
    const suffix = attempt > 1 ? `-${attempt}` : '';
    const { id } = await this.engine.createChangeSet(request, {
      changeSetName: safeName(`${RESTORE_TOKEN_PREFIX}${this.options.runId}${suffix}`).slice(
        0,
        128,
      ),
      type: 'UPDATE',
      clientToken: this.token(`change-set${suffix}`),
    });
    let executed = false;
    const token = this.token(`execute${suffix}`);
    try {
      const changeSet = await this.poll('the change set', async () => {
        const set = await this.engine.describeChangeSet(this.name, id);
        return set.status === 'CREATE_PENDING' || set.status === 'CREATE_IN_PROGRESS'
          ? undefined
          : set;
      });
      if (changeSet.status !== 'CREATE_COMPLETE') {
        if (isEmptyChangeSet(changeSet.statusReason))
          return this.result(
            this.actions.length > 0 ? 'restored' : 'unchanged',
            'already runs the recorded template and parameters',
          );
        throw new Error(
          `the restoring change set failed: ${changeSet.statusReason ?? 'no reason given'}`,
        );
      }
      if (this.options.signal?.aborted === true) throw new Cancelled();
      this.log(`redeploying the recorded template (${changeSet.changes.length} changes)`);
      try {
        await this.engine.executeChangeSet(this.name, id, token);
      } catch (error) {
        // Another operation changed it since the change set was made (a concurrent rollback?).
        if (!(error instanceof ConflictError) || attempt >= 3) throw error;
        this.log(`changed by another operation meanwhile (${errorMessage(error)}); deciding again`);
        return await this.restore(attempt + 1);
      }
      executed = true;
      this.operating = true;
    } finally {
      if (!executed)
        await this.engine.deleteChangeSet(this.name, id).catch((error: unknown) => {
          this.log(`deleting the unexecuted change set failed: ${errorMessage(error)}`);
        });
    }
    this.actions.push('redeployed the recorded template, parameters and tags');
    const status = await this.waitFor(token);
    if (status !== 'UPDATE_COMPLETE')
      throw new Error(
        `redeploying the recorded template ended ${status}: ${describeFailures(this.failures) || 'no failed resource in its events'}`,
      );
    return this.result('restored');
  }

  /** Follows the events of the operation `token` started until the stack's status is terminal. */
  private async waitFor(token: string): Promise<StackStatus> {
    let after: string | undefined;
    const events: StackEvent[] = [];
    return this.poll('the restore to finish', async () => {
      const page = await this.engine.stackEvents(this.name, after);
      const fresh = (
        after === undefined ? page.filter((e) => e.clientRequestToken === token) : page
      ).toReversed();
      if (page[0] !== undefined && (after !== undefined || fresh.length > 0)) after = page[0].id;
      let status: StackStatus | undefined;
      for (const event of fresh) {
        events.push(event);
        if (event.isStack) status = event.status as StackStatus;
      }
      this.failures = resourceFailures(events);
      if (status !== undefined) this.last = status;
      return status !== undefined && isTerminal(status) ? status : undefined;
    });
  }
}
