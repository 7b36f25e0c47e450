import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError, ServiceError, type Clock } from '@cutover/kit';
import { resolveInWorkspace, runAction, type ActionKit } from '@cutover/action-kit';
import { loadPlanFile } from '@cutover/catalog';
import type { MetricsSource } from '@cutover/gates';
import type { RetireClient } from '@cutover/kubernetes';
import { parseDuration, type Plan } from '@cutover/plan';
import type { StackEngine } from '@cutover/stacks';
import { checkRunId, planHash, readCutover } from '@cutover/traffic';
import { buildTargets } from '../../shift-traffic/src/build-targets.js';
import { inputs as inputSchema } from './inputs.js';
import {
  type Phase,
  cleanReason,
  judgeTargets,
  renderRollbackSummary,
  type StableHealth,
} from './phases.js';
import { stableCheck } from './stable-check.js';
import { stacksPhase } from './stacks-phase.js';
import { notInterrupted, trafficPhase } from './traffic-phase.js';
import { workloadPhase } from './workload-phase.js';

export interface Dependencies {
  readFile(path: string): string;
  /** The rollback record's text; undefined when there is no such file. */
  readRecord(path: string): Promise<string | undefined>;
  /** The runner sends SIGINT, then SIGTERM, when a run is cancelled. */
  onCancel(listener: () => void): void;
  /** Built only when the record names stacks (lazy SDK). */
  stackEngine(region: string): Promise<StackEngine>;
  /** Built only for scope workload (lazy Kubernetes client). */
  workloadClient(options: { kubeconfig: string | undefined; clock: Clock }): Promise<RetireClient>;
  /** Built only for the stable check. */
  metricsSource(kit: ActionKit, plan: Plan, from: number): Promise<MetricsSource>;
}

const defaultDependencies: Dependencies = {
  readFile: (path) => readFileSync(path, 'utf8'),
  readRecord: async (path) => {
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
      throw error;
    }
  },
  onCancel: (listener) => {
    // `on`, not `once`: a second signal must not kill the traffic rollback half way.
    process.on('SIGINT', listener);
    process.on('SIGTERM', listener);
  },
  stackEngine: async (region) =>
    new (await import('@cutover/aws')).CloudFormationEngine({ region }),
  workloadClient: async (options) => new (await import('@cutover/kubernetes')).KubeClient(options),
  metricsSource: async (kit, plan, from) => {
    const { createMetricsSource } = await import('@cutover/metrics');
    const workspace = kit.env.GITHUB_WORKSPACE ?? '.';
    const timeout = plan.metrics.settings.timeout;
    return createMetricsSource(
      plan.metrics,
      {},
      {
        readFile: (path) => readFileSync(resolve(workspace, path), 'utf8'),
        recordedBase: from,
        timeoutMs: (typeof timeout === 'string' ? parseDuration(timeout) : undefined) ?? 10_000,
        env: kit.env,
        mask: (secret) => kit.mask(secret),
      },
    );
  },
};

