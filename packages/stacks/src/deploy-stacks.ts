import {
  type Clock,
  ConfigError,
  ConflictError,
  Refusal,
  ServiceError,
  errorMessage,
} from '@cutover/kit';
import type {
  ResourceChange,
  StackDescription,
  StackEngine,
  StackEvent,
  StackRequest,
  StackStatus,
} from './stack-engine.js';
import type { StackSpec } from './stack-specs.js';
import {
  type ResourceFailure,
  describeFailures,
  isBusy,
  isEmptyChangeSet,
  isRollingBack,
  isSuccess,
  isTerminal,
  resourceFailures,
} from './stack-states.js';

/** CloudFormation's limit for TemplateBody; larger templates must come from S3. */
export const INLINE_TEMPLATE_LIMIT_BYTES = 51_200;
/** CreateChangeSet TemplateURL: "The URL must point to a template (max size: 1 MB)". */
export const URL_TEMPLATE_LIMIT_BYTES = 1_048_576;

export type StackOutcome =
  'deployed' | 'unchanged' | 'planned' | 'failed' | 'timed-out' | 'skipped' | 'in-flight';

export interface StackResult {
  name: string;
  status: StackOutcome;
  durationMs: number;
  changed: boolean;
  /** Why it failed, was skipped or is still in flight; what a plan would do. */
  reason: string | undefined;
  outputs: Record<string, string>;
  changes: ResourceChange[];
  /** The stack's last status seen (CloudFormation's). */
  stackStatus: StackStatus | undefined;
  failures: ResourceFailure[];
  /** The error the action fails with for this stack (ConfigError, Refusal, ServiceError). */
  error: Error | undefined;
}

/** What the rollback action needs to put a changed stack back, read before executing. */
export interface RollbackRecord {
  name: string;
  /** false: the run created it (rollback deletes it). */
  existed: boolean;
  previousTemplate: string | undefined;
  previousParameters: Record<string, string>;
  previousTags: Record<string, string>;
}

export interface DeployOutcome {
  ok: boolean;
  /** In the order of the specs. */
  stacks: StackResult[];
  rollback: RollbackRecord[];
  cancelled: boolean;
  /** Stacks still running on CloudFormation when the run stopped (cancelled). */
  inFlight: string[];
  /** The first failure, to fail the step with (after the report is written). */
  error: Error | undefined;
}

export interface DeployOptions {
  clock: Clock;
  /** Reads template and parameters files (workspace-bound in the action). */
  readFile: (path: string) => Promise<string>;
  /** Uploads a template over the inline limit; returns its https S3 URL. */
  uploadTemplate?: ((stack: string, body: string) => Promise<string>) | undefined;
  mode?: 'deploy' | 'plan';
  /** Stacks deploying at once; default 4. */
  parallelism?: number;
  /** Delete a ROLLBACK_COMPLETE stack (a failed creation) and create it again. */
  allowRecreate?: boolean;
  /**
   * Run ContinueUpdateRollback on a stack in UPDATE_ROLLBACK_FAILED, skipping the resources named
   * for it: entries are "Stack:LogicalId" and each stack gets only its own ids; a stack with no
   * entry of its own is not continued (it fails naming what blocks it). A bare "LogicalId" is
   * accepted only when exactly one stack is deployed (it cannot be misread); otherwise it is a
   * ConfigError, since skipping a resource of the wrong stack cannot be undone.
   */
  continueRollbackSkip?: string[] | undefined;
  /** Another operation runs on a stack: wait for it (bounded by busyTimeoutMs) or fail. */
  onBusy?: 'wait' | 'fail';
  busyTimeoutMs?: number;
  /** Per stack, from its start; default 60 minutes. */
  timeoutMs?: number;
  /** On a timeout, CancelUpdateStack an update still in progress (it rolls back). */
  cancelOnTimeout?: boolean;
  signal?: AbortSignal | undefined;
  /** Unique per run: change set names and client request tokens derive from it. */
  runId?: string;
  /** Polling: first interval, ceiling, growth per poll and jitter (fraction of the interval). */
  pollIntervalMs?: number;
  maxPollIntervalMs?: number;
  backoff?: number;
  jitter?: number;
  random?: () => number;
  onEvent?: (stack: string, event: StackEvent) => void;
  /** Plain progress lines (already free of workflow commands is the caller's job). */
  onLog?: (line: string) => void;
  /** A change set was described (before executing), for the summary. */
  onChangeSet?: (stack: string, changes: ResourceChange[]) => void;
  /** A change set was executed: its stack's record, so it is kept even if the run dies next. */
  onExecuted?: (record: RollbackRecord) => void;
}

const DEFAULTS = {
  parallelism: 4,
  busyTimeoutMs: 30 * 60_000,
  timeoutMs: 60 * 60_000,
  pollIntervalMs: 5000,
  maxPollIntervalMs: 15_000,
  backoff: 1.5,
  jitter: 0.2,
};

/** Stopped waiting because the run was cancelled; the stack may still be changing. */
class Cancelled extends Error {}
/** Another stack failed while this one's change set was being made: it is never executed. */
class Halted extends Error {}

