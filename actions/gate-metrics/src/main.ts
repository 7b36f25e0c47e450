import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, GateFailure } from '@cutover/kit';
import { resolveInWorkspace, runAction, type ActionKit } from '@cutover/action-kit';
import { loadPlanFile } from '@cutover/catalog';
import { renderGateSummary } from '@cutover/gates';
import { createMetricsSource } from '@cutover/metrics';
import { parseDuration } from '@cutover/plan';
import { inputs as inputSchema } from './inputs.js';
import { resolveWindow } from './resolve-window.js';
import { runGates } from './run-gates.js';
import { selectGates } from './select-gates.js';
import { selectStep } from './select-step.js';
import { decideStep, writeOutputs } from './step-outcome.js';

export interface Dependencies {
  readFile(path: string): string;
}

const defaultDependencies: Dependencies = { readFile: (path) => readFileSync(path, 'utf8') };

export async function main(kit: ActionKit, deps: Dependencies = defaultDependencies) {
  const inputs = kit.readInputs(inputSchema);
  const workspace = kit.env.GITHUB_WORKSPACE ?? '.';
  const readFile = (path: string) => deps.readFile(resolve(workspace, path));
  const loaded = loadPlanFile(inputs.plan, readFile);
  if (!loaded.ok) throw new ConfigError(loaded.message);
  const { plan } = loaded;
  const selected = await selectStep(plan, inputs, {
    clock: kit.clock,
    resolvePath: (path) => resolveInWorkspace(workspace, path, `${inputs.plan}: router.path`),
  });
  const { names, rules } = selectGates(plan, inputs.plan, inputs.gates, selected);
  const window = resolveWindow(inputs, selected, kit.clock.now());
  const basic = inputs['prometheus-basic-auth'];
  if (basic !== undefined && !basic.includes(':'))
    throw new ConfigError(`input 'prometheus-basic-auth': expected "user:password"`);
  const url = inputs['prometheus-url'];
  const settings = url === undefined ? plan.metrics.settings : { ...plan.metrics.settings, url };
  const timeout =
    typeof settings.timeout === 'string' ? parseDuration(settings.timeout) : undefined;
  const source = createMetricsSource(
    { provider: plan.metrics.provider, settings },
    {
      prometheusToken: inputs['prometheus-token'],
      prometheusUsername: basic?.split(':')[0],
      prometheusPassword: basic?.slice(basic.indexOf(':') + 1),
    },
    {
      readFile,
      recordedBase: window.from,
      timeoutMs: timeout ?? 10_000,
      env: kit.env,
      mask: (secret) => kit.mask(secret),
    },
  );

  const where = selected === undefined ? '' : `, step ${selected.number}: ${selected.step.weight}%`;
  const title = `Gates ${names.join(', ')} (${inputs.mode}${where})`;
  const report = await runGates(kit, title, rules, source, window, inputs.mode, plan.rollback);
  for (const v of report.verdicts) kit.info(`${v.rule}: ${v.status} (${v.severity}) ${v.reason}`);
  writeOutputs(kit, report);
  const decision = decideStep(report, {
    mode: inputs.mode,
    shadow: inputs.shadow,
    allowInconclusive: inputs['allow-inconclusive'],
    policy: plan.rollback,
  });
  await kit.appendSummary(
    renderGateSummary({
      title,
      outcome: report.outcome,
      verdicts: report.verdicts,
      rules,
      window: { from: window.from, to: Math.min(kit.clock.now(), window.to) },
      queries: report.queries,
      shadow: inputs.shadow,
      step: decision.line,
    }),
  );
  if (decision.warning !== undefined)
    kit.warning(decision.warning.text, { title: decision.warning.title });
  if (decision.failure !== undefined) throw new GateFailure(decision.failure);
}

/** The entry point index.ts and @github/local-action call. */
export async function run() {
  await runAction(main);
}
