import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { ConfigError } from '@cutover/kit';
import { resolveInWorkspace, runAction, type ActionKit } from '@cutover/action-kit';
import { loadPlanFile } from '@cutover/catalog';
import {
  deployStacks,
  describeStackEvent,
  isFailureEvent,
  renderChangeSet,
  renderStackResults,
  type StackEngine,
} from '@cutover/stacks';
import { collectStacks } from './collect-stacks.js';
import { recordWriter } from './record-writer.js';
import { deployPlanWorkload } from './deploy-workload-step.js';
import { inputs as inputSchema } from './inputs.js';
import { isCdkApp, isCloudAssembly, synthCdkApp } from './synth-cdk-app.js';

export interface Dependencies {
  /** The CloudFormation engine, built only when there are stacks to deploy (lazy SDK). */
  stackEngine(region: string): Promise<StackEngine>;
  /** Uploads a template too large to send inline; returns the URL CloudFormation reads. */
  templateUploader(options: {
    bucket: string;
    region: string;
    prefix: string;
    owner: string | undefined;
  }): Promise<(stack: string, body: string) => Promise<string>>;
  onCancel(listener: () => void): void;
}

const defaultDependencies: Dependencies = {
  stackEngine: async (region) =>
    new (await import('@cutover/aws')).CloudFormationEngine({ region }),
  templateUploader: async ({ bucket, region, prefix, owner }) =>
    (await import('@cutover/aws')).s3TemplateUploader({
      bucket,
      region,
      prefix,
      ...(owner === undefined ? {} : { expectedBucketOwner: owner }),
    }),
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
  const abort = new AbortController();
  deps.onCancel(() => abort.abort());
  const assembly =
    inputs.cdk === undefined
      ? undefined
      : await cloudAssemblyOf(inside(inputs.cdk), inputs['cdk-context'], {
          signal: abort.signal,
          log: (line) => kit.info(line),
        });
  const specs = await collectStacks(plan, inputs, assembly, read);
  if (specs.length === 0 && plan?.workload === undefined)
    throw new ConfigError(
      "nothing to deploy: give input 'plan' with a stacks: or workload: section, or input 'cdk'",
    );

  if (specs.length > 0) {
    const region = inputs.region ?? kit.env.AWS_REGION ?? kit.env.AWS_DEFAULT_REGION;
    if (region === undefined)
      throw new ConfigError(
        "input 'region': not set, and neither is AWS_REGION nor AWS_DEFAULT_REGION",
      );
    // ${{ runner.temp }} is not expanded outside Actions: fall back to RUNNER_TEMP, the workspace.
    const wanted = inputs['rollback-record'];
    const recordPath = wanted.includes('${{')
      ? `${kit.env.RUNNER_TEMP ?? workspace}/cutover-rollback-record.json`
      : wanted;
    // Written before the first change and after every executed change set, whole each time
    // (temporary file, then rename): a job killed mid-run still leaves what it changed.
    const record = recordWriter(recordPath);
    kit.setOutput('rollback-record', recordPath);
    await record.write([]);
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
      ...(inputs['template-bucket'] === undefined
        ? {}
        : {
            uploadTemplate: await deps.templateUploader({
              bucket: inputs['template-bucket'],
              region,
              prefix: inputs['template-prefix'],
              owner: inputs['template-bucket-owner'],
            }),
          }),
      signal: abort.signal,
      // Client request tokens make the SDK's retries safe within this step; a second step or
      // a re-run must not replay the first one's tokens, hence the per-invocation part.
      runId: `${kit.env.GITHUB_RUN_ID ?? 'local'}-${kit.env.GITHUB_RUN_ATTEMPT ?? '1'}-${randomUUID().slice(0, 8)}`,
      onLog: (line) => kit.info(line),
      // Stack events as they arrive; a failed resource is an annotation with its reason.
      onEvent: (stack, event) => {
        const line = describeStackEvent(stack, event);
        if (isFailureEvent(event)) kit.error(line, { title: `${stack}: ${event.logicalId}` });
        else kit.debug(line);
      },
      onChangeSet: (stack, changes) => void kit.appendSummary(renderChangeSet(stack, changes)),
      onExecuted: (stack) => void record.add(stack),
    });
    await record.write(outcome.rollback);
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

/**
 * Input 'cdk' names a synthesized assembly (manifest.json) or a CDK app (cdk.json), which is
 * synthesized into its own cdk.out first; @actions/exec loads only then.
 */
async function cloudAssemblyOf(
  dir: string,
  context: string[],
  options: { signal: AbortSignal; log: (line: string) => void },
): Promise<string> {
  if (await isCloudAssembly(dir)) return dir;
  if (!(await isCdkApp(dir)))
    throw new ConfigError(
      `input 'cdk': ${dir} is neither a cloud assembly (no manifest.json) nor a CDK app (no cdk.json)`,
    );
  const pairs = context.map((pair) => {
    const at = pair.indexOf('=');
    if (at <= 0)
      throw new ConfigError(`input 'cdk-context': expected key=value pairs, got "${pair}"`);
    return [pair.slice(0, at), pair.slice(at + 1)] as const;
  });
  const { exec } = await import('@actions/exec');
  return synthCdkApp(dir, {
    exec,
    outDir: 'cdk.out',
    context: Object.fromEntries(pairs),
    log: options.log,
    signal: options.signal,
  });
}

/** The entry point index.ts and @github/local-action call. */
export async function run() {
  await runAction(main);
}
