import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { WorkflowTemplate } from '@actions/workflow-parser';
import type {
  Job,
  ReusableWorkflowJob,
  Step,
  WorkflowJob,
} from '@actions/workflow-parser/model/workflow-template';
import type { MappingToken, TemplateToken } from '@actions/workflow-parser/templates/tokens/index';
import {
  asString,
  evaluateCondition,
  evaluateTemplateString,
  evaluateToken,
  type Contexts,
  type Json,
  type Status,
} from './workflow-expressions.js';
import { parseAnnotations, readFileCommands } from './workflow-files.js';
import {
  NoOperationTraceWriter,
  convertWorkflowTemplate,
  isActionStep,
  isJob,
  isMapping,
  isRunStep,
  isSequence,
  parseWorkflow,
} from './workflow-parser.js';

/**
 * Executes a workflow file the way the runner does, so tests prove what the YAML itself does.
 * The file is read with the official parser (@actions/workflow-parser); if:, with:, env:,
 * outputs and strategies are evaluated with the official evaluator (@actions/expressions). Jobs
 * run one at a time in `needs` order (YAML order among the ready ones); steps run as the
 * runner runs them: this repository's actions (`cutover-actions/cutover/actions/<name>@<ref>`,
 * `./actions/<name>`) as their bundled dist in a Node process with INPUT_* and the file
 * commands, `run:` scripts in bash, other actions through stubs the test registers (an
 * unregistered one throws), and reusable workflows (`uses: ./.github/workflows/x.yml`,
 * `cutover-actions/cutover/.github/workflows/x.yml@ref`) recursively.
 */

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const OUR_ACTION = /^cutover-actions\/cutover\/actions\/([A-Za-z0-9_-]+)@[^@]+$/;
const OUR_WORKFLOW =
  /^cutover-actions\/cutover\/(\.github\/workflows\/[A-Za-z0-9_.-]+\.ya?ml)@[^@]+$/;

export type Result = 'success' | 'failure' | 'cancelled' | 'skipped';

export interface StepRecord {
  job: string;
  /** The step's id, else its name, else what it runs. */
  key: string;
  id: string | undefined;
  name: string | undefined;
  uses: string | undefined;
  outcome: Result;
  conclusion: Result;
  outputs: Record<string, string>;
  /** Inputs an action received (defaults applied), for uses: steps. */
  inputs: Record<string, string> | undefined;
  stdout: string;
  stderr: string;
  annotations: { level: 'error' | 'warning' | 'notice'; message: string }[];
  /** Why the harness failed the step (an expression error, a timeout), if it did. */
  error: string | undefined;
  durationMs: number;
}

export interface JobRecord {
  /** The job's path: its id, prefixed by the calling job in a reusable workflow ("cutover/deploy"), with matrix values ("steps (2)"). */
  path: string;
  id: string;
  result: Result;
  outputs: Record<string, string>;
  steps: StepRecord[];
  environment: string | undefined;
  concurrency: Json | undefined;
  matrix: Record<string, Json> | undefined;
  error: string | undefined;
}

export interface RunRecord {
  result: Result;
  /** The workflow_call outputs. */
  outputs: Record<string, string>;
  /** Every job, nested and matrix instances included, by path. */
  jobs: Record<string, JobRecord>;
  /** What ran, in order: job paths, and "job/step" keys for every step that ran (skipped ones are left out). */
  order: string[];
  summaries: { job: string; step: string; markdown: string }[];
  cancelled: boolean;
  /** How the requested cancellation arrived: as a signal to the running step, or only after it had ended. */
  cancel: 'signal' | 'after-step' | undefined;
  /** Environments jobs asked for, in order (approval points). */
  approvals: { job: string; environment: string; approved: boolean }[];
}

export interface StubContext {
  inputs: Record<string, string>;
  env: Record<string, string>;
  workspace: string;
  runnerTemp: string;
  job: string;
  setOutput(name: string, value: string): void;
  exportVariable(name: string, value: string): void;
  appendSummary(markdown: string): void;
  signal: AbortSignal;
}
/** A third-party action's stand-in: throw to fail the step. */
export type StubAction = (context: StubContext) => void | Promise<void>;

export interface CancelAt {
  /** Job path (as in RunRecord.jobs); default any job. */
  job?: string;
  /** Step id or name. */
  step: string;
  /** Send the signal once this holds (polled every 20 ms while the step runs); default at once. */
  when?: () => boolean | Promise<boolean>;
  /** Wait this long after the step starts (and after `when` holds). */
  afterMs?: number;
  /** Default SIGTERM. */
  signal?: NodeJS.Signals;
}

