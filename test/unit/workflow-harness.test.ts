import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HarnessError, runWorkflow, type RunOptions } from '../support/workflow-harness.js';

/** The harness itself, on small inline workflows: what it evaluates and in which order it runs. */
function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-harness-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

async function run(
  yaml: string,
  options: Partial<RunOptions> | ((dir: string) => Partial<RunOptions>) = {},
  files: Record<string, string> = {},
) {
  const dir = workspace({ '.github/workflows/w.yml': yaml, ...files });
  const record = await runWorkflow({
    workflow: join(dir, '.github/workflows/w.yml'),
    workspace: dir,
    ...(typeof options === 'function' ? options(dir) : options),
  });
  return { record, dir };
}

describe('the workflow harness', () => {
  it('runs jobs in needs order and carries outputs across jobs and steps', async () => {
    const { record } = await run(`
on: workflow_dispatch
jobs:
  report:
    needs: [build, plan]
    runs-on: ubuntu-latest
    if: needs.plan.outputs.go == 'yes'
    steps:
      - id: show
        env:
          WHAT: \${{ needs.build.outputs.artifact }}-\${{ needs.plan.outputs.go }}
        run: echo "seen=$WHAT" >> "$GITHUB_OUTPUT"
  build:
    runs-on: ubuntu-latest
    outputs:
      artifact: \${{ steps.make.outputs.name }}
    steps:
      - id: make
        run: echo "name=app-1" >> "$GITHUB_OUTPUT"
  plan:
    runs-on: ubuntu-latest
    outputs:
      go: \${{ steps.decide.outputs.go }}
    steps:
      - id: decide
        run: |
          {
            echo "go<<EOF"
            echo "yes"
            echo "EOF"
          } >> "$GITHUB_OUTPUT"
  never:
    needs: build
    if: needs.build.outputs.artifact == 'other'
    runs-on: ubuntu-latest
    steps:
      - run: exit 1
`);
    expect(record.result).toBe('success');
    expect(record.order).toEqual([
      'build',
      'build/make',
      'plan',
      'plan/decide',
      'report',
      'report/show',
    ]);
    expect(record.jobs.report?.steps[0]?.outputs).toEqual({ seen: 'app-1-yes' });
    expect(record.jobs.never?.result).toBe('skipped');
  });

  it('evaluates status functions: failure() after a failed step and job, always(), continue-on-error', async () => {
    const { record } = await run(`
on: workflow_dispatch
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - id: flaky
        continue-on-error: true
        run: exit 3
      - id: broken
        run: exit 1
      - id: next
        run: echo never
      - id: cleanup
        if: failure() && steps.flaky.outcome == 'failure' && steps.flaky.conclusion == 'success'
        run: echo cleaned
      - id: report
        if: always()
        env:
          OUTCOME: \${{ steps.broken.outcome }}
          NEXT: \${{ steps.next.outcome }}
        run: echo "line=$OUTCOME/$NEXT" >> "$GITHUB_OUTPUT"
  after:
    needs: deploy
    runs-on: ubuntu-latest
    steps:
      - run: echo never
  after-after:
    needs: after
    if: failure()
    runs-on: ubuntu-latest
    steps:
      - run: echo "an ancestor failed"
  rollback:
    needs: deploy
    if: failure() || cancelled()
    runs-on: ubuntu-latest
    steps:
      - id: undo
        run: echo undo
`);
    expect(record.result).toBe('failure');
    expect(record.jobs.deploy?.steps.map((s) => [s.key, s.outcome, s.conclusion])).toEqual([
      ['flaky', 'failure', 'success'],
      ['broken', 'failure', 'failure'],
      ['next', 'skipped', 'skipped'],
      ['cleanup', 'success', 'success'],
      ['report', 'success', 'success'],
    ]);
    expect(record.jobs.deploy?.steps[4]?.outputs.line).toBe('failure/skipped');
    expect(record.jobs.after?.result).toBe('skipped');
    expect(record.jobs['after-after']?.result).toBe('success');
    expect(record.jobs.rollback?.result).toBe('success');
    expect(record.order).toContain('rollback/undo');
  });

  it('cancels at a named step: SIGTERM to its process, then only cancelled() and always() run', async () => {
    const { record, dir } = await run(
      `
on: workflow_dispatch
jobs:
  cutover:
    runs-on: ubuntu-latest
    steps:
      - id: bake
        run: |
          trap 'echo terminated > "$GITHUB_WORKSPACE/term"; exit 143' TERM
          touch "$GITHUB_WORKSPACE/started"
          sleep 30 &
          wait
      - id: next
        run: echo never
      - id: note
        if: cancelled()
        run: echo "cancelled while baking" >> "$GITHUB_STEP_SUMMARY"
  done:
    needs: cutover
    runs-on: ubuntu-latest
    steps:
      - run: echo never
  rollback:
    needs: cutover
    if: failure() || cancelled()
    runs-on: ubuntu-latest
    steps:
      - id: undo
        run: echo undo
`,
      (dir) => ({ cancel: { step: 'bake', when: () => existsSync(join(dir, 'started')) } }),
    );
    expect(readFileSync(join(dir, 'term'), 'utf8').trim()).toBe('terminated');
    expect(record.cancel).toBe('signal');
    expect(record.cancelled).toBe(true);
    expect(record.jobs.cutover?.steps.map((s) => s.outcome)).toEqual([
      'cancelled',
      'skipped',
      'success',
    ]);
    expect(record.jobs.cutover?.result).toBe('cancelled');
    expect(record.jobs.done?.result).toBe('skipped');
    expect(record.jobs.rollback?.result).toBe('success');
    // A job started after the cancellation runs its steps normally.
    expect(record.order.slice(-2)).toEqual(['rollback', 'rollback/undo']);
    expect(record.result).toBe('cancelled');
    expect(record.summaries).toEqual([
      { job: 'cutover', step: 'note', markdown: 'cancelled while baking\n' },
    ]);
  });

  it('runs a local action with its declared defaults, typed inputs and outputs', async () => {
    const action = `
name: echo
inputs:
  greeting: { description: x, required: true }
  token: { description: x, default: '\${{ github.token }}' }
  file: { description: x, default: '\${{ runner.temp }}/echo.json' }
  count: { description: x, default: '3' }
outputs:
  said: { description: x }
runs:
  using: node24
  main: index.mjs
`;
    const main = `
import { appendFileSync } from 'node:fs';
const said = [process.env.INPUT_GREETING, process.env.INPUT_TOKEN, process.env.INPUT_FILE.endsWith('/echo.json'), process.env.INPUT_COUNT, process.env.GREETING_ENV].join('|');
appendFileSync(process.env.GITHUB_OUTPUT, 'said=' + said + '\\n');
appendFileSync(process.env.GITHUB_STEP_SUMMARY, '# said ' + said + '\\n');
`;
    const { record } = await run(
      `
on:
  workflow_dispatch:
    inputs:
      loud: { type: boolean, default: false }
env:
  GREETING_ENV: from-workflow
jobs:
  one:
    runs-on: ubuntu-latest
    steps:
      - id: echo
        uses: ./actions/echo
        with:
          greeting: hello \${{ inputs.loud && 'LOUD' || 'quiet' }}
          count: 7
`,
      { inputs: { loud: 'true' }, github: { token: 'ghs_from_test' } },
      { 'actions/echo/action.yml': action, 'actions/echo/index.mjs': main },
    );
    expect(record.jobs.one?.steps[0]?.outputs.said).toBe(
      'hello LOUD|ghs_from_test|true|7|from-workflow',
    );
    expect(record.summaries[0]?.markdown).toContain('# said hello LOUD');
  });

  it('fails loudly on an input the action does not declare and on an action without a stub', async () => {
    const files = {
      'actions/echo/action.yml':
        'name: e\ninputs:\n  a: { description: x }\nruns: { using: node24, main: i.mjs }\n',
      'actions/echo/i.mjs': '',
    };
    await expect(
      run(
        'on: workflow_dispatch\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./actions/echo\n        with: { a: 1, b: 2 }\n',
        {},
        files,
      ),
    ).rejects.toThrow(/declares no input 'b'/);
    await expect(
      run(
        'on: workflow_dispatch\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n',
      ),
    ).rejects.toThrow(HarnessError);
    const calls: Record<string, string>[] = [];
    const { record } = await run(
      'on: workflow_dispatch\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        with: { fetch-depth: 0 }\n      - id: region\n        run: echo "r=$AWS_REGION" >> "$GITHUB_OUTPUT"\n',
      {
        stubs: {
          'actions/checkout': (context) => {
            calls.push(context.inputs);
            context.exportVariable('AWS_REGION', 'eu-west-1');
          },
        },
      },
    );
    expect(calls).toEqual([{ 'fetch-depth': '0' }]);
    expect(record.jobs.j?.steps[1]?.outputs.r).toBe('eu-west-1');
  });

  it('calls a reusable workflow with with: and secrets:, and returns its outputs', async () => {
    const called = `
on:
  workflow_call:
    inputs:
      weight: { type: number, required: true }
      mode: { type: string, default: advance }
    secrets:
      hook-token: { required: true }
    outputs:
      summary: { value: '\${{ jobs.inner.outputs.line }}' }
jobs:
  inner:
    runs-on: ubuntu-latest
    outputs:
      line: \${{ steps.s.outputs.line }}
    steps:
      - id: s
        env:
          TOKEN: \${{ secrets.hook-token }}
          WEIGHT: \${{ inputs.weight }}
          MODE: \${{ inputs.mode }}
          DOUBLE: \${{ inputs.weight > 20 }}
        run: echo "line=$MODE $WEIGHT $DOUBLE \${#TOKEN}" >> "$GITHUB_OUTPUT"
`;
    const { record } = await run(
      `
on: workflow_dispatch
jobs:
  call:
    uses: ./.github/workflows/called.yml
    with:
      weight: 25
    secrets:
      hook-token: \${{ secrets.TOKEN }}
  show:
    needs: call
    runs-on: ubuntu-latest
    steps:
      - id: s
        env:
          LINE: \${{ needs.call.outputs.summary }}
        run: echo "line=$LINE" >> "$GITHUB_OUTPUT"
`,
      { secrets: { TOKEN: 'abcd' } },
      { '.github/workflows/called.yml': called },
    );
    expect(record.order).toEqual(['call', 'call/inner', 'call/inner/s', 'show', 'show/s']);
    expect(record.jobs.show?.steps[0]?.outputs.line).toBe('advance 25 true 4');
  });

  it('runs a matrix from a job output one instance at a time and stops at the first failure', async () => {
    const { record } = await run(`
on: workflow_dispatch
jobs:
  plan:
    runs-on: ubuntu-latest
    outputs:
      steps: \${{ steps.p.outputs.steps }}
    steps:
      - id: p
        run: echo 'steps=[1,2,3]' >> "$GITHUB_OUTPUT"
  step:
    needs: plan
    runs-on: ubuntu-latest
    strategy:
      max-parallel: 1
      matrix:
        step: \${{ fromJSON(needs.plan.outputs.steps) }}
    outputs:
      reached: \${{ steps.s.outputs.reached }}
    steps:
      - id: s
        env:
          STEP: \${{ matrix.step }}
        run: |
          echo "reached=$STEP" >> "$GITHUB_OUTPUT"
          test "$STEP" != 2
  rollback:
    needs: step
    if: failure()
    runs-on: ubuntu-latest
    steps:
      - env:
          REACHED: \${{ needs.step.outputs.reached }}
        run: echo "rolled back from $REACHED"
`);
    expect(record.jobs['step (1)']?.result).toBe('success');
    expect(record.jobs['step (2)']?.result).toBe('failure');
    expect(record.jobs['step (3)']?.result).toBe('cancelled');
    expect(record.jobs.step?.result).toBe('failure');
    expect(record.jobs.step?.outputs.reached).toBe('2');
    expect(record.jobs.rollback?.result).toBe('success');
  });

  it('fails a step that outlives its timeout-minutes', async () => {
    const { record } = await run(
      `
on: workflow_dispatch
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - id: slow
        timeout-minutes: 1
        run: sleep 20
      - if: failure()
        id: after
        run: echo after
`,
      { minuteMs: 200 },
    );
    expect(record.jobs.j?.steps.map((s) => s.outcome)).toEqual(['failure', 'success']);
    expect(record.jobs.j?.steps[0]?.error).toContain('timeout-minutes');
  });
});
