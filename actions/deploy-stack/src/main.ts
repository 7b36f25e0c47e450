import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigError } from '@cutover/kit';
import { resolveInWorkspace, runAction, type ActionKit } from '@cutover/action-kit';
import { loadPlanFile } from '@cutover/catalog';
import {
  deployStacks,
  renderChangeSet,
  renderStackResults,
  type StackEngine,
} from '@cutover/stacks';
import { collectStacks } from './collect-stacks.js';
import { deployPlanWorkload } from './deploy-workload-step.js';
import { inputs as inputSchema } from './inputs.js';

export interface Dependencies {
  /** The CloudFormation engine, built only when there are stacks to deploy (lazy SDK). */
  stackEngine(region: string): Promise<StackEngine>;
  onCancel(listener: () => void): void;
}

const defaultDependencies: Dependencies = {
  stackEngine: async (region) =>
    new (await import('@cutover/aws')).CloudFormationEngine({ region }),
  onCancel: (listener) => {
    process.once('SIGINT', listener);
    process.once('SIGTERM', listener);
  },
};

export async function main(kit: ActionKit, deps: Dependencies = defaultDependencies) {
  const inputs = kit.readInputs(inputSchema);
  const workspace = kit.env.GITHUB_WORKSPACE ?? '.';
  // Templates, parameter files and manifests come from the checkout: they stay inside it.
  const inside = (path: string) => resolveInWorkspace(workspace, path, `file "${path}"`);
  const read = (path: string) => readFile(inside(path), 'utf8');
  const loaded =
    inputs.plan === undefined
      ? undefined
      : loadPlanFile(inputs.plan, (path) => readFileSync(inside(path), 'utf8'));
  if (loaded?.ok === false) throw new ConfigError(loaded.message);
  const plan = loaded?.plan;
  const specs = await collectStacks(plan, inputs, read);
  if (specs.length === 0 && plan?.workload === undefined)
    throw new ConfigError(
      "nothing to deploy: give input 'plan' with a stacks: or workload: section, or input 'cdk-out'",
    );
  const abort = new AbortController();
  deps.onCancel(() => abort.abort());

  if (specs.length > 0) {
    const region = inputs.region ?? kit.env.AWS_REGION ?? kit.env.AWS_DEFAULT_REGION;
    if (region === undefined)
      throw new ConfigError(
        "input 'region': not set, and neither is AWS_REGION nor AWS_DEFAULT_REGION",
      );
    const outcome = await deployStacks(specs, await deps.stackEngine(region), {
      clock: kit.clock,
      readFile: read,
      mode: inputs.mode,
      parallelism: inputs.parallelism,
      allowRecreate: inputs['allow-recreate'],
      ...(inputs['continue-rollback-skip'].length > 0
        ? { continueRollbackSkip: inputs['continue-rollback-skip'] }
        : {}),
      onBusy: inputs['on-busy'],
      busyTimeoutMs: inputs['busy-timeout'],
      timeoutMs: inputs.timeout,
      cancelOnTimeout: inputs['cancel-on-timeout'],
      signal: abort.signal,
      // Client request tokens make the SDK's retries safe within this step; a second step or
      // a re-run must not replay the first one's tokens, hence the per-invocation part.
      runId: `${kit.env.GITHUB_RUN_ID ?? 'local'}-${kit.env.GITHUB_RUN_ATTEMPT ?? '1'}-${randomUUID().slice(0, 8)}`,
      onLog: (line) => kit.info(line),
      onChangeSet: (stack, changes) => void kit.appendSummary(renderChangeSet(stack, changes)),
    });
    // ${{ runner.temp }} is not expanded outside Actions: fall back to RUNNER_TEMP, the workspace.
    const wanted = inputs['rollback-record'];
    const recordPath = wanted.includes('${{')
      ? `${kit.env.RUNNER_TEMP ?? workspace}/cutover-rollback-record.json`
      : wanted;
    await mkdir(dirname(recordPath), { recursive: true });
    await writeFile(recordPath, `${JSON.stringify({ stacks: outcome.rollback }, null, 2)}\n`);
    kit.setOutput('rollback-record', recordPath);
    kit.setOutput('results', JSON.stringify(outcome.stacks.map(({ error: _e, ...rest }) => rest)));
    kit.setOutput(
      'outputs',
      JSON.stringify(Object.fromEntries(outcome.stacks.map((s) => [s.name, s.outputs]))),
    );
    kit.setOutput('changed', String(outcome.stacks.some((s) => s.changed)));
    await kit.appendSummary(renderStackResults(outcome.stacks));
    if (outcome.error !== undefined) throw outcome.error;
  }

  if (plan?.workload !== undefined && inputs.mode === 'deploy') {
    const workload = await deployPlanWorkload(plan.workload, inputs, {
      clock: kit.clock,
      signal: abort.signal,
      read,
      kubeconfig: kit.env.KUBECONFIG,
      log: (line) => kit.info(line),
    });
    workload.lines.forEach((line) => kit.info(line));
  }
}

/** The entry point index.ts and @github/local-action call. */
export async function run() {
  await runAction(main);
}