export interface RunOptions {
  /** Workflow file, absolute or relative to the repository root. */
  workflow: string;
  /** The caller's workspace (GITHUB_WORKSPACE): plans, weights files. */
  workspace: string;
  /** github.event_name; default workflow_dispatch. */
  event?: string;
  eventPayload?: Json;
  inputs?: Record<string, string | number | boolean>;
  secrets?: Record<string, string>;
  vars?: Record<string, string>;
  /** Environment every step starts from (the runner machine's), besides PATH and HOME. */
  env?: Record<string, string>;
  stubs?: Record<string, StubAction>;
  cancel?: CancelAt;
  /** github context overrides (run_id, run_attempt, repository, sha, ref, token, api_url…). */
  github?: Record<string, Json>;
  /** Approves (true) or rejects a job's environment; default approve. */
  approve?: (environment: string, job: string) => boolean;
  runnerTemp?: string;
  /** Milliseconds per timeout-minute (default 60000): lets tests exercise timeouts quickly. */
  minuteMs?: number;
  /** Grace after the cancel signal before SIGKILL (ms); default 7500, like the runner. */
  killAfterMs?: number;
}

export class HarnessError extends Error {
  override name = 'HarnessError';
}

interface Loaded {
  file: string;
  template: WorkflowTemplate;
  root: MappingToken;
}

const cache = new Map<string, Loaded>();

/** Parses a workflow with the official parser; its errors as messages (empty: valid). */
export async function parseWorkflowFile(
  file: string,
): Promise<{ errors: string[]; loaded: Loaded | undefined }> {
  const content = readFileSync(file, 'utf8');
  const parsed = parseWorkflow({ name: file, content }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (parsed.value === undefined || errors.length > 0) return { errors, loaded: undefined };
  const template = await convertWorkflowTemplate(parsed.context, parsed.value);
  errors.push(...(template.errors ?? []).map((e) => e.Message));
  if (errors.length > 0 || !isMapping(parsed.value)) return { errors, loaded: undefined };
  return { errors, loaded: { file, template, root: parsed.value } };
}

async function loadWorkflow(file: string): Promise<Loaded> {
  const cached = cache.get(file);
  if (cached !== undefined) return cached;
  const { errors, loaded } = await parseWorkflowFile(file);
  if (loaded === undefined)
    throw new HarnessError(`${file}: the workflow parser reports:\n${errors.join('\n')}`);
  cache.set(file, loaded);
  return loaded;
}

const find = (token: TemplateToken | undefined, key: string): TemplateToken | undefined =>
  token !== undefined && isMapping(token) ? token.find(key) : undefined;

interface RunState {
  options: RunOptions;
  record: RunRecord;
  runnerTemp: string;
  github: Record<string, Json>;
  baseEnv: Record<string, string>;
  cancelled: boolean;
  /** Signals the step process running now, if any. */
  interrupt: ((signal: NodeJS.Signals) => void) | undefined;
}

/** Runs a workflow file and returns what happened. */
export async function runWorkflow(options: RunOptions): Promise<RunRecord> {
  const runnerTemp = options.runnerTemp ?? mkdtempSync(join(tmpdir(), 'cutover-runner-'));
  const eventPath = join(runnerTemp, '_event.json');
  writeFileSync(eventPath, JSON.stringify(options.eventPayload ?? {}));
  const github: Record<string, Json> = {
    event_name: options.event ?? 'workflow_dispatch',
    event: options.eventPayload ?? {},
    event_path: eventPath,
    run_id: '4242',
    run_number: '7',
    run_attempt: '1',
    repository: 'acme/shop',
    repository_owner: 'acme',
    sha: '0123456789abcdef0123456789abcdef01234567',
    ref: 'refs/heads/main',
    ref_name: 'main',
    actor: 'octocat',
    triggering_actor: 'octocat',
    workflow: 'harness',
    workspace: options.workspace,
    server_url: 'https://github.com',
    api_url: 'https://api.github.com',
    token: 'ghs_harness_token',
    ...options.github,
  };
  const baseEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? tmpdir(),
    ...options.env,
  };
  const state: RunState = {
    options,
    runnerTemp,
    github,
    baseEnv,
    cancelled: false,
    interrupt: undefined,
    record: {
      result: 'success',
      outputs: {},
      jobs: {},
      order: [],
      summaries: [],
      cancelled: false,
      cancel: undefined,
      approvals: [],
    },
  };
  const file = isAbsolute(options.workflow) ? options.workflow : join(repoRoot, options.workflow);
  const run = await runFile(state, file, '', {
    inputs: options.inputs ?? {},
    secrets: options.secrets ?? {},
    nested: false,
  });
  state.record.result = run.result;
  state.record.outputs = run.outputs;
  state.record.cancelled = state.cancelled;
  return state.record;
}

interface Call {
  inputs: Record<string, Json>;
  secrets: Record<string, string>;
  nested: boolean;
}

