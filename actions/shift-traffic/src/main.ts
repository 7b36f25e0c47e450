import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '@cutover/kit';
import { runAction, type ActionKit } from '@cutover/action-kit';
import { loadPlanFile } from '@cutover/catalog';
import {
  chooseMove,
  decideNext,
  parseMoveRequest,
  planHash,
  renderShiftSummary,
} from '@cutover/traffic';
import { buildTargets } from './build-targets.js';
import { inputs as inputSchema } from './inputs.js';
import { pauseOrResume } from './run-pause.js';
import { appendSummaryOrWarn, reportState, shiftWithCancellation } from './run-shift.js';
import { shiftSettings } from './shift-settings.js';

export interface Dependencies {
  readFile(path: string): string;
  /** Where cancellation comes from; the runner sends SIGINT, then SIGTERM, when a run is cancelled. */
  onCancel(listener: () => void): void;
}

const defaultDependencies: Dependencies = {
  readFile: (path) => readFileSync(path, 'utf8'),
  onCancel: (listener) => {
    process.once('SIGINT', listener);
    process.once('SIGTERM', listener);
  },
};

export async function main(kit: ActionKit, deps: Dependencies = defaultDependencies) {
  const inputs = kit.readInputs(inputSchema);
  const workspace = kit.env.GITHUB_WORKSPACE ?? '.';
  if ((inputs.plan === undefined) === (inputs.router === undefined))
    throw new ConfigError("give exactly one of input 'plan' and input 'router'");
  const loaded =
    inputs.plan === undefined
      ? undefined
      : loadPlanFile(inputs.plan, (path) => deps.readFile(resolve(workspace, path)));
  if (loaded?.ok === false) throw new ConfigError(loaded.message);
  const plan = loaded?.plan;
  const request = parseMoveRequest(plan, inputs.step, inputs.weight);
  const { verifyTimeoutMs, runId, verdict } = shiftSettings(inputs, plan, kit.env, kit.clock.now());
  const targets = buildTargets({
    planPath: inputs.plan,
    planRouter: plan?.router.settings,
    routerInput: inputs.router,
    workspace,
    allowOutside: inputs['allow-outside-workspace'],
    clock: kit.clock,
  });

  const hash = plan === undefined ? undefined : planHash(plan);
  // Read first and reported at once, so that a refused request still says where things stand.
  const observed = await reportState(kit, plan, targets);
  if (request.kind === 'pause' || request.kind === 'resume') {
    await pauseOrResume(kit, request.kind, {
      plan,
      targets,
      observed,
      runId,
      reason: inputs.reason,
    });
    return;
  }
  if (inputs.reason !== undefined)
    kit.info(`reason given: ${inputs.reason} (recorded only with a pause)`);
  const context = {
    now: kit.clock.now(),
    runId,
    planHash: hash,
    verdict:
      verdict === undefined
        ? undefined
        : { status: verdict.status, reason: verdict.reason ?? verdict.status },
  };
  // What the step function decided, set before a refusal so that a workflow can branch on it.
  kit.setOutput(
    'decision',
    plan !== undefined && (request.kind === 'next' || request.kind === 'promote')
      ? decideNext(plan, observed, { ...context, promote: request.kind === 'promote' }).kind
      : '',
  );
  const move = chooseMove(plan, plan === undefined ? undefined : observed, request, context);
  const outcomes = await shiftWithCancellation(kit, (l) => deps.onCancel(l), targets, move, {
    runId,
    planSteps: plan?.steps.map((s) => s.weight),
    force: inputs.force,
    clock: kit.clock,
    verifyTimeoutMs,
    verifyIntervalMs: 1000,
    planHash: hash,
    verdict,
  });

  kit.setOutput('previous-weights', JSON.stringify(outcomes[0]?.before ?? null));
  kit.setOutput('weights', JSON.stringify(outcomes[0]?.after ?? null));
  kit.setOutput('step', move.step === undefined ? '' : String(move.step));
  await reportState(kit, plan, targets);
  await appendSummaryOrWarn(
    kit,
    renderShiftSummary({ move, runId, verifyTimeoutMs, verdict, outcomes }),
    move.weight,
  );
}

/** The entry point index.ts and @github/local-action call. */
export async function run() {
  await runAction(main);
}
