import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { GateFailure, ConfigError, escapeMarkdown, heading, table } from '@cutover/kit';
import { resolveInWorkspace, type ActionKit } from '@cutover/action-kit';
import { formatDuration, loadPlanFile, parseDuration } from '@cutover/plan';
import { RouterConfigError, createTargets } from '@cutover/routers';
import {
  ShiftRefused,
  ShiftReverted,
  shiftTraffic,
  weightsProblem,
  type RouterTarget,
  type TargetOutcome,
} from '@cutover/traffic';
import { inputs as inputSchema } from './inputs.js';

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

export async function main(
  kit: ActionKit,
  deps: Dependencies = defaultDependencies,
): Promise<void> {
  const inputs = kit.readInputs(inputSchema);
  const workspace = kit.env.GITHUB_WORKSPACE ?? '.';
  const readFile = (path: string) => deps.readFile(resolve(workspace, path));

  if ((inputs.plan === undefined) === (inputs.router === undefined))
    throw new ConfigError("give exactly one of input 'plan' and input 'router'");
  if ((inputs.weight === undefined) === (inputs.step === undefined))
    throw new ConfigError("give exactly one of input 'weight' and input 'step'");
  const plan = inputs.plan === undefined ? undefined : loadPlan(inputs.plan, readFile);
  if (inputs.step !== undefined && plan === undefined)
    throw new ConfigError("input 'step' needs input 'plan' (steps come from the plan)");
  const settings = plan?.router.settings ?? parseRouter(inputs.router ?? '');
  const verifyTimeoutMs =
    inputs['verify-timeout'] === undefined
      ? (plan?.rollback.trafficTimeoutMs ?? 120_000)
      : parseDuration(inputs['verify-timeout']);
  if (verifyTimeoutMs === undefined || verifyTimeoutMs <= 0)
    throw new ConfigError(
      `input 'verify-timeout': expected a duration like "2m", got "${inputs['verify-timeout'] ?? ''}"`,
    );

  const where = inputs.plan ?? "input 'router'";
  let targets: RouterTarget[];
  try {
    targets = createTargets(settings, {
      clock: kit.clock,
      // The plan may come from an untrusted pull request: its router path stays inside.
      resolvePath: (path) =>
        resolveInWorkspace(workspace, path, `${where}: router.path`, {
          allowOutside: inputs['allow-outside-workspace'],
          allowInput: 'allow-outside-workspace',
        }),
    }).targets;
  } catch (error) {
    if (error instanceof RouterConfigError) throw new ConfigError(`${where}: ${error.message}`);
    throw error;
  }
  const steps = plan?.steps.map((s) => s.weight);
  const runId =
    inputs['run-id'] ?? `${kit.env.GITHUB_RUN_ID ?? 'local'}-${kit.env.GITHUB_RUN_ATTEMPT ?? '1'}`;
  const candidate = await desiredWeight(inputs.weight, inputs.step, steps, targets, runId);

  const cancel = new AbortController();
  let completed = false;
  deps.onCancel(() => {
    kit.warning(
      completed
        ? `cancellation received after the shift to ${candidate}% was verified and recorded; nothing to put back`
        : 'cancellation received: finishing the write in flight, then putting every object back',
    );
    cancel.abort();
  });

  let outcomes: TargetOutcome[];
  try {
    outcomes = await kit.group(
      `Shifting ${targets.map((t) => t.description).join(', ')} to ${candidate}% candidate`,
      () =>
        shiftTraffic(targets, candidate, {
          runId,
          planSteps: steps,
          force: inputs.force,
          clock: kit.clock,
          verifyTimeoutMs,
          verifyIntervalMs: 1000,
          signal: cancel.signal,
          log: (message) => {
            kit.info(message);
          },
        }),
    );
  } catch (error) {
    if (error instanceof ShiftRefused)
      throw new ConfigError(
        `shift to ${candidate}% refused, nothing was written:\n${error.message}`,
      );
    if (error instanceof ShiftReverted)
      throw new GateFailure(`shift to ${candidate}% failed: ${error.message}`);
    throw error;
  }
  completed = true;

  const first = outcomes[0];
  kit.setOutput('previous-weights', JSON.stringify(first?.before ?? null));
  kit.setOutput('weights', JSON.stringify(first?.after ?? null));
  // Traffic has moved and is verified: nothing after this point may fail the step.
  try {
    await kit.appendSummary(
      [
        heading(2, `Traffic shifted to ${candidate}% candidate`),
        `Run \`${escapeMarkdown(runId)}\` · verification bound ${formatDuration(verifyTimeoutMs)}`,
        table(
          ['Object', 'Before (stable / candidate)', 'After (stable / candidate)', 'Verification'],
          outcomes.map((o) => [
            escapeMarkdown(o.description),
            `${o.before.stable}% / ${o.before.candidate}%`,
            `${o.after.stable}% / ${o.after.candidate}%`,
            escapeMarkdown(o.detail),
          ]),
        ),
      ].join('\n\n') + '\n',
    );
  } catch (error) {
    kit.warning(
      `traffic is at ${candidate}% (verified and recorded), but the job summary could not be written: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

async function desiredWeight(
  weight: string | undefined,
  step: string | undefined,
  steps: number[] | undefined,
  targets: RouterTarget[],
  runId: string,
): Promise<number> {
  if (weight !== undefined) {
    if (!/^\s*\d{1,3}\s*$/.test(weight) || Number(weight) > 100)
      throw new ConfigError(
        `input 'weight': expected a whole percentage from 0 to 100, got "${weight}"`,
      );
    return Number(weight);
  }
  const list = steps ?? [];
  if (step?.trim() === 'next') {
    const first = targets[0];
    const state = first === undefined ? undefined : await first.read();
    const problem =
      first === undefined || state === undefined
        ? undefined
        : weightsProblem(state.weights, first.description);
    if (problem !== undefined)
      throw new ConfigError(`input 'step': "next" cannot follow these weights: ${problem}`);
    // A rerun of this run after a kill finishes the step it had started, not the one after.
    if (state?.marker?.state === 'shifting' && state.marker.runId === runId)
      return state.marker.after.candidate;
    const current = state?.weights.candidate ?? 0;
    const next = list.find((w) => w > current);
    if (next === undefined)
      throw new ConfigError(
        `input 'step': "next" after ${current}%: the plan (${list.join(', ')}) has no further step`,
      );
    return next;
  }
  const index = Number(step);
  if (!Number.isInteger(index) || index < 1 || index > list.length)
    throw new ConfigError(
      `input 'step': expected "next" or a step number from 1 to ${list.length}, got "${step ?? ''}"`,
    );
  return list[index - 1] ?? 0;
}

function loadPlan(path: string, readFile: (path: string) => string) {
  const loaded = loadPlanFile(path, readFile);
  if (!loaded.ok) throw new ConfigError(loaded.message);
  return loaded.plan;
}

function parseRouter(text: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new ConfigError(
      `input 'router': not YAML (${error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error)})`,
    );
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ConfigError(
      `input 'router': expected a mapping like "{kind: gateway-api, name: shop, stable: blue, candidate: green}", got ${JSON.stringify(text.slice(0, 80))}`,
    );
  return raw as Record<string, unknown>;
}