/** Inputs as the workflow declares them: defaults, types, required, nothing undeclared. */
function typedInputs(
  loaded: Loaded,
  call: Call,
  event: string,
  github: Record<string, Json>,
): Record<string, Json> {
  const on = find(loaded.root, 'on');
  const trigger =
    !call.nested && event === 'workflow_dispatch' && find(on, 'workflow_dispatch') !== undefined
      ? 'workflow_dispatch'
      : 'workflow_call';
  const declared = find(find(on, trigger), 'inputs');
  const result: Record<string, Json> = {};
  const names = new Set<string>();
  if (declared !== undefined && isMapping(declared)) {
    for (const pair of declared) {
      const name = asString(evaluateToken(pair.key, {}));
      names.add(name);
      const spec = evaluateToken(pair.value, {}) as Record<string, Json>;
      const defaultToken = find(pair.value, 'default');
      let value: Json | undefined = call.inputs[name];
      if (value === undefined && defaultToken !== undefined)
        value = evaluateToken(defaultToken, { github });
      if (value === undefined) {
        if (spec.required === true)
          throw new HarnessError(`${loaded.file}: required input "${name}" not given`);
        value = spec.type === 'boolean' ? false : spec.type === 'number' ? 0 : '';
      }
      if (spec.type === 'boolean' && typeof value !== 'boolean') {
        if (value !== 'true' && value !== 'false')
          throw new HarnessError(
            `${loaded.file}: input "${name}": expected a boolean, got ${JSON.stringify(value)}`,
          );
        value = value === 'true';
      }
      if (spec.type === 'number' && typeof value !== 'number') {
        const n = Number(value);
        if (value === '' || !Number.isFinite(n))
          throw new HarnessError(
            `${loaded.file}: input "${name}": expected a number, got ${JSON.stringify(value)}`,
          );
        value = n;
      }
      if (spec.type === 'choice' && !((spec.options ?? []) as Json[]).includes(value))
        throw new HarnessError(
          `${loaded.file}: input "${name}": ${JSON.stringify(value)} is not one of its options`,
        );
      result[name] = value;
    }
  }
  for (const name of Object.keys(call.inputs))
    if (!names.has(name))
      throw new HarnessError(
        `${loaded.file}: input "${name}" is not defined in the workflow (${trigger})`,
      );
  return result;
}

function checkSecrets(loaded: Loaded, call: Call): void {
  if (!call.nested) return;
  const declared = find(find(find(loaded.root, 'on'), 'workflow_call'), 'secrets');
  const spec = declared === undefined ? {} : (evaluateToken(declared, {}) as Record<string, Json>);
  for (const [name, value] of Object.entries(spec))
    if ((value as Record<string, Json> | null)?.required === true && !(name in call.secrets))
      throw new HarnessError(`${loaded.file}: required secret "${name}" not given`);
}

async function runFile(
  state: RunState,
  file: string,
  prefix: string,
  call: Call,
): Promise<{ result: Result; outputs: Record<string, string> }> {
  const loaded = await loadWorkflow(file);
  const { github } = state;
  const inputs = typedInputs(loaded, call, asString(github.event_name), github);
  checkSecrets(loaded, call);
  const secrets: Record<string, string> = { GITHUB_TOKEN: asString(github.token), ...call.secrets };
  const vars = state.options.vars ?? {};
  const base: Contexts = { github, inputs, vars, secrets };
  const workflowEnv =
    (loaded.template.env as TemplateToken | undefined) === undefined
      ? {}
      : stringMap(evaluateToken(loaded.template.env, base));
  const jobs = new Map<string, JobRecord>();
  const pending = [...loaded.template.jobs];
  while (pending.length > 0) {
    const index = pending.findIndex((job) =>
      (job.needs ?? []).every((need) => jobs.has(need.value)),
    );
    if (index === -1)
      throw new HarnessError(
        `${file}: jobs ${pending.map((j) => j.id.value).join(', ')} wait on each other`,
      );
    const [job] = pending.splice(index, 1) as [WorkflowJob];
    const record = await runJob(state, loaded, job, prefix, { ...base, env: workflowEnv }, jobs);
    jobs.set(job.id.value, record);
  }
  const results = [...jobs.values()].map((j) => j.result);
  const result: Result = results.includes('failure')
    ? 'failure'
    : results.includes('cancelled') || state.cancelled
      ? 'cancelled'
      : 'success';
  const declaredOutputs = find(find(find(loaded.root, 'on'), 'workflow_call'), 'outputs');
  const outputs: Record<string, string> = {};
  if (declaredOutputs !== undefined && isMapping(declaredOutputs)) {
    const jobsContext: Record<string, Json> = {};
    for (const [id, j] of jobs) jobsContext[id] = { result: j.result, outputs: j.outputs };
    for (const pair of declaredOutputs) {
      const value = find(pair.value, 'value');
      if (value !== undefined)
        outputs[asString(evaluateToken(pair.key, {}))] = asString(
          evaluateToken(value, { ...base, jobs: jobsContext }),
        );
    }
  }
  return { result, outputs };
}

function stringMap(value: Json): Record<string, string> {
  const result: Record<string, string> = {};
  if (value !== null && typeof value === 'object' && !Array.isArray(value))
    for (const [k, v] of Object.entries(value)) result[k] = asString(v);
  return result;
}

function ancestors(job: WorkflowJob, all: readonly WorkflowJob[]): Set<string> {
  const seen = new Set<string>();
  const visit = (j: WorkflowJob) => {
    for (const need of j.needs ?? []) {
      if (seen.has(need.value)) continue;
      seen.add(need.value);
      const next = all.find((x) => x.id.value === need.value);
      if (next !== undefined) visit(next);
    }
  };
  visit(job);
  return seen;
}

function emptyJob(path: string, id: string, result: Result, error?: string): JobRecord {
  return {
    path,
    id,
    result,
    outputs: {},
    steps: [],
    environment: undefined,
    concurrency: undefined,
    matrix: undefined,
    error,
  };
}