/** A failed poll worth retrying on the next tick: the adapter's retryable service errors. */
const transient = (error: unknown) =>
  error instanceof ServiceError &&
  !(error instanceof TimedOut) &&
  (error as { retryable?: unknown }).retryable !== false;

/** A state the stack reached, not a failed call: never retried. */
const final = (message: string) =>
  Object.assign(new ServiceError(message), { retryable: false as const });

/** The per-stack time ran out; carries what was last seen. */
class TimedOut extends ServiceError {
  constructor(
    message: string,
    readonly lastStatus: StackStatus | undefined,
  ) {
    super(message);
  }
}

const seconds = (ms: number) => `${Math.round(ms / 1000)}s`;

const safeName = (text: string) => text.replace(/[^A-Za-z0-9-]/g, '-');

interface Shared {
  engine: StackEngine;
  options: DeployOptions;
  settings: typeof DEFAULTS;
  runId: string;
  outputs: Map<string, Record<string, string>>;
  rollback: RollbackRecord[];
  lastStatus: Map<string, StackStatus>;
  /** Resources to skip per stack (continue-rollback-skip), already split. */
  skips: Map<string, string[]>;
  /** Called when a stack starts rolling back: start nothing new from now on. */
  failing(name: string): void;
  /** The first stack that failed, if any. */
  failed(): string | undefined;
  prepared: Prepared;
}

/** Where CloudFormation reads a stack's template from. */
type TemplateSource = Pick<StackRequest, 'templateBody' | 'templateUrl'>;

/** A template read and size-checked, not yet uploaded. */
type CheckedTemplate =
  | { url: string }
  | { body: string; upload: ((stack: string, body: string) => Promise<string>) | undefined };

