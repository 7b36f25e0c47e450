import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { GateFailure, ConfigError } from '@cutover/kit';
import { type ActionKit } from '@cutover/action-kit';
import {
  checkWindow,
  renderGateSummary,
  showInstant,
  showValue,
  watchGates,
  type GateReport,
  type RuleVerdict,
} from '@cutover/gates';
import { createMetricsSource } from '@cutover/metrics';
import {
  formatDuration,
  loadPlanFile,
  parseDuration,
  type GateRule,
  type RollbackPolicy,
} from '@cutover/plan';
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
    throw new ConfigError(
      `input 'step': the plan has no step of weight ${inputs.step}; steps: ${plan.steps.map((s) => s.weight).join(', ')}`,
    );
  const names = inputs.gates.length > 0 ? inputs.gates : (step?.gates ?? Object.keys(plan.gates));
  const unknown = names.filter((name) => !(name in plan.gates));
  if (unknown.length > 0)
    throw new ConfigError(
      `input 'gates': ${unknown.map((n) => `"${n}"`).join(', ')} not defined in ${inputs.plan}; gates: ${Object.keys(plan.gates).join(', ')}`,
    );
  const rules = names
    .map((name) => plan.gates[name])
    .filter((rule): rule is GateRule => rule !== undefined);
  if (rules.length === 0)
    throw new ConfigError(
      `no gates to evaluate: step ${inputs.step ?? '?'} names none; set input 'gates'`,
    );

  const now = kit.clock.now();
  const window = resolveWindow(inputs, step?.bakeMs, now);
  const basic = inputs['prometheus-basic-auth'];
  if (basic !== undefined && !basic.includes(':'))
    throw new ConfigError(`input 'prometheus-basic-auth': expected "user:password"`);
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
    throw new ConfigError(
      `${inputs.plan}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }

  const title = `Gates ${names.join(', ')} (${inputs.mode}${step === undefined ? '' : `, step ${step.weight}%`})`;
  const policy = plan.rollback;
  // on-inconclusive: hold keeps watching past the bake for data, bounded by max-hold.
  const holdUntil =
    inputs.mode === 'watch' && policy.onInconclusive === 'hold'
      ? window.to + policy.maxHoldMs
      : undefined;
  const report = await kit.group(`${title} against ${source.name}`, async () => {
    kit.info(
      `window ${showInstant(window.from)} → ${showInstant(window.to)} (${formatDuration(window.to - window.from)})`,
    );
    if (inputs.mode === 'check')
      return checkWindow(rules, source, window.from, window.to, kit.clock);
    let previous = '';
    let holding = false;
    return watchGates(rules, source, kit.clock, {
      from: window.from,
      until: window.to,
      ...(holdUntil === undefined ? {} : { holdUntil }),
      onRound: (verdicts, at) => {
        // Log changes, not every poll: a day-long bake would otherwise print thousands of lines.
        const line = verdicts
          .map((v) => `${v.rule}=${v.breachSince === undefined ? v.status : 'breaching'}`)
          .join(' ');
        if (line !== previous) kit.info(`${showInstant(at)} ${verdicts.map(describe).join(' | ')}`);
        previous = line;
        if (!holding && at >= window.to && holdUntil !== undefined && at < holdUntil) {
          const unknown = verdicts.filter((v) => v.status === 'inconclusive');
          if (unknown.length > 0 && !verdicts.some((v) => v.status === 'fail'))
            kit.info(
              `the bake ended inconclusive; holding for data until ${showInstant(holdUntil)} (rollback.on-inconclusive: hold, max-hold ${formatDuration(policy.maxHoldMs)})`,
            );
          holding = true;
        }
      },
    });
  });

  report.verdicts.forEach((verdict) => {
    kit.info(`${verdict.rule}: ${verdict.status} (${verdict.severity}) ${verdict.reason}`);
  });
  writeOutputs(kit, report);
  const decision = decide(report, {
    mode: inputs.mode,
    shadow: inputs.shadow,
    allowInconclusive: inputs['allow-inconclusive'],
    policy,
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

interface Decision {
  /** The step's outcome in one line, first in the summary. */
  line: string;
  warning?: { title: string; text: string };
  failure?: string;
}

/**
 * What the step does with the gates' outcome. A fail fails the step; an inconclusive outcome
 * is never a green check: it fails the step (after the plan's hold, in watch mode) unless the
 * caller opted in with allow-inconclusive; shadow reports and never fails.
 */
function decide(
  report: GateReport,
  options: {
    mode: 'watch' | 'check';
    shadow: boolean;
    allowInconclusive: boolean;
    policy: RollbackPolicy;
  },
): Decision {
  const { outcome } = report;
  if (outcome.status === 'pass') return { line: `Step passes: ${outcome.reason}.` };
  if (options.shadow)
    return {
      line: `Step continues (shadow): the gates would have ${outcome.status === 'fail' ? 'failed' : 'been inconclusive'}: ${outcome.reason}.`,
      warning: {
        title: outcome.status === 'fail' ? 'Shadow gate failed' : 'Shadow gate inconclusive',
        text: `shadow gate would have ${outcome.status === 'fail' ? 'failed' : 'been inconclusive'}: ${outcome.reason}`,
      },
    };
  if (outcome.status === 'fail') {
    const failure = `gate failed: ${outcome.reason}`;
    return { line: `Step fails: ${failure}.`, failure };
  }
  const { policy } = options;
  const how =
    options.mode === 'check'
      ? 'in check mode'
      : policy.onInconclusive === 'rollback'
        ? 'after the bake (rollback.on-inconclusive: rollback)'
        : report.heldMs >= policy.maxHoldMs
          ? `after the bake and ${formatDuration(report.heldMs)} of holding for data (rollback.max-hold ${formatDuration(policy.maxHoldMs)})`
          : `after the bake${report.heldMs > 0 ? ` and ${formatDuration(report.heldMs)} of holding` : ''}; waiting for data cannot undo a gap longer than max-gap or a breach that may have lasted its for unseen`;
  const text = `gates inconclusive ${how}: ${outcome.reason}`;
  if (options.allowInconclusive)
    return {
      line: `Step continues (allow-inconclusive: true): ${text}.`,
      warning: {
        title: 'Gate inconclusive',
        text: `${text}; continuing (allow-inconclusive: true)`,
      },
    };
  const failure = `${text}. An inconclusive gate never passes a step: check that the candidate reports data for the whole window (the summary lists coverage and gaps) and rerun, or set allow-inconclusive: true to continue and act on the 'verdict' output`;
  return { line: `Step fails: ${text}.`, failure };
}

function loadPlan(path: string, readFile: (path: string) => string) {
  const loaded = loadPlanFile(path, readFile);
  if (!loaded.ok) throw new ConfigError(loaded.message);
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
      throw new ConfigError(
        inputs.duration === undefined
          ? "mode watch needs input 'duration' (like \"30m\") or input 'step' (its bake is the duration)"
          : `input 'duration': expected a duration like "30m" or "1d", got "${inputs.duration}"`,
      );
    return { from: now, to: now + duration };
  }
  const to = parseTimeInput('to', inputs.to, now);
  if (inputs.from === undefined && bakeMs === undefined)
    throw new ConfigError(
      "mode check needs input 'from' (or input 'step', whose bake ends at 'to')",
    );
  const from =
    inputs.from === undefined ? to - (bakeMs ?? 0) : parseTimeInput('from', inputs.from, now);
  checkWindowBounds(from, to, now);
  return { from, to };
}

function describe(verdict: RuleVerdict): string {
  return `${verdict.rule} ${showValue(verdict.last, verdict.unit)} (${verdict.threshold}) ${verdict.breachSince === undefined ? verdict.status : 'BREACHING'}`;
}

const iso = (t: number | undefined) => (t === undefined ? null : new Date(t).toISOString());

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
        points: v.points,
        coverage: v.coverage ?? null,
        gaps: [...v.gaps, ...(v.openGap === undefined ? [] : [v.openGap])].map((g) => ({
          from: iso(g.from),
          to: iso(g.to),
        })),
        breachSince: iso(v.breachSince),
        firedAt: iso(v.firedAt),
        cause: v.cause ?? null,
      })),
    ),
  );
  kit.setOutput('queries', String(report.queries));
}