async function runJob(
  state: RunState,
  loaded: Loaded,
  job: WorkflowJob,
  prefix: string,
  base: Contexts,
  done: Map<string, JobRecord>,
): Promise<JobRecord> {
  const id = job.id.value;
  const path = prefix + id;
  const needs: Record<string, Json> = {};
  for (const need of job.needs ?? []) {
    const r = done.get(need.value);
    if (r !== undefined) needs[need.value] = { result: r.result, outputs: r.outputs };
  }
  const upstream = [...ancestors(job, loaded.template.jobs)].map((n) => done.get(n)?.result);
  const status: Status = {
    success: () =>
      !state.cancelled && (job.needs ?? []).every((n) => done.get(n.value)?.result === 'success'),
    failure: () => upstream.includes('failure'),
    cancelled: () => state.cancelled,
  };
  const contexts: Contexts = { ...base, needs };
  let run: boolean;
  try {
    run = evaluateCondition(job.if.expression, contexts, status);
  } catch (error) {
    return record(state, emptyJob(path, id, 'failure', `if: ${String(error)}`));
  }
  if (!run) return record(state, emptyJob(path, id, 'skipped'));

  let strategy: Record<string, Json>;
  try {
    strategy =
      job.strategy === undefined
        ? {}
        : (evaluateToken(job.strategy, contexts) as Record<string, Json>);
  } catch (error) {
    return record(state, emptyJob(path, id, 'failure', `strategy: ${String(error)}`));
  }
  const instances = expandMatrix(strategy.matrix);
  if (instances === undefined) return runInstance(state, loaded, job, path, contexts, undefined);

  // Matrix instances one at a time (max-parallel: 1 in effect), fail-fast as configured.
  const failFast = strategy['fail-fast'] !== false;
  const results: JobRecord[] = [];
  for (const matrix of instances) {
    const name = `${path} (${Object.values(matrix)
      .map((v) => asString(v))
      .join(', ')})`;
    // A cancelled run, or fail-fast after a failed instance, cancels the instances not started.
    if (state.cancelled || (failFast && results.some((r) => r.result === 'failure'))) {
      results.push(record(state, { ...emptyJob(name, id, 'cancelled'), matrix }));
      continue;
    }
    const strategyContext = {
      'fail-fast': failFast,
      'job-index': results.length,
      'job-total': instances.length,
      'max-parallel': 1,
    };
    results.push(
      await runInstance(
        state,
        loaded,
        job,
        name,
        { ...contexts, matrix, strategy: strategyContext },
        matrix,
      ),
    );
  }
  const aggregate = emptyJob(path, id, 'success');
  for (const r of results)
    Object.assign(
      aggregate.outputs,
      Object.fromEntries(Object.entries(r.outputs).filter(([, v]) => v !== '')),
    );
  aggregate.result = results.some((r) => r.result === 'failure')
    ? 'failure'
    : results.some((r) => r.result === 'cancelled')
      ? 'cancelled'
      : 'success';
  state.record.jobs[path] = aggregate;
  return aggregate;
}

function record(state: RunState, job: JobRecord): JobRecord {
  state.record.jobs[job.path] = job;
  return job;
}

function expandMatrix(matrix: Json | undefined): Record<string, Json>[] | undefined {
  if (
    matrix === undefined ||
    matrix === null ||
    typeof matrix !== 'object' ||
    Array.isArray(matrix)
  )
    return undefined;
  let combos: Record<string, Json>[] = [{}];
  for (const [key, values] of Object.entries(matrix)) {
    if (key === 'include' || key === 'exclude') continue;
    if (!Array.isArray(values))
      throw new HarnessError(
        `strategy.matrix.${key}: expected a list, got ${JSON.stringify(values)}`,
      );
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
  }
  const matches = (c: Record<string, Json>, pattern: Json) =>
    Object.entries(pattern as Record<string, Json>).every(
      ([k, v]) => JSON.stringify(c[k]) === JSON.stringify(v),
    );
  if (Array.isArray(matrix.exclude))
    combos = combos.filter((c) => !(matrix.exclude as Json[]).some((p) => matches(c, p)));
  if (Array.isArray(matrix.include))
    for (const extra of matrix.include) combos.push(extra as Record<string, Json>);
  return combos.filter((c) => Object.keys(c).length > 0);
}