/** Reads one template and checks its size against CloudFormation's limits. */
async function checkTemplate(
  spec: StackSpec,
  options: DeployOptions,
): Promise<CheckedTemplate | string> {
  if (/^https:\/\//i.test(spec.template)) return { url: spec.template };
  let body: string;
  try {
    body = await options.readFile(spec.template);
  } catch (error) {
    return `stack ${spec.name}: cannot read the template ${spec.template} (${errorMessage(error)})`;
  }
  if (body.trim() === '') return `stack ${spec.name}: the template ${spec.template} is empty`;
  const size = new TextEncoder().encode(body).length;
  if (size <= INLINE_TEMPLATE_LIMIT_BYTES) return { body, upload: undefined };
  if (size > URL_TEMPLATE_LIMIT_BYTES)
    return `stack ${spec.name}: the template ${spec.template} is ${size} bytes, over CloudFormation's ${URL_TEMPLATE_LIMIT_BYTES}-byte limit for a template in S3; split it into nested stacks`;
  if (options.uploadTemplate === undefined)
    return `stack ${spec.name}: the template ${spec.template} is ${size} bytes, over CloudFormation's ${INLINE_TEMPLATE_LIMIT_BYTES}-byte inline limit; name an S3 bucket to upload it to, or give its https S3 URL`;
  return { body, upload: options.uploadTemplate };
}

/** What the pre-flight gathered for every stack before the first wave. */
interface Prepared {
  templates: Map<string, TemplateSource>;
  parameterFiles: Map<string, Record<string, string>>;
}

/**
 * Before the first wave: every template and parameters file is read and checked, and every
 * problem is reported at once, so a bad file of the last wave cannot fail a run half-deployed.
 * Oversized templates are uploaded only once everything is known to be good.
 */
async function prepare(specs: readonly StackSpec[], options: DeployOptions): Promise<Prepared> {
  const problems: string[] = [];
  const checked = new Map<string, CheckedTemplate>();
  const parameterFiles = new Map<string, Record<string, string>>();
  for (const spec of specs) {
    const template = await checkTemplate(spec, options);
    if (typeof template === 'string') problems.push(template);
    else checked.set(spec.name, template);
    try {
      parameterFiles.set(spec.name, await parametersFile(spec, options));
    } catch (error) {
      problems.push(errorMessage(error));
    }
  }
  if (problems.length > 0)
    throw new ConfigError(
      problems.length === 1
        ? (problems[0] ?? '')
        : `${problems.length} problems found before deploying anything:\n- ${problems.join('\n- ')}`,
    );
  const templates = new Map<string, TemplateSource>();
  for (const [name, template] of checked) {
    if ('url' in template) templates.set(name, { templateUrl: template.url });
    else if (template.upload === undefined) templates.set(name, { templateBody: template.body });
    else templates.set(name, { templateUrl: await template.upload(name, template.body) });
  }
  return { templates, parameterFiles };
}

const scalar = (value: unknown): string | undefined =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : undefined;

/** A parameters file: CloudFormation's [{ParameterKey, ParameterValue}] or a plain mapping. */
async function parametersFile(spec: StackSpec, options: DeployOptions) {
  if (spec.parametersFile === undefined) return {};
  const file = spec.parametersFile;
  const refuse = (why: string) =>
    new ConfigError(
      `stack ${spec.name}: parameters-file ${file}: ${why}; expected JSON [{"ParameterKey": "K", "ParameterValue": "V"}] or {"K": "V"}`,
    );
  const text = await options.readFile(file).catch((error: unknown) => {
    throw refuse(errorMessage(error));
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // Never the parser's message: it quotes the text around the error, and this file holds
    // secrets. Where it broke is enough to find it.
    const at = /position (\d+)/.exec(errorMessage(error))?.[1];
    throw refuse(`not valid JSON${at === undefined ? '' : ` (at character ${at})`}`);
  }
  const values: Record<string, string> = {};
  if (Array.isArray(parsed)) {
    parsed.forEach((item: unknown, index) => {
      const entry = (typeof item === 'object' && item !== null ? item : {}) as Record<
        string,
        unknown
      >;
      const key = entry.ParameterKey;
      const text = scalar(entry.ParameterValue);
      if (typeof key !== 'string' || text === undefined)
        throw refuse(`item ${index} has no ParameterKey/ParameterValue`);
      values[key] = text;
    });
    return values;
  }
  if (typeof parsed !== 'object' || parsed === null) throw refuse(`got ${String(parsed)}`);
  for (const [key, value] of Object.entries(parsed)) {
    const text = scalar(value);
    if (text === undefined) throw refuse(`the value of ${key} is not text`);
    values[key] = text;
  }
  return values;
}

/** Runs one stack from its current state to a result; never throws. */
class StackRun {
  private readonly started: number;
  private readonly deadline: number;
  private described: StackDescription | undefined;
  private changes: ResourceChange[] = [];
  private failures: ResourceFailure[] = [];
  /** A stack operation was started (execute, delete, continue rollback): it may be in flight. */
  private operating = false;

  constructor(
    private readonly spec: StackSpec,
    private readonly shared: Shared,
  ) {
    this.started = shared.options.clock.now();
    this.deadline = this.started + shared.settings.timeoutMs;
  }

  private get engine() {
    return this.shared.engine;
  }

  private get name() {
    return this.spec.name;
  }

  private get plan() {
    return this.shared.options.mode === 'plan';
  }

  private readonly tokensUsed = new Map<string, number>();

  /**
   * A client request token for one call: CloudFormation takes a repeated token for a retry of
   * the same call and does nothing, so a second delete or cleanup (a stack recreated twice)
   * gets its own. The count goes before the stack name, which is what a long token loses.
   */
  private token(operation: string): string {
    const count = (this.tokensUsed.get(operation) ?? 0) + 1;
    this.tokensUsed.set(operation, count);
    const suffix = count > 1 ? `-${count}` : '';
    return safeName(`${this.shared.runId}-${operation}${suffix}-${this.name}`).slice(0, 128);
  }

  private log(line: string) {
    this.shared.options.onLog?.(line);
  }

  private seen(status: StackStatus | undefined) {
    if (status !== undefined) this.shared.lastStatus.set(this.name, status);
  }

  private result(
    status: StackOutcome,
    fields: Partial<Omit<StackResult, 'name' | 'status' | 'durationMs'>> = {},
  ): StackResult {
    return {
      name: this.name,
      status,
      durationMs: this.shared.options.clock.now() - this.started,
      changed: false,
      reason: undefined,
      outputs: {},
      changes: this.changes,
      stackStatus: this.shared.lastStatus.get(this.name),
      failures: this.failures,
      error: undefined,
      ...fields,
    };
  }

  /**
   * Sleeps before each check (so the call that started an operation and the first poll never
   * share a tick), backing off with jitter, bounded by `until`, cancellable between polls.
   */
  private async poll<T>(
    check: () => Promise<T | undefined>,
    until: number,
    timeout: (elapsedMs: number) => Error,
  ): Promise<T> {
    const { clock, signal } = this.shared.options;
    const { pollIntervalMs, maxPollIntervalMs, backoff, jitter } = this.shared.settings;
    const random = this.shared.options.random ?? Math.random;
    const begun = clock.now();
    let interval = pollIntervalMs;
    let lastError: unknown;
    const cancelled = () => signal?.aborted === true;
    for (;;) {
      if (cancelled()) throw new Cancelled();
      const remaining = until - clock.now();
      if (remaining <= 0) {
        const error = timeout(clock.now() - begun);
        // Only the deadline fails the stack; say what the polls last ran into.
        if (lastError !== undefined)
          error.message += `; the last poll failed: ${errorMessage(lastError)}`;
        throw error;
      }
      const spread = (random() - 0.5) * jitter * interval;
      // A cancellation ends the wait at once, not at the next poll (up to 15 s later).
      await clock.sleep(Math.max(0, Math.min(Math.round(interval + spread), remaining)), signal);
      if (cancelled()) throw new Cancelled();
      try {
        const value = await check();
        if (value !== undefined) return value;
        lastError = undefined;
      } catch (error) {
        // Throttling or a service hiccup after the SDK's own retries: try again next tick.
        if (!transient(error)) throw error;
        lastError = error;
        this.log(`${this.name}: a poll failed, retrying: ${errorMessage(error)}`);
      }
      interval = Math.min(maxPollIntervalMs, interval * backoff);
    }
  }

  private overall = (elapsedMs: number) =>
    new TimedOut(
      `stack ${this.name}: not finished within ${seconds(this.shared.settings.timeoutMs)} (waited ${seconds(elapsedMs)} in the last wait; last status ${this.shared.lastStatus.get(this.name) ?? 'unknown'})`,
      this.shared.lastStatus.get(this.name),
    );

  /**
   * Waits on the stack's events (one call per tick): the stack's own events carry its status.
   * The first poll keeps only the events of the operation `token` started.
   */
  private async waitForOperation(token: string, rollbackFails: boolean): Promise<StackStatus> {
    let after: string | undefined;
    const events: StackEvent[] = [];
    return this.poll(
      async () => {
        const page = await this.engine.stackEvents(this.name, after);
        const fresh = (
          after === undefined ? page.filter((event) => event.clientRequestToken === token) : page
        ).toReversed();
        if (page[0] !== undefined && (after !== undefined || fresh.length > 0)) after = page[0].id;
        let status: StackStatus | undefined;
        for (const event of fresh) {
          events.push(event);
          this.shared.options.onEvent?.(this.name, event);
          if (!event.isStack) continue;
          status = event.status as StackStatus;
          this.seen(status);
          if (rollbackFails && isRollingBack(status)) this.shared.failing(this.name);
        }
        this.failures = resourceFailures(events);
        return status !== undefined && isTerminal(status) ? status : undefined;
      },
      this.deadline,
      this.overall,
    );
  }

  /** Another operation runs on the stack: wait for it to end, or refuse at once. */
  private async settleBusy(described: StackDescription | undefined) {
    if (described === undefined || !isBusy(described.status)) return described;
    const { onBusy = 'wait' } = this.shared.options;
    if (onBusy === 'fail')
      throw new Refusal(
        `stack ${this.name} is busy: ${described.status} (another operation is running on it); on-busy is "fail": wait for it to finish or set on-busy: wait`,
      );
    this.log(`${this.name}: ${described.status}, waiting for the operation in progress to end`);
    const until = Math.min(this.deadline, this.started + this.shared.settings.busyTimeoutMs);
    return this.poll(
      async () => {
        const now = await this.engine.describeStack(this.name);
        this.seen(now?.status);
        return now === undefined || !isBusy(now.status) ? { now } : undefined;
      },
      until,
      () =>
        until === this.deadline
          ? this.overall(this.shared.options.clock.now() - this.started)
          : new ServiceError(
              `stack ${this.name}: still ${this.shared.lastStatus.get(this.name) ?? described.status} after waiting ${seconds(this.shared.settings.busyTimeoutMs)} for another operation to end (busy timeout)`,
            ),
    ).then(({ now }) => now);
  }

  /** ROLLBACK_COMPLETE: a failed creation can only be deleted, then created again. */
  private async recreate(described: StackDescription): Promise<void> {
    if (this.shared.options.allowRecreate !== true)
      throw new ConfigError(
        `stack ${this.name} is ROLLBACK_COMPLETE (its creation failed and was rolled back${described.statusReason === undefined ? '' : `: ${described.statusReason}`}); CloudFormation cannot update it, only delete it: allow recreating (allow-recreate: true) to delete and create it again, or delete it yourself`,
      );
    this.log(`${this.name}: ROLLBACK_COMPLETE, deleting it to create it again`);
    this.operating = true;
    await this.engine.deleteStack(this.name, this.token('delete'));
    await this.poll(
      async () => {
        const now = await this.engine.describeStack(this.name);
        this.seen(now?.status);
        if (now?.status === 'DELETE_FAILED')
          throw final(
            `stack ${this.name}: deleting the ROLLBACK_COMPLETE stack failed: ${now.statusReason ?? 'no reason given'}`,
          );
        return now === undefined || now.status === 'DELETE_COMPLETE' ? true : undefined;
      },
      this.deadline,
      this.overall,
    );
  }

  /** UPDATE_ROLLBACK_FAILED: name what blocks it; continue the rollback only when told which to skip. */
  private async unblockRollback(): Promise<StackDescription | undefined> {
    const events = await this.engine.stackEvents(this.name, undefined);
    const current: StackEvent[] = [];
    for (const event of events) {
      if (event.isStack && event.status === 'UPDATE_ROLLBACK_IN_PROGRESS') break;
      current.push(event);
    }
    const failures = resourceFailures(current.toReversed());
    this.failures = failures;
    const named =
      failures.length === 0 ? 'no failed resource in its events' : describeFailures(failures);
    const skip = this.shared.skips.get(this.name);
    if (skip === undefined || this.plan)
      throw new ConfigError(
        `stack ${this.name} is UPDATE_ROLLBACK_FAILED: ${named}. Fix the cause, or continue the rollback skipping resources that cannot roll back (continue-rollback-skip: ${failures.map((f) => `${this.name}:${f.logicalId}`).join(', ') || `${this.name}:LogicalId`})`,
      );
    this.log(
      `${this.name}: UPDATE_ROLLBACK_FAILED, continuing the rollback${skip.length > 0 ? ` skipping ${skip.join(', ')}` : ''}`,
    );
    const token = this.token('continue-rollback');
    this.operating = true;
    await this.engine.continueUpdateRollback(this.name, skip, token);
    const status = await this.waitForOperation(token, false);
    if (status !== 'UPDATE_ROLLBACK_COMPLETE')
      throw new ServiceError(
        `stack ${this.name}: continuing the rollback ended ${status}: ${describeFailures(this.failures) || 'no failed resource in its events'}`,
      );
    return this.engine.describeStack(this.name);
  }

  private async parameters(): Promise<Record<string, string> | string> {
    const values = { ...this.shared.prepared.parameterFiles.get(this.name) };
    for (const [key, value] of Object.entries(this.spec.parameters)) {
      if (typeof value === 'string') {
        values[key] = value;
        continue;
      }
      // A stack outside this run (not selected) is read as it stands.
      const outputs =
        this.shared.outputs.get(value.stack) ??
        (await this.engine.describeStack(value.stack))?.outputs;
      if (outputs === undefined)
        return `parameter ${key} takes output ${value.output} of stack ${value.stack}, which does not exist yet`;
      const output = outputs[value.output];
      if (output === undefined)
        throw new ConfigError(
          `stack ${this.name}: parameter ${key} takes output ${value.output} of stack ${value.stack}, which has no such output; its outputs: ${Object.keys(outputs).join(', ') || 'none'}`,
        );
      values[key] = output;
    }
    return values;
  }

  async run(): Promise<StackResult> {
    try {
      return await this.deploy();
    } catch (error) {
      if (error instanceof Cancelled && !this.operating)
        return this.result('skipped', {
          reason: 'not started: the run was cancelled before its change set was executed',
        });
      // This run started an operation that is still changing the stack: changed, for rollback.
      if (error instanceof Halted)
        return this.result('skipped', { reason: `not executed: ${error.message} failed` });
      if (error instanceof Cancelled)
        return this.result('in-flight', {
          changed: true,
          reason: `the run was cancelled; last status ${this.shared.lastStatus.get(this.name) ?? 'unknown'} (CloudFormation carries on)`,
        });
      if (error instanceof TimedOut) return this.timedOut(error);
      const failure = error instanceof Error ? error : new Error(String(error));
      return this.result('failed', { reason: failure.message, error: failure });
    }
  }

  private async timedOut(error: TimedOut): Promise<StackResult> {
    let message = error.message;
    if (this.shared.options.cancelOnTimeout === true && error.lastStatus === 'UPDATE_IN_PROGRESS') {
      try {
        await this.engine.cancelUpdate(this.name, this.token('cancel'));
        message += '; cancelled the update (CancelUpdateStack), it rolls back';
      } catch (cancelError) {
        message += `; cancelling the update failed: ${errorMessage(cancelError)}`;
      }
    }
    const failure = new ServiceError(message);
    this.shared.failing(this.name);
    return this.result('timed-out', { reason: message, error: failure });
  }

  private async deploy(attempt = 1): Promise<StackResult> {
    let described = await this.engine.describeStack(this.name);
    this.seen(described?.status);
    described = await this.settleBusy(described);
    if (described?.status === 'ROLLBACK_COMPLETE') {
      if (this.plan)
        return this.result('planned', {
          changed: true,
          reason:
            this.shared.options.allowRecreate === true
              ? 'ROLLBACK_COMPLETE: would be deleted and created again'
              : 'ROLLBACK_COMPLETE: cannot be updated; allow recreating it to deploy',
        });
      await this.recreate(described);
      described = undefined;
    } else if (described?.status === 'UPDATE_ROLLBACK_FAILED') {
      described = await this.unblockRollback();
    } else if (
      described !== undefined &&
      ['ROLLBACK_FAILED', 'DELETE_FAILED', 'CREATE_FAILED', 'IMPORT_ROLLBACK_FAILED'].includes(
        described.status,
      )
    ) {
      throw new ConfigError(
        `stack ${this.name} is ${described.status}${described.statusReason === undefined ? '' : ` (${described.statusReason})`}; it cannot be updated: fix or delete it first`,
      );
    }
    // A stack that never got a template (REVIEW_IN_PROGRESS) or was deleted is created afresh.
    const exists =
      described !== undefined &&
      described.status !== 'REVIEW_IN_PROGRESS' &&
      described.status !== 'DELETE_COMPLETE';
    const previous = exists ? described : undefined;
    this.described = described;
    if (previous !== undefined) this.shared.outputs.set(this.name, previous.outputs);

    const parameters = await this.parameters();
    if (typeof parameters === 'string') {
      if (this.plan) return this.result('planned', { changed: true, reason: parameters });
      throw new ConfigError(`stack ${this.name}: ${parameters}`);
    }
    const request: StackRequest = {
      name: this.name,
      ...this.shared.prepared.templates.get(this.name),
      parameters,
      tags: this.spec.tags,
      capabilities: this.spec.capabilities,
      ...(this.spec.roleArn === undefined ? {} : { roleArn: this.spec.roleArn }),
      notificationArns: this.spec.notificationArns,
      rollbackTriggers: this.spec.rollbackTriggers,
      terminationProtection: this.spec.terminationProtection,
    };
    const type = exists ? 'UPDATE' : 'CREATE';
    // A CREATE change set for a stack that did not exist leaves an empty REVIEW_IN_PROGRESS stack.
    const createdStack = type === 'CREATE' && described === undefined;
    const { id } = await this.engine.createChangeSet(request, {
      changeSetName: safeName(
        `cutover-${this.shared.runId}${attempt > 1 ? `-${attempt}` : ''}`,
      ).slice(0, 128),
      type,
      clientToken: this.token(attempt > 1 ? `change-set-${attempt}` : 'change-set'),
    });
    let executed = false;
    let conflict: ConflictError | undefined;
    const token = this.token(attempt > 1 ? `execute-${attempt}` : 'execute');
    try {
      const changeSet = await this.poll(
        async () => {
          const now = await this.engine.describeChangeSet(this.name, id);
          return now.status === 'CREATE_COMPLETE' ||
            now.status === 'FAILED' ||
            now.status === 'DELETE_COMPLETE'
            ? now
            : undefined;
        },
        this.deadline,
        this.overall,
      );
      if (changeSet.status !== 'CREATE_COMPLETE') {
        if (isEmptyChangeSet(changeSet.statusReason)) {
          await this.protect();
          this.log(`${this.name}: no changes`);
          return this.result(this.plan ? 'planned' : 'unchanged', {
            outputs: described?.outputs ?? {},
            reason: this.plan ? 'no changes' : undefined,
          });
        }
        throw new ConfigError(
          `stack ${this.name}: the change set failed: ${changeSet.statusReason ?? 'no reason given'}`,
        );
      }
      this.changes = changeSet.changes;
      this.shared.options.onChangeSet?.(this.name, changeSet.changes);
      if (this.plan)
        return this.result('planned', {
          changed: true,
          outputs: described?.outputs ?? {},
          reason: `${type === 'CREATE' ? 'would create' : 'would update'}: ${changeSet.changes.length} resource ${changeSet.changes.length === 1 ? 'change' : 'changes'}`,
        });

      const record: RollbackRecord = {
        name: this.name,
        existed: exists,
        previousTemplate:
          previous === undefined ? undefined : await this.engine.currentTemplate(this.name),
        previousParameters: { ...previous?.parameters },
        previousTags: { ...previous?.tags },
      };
      // The last moment a cancellation, or another stack's failure, can stop this one from
      // changing at all: on a failure nothing new starts.
      if (this.shared.options.signal?.aborted === true) throw new Cancelled();
      const failed = this.shared.failed();
      if (failed !== undefined) throw new Halted(failed);
      this.log(
        `${this.name}: executing the ${type} change set (${changeSet.changes.length} changes)`,
      );
      try {
        await this.engine.executeChangeSet(this.name, id, token);
      } catch (error) {
        // A conflict may be the SDK's retry of this very call after a lost answer.
        if (!(await this.executedAnyway(id, token, error))) {
          if (!(error instanceof ConflictError)) throw error;
          conflict = error;
        }
      }
      if (conflict === undefined) {
        executed = true;
        this.operating = true;
        this.shared.rollback.push(record);
        this.shared.options.onExecuted?.(record);
      }
    } finally {
      // Whatever ended the run before executing (plan, empty, failed, cancelled, conflict):
      // a run leaves no change set and no empty stack of its own behind.
      if (!executed) await this.discard(id, createdStack);
    }
    if (conflict !== undefined) return this.afterConflict(conflict, attempt);
    const status = await this.waitForOperation(token, true);
    if (!isSuccess(status)) {
      this.shared.failing(this.name);
      const failure = new ServiceError(
        `stack ${this.name} ended ${status}: ${describeFailures(this.failures) || 'no failed resource in its events'}`,
      );
      return this.result('failed', { changed: true, reason: failure.message, error: failure });
    }
    try {
      // One more read if the first fails: the stack did change, and its outputs feed others.
      const after = await this.engine
        .describeStack(this.name)
        .catch(() => this.engine.describeStack(this.name));
      const outputs = after?.outputs ?? {};
      this.shared.outputs.set(this.name, outputs);
      this.described = after;
      await this.protect();
      return this.result('deployed', { changed: true, outputs });
    } catch (error) {
      const failure = new ServiceError(
        `stack ${this.name} ended ${status}, then: ${errorMessage(error)}`,
        { cause: error },
      );
      return this.result('failed', { changed: true, reason: failure.message, error: failure });
    }
  }

  /**
   * ExecuteChangeSet failed without an answer to trust (retries used up, a socket reset): it
   * may have taken effect. Executed when the stack's events carry this run's token, or the
   * change set is no longer AVAILABLE (CloudFormation removes a stack's change sets once one
   * runs); unknown counts as executed, so the stack is waited for and kept for rollback
   * rather than discarded while it changes.
   */
  private async executedAnyway(id: string, token: string, error: unknown): Promise<boolean> {
    try {
      const events = await this.engine.stackEvents(this.name, undefined);
      if (events.some((e) => e.clientRequestToken === token)) return true;
      // Another operation made the change set obsolete: not this run's execution.
      if (error instanceof ConflictError) return false;
      const changeSet = await this.engine.describeChangeSet(this.name, id);
      if (changeSet.executionStatus === 'AVAILABLE') return false;
    } catch (readError) {
      this.log(`${this.name}: cannot tell whether the change set ran: ${errorMessage(readError)}`);
    }
    this.log(
      `${this.name}: ExecuteChangeSet answered "${errorMessage(error)}", but the change set may have run: taken as executed, waiting for the stack`,
    );
    return true;
  }

  /** Deletes an unexecuted change set, and the REVIEW_IN_PROGRESS stack its creation made. */
  private async discard(id: string, createdStack: boolean) {
    try {
      await this.engine.deleteChangeSet(this.name, id);
      // Only an empty stack: never one whose creation is under way after all.
      if (
        createdStack &&
        (await this.engine.describeStack(this.name))?.status === 'REVIEW_IN_PROGRESS'
      )
        await this.engine.deleteStack(this.name, this.token('cleanup'));
    } catch (error) {
      this.log(`${this.name}: cleaning up the change set failed: ${errorMessage(error)}`);
    }
  }

  /**
   * ExecuteChangeSet lost a race: another run changed the stack since the change set was made.
   * Re-read the stack and apply on-busy (wait, then plan again; or refuse naming the operation).
   */
  private async afterConflict(conflict: ConflictError, attempt: number): Promise<StackResult> {
    const now = await this.engine.describeStack(this.name);
    this.seen(now?.status);
    const other = now === undefined ? 'deleted' : now.status;
    this.log(
      `${this.name}: another operation changed the stack (${other}) before the change set ran: ${errorMessage(conflict)}`,
    );
    if (attempt >= 3)
      throw new Refusal(
        `stack ${this.name}: another operation keeps changing it (now ${other}); the change set went stale ${attempt} times: make sure one run at a time deploys it`,
      );
    if (
      now !== undefined &&
      isBusy(now.status) &&
      (this.shared.options.onBusy ?? 'wait') === 'fail'
    )
      throw new Refusal(
        `stack ${this.name} is busy: ${now.status} (another operation started on it after this run made its change set, which was deleted); on-busy is "fail": wait for it to finish or set on-busy: wait`,
      );
    return this.deploy(attempt + 1);
  }

  /** Termination protection is not part of a change set: set it when asked and it differs. */
  private async protect() {
    const wanted = this.spec.terminationProtection;
    if (this.plan || wanted === undefined) return;
    const current = this.described?.terminationProtection ?? false;
    if (current !== wanted) await this.engine.updateTerminationProtection(this.name, wanted);
  }
}

const DONE: readonly StackOutcome[] = ['deployed', 'unchanged', 'planned'];

/**
 * Deploys stacks in dependency order, at most `parallelism` at once: each starts as soon as its
 * dependencies are done. On a failure (or the first sign of a rollback) nothing new starts and
 * the stacks in flight run to a terminal state; on cancellation nothing new starts, every run
 * stops (within a poll interval) before this returns, a change set not yet executed is deleted
 * and the stacks executing are reported in flight (CloudFormation carries on with them).
 */
export async function deployStacks(
  specs: readonly StackSpec[],
  engine: StackEngine,
  options: DeployOptions,
): Promise<DeployOutcome> {
  const settings = {
    parallelism: Math.max(1, options.parallelism ?? DEFAULTS.parallelism),
    busyTimeoutMs: options.busyTimeoutMs ?? DEFAULTS.busyTimeoutMs,
    timeoutMs: options.timeoutMs ?? DEFAULTS.timeoutMs,
    pollIntervalMs: options.pollIntervalMs ?? DEFAULTS.pollIntervalMs,
    maxPollIntervalMs: options.maxPollIntervalMs ?? DEFAULTS.maxPollIntervalMs,
    backoff: options.backoff ?? DEFAULTS.backoff,
    jitter: options.jitter ?? DEFAULTS.jitter,
  };
  let firstFailure: string | undefined;
  const skips = splitSkips(options.continueRollbackSkip, specs);
  const prepared = await prepare(specs, options);
  const shared: Shared = {
    prepared,
    skips,
    engine,
    options,
    settings,
    runId: options.runId ?? `r${options.clock.now().toString(36)}`,
    outputs: new Map(),
    rollback: [],
    lastStatus: new Map(),
    failing: (name) => {
      firstFailure ??= name;
    },
    failed: () => firstFailure,
  };
  const results = new Map<string, StackResult>();
  const running = new Map<string, Promise<string>>();
  const { signal } = options;
  const aborted = new Promise<undefined>((resolve) => {
    if (signal?.aborted === true) resolve(undefined);
    signal?.addEventListener('abort', () => resolve(undefined), { once: true });
  });
  const ready = (spec: StackSpec) =>
    !results.has(spec.name) &&
    !running.has(spec.name) &&
    spec.dependsOn.every((name) => DONE.includes(results.get(name)?.status ?? 'skipped'));

  for (;;) {
    if (firstFailure === undefined && signal?.aborted !== true) {
      for (const spec of specs) {
        if (running.size >= settings.parallelism) break;
        if (!ready(spec)) continue;
        options.onLog?.(`${spec.name}: starting`);
        const run = new StackRun(spec, shared).run().then((result) => {
          results.set(spec.name, result);
          running.delete(spec.name);
          // A run stopped by the cancellation did not fail: the reason stays "cancelled".
          if (
            !DONE.includes(result.status) &&
            result.status !== 'in-flight' &&
            result.status !== 'skipped'
          )
            shared.failing(spec.name);
          options.onLog?.(describeOutcome(result));
          return spec.name;
        });
        running.set(spec.name, run);
      }
    }
    if (running.size === 0) break;
    const finished = await Promise.race([...running.values(), aborted]);
    if (finished === undefined) {
      // Cancelled: each run stops within a poll interval, deleting a change set it did not
      // execute; none may execute after this returns, and the rollback record must be final.
      await Promise.all(running.values());
      break;
    }
  }

  const cancelled = signal?.aborted === true;
  // Still moving on CloudFormation: running when cancelled, or given up on at the timeout.
  const moving = (result: StackResult | undefined) =>
    result?.status === 'in-flight' ||
    (result?.status === 'timed-out' &&
      (result.stackStatus ?? '_IN_PROGRESS').endsWith('_IN_PROGRESS'));
  const inFlight = specs
    .map((spec) => spec.name)
    .filter((name) => running.has(name) || moving(results.get(name)));
  const stacks = specs.map((spec): StackResult => {
    const found = results.get(spec.name);
    if (found !== undefined) return found;
    const status = shared.lastStatus.get(spec.name);
    const base = {
      name: spec.name,
      durationMs: 0,
      changed: false,
      outputs: {},
      changes: [],
      stackStatus: status,
      failures: [],
      error: undefined,
    };
    if (running.has(spec.name))
      return {
        ...base,
        status: 'in-flight',
        reason: `the run was cancelled; last status ${status ?? 'unknown'} (CloudFormation carries on)`,
      };
    return {
      ...base,
      status: 'skipped',
      reason:
        firstFailure !== undefined
          ? `not started: ${firstFailure} failed`
          : cancelled
            ? 'not started: the run was cancelled'
            : 'not started: a dependency did not finish',
    };
  });
  const error =
    stacks.find((result) => result.error !== undefined)?.error ??
    (cancelled && stacks.some((result) => !DONE.includes(result.status))
      ? new ServiceError(
          `cancelled: ${inFlight.length > 0 ? `still in flight on CloudFormation: ${inFlight.join(', ')}` : 'no stack in flight'}`,
        )
      : undefined);
  return {
    ok: error === undefined && stacks.every((result) => DONE.includes(result.status)),
    stacks,
    rollback: shared.rollback,
    cancelled,
    inFlight,
    error,
  };
}

/**
 * continue-rollback-skip split per stack: "Stack:LogicalId" entries go to their stack; a bare
 * "LogicalId" only when one stack is deployed. A stack named in no entry is absent (not continued).
 */
export function splitSkips(
  entries: readonly string[] | undefined,
  specs: readonly Pick<StackSpec, 'name'>[],
): Map<string, string[]> {
  const skips = new Map<string, string[]>();
  if (entries === undefined) return skips;
  const names = specs.map((spec) => spec.name);
  for (const entry of entries) {
    const colon = entry.indexOf(':');
    let stack = colon === -1 ? undefined : entry.slice(0, colon).trim();
    const logicalId = (colon === -1 ? entry : entry.slice(colon + 1)).trim();
    if (stack === undefined) {
      if (names.length !== 1)
        throw new ConfigError(
          `continue-rollback-skip: "${entry}" names no stack; with ${names.length} stacks deployed, write it as Stack:LogicalId (stacks: ${names.join(', ')})`,
        );
      stack = names[0] ?? '';
    }
    if (!names.includes(stack))
      throw new ConfigError(
        `continue-rollback-skip: "${entry}" names stack ${stack}, which is not deployed by this run; expected one of: ${names.join(', ')}`,
      );
    if (logicalId === '')
      throw new ConfigError(
        `continue-rollback-skip: "${entry}" names no resource; expected Stack:LogicalId`,
      );
    skips.set(stack, [...(skips.get(stack) ?? []), logicalId]);
  }
  return skips;
}

/** One plain line per stack result, for the log. */
export function describeOutcome(result: StackResult): string {
  const took = seconds(result.durationMs);
  switch (result.status) {
    case 'deployed':
      return `${result.name}: deployed in ${took} (${result.stackStatus ?? 'done'})`;
    case 'unchanged':
      return `${result.name}: unchanged (empty change set) in ${took}`;
    case 'planned':
      return `${result.name}: planned: ${result.reason ?? 'changes'}`;
    default:
      return `${result.name}: ${result.status} after ${took}: ${result.reason ?? 'no reason given'}`;
  }
}