export async function main(kit: ActionKit, deps: Dependencies = defaultDependencies) {
  const inputs = kit.readInputs(inputSchema);
  const workspace = kit.env.GITHUB_WORKSPACE ?? '.';
  if ((inputs.plan === undefined) === (inputs.router === undefined))
    throw new ConfigError("give exactly one of input 'plan' and input 'router'");
  const inside = (path: string) => resolveInWorkspace(workspace, path, `file "${path}"`);
  const loaded =
    inputs.plan === undefined
      ? undefined
      : loadPlanFile(inputs.plan, (path) => deps.readFile(inside(path)));
  if (loaded?.ok === false) throw new ConfigError(loaded.message);
  const plan = loaded?.plan;
  const timeout = inputs['verify-timeout'];
  const verifyTimeoutMs =
    timeout === undefined ? (plan?.rollback.trafficTimeoutMs ?? 120_000) : parseDuration(timeout);
  if (verifyTimeoutMs === undefined || verifyTimeoutMs <= 0)
    throw new ConfigError(
      `input 'verify-timeout': expected a duration like "2m", got "${timeout ?? ''}"`,
    );
  const runId = checkRunId(
    inputs['run-id'] ?? `${kit.env.GITHUB_RUN_ID ?? 'local'}-${kit.env.GITHUB_RUN_ATTEMPT ?? '1'}`,
  );
  if (inputs.when === 'always' && inputs['interrupted-run-id'] !== undefined)
    throw new ConfigError("input 'interrupted-run-id' is read only with when: interrupted");
  if (inputs.scope.includes('workload') && plan === undefined)
    throw new ConfigError("scope workload needs input 'plan' (its workload: section)");
  const reason = cleanReason(inputs.reason);
  const targets = buildTargets({
    planPath: inputs.plan,
    planRouter: plan?.router.settings,
    routerInput: inputs.router,
    workspace,
    allowOutside: inputs['allow-outside-workspace'],
    clock: kit.clock,
  });
  const cancel = new AbortController();
  deps.onCancel(() => {
    if (!cancel.signal.aborted)
      kit.warning(
        'cancellation received: traffic goes back to stable regardless (the safety action); the phases after it stop',
      );
    cancel.abort();
  });
  if (reason !== undefined) kit.info(`reason: ${reason}`);

  const { state: observed } = await readCutover(plan ?? { steps: [] }, targets);
  const targetsOf = {
    trafficMs: plan?.rollback.trafficTimeoutMs ?? verifyTimeoutMs,
    fullMs: plan?.rollback.maxTimeToStableMs,
  };
  if (inputs.when === 'interrupted') {
    const why = notInterrupted(observed, inputs['interrupted-run-id'], kit.clock.now());
    if (why !== undefined) {
      kit.info(`nothing to roll back: ${why}`);
      const phases: Phase[] = inputs.scope.map((phase) => ({
        phase,
        status: 'skipped',
        durationMs: 0,
        detail: why,
      }));
      await report(kit, {
        runId,
        reason,
        rolledBack: false,
        weights: observed.weights,
        phases,
        stableHealth: 'skipped',
        targets: targetsOf,
        details: [],
      });
      return;
    }
  }

  const traffic = await trafficPhase(kit, targets, {
    runId,
    verifyTimeoutMs,
    planHash: plan === undefined ? undefined : planHash(plan),
  });
  const backAt = kit.clock.now();
  const phases: Phase[] = [traffic.phase];
  const errors: Error[] = traffic.error === undefined ? [] : [traffic.error];
  let changed = traffic.changed;
  const details: string[] = [];
  // The stable check runs beside the other phases: it watches a window, they wait on APIs.
  const checking =
    traffic.error === undefined
      ? stableCheck(kit, plan, {
          enabled: inputs['check-stable'],
          windowMs: inputs['stable-window'],
          from: backAt,
          source: (p, from) => deps.metricsSource(kit, p, from),
        })
      : undefined;
  const stop = (phase: Phase['phase']): Phase | undefined =>
    traffic.error !== undefined
      ? {
          phase,
          status: 'skipped',
          durationMs: 0,
          detail: 'not started: traffic could not be put back on stable',
        }
      : cancel.signal.aborted
        ? {
            phase,
            status: 'cancelled',
            durationMs: 0,
            detail: 'not started: the run was cancelled',
          }
        : undefined;

  if (inputs.scope.includes('workload')) {
    const stopped = stop('workload');
    if (stopped !== undefined) phases.push(stopped);
    else {
      const workload = await workloadPhase(kit, plan?.workload, {
        mode: inputs.workload,
        colour: inputs.colour,
        read: (path) => readFile(inside(path), 'utf8'),
        client: (options) => deps.workloadClient(options),
      });
      phases.push(workload.phase);
      changed ||= workload.changed;
      if (workload.error !== undefined) errors.push(workload.error);
    }
  }
  if (inputs.scope.includes('stacks')) {
    const stopped = stop('stacks');
    if (stopped !== undefined) phases.push(stopped);
    else {
      // ${{ runner.temp }} is not expanded outside Actions: RUNNER_TEMP, as deploy-stack does.
      const wanted = inputs['rollback-record'];
      const stacks = await stacksPhase(kit, plan, {
        recordPath: wanted.includes('${{')
          ? `${kit.env.RUNNER_TEMP ?? workspace}/cutover-rollback-record.json`
          : wanted,
        readRecord: (path) => deps.readRecord(path),
        region: inputs.region ?? kit.env.AWS_REGION ?? kit.env.AWS_DEFAULT_REGION,
        engine: (region) => deps.stackEngine(region),
        continueRollbackSkip: inputs['continue-rollback-skip'],
        timeoutMs: inputs['stack-timeout'],
        // Client request tokens make the SDK's retries safe within this step; a re-run (same
        // run id) must not replay them, hence the per-invocation part, as deploy-stack does.
        runId: `${runId}-${randomUUID().slice(0, 8)}`,
        signal: cancel.signal,
      });
      phases.push(stacks.phase);
      details.push(...stacks.details);
      changed ||= stacks.changed;
      if (stacks.error !== undefined) errors.push(stacks.error);
    }
  }
  const stable = await checking;
  if (stable !== undefined) {
    phases.push(stable.phase);
    details.push(...stable.details);
  }

  await report(kit, {
    runId,
    reason,
    rolledBack: changed,
    weights: traffic.weights,
    phases,
    stableHealth: stable?.health ?? 'skipped',
    targets: targetsOf,
    details,
  });
  if (errors.length > 0)
    throw new ServiceError(
      `rollback incomplete${traffic.error === undefined ? ' (traffic is back on stable)' : ' (traffic NOT back on stable)'}: ${phases
        .filter((p) => p.status === 'failed' || p.status === 'cancelled')
        .map((p) => `${p.phase}: ${p.detail}`)
        .join('; ')}`,
      { cause: errors[0] },
    );
  if (cancel.signal.aborted)
    throw new ServiceError(
      'cancelled after traffic was back on stable; the phases not run are listed in the summary: run the rollback again to finish them',
    );
}

async function report(
  kit: ActionKit,
  run: Omit<Parameters<typeof renderRollbackSummary>[0], 'targets'> & {
    targets: Parameters<typeof judgeTargets>[1];
    stableHealth: StableHealth;
  },
) {
  const targets = judgeTargets(run.phases, run.targets);
  for (const line of targets.lines) kit.info(line);
  kit.setOutput('rolled-back', String(run.rolledBack));
  kit.setOutput('weights', JSON.stringify(run.weights ?? null));
  kit.setOutput('phases', JSON.stringify(run.phases));
  kit.setOutput('stable-health', run.stableHealth);
  kit.setOutput('targets-met', String(targets.met));
  try {
    await kit.appendSummary(renderRollbackSummary({ ...run, targets }));
  } catch (error) {
    kit.warning(
      `the job summary could not be written: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** The entry point index.ts and @github/local-action call. */
export async function run() {
  await runAction(main);
}