async function runInstance(
  state: RunState,
  loaded: Loaded,
  job: WorkflowJob,
  path: string,
  contexts: Contexts,
  matrix: Record<string, Json> | undefined,
): Promise<JobRecord> {
  const rec = record(state, { ...emptyJob(path, job.id.value, 'success'), matrix });
  state.record.order.push(path);
  const raw = find(find(loaded.root, 'jobs'), job.id.value);
  try {
    const concurrency = find(raw, 'concurrency');
    if (concurrency !== undefined) rec.concurrency = evaluateToken(concurrency, contexts);
    if (isJob(job) && job.environment !== undefined) {
      const env = evaluateToken(job.environment, contexts);
      const name =
        typeof env === 'object' && env !== null && !Array.isArray(env)
          ? asString(env.name)
          : asString(env);
      if (name !== '') {
        rec.environment = name;
        const approved = state.options.approve?.(name, path) ?? true;
        state.record.approvals.push({ job: path, environment: name, approved });
        if (!approved) {
          rec.result = 'failure';
          rec.error = `environment ${name}: deployment rejected`;
          return rec;
        }
      }
    }
  } catch (error) {
    rec.result = 'failure';
    rec.error = String(error);
    return rec;
  }
  if (!isJob(job)) return runCalledWorkflow(state, loaded, job, rec, contexts);

  const minuteMs = state.options.minuteMs ?? 60_000;
  const timeout = find(raw, 'timeout-minutes');
  const timeoutMinutes = timeout === undefined ? 360 : Number(evaluateToken(timeout, contexts));
  const continueOnError = find(raw, 'continue-on-error');
  const timing = { cancelled: false, timedOut: false };
  // A run's cancellation reaches the jobs running then; a job started afterwards (if: always(),
  // cancelled()) runs its steps normally, as the runner does.
  const startedCancelled = state.cancelled;
  const timer = setTimeout(() => {
    timing.timedOut = true;
    timing.cancelled = true;
    state.interrupt?.('SIGTERM');
  }, timeoutMinutes * minuteMs);
  try {
    await runSteps(
      state,
      loaded,
      job,
      rec,
      contexts,
      () => timing.cancelled || (state.cancelled && !startedCancelled),
    );
  } finally {
    clearTimeout(timer);
  }
  if (timing.timedOut) {
    rec.result = 'failure';
    rec.error = `the job exceeded its timeout-minutes (${timeoutMinutes})`;
  }
  if (
    rec.result === 'failure' &&
    continueOnError !== undefined &&
    evaluateToken(continueOnError, contexts) === true
  )
    rec.result = 'success';
  return rec;
}

async function runCalledWorkflow(
  state: RunState,
  loaded: Loaded,
  job: ReusableWorkflowJob,
  rec: JobRecord,
  contexts: Contexts,
): Promise<JobRecord> {
  const ref = job.ref.value;
  const ours = OUR_WORKFLOW.exec(ref);
  let file: string;
  if (ours !== null) file = join(repoRoot, ours[1] ?? '');
  else if (ref.startsWith('./')) {
    const inWorkspace = join(state.options.workspace, ref);
    file = existsSync(inWorkspace) ? inWorkspace : join(repoRoot, ref);
  } else throw new HarnessError(`${loaded.file}: job ${job.id.value}: cannot call "${ref}"`);
  try {
    const inputs =
      job['input-values'] === undefined
        ? {}
        : (evaluateToken(job['input-values'], contexts) as Record<string, Json>);
    const secrets =
      job['inherit-secrets'] === true
        ? stringMap(contexts.secrets ?? {})
        : job['secret-values'] === undefined
          ? {}
          : stringMap(evaluateToken(job['secret-values'], contexts));
    delete secrets.GITHUB_TOKEN;
    const called = await runFile(state, file, `${rec.path}/`, { inputs, secrets, nested: true });
    rec.result = called.result;
    rec.outputs = called.outputs;
  } catch (error) {
    if (error instanceof HarnessError) throw error;
    rec.result = 'failure';
    rec.error = String(error);
  }
  return rec;
}

function stepKey(step: Step, raw: TemplateToken | undefined): string {
  if (step.id !== '' && !step.id.startsWith('__')) return step.id;
  const name = find(raw, 'name');
  if (name !== undefined) return asString(evaluateToken(name, {}));
  if (isActionStep(step)) return step.uses.value;
  if (isRunStep(step)) return asString(evaluateToken(step.run, {})).split('\n')[0] ?? 'run';
  return step.id;
}

