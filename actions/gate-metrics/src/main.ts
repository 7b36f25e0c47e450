import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { GateFailure, UserError, type ActionKit } from '@cutover/action-kit';
import {
  checkWindow,
  formatValue,
  renderGateSummary,
  watchGates,
  type GateReport,
  type RuleVerdict,
} from '@cutover/gates';
import { createMetricsSource } from '@cutover/metrics';
import { formatDuration, loadPlanFile, parseDuration, type GateRule } from '@cutover/plan';
import { inputs as inputSchema } from './inputs.js';
import { checkWindowBounds, parseTimeInput } from './resolve-window.js';

export interface Dependencies {
  readFile(path: string): string;
}

const defaultDependencies: Dependencies = { readFile: (path) => readFileSync(path, 'utf8') };

export async function main(
  kit: ActionKit,
  deps: Dependencies = defaultDependencies,
): Promise<void> {
  const inputs = kit.readInputs(inputSchema);
  for (const secret of [inputs['prometheus-token'], inputs['prometheus-basic-auth']])
    if (secret !== undefined) kit.mask(secret);
  const workspace = kit.env.GITHUB_WORKSPACE ?? '.';
  const readFile = (path: string) => deps.readFile(resolve(workspace, path));

  const plan = loadPlan(inputs.plan, readFile);
  const step =
    inputs.step === undefined ? undefined : plan.steps.find((s) => s.weight === inputs.step);
  if (inputs.step !== undefined && step === undefined)
    throw new UserError(
      `input 'step': the plan has no step of weight ${inputs.step}; steps: ${plan.steps.map((s) => s.weight).join(', ')}`,
    );
  const names = inputs.gates.length > 0 ? inputs.gates : (step?.gates ?? Object.keys(plan.gates));
  const unknown = names.filter((name) => !(name in plan.gates));
  if (unknown.length > 0)
    throw new UserError(
      `input 'gates': ${unknown.map((n) => `"${n}"`).join(', ')} not defined in ${inputs.plan}; gates: ${Object.keys(plan.gates).join(', ')}`,
    );
  const rules = names
    .map((name) => plan.gates[name])
    .filter((rule): rule is GateRule => rule !== undefined);
  if (rules.length === 0)
    throw new UserError(
      `no gates to evaluate: step ${inputs.step ?? '?'} names none; set input 'gates'`,
    );

  const now = kit.clock.now();
  const window = resolveWindow(inputs, step?.bakeMs, now);
  const basic = inputs['prometheus-basic-auth'];
  if (basic !== undefined && !basic.includes(':'))
    throw new UserError(`input 'prometheus-basic-auth': expected "user:password"`);
  const settings =
    inputs['prometheus-url'] === undefined
      ? plan.metrics.settings
      : { ...plan.metrics.settings, url: inputs['prometheus-url'] };
  const timeoutMs =
    typeof settings.timeout === 'string' ? (parseDuration(settings.timeout) ?? 10_000) : 10_000;
  let source;
  try {
    source = createMetricsSource(
      { provider: plan.metrics.provider, settings },
      {
        prometheusToken: inputs['prometheus-token'],
        prometheusUsername: basic?.split(':')[0],
        prometheusPassword: basic?.slice(basic.indexOf(':') + 1),
      },
      { readFile, recordedBase: window.from, timeoutMs },
    );
  } catch (error) {
    throw new UserError(
      `${inputs.plan}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }

  const title = `Gates ${names.join(', ')} (${inputs.mode}${step === undefined ? '' : `, step ${step.weight}%`})`;
  const report = await kit.group(`${title} against ${source.name}`, async () => {
    kit.info(
      `window ${new Date(window.from).toISOString()} → ${new Date(window.to).toISOString()} (${formatDuration(window.to - window.from)})`,
    );
    if (inputs.mode === 'check')
      return checkWindow(rules, source, window.from, window.to, kit.clock);
    let previous = '';
    return watchGates(rules, source, kit.clock, {
      from: window.from,
      until: window.to,
      onRound: (verdicts, at) => {
        // Log changes, not every poll: a day-long bake would otherwise print thousands of lines.
        const line = verdicts
          .map((v) => `${v.rule}=${v.breachSince === undefined ? v.status : 'breaching'}`)
          .join(' ');
        if (line !== previous)
          kit.info(`${new Date(at).toISOString()} ${verdicts.map(describe).join(' | ')}`);
        previous = line;
      },
    });
  });

  report.verdicts.forEach((verdict) => {
    kit.info(`${verdict.rule}: ${verdict.status} (${verdict.severity}) ${verdict.reason}`);
  });
  writeOutputs(kit, report);
  await kit.appendSummary(
    renderGateSummary({
      title,
      outcome: report.outcome,
      verdicts: report.verdicts,
      rules,
      window: { from: window.from, to: Math.min(kit.clock.now(), window.to) },
      queries: report.queries,
      shadow: inputs.shadow,
    }),
  );

  const { outcome } = report;
  if (outcome.status === 'inconclusive')
    kit.warning(`gates inconclusive: ${outcome.reason}`, { title: 'Gate inconclusive' });
  if (outcome.status === 'fail') {
    if (inputs.shadow)
      kit.warning(`shadow gate would have failed: ${outcome.reason}`, {
        title: 'Shadow gate failed',
      });
    else throw new GateFailure(`gate failed: ${outcome.reason}`);
  }
}

function loadPlan(path: string, readFile: (path: string) => string) {
  const loaded = loadPlanFile(path, readFile);
  if (!loaded.ok) throw new UserError(loaded.message);
  return loaded.plan;
}

function resolveWindow(
  inputs: {
    mode: 'watch' | 'check';
    duration: string | undefined;
    from: string | undefined;
    to: string;
    step: number | undefined;
  },
  bakeMs: number | undefined,
  now: number,
): { from: number; to: number } {
  if (inputs.mode === 'watch') {
    const duration = inputs.duration === undefined ? bakeMs : parseDuration(inputs.duration);
    if (duration === undefined || duration <= 0)
      throw new UserError(
        inputs.duration === undefined
          ? "mode watch needs input 'duration' (like \"30m\") or input 'step' (its bake is the duration)"
          : `input 'duration': expected a duration like "30m" or "1d", got "${inputs.duration}"`,
      );
    return { from: now, to: now + duration };
  }
  const to = parseTimeInput('to', inputs.to, now);
  if (inputs.from === undefined && bakeMs === undefined)
    throw new UserError("mode check needs input 'from' (or input 'step', whose bake ends at 'to')");
  const from =
    inputs.from === undefined ? to - (bakeMs ?? 0) : parseTimeInput('from', inputs.from, now);
  checkWindowBounds(from, to, now);
  return { from, to };
}

function describe(verdict: RuleVerdict): string {
  return `${verdict.rule} ${formatValue(verdict.last)} (${verdict.threshold}) ${verdict.breachSince === undefined ? verdict.status : 'BREACHING'}`;
}

function writeOutputs(kit: ActionKit, report: GateReport): void {
  kit.setOutput('verdict', report.outcome.status);
  kit.setOutput(
    'results',
    JSON.stringify(
      report.verdicts.map((v) => ({
        rule: v.rule,
        status: v.status,
        severity: v.severity,
        reason: v.reason,
        threshold: v.threshold,
        last: v.last ?? null,
        worst: v.worst ?? null,
        samples: v.samples,
        firedAt: v.firedAt === undefined ? null : new Date(v.firedAt).toISOString(),
      })),
    ),
  );
  kit.setOutput('queries', String(report.queries));
}