async function runSteps(
  state: RunState,
  loaded: Loaded,
  job: Job,
  rec: JobRecord,
  contexts: Contexts,
  cancelled: () => boolean,
): Promise<void> {
  const raw = find(find(find(loaded.root, 'jobs'), job.id.value), 'steps');
  const rawSteps = raw !== undefined && isSequence(raw) ? [...raw] : [];
  if (rawSteps.length !== job.steps.length)
    throw new HarnessError(
      `${loaded.file}: job ${job.id.value}: steps could not be matched to the YAML`,
    );
  let jobEnv: Record<string, string>;
  try {
    jobEnv = job.env === undefined ? {} : stringMap(evaluateToken(job.env, contexts));
  } catch (error) {
    rec.result = 'failure';
    rec.error = `env: ${String(error)}`;
    return;
  }
  const exported: Record<string, string> = {};
  const paths: string[] = [];
  const stepsContext: Record<string, Json> = {};
  let failed = false;
  let sawCancel = false;
  for (const [index, step] of job.steps.entries()) {
    const rawStep = rawSteps[index];
    const key = stepKey(step, rawStep);
    const stepRecord: StepRecord = {
      job: rec.path,
      key,
      id: step.id.startsWith('__') ? undefined : step.id,
      name:
        find(rawStep, 'name') === undefined
          ? undefined
          : asString(evaluateToken(find(rawStep, 'name') as TemplateToken, {})),
      uses: isActionStep(step) ? step.uses.value : undefined,
      outcome: 'skipped',
      conclusion: 'skipped',
      outputs: {},
      inputs: undefined,
      stdout: '',
      stderr: '',
      annotations: [],
      error: undefined,
      durationMs: 0,
    };
    rec.steps.push(stepRecord);
    const env = { ...(contexts.env as Record<string, string>), ...jobEnv, ...exported };
    const stepContexts: Contexts = {
      ...contexts,
      github: { ...state.github, job: job.id.value, action: key },
      steps: stepsContext,
      job: { status: failed ? 'failure' : cancelled() ? 'cancelled' : 'success' },
      runner: {
        os: 'Linux',
        arch: 'X64',
        name: 'harness',
        temp: state.runnerTemp,
        environment: 'github-hosted',
        debug: '',
      },
      env,
    };
    const status: Status = {
      success: () => !failed && !cancelled(),
      failure: () => failed,
      cancelled,
    };
    // Wait, cancel and parallel steps have no if: or env:; run and uses steps always have if:.
    const condition = (step as { if?: { expression: string } }).if;
    const stepEnvToken = (step as { env?: TemplateToken }).env;
    let runIt: boolean;
    try {
      runIt =
        condition === undefined
          ? status.success()
          : evaluateCondition(condition.expression, stepContexts, status);
    } catch (error) {
      stepRecord.outcome = stepRecord.conclusion = 'failure';
      stepRecord.error = `if: ${String(error)}`;
      failed = true;
      continue;
    }
    if (cancelled()) sawCancel = true;
    if (!runIt) {
      if (step.id !== '' && !step.id.startsWith('__'))
        stepsContext[step.id] = { outcome: 'skipped', conclusion: 'skipped', outputs: {} };
      continue;
    }
    state.record.order.push(`${rec.path}/${key}`);
    const started = Date.now();
    let outcome: Result;
    try {
      const stepEnv = {
        ...env,
        ...(stepEnvToken === undefined ? {} : stringMap(evaluateToken(stepEnvToken, stepContexts))),
      };
      const timeout = find(rawStep, 'timeout-minutes');
      const timeoutMs =
        timeout === undefined
          ? undefined
          : Number(evaluateToken(timeout, stepContexts)) * (state.options.minuteMs ?? 60_000);
      const withToken = find(rawStep, 'with');
      const withValues =
        withToken === undefined ? {} : stringMap(evaluateToken(withToken, stepContexts));
      const workingDirectory = find(rawStep, 'working-directory');
      const shell = find(rawStep, 'shell');
      if (shell !== undefined && asString(evaluateToken(shell, stepContexts)) !== 'bash')
        throw new HarnessError(`${rec.path}/${key}: only shell: bash is supported`);
      outcome = await executeStep(state, {
        step,
        record: stepRecord,
        contexts: stepContexts,
        env: stepEnv,
        with: withValues,
        timeoutMs,
        cwd:
          workingDirectory === undefined
            ? state.options.workspace
            : resolve(
                state.options.workspace,
                asString(evaluateToken(workingDirectory, stepContexts)),
              ),
        exported,
        paths,
      });
    } catch (error) {
      if (error instanceof HarnessError) throw error;
      stepRecord.error = String(error);
      outcome = 'failure';
    }
    stepRecord.durationMs = Date.now() - started;
    const continueOnError = step['continue-on-error'];
    const tolerate =
      typeof continueOnError === 'boolean'
        ? continueOnError
        : continueOnError === undefined
          ? false
          : evaluateToken(continueOnError, stepContexts) === true;
    stepRecord.outcome = outcome;
    stepRecord.conclusion = outcome === 'failure' && tolerate ? 'success' : outcome;
    if (stepRecord.conclusion === 'failure') failed = true;
    if (outcome === 'cancelled') sawCancel = true;
    if (step.id !== '' && !step.id.startsWith('__'))
      stepsContext[step.id] = {
        outcome: stepRecord.outcome,
        conclusion: stepRecord.conclusion,
        outputs: stepRecord.outputs,
      };
  }
  // Job outputs are evaluated when the job ends, whatever its result.
  if (job.outputs !== undefined) {
    const outputContexts: Contexts = {
      ...contexts,
      steps: stepsContext,
      env: { ...(contexts.env as Record<string, string>), ...jobEnv },
    };
    for (const pair of job.outputs) {
      try {
        rec.outputs[asString(evaluateToken(pair.key, {}))] = asString(
          evaluateToken(pair.value, outputContexts),
        );
      } catch (error) {
        rec.error = `outputs: ${String(error)}`;
      }
    }
  }
  rec.result = failed ? 'failure' : sawCancel ? 'cancelled' : 'success';
}

interface StepRun {
  step: Step;
  record: StepRecord;
  contexts: Contexts;
  env: Record<string, string>;
  with: Record<string, string>;
  timeoutMs: number | undefined;
  cwd: string;
  exported: Record<string, string>;
  paths: string[];
}

interface ActionYaml {
  inputs?: Record<string, { default?: string | number | boolean }>;
  runs: { using: string; main: string };
}

function resolveOurAction(state: RunState, uses: string): string | undefined {
  const ours = OUR_ACTION.exec(uses);
  if (ours !== null) {
    const dir = join(repoRoot, 'actions', ours[1] ?? '');
    if (!existsSync(join(dir, 'action.yml')))
      throw new HarnessError(`uses: ${uses}: actions/${ours[1] ?? ''}/action.yml does not exist`);
    return dir;
  }
  if (uses.startsWith('./')) {
    const inWorkspace = join(state.options.workspace, uses);
    if (existsSync(join(inWorkspace, 'action.yml'))) return inWorkspace;
    const inRepo = join(repoRoot, uses);
    if (existsSync(join(inRepo, 'action.yml'))) return inRepo;
    throw new HarnessError(`uses: ${uses}: no action.yml there`);
  }
  return undefined;
}

async function executeStep(state: RunState, run: StepRun): Promise<Result> {
  const { step, record } = run;
  const files = mkdtempSync(join(state.runnerTemp, '_step-'));
  const commandFiles = {
    GITHUB_OUTPUT: join(files, 'output'),
    GITHUB_ENV: join(files, 'env'),
    GITHUB_PATH: join(files, 'path'),
    GITHUB_STEP_SUMMARY: join(files, 'summary'),
    GITHUB_STATE: join(files, 'state'),
  };
  for (const f of Object.values(commandFiles)) writeFileSync(f, '');
  const github = state.github;
  const env: Record<string, string> = {
    ...state.baseEnv,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: state.options.workspace,
    GITHUB_EVENT_NAME: asString(github.event_name),
    GITHUB_EVENT_PATH: asString(github.event_path),
    GITHUB_RUN_ID: asString(github.run_id),
    GITHUB_RUN_NUMBER: asString(github.run_number),
    GITHUB_RUN_ATTEMPT: asString(github.run_attempt),
    GITHUB_REPOSITORY: asString(github.repository),
    GITHUB_REPOSITORY_OWNER: asString(github.repository_owner),
    GITHUB_SHA: asString(github.sha),
    GITHUB_REF: asString(github.ref),
    GITHUB_REF_NAME: asString(github.ref_name),
    GITHUB_ACTOR: asString(github.actor),
    GITHUB_WORKFLOW: asString(github.workflow),
    GITHUB_SERVER_URL: asString(github.server_url),
    GITHUB_API_URL: asString(github.api_url),
    GITHUB_JOB: asString((run.contexts.github as Record<string, Json>).job ?? ''),
    GITHUB_ACTION: record.key,
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_TEMP: state.runnerTemp,
    ...commandFiles,
    ...run.env,
  };
  if (run.paths.length > 0) env.PATH = [...run.paths, env.PATH ?? ''].join(':');

  let outcome: Result;
  if (isActionStep(step)) {
    const uses = step.uses.value;
    const dir = resolveOurAction(state, uses);
    if (dir !== undefined) {
      const action = parseYaml(readFileSync(join(dir, 'action.yml'), 'utf8')) as ActionYaml;
      const declared = action.inputs ?? {};
      const unknown = Object.keys(run.with).filter((name) => !(name in declared));
      if (unknown.length > 0)
        throw new HarnessError(
          `${record.job}/${record.key}: ${uses} declares no input ${unknown.map((n) => `'${n}'`).join(', ')}`,
        );
      const inputs: Record<string, string> = {};
      for (const [name, spec] of Object.entries(declared)) {
        const value =
          name in run.with
            ? run.with[name]
            : spec.default === undefined
              ? undefined
              : evaluateTemplateString(String(spec.default), run.contexts);
        if (value === undefined) continue;
        inputs[name] = value;
        env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
      }
      record.inputs = inputs;
      if (!/^node\d+$/.test(action.runs.using))
        throw new HarnessError(`${uses}: runs.using ${action.runs.using} is not a Node action`);
      const main = resolve(dir, action.runs.main);
      if (!existsSync(main))
        throw new HarnessError(`${uses}: ${main} does not exist (run npm run bundle)`);
      outcome = await spawnStep(state, run, process.execPath, [main], env);
    } else if (uses.startsWith('docker://')) {
      throw new HarnessError(`${uses}: container actions are not supported`);
    } else {
      const name = uses.replace(/@[^@]*$/, '');
      const stub = state.options.stubs?.[uses] ?? state.options.stubs?.[name];
      if (stub === undefined)
        throw new HarnessError(
          `${record.job}/${record.key}: no stub registered for "${uses}" (register one under "${name}")`,
        );
      record.inputs = { ...run.with };
      outcome = await runStub(state, run, stub, env, commandFiles);
    }
  } else if (isRunStep(step)) {
    const script = join(files, 'script.sh');
    writeFileSync(script, asString(evaluateToken(step.run, run.contexts)));
    outcome = await spawnStep(
      state,
      run,
      'bash',
      ['--noprofile', '--norc', '-eo', 'pipefail', script],
      env,
    );
  } else {
    throw new HarnessError(`${record.job}/${record.key}: this kind of step is not supported`);
  }

  record.outputs = readFileCommands(commandFiles.GITHUB_OUTPUT);
  Object.assign(run.exported, readFileCommands(commandFiles.GITHUB_ENV));
  run.paths.unshift(
    ...readFileSync(commandFiles.GITHUB_PATH, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .reverse(),
  );
  const summary = readFileSync(commandFiles.GITHUB_STEP_SUMMARY, 'utf8');
  if (summary !== '')
    state.record.summaries.push({ job: record.job, step: record.key, markdown: summary });
  record.annotations = parseAnnotations(record.stdout);
  return outcome;
}

async function runStub(
  state: RunState,
  run: StepRun,
  stub: StubAction,
  env: Record<string, string>,
  files: Record<string, string>,
): Promise<Result> {
  const controller = new AbortController();
  const outputs: string[] = [];
  const exports: string[] = [];
  let summary = '';
  const delimiter = () => `ghadelimiter_${Math.random().toString(36).slice(2)}`;
  const line = (name: string, value: string) => {
    const d = delimiter();
    return `${name}<<${d}\n${value}\n${d}\n`;
  };
  state.interrupt = () => controller.abort();
  const cancelling = watchCancel(state, run, () => controller.abort());
  try {
    await stub({
      inputs: { ...run.with },
      env,
      workspace: state.options.workspace,
      runnerTemp: state.runnerTemp,
      job: run.record.job,
      setOutput: (name, value) => outputs.push(line(name, value)),
      exportVariable: (name, value) => exports.push(line(name, value)),
      appendSummary: (markdown) => (summary += markdown),
      signal: controller.signal,
    });
    return controller.signal.aborted ? 'cancelled' : 'success';
  } catch (error) {
    run.record.error = String(error);
    return controller.signal.aborted ? 'cancelled' : 'failure';
  } finally {
    state.interrupt = undefined;
    cancelling.stop();
    writeFileSync(files.GITHUB_OUTPUT ?? '', outputs.join(''));
    writeFileSync(files.GITHUB_ENV ?? '', exports.join(''));
    writeFileSync(files.GITHUB_STEP_SUMMARY ?? '', summary);
    await cancelling.finish();
  }
}

const matchesCancel = (state: RunState, run: StepRun): boolean => {
  const spec = state.options.cancel;
  if (spec === undefined || state.record.cancel !== undefined) return false;
  if (spec.job !== undefined && spec.job !== run.record.job) return false;
  return (
    spec.step === run.record.id || spec.step === run.record.name || spec.step === run.record.key
  );
};

/** Delivers the requested cancellation while this step runs, or right after it if it ended first. */
function watchCancel(state: RunState, run: StepRun, deliver: (signal: NodeJS.Signals) => void) {
  const flags = { stopped: false };
  if (!matchesCancel(state, run)) return { stop: () => undefined, finish: () => Promise.resolve() };
  const spec = state.options.cancel as CancelAt;
  const waiting = (async () => {
    await new Promise((r) => setTimeout(r, spec.afterMs ?? 0));
    while (!flags.stopped && spec.when !== undefined && !(await spec.when()))
      await new Promise((r) => setTimeout(r, 20));
    state.cancelled = true;
    state.record.cancel = flags.stopped ? 'after-step' : 'signal';
    if (!flags.stopped) deliver(spec.signal ?? 'SIGTERM');
  })();
  return {
    stop: () => {
      flags.stopped = true;
    },
    finish: () => waiting,
  };
}

function spawnStep(
  state: RunState,
  run: StepRun,
  command: string,
  args: string[],
  env: Record<string, string>,
): Promise<Result> {
  mkdirSync(run.cwd, { recursive: true });
  const child = spawn(command, args, {
    env,
    cwd: run.cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk: Buffer) => (run.record.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (run.record.stderr += chunk.toString()));
  let signalled = false;
  let timedOut = false;
  let killTimer: NodeJS.Timeout | undefined;
  const signal = (sig: NodeJS.Signals) => {
    signalled = true;
    try {
      // The whole process group, as the runner reaches a script's children too.
      if (child.pid !== undefined) process.kill(-child.pid, sig);
    } catch {
      // already gone
    }
    killTimer ??= setTimeout(() => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, state.options.killAfterMs ?? 7500);
  };
  state.interrupt = signal;
  const cancelling = watchCancel(state, run, signal);
  const timeout =
    run.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          signal('SIGTERM');
        }, run.timeoutMs);
  return new Promise<Result>((resolveResult) => {
    child.on('close', (code) => {
      cancelling.stop();
      clearTimeout(timeout);
      clearTimeout(killTimer);
      state.interrupt = undefined;
      void cancelling.finish().then(() => {
        if (timedOut) {
          run.record.error = `the step exceeded its timeout-minutes`;
          resolveResult('failure');
        } else if (signalled) resolveResult('cancelled');
        else resolveResult(code === 0 ? 'success' : 'failure');
      });
    });
  });
}

/** Every step of every job that ran, in order, flattened (matrix instances and called workflows included). */
export function stepsOf(run: RunRecord, job?: string): StepRecord[] {
  return Object.values(run.jobs)
    .filter((j) => job === undefined || j.path === job || j.path.startsWith(`${job} (`))
    .flatMap((j) => j.steps);
}

/** The repository root the harness resolves our actions and workflows against. */
export const REPO_ROOT = repoRoot;
export const workflowPath = (name: string) => join(repoRoot, '.github', 'workflows', name);
