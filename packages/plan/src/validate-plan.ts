import { parseDocument } from 'yaml';
import { formatDuration, parseDuration } from './duration.js';
import type { GateRule, MetricQuery, Plan, PlanStep, RollbackPolicy } from './plan-types.js';
import { parseThreshold } from './threshold.js';
import { planTimeline } from './timeline.js';

export type PlanResult = { ok: true; plan: Plan } | { ok: false; errors: string[] };

const STRATEGIES = ['blue-green', 'phased'] as const;
const PROVIDERS = ['prometheus', 'cloudwatch', 'file'] as const;
const NO_DATA = ['fail', 'inconclusive', 'pass'] as const;
const SEVERITIES = ['critical', 'warning'] as const;
const DEFAULT_INTERVAL = '15s';

/**
 * Parses and validates a plan file. Every problem is reported with its path and, where the
 * YAML parser knows it, its line: `steps[2].weight: expected a number from 1 to 100, got "fifty"`.
 */
export function parsePlan(text: string, fileName = 'plan'): PlanResult {
  const document = parseDocument(text, { prettyErrors: false });
  if (document.errors.length > 0)
    return {
      ok: false,
      errors: document.errors.map((e) => `${fileName}: YAML ${e.message.split('\n')[0] ?? ''}`),
    };
  return validatePlan(document.toJS() as unknown, fileName);
}

export function validatePlan(raw: unknown, fileName = 'plan'): PlanResult {
  const errors: string[] = [];
  const at = (path: string, message: string) => errors.push(`${fileName}: ${path}: ${message}`);
  const root = asRecord(raw);
  if (root === undefined)
    return { ok: false, errors: [`${fileName}: expected a YAML mapping with steps and gates`] };

  const known = [
    'version',
    'name',
    'strategy',
    'target',
    'router',
    'metrics',
    'steps',
    'gates',
    'rollback',
  ];
  for (const key of Object.keys(root))
    if (!known.includes(key)) at(key, `unknown key; allowed: ${known.join(', ')}`);
  if (root.version !== 1) at('version', `expected 1, got ${show(root.version)}`);
  const name =
    typeof root.name === 'string' && root.name.trim() !== ''
      ? root.name
      : (at('name', `expected a name, got ${show(root.name)}`), '');
  const strategy = oneOf(root.strategy, STRATEGIES, 'strategy', at);

  const target = section(root.target, 'target', at);
  const router = section(root.router, 'router', at);
  const metricsRaw = asRecord(root.metrics);
  if (metricsRaw === undefined)
    at('metrics', `expected a mapping with a provider (${PROVIDERS.join(', ')})`);
  const provider = oneOf(metricsRaw?.provider, PROVIDERS, 'metrics.provider', at);
  const metricSettings = Object.fromEntries(
    Object.entries(metricsRaw ?? {}).filter(([key]) => key !== 'provider'),
  );

  const gates: Record<string, GateRule> = {};
  const gatesRaw = asRecord(root.gates);
  if (gatesRaw === undefined) at('gates', 'expected a mapping of gate name to rule');
  for (const [gateName, ruleRaw] of Object.entries(gatesRaw ?? {})) {
    const rule = validateGate(gateName, ruleRaw, `gates.${gateName}`, at);
    if (rule !== undefined) gates[gateName] = rule;
  }

  const steps: PlanStep[] = [];
  if (!Array.isArray(root.steps) || root.steps.length === 0)
    at('steps', 'expected a list of steps like "- weight: 10" with bake and gates');
  (Array.isArray(root.steps) ? (root.steps as unknown[]) : []).forEach((stepRaw, index) => {
    const path = `steps[${index}]`;
    const step = asRecord(stepRaw);
    if (step === undefined)
      return at(path, `expected a mapping with weight, bake and gates, got ${show(stepRaw)}`);
    for (const key of Object.keys(step))
      if (!['weight', 'bake', 'gates'].includes(key))
        at(`${path}.${key}`, 'unknown key; allowed: weight, bake, gates');
    const weight = step.weight;
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0 || weight > 100)
      at(`${path}.weight`, `expected a percentage from 1 to 100, got ${show(weight)}`);
    const bakeMs = duration(step.bake ?? '0', `${path}.bake`, at);
    const stepGates =
      step.gates === undefined
        ? []
        : Array.isArray(step.gates)
          ? step.gates.map(String)
          : (at(`${path}.gates`, `expected a list of gate names, got ${show(step.gates)}`), []);
    for (const gate of stepGates)
      if (gatesRaw !== undefined && !(gate in gatesRaw))
        at(
          `${path}.gates`,
          `gate "${gate}" is not defined under gates; defined: ${Object.keys(gatesRaw).join(', ') || 'none'}`,
        );
    steps.push({
      weight: typeof weight === 'number' ? weight : 0,
      bakeMs: bakeMs ?? 0,
      gates: stepGates,
    });
  });

  const weights = steps.map((s) => s.weight);
  // Order is only worth judging once every weight is a number.
  if (steps.length > 0 && weights.every((w) => w > 0)) {
    for (let i = 1; i < weights.length; i++)
      if ((weights[i] ?? 0) <= (weights[i - 1] ?? 0))
        at(`steps[${i}].weight`, `weights must ascend, got ${weights.join(' -> ')}`);
    if (weights.at(-1) !== 100)
      at(
        `steps[${steps.length - 1}].weight`,
        `the last step must send 100% to the candidate, got ${weights.at(-1) ?? '?'}`,
      );
    if (strategy === 'blue-green' && steps.length !== 1)
      at(
        'steps',
        `a blue-green plan switches once: one step of weight 100, got ${weights.join(' -> ')} (use strategy: phased)`,
      );
    if (strategy === 'phased' && steps.length < 2)
      at(
        'steps',
        'a phased plan needs at least two steps, like 10 -> 100 (use strategy: blue-green for one switch)',
      );
  }

  const rollback = validateRollback(root.rollback, at);
  if (errors.length > 0) return { ok: false, errors };

  const plan: Plan = {
    version: 1,
    name,
    strategy: strategy ?? 'phased',
    target: {
      kind: String(target.kind),
      name: typeof target.name === 'string' ? target.name : '',
      settings: target,
    },
    router: { kind: String(router.kind), settings: router },
    metrics: { provider: provider ?? 'prometheus', settings: metricSettings },
    steps,
    gates,
    rollback,
  };
  const timeline = planTimeline(plan);
  if (
    rollback.maxTimeToStableMs !== undefined &&
    timeline.worstCaseBreachToStableMs > rollback.maxTimeToStableMs
  )
    return {
      ok: false,
      errors: [
        `${fileName}: rollback.max-time-to-stable: the worst case from a breach to traffic on stable is ${formatDuration(timeline.worstCaseBreachToStableMs)} (gate "${timeline.slowestGate ?? '?'}"), over the target ${formatDuration(rollback.maxTimeToStableMs)}; shorten its for/interval or the traffic-timeout`,
      ],
    };
  return { ok: true, plan };
}

function validateGate(
  name: string,
  raw: unknown,
  path: string,
  at: (path: string, message: string) => void,
): GateRule | undefined {
  const rule = asRecord(raw);
  if (rule === undefined) {
    at(path, `expected a mapping with query, threshold and for, got ${show(raw)}`);
    return undefined;
  }
  const allowed = [
    'query',
    'threshold',
    'for',
    'interval',
    'initial-delay',
    'min-samples',
    'min-traffic',
    'on-no-data',
    'min-coverage',
    'max-gap',
    'error-budget',
    'relative',
    'severity',
    'description',
  ];
  for (const key of Object.keys(rule))
    if (!allowed.includes(key)) at(`${path}.${key}`, `unknown key; allowed: ${allowed.join(', ')}`);
  const query = metricQuery(rule.query, `${path}.query`, at);
  const threshold = typeof rule.threshold === 'string' ? parseThreshold(rule.threshold) : undefined;
  if (threshold === undefined)
    at(
      `${path}.threshold`,
      `expected a comparison like "> 5%", "> 200ms" or ">= 0.05", got ${show(rule.threshold)}`,
    );
  const forMs = duration(rule.for ?? '0', `${path}.for`, at);
  const intervalMs = duration(rule.interval ?? DEFAULT_INTERVAL, `${path}.interval`, at);
  if (intervalMs !== undefined && intervalMs < 1000)
    at(`${path}.interval`, `expected at least 1s, got ${show(rule.interval)}`);
  // Points are sampled every interval; a `for` between multiples would be noticed up to two intervals late.
  if (
    forMs !== undefined &&
    intervalMs !== undefined &&
    intervalMs >= 1000 &&
    forMs % intervalMs !== 0
  )
    at(
      `${path}.for`,
      `${formatDuration(forMs)} is not a multiple of the interval ${formatDuration(intervalMs)}; use e.g. ${formatDuration(Math.ceil(forMs / intervalMs) * intervalMs)}`,
    );
  const initialDelayMs = duration(rule['initial-delay'] ?? '0', `${path}.initial-delay`, at);
  const minSamples = integer(rule['min-samples'] ?? 1, `${path}.min-samples`, 1, 100_000, at);
  const errorBudget = integer(rule['error-budget'] ?? 3, `${path}.error-budget`, 0, 1000, at);
  const onNoData = oneOf(rule['on-no-data'] ?? 'inconclusive', NO_DATA, `${path}.on-no-data`, at);
  const severity = oneOf(rule.severity ?? 'critical', SEVERITIES, `${path}.severity`, at);
  const minCoverage = percentage(rule['min-coverage'] ?? '90%', `${path}.min-coverage`, at);
  const maxGapMs =
    rule['max-gap'] === undefined
      ? Math.max(forMs ?? 0, intervalMs ?? 0)
      : duration(rule['max-gap'], `${path}.max-gap`, at);

  let minTraffic: GateRule['minTraffic'];
  if (rule['min-traffic'] !== undefined) {
    const raw = asRecord(rule['min-traffic']);
    const q = metricQuery(raw?.query, `${path}.min-traffic.query`, at);
    const value = raw?.threshold;
    if (typeof value !== 'number' || value < 0)
      at(
        `${path}.min-traffic.threshold`,
        `expected a number >= 0 (e.g. requests per second), got ${show(value)}`,
      );
    if (q !== undefined && typeof value === 'number') minTraffic = { query: q, threshold: value };
  }
  let relative: GateRule['relative'];
  if (rule.relative !== undefined) {
    const raw = asRecord(rule.relative);
    const baseline = metricQuery(raw?.baseline, `${path}.relative.baseline`, at);
    const mode = oneOf(
      raw?.mode ?? 'ratio',
      ['ratio', 'difference'] as const,
      `${path}.relative.mode`,
      at,
    );
    if (baseline !== undefined && mode !== undefined) relative = { baseline, mode };
  }
  if (
    query === undefined ||
    threshold === undefined ||
    forMs === undefined ||
    intervalMs === undefined ||
    initialDelayMs === undefined ||
    minSamples === undefined ||
    errorBudget === undefined ||
    onNoData === undefined ||
    severity === undefined ||
    minCoverage === undefined ||
    maxGapMs === undefined
  )
    return undefined;
  return {
    name,
    query,
    threshold,
    forMs,
    intervalMs,
    initialDelayMs,
    minSamples,
    minTraffic,
    onNoData,
    minCoverage,
    maxGapMs,
    errorBudget,
    relative,
    severity,
    description: typeof rule.description === 'string' ? rule.description : undefined,
  };
}

function validateRollback(
  raw: unknown,
  at: (path: string, message: string) => void,
): RollbackPolicy {
  const policy = raw === undefined ? {} : asRecord(raw);
  if (policy === undefined) at('rollback', `expected a mapping, got ${show(raw)}`);
  for (const key of Object.keys(policy ?? {}))
    if (!['on-inconclusive', 'max-hold', 'traffic-timeout', 'max-time-to-stable'].includes(key))
      at(
        `rollback.${key}`,
        'unknown key; allowed: on-inconclusive, max-hold, traffic-timeout, max-time-to-stable',
      );
  const maxTime = policy?.['max-time-to-stable'];
  return {
    onInconclusive:
      oneOf(
        policy?.['on-inconclusive'] ?? 'hold',
        ['hold', 'rollback'] as const,
        'rollback.on-inconclusive',
        at,
      ) ?? 'hold',
    maxHoldMs: duration(policy?.['max-hold'] ?? '1h', 'rollback.max-hold', at) ?? 0,
    trafficTimeoutMs:
      duration(policy?.['traffic-timeout'] ?? '2m', 'rollback.traffic-timeout', at) ?? 0,
    maxTimeToStableMs:
      maxTime === undefined ? undefined : duration(maxTime, 'rollback.max-time-to-stable', at),
  };
}

function section(
  raw: unknown,
  path: string,
  at: (path: string, message: string) => void,
): Record<string, unknown> {
  const value = asRecord(raw);
  if (value === undefined || typeof value.kind !== 'string') {
    at(path, `expected a mapping with a kind, got ${show(raw)}`);
    return { kind: '' };
  }
  return value;
}

function metricQuery(
  raw: unknown,
  path: string,
  at: (path: string, message: string) => void,
): MetricQuery | undefined {
  if (typeof raw === 'string' && raw.trim() !== '') return raw;
  const record = asRecord(raw);
  if (record !== undefined) return record;
  at(path, `expected a PromQL expression or a CloudWatch query mapping, got ${show(raw)}`);
  return undefined;
}

function duration(
  raw: unknown,
  path: string,
  at: (path: string, message: string) => void,
): number | undefined {
  const value =
    typeof raw === 'number' && raw === 0
      ? 0
      : typeof raw === 'string'
        ? parseDuration(raw)
        : undefined;
  if (value === undefined)
    at(path, `expected a duration like "90s", "5m", "1h30m" or "2d", got ${show(raw)}`);
  return value;
}

/** "90%" (or 0.9) to 0.9. */
function percentage(
  raw: unknown,
  path: string,
  at: (path: string, message: string) => void,
): number | undefined {
  const match = typeof raw === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(raw) : null;
  const value =
    match !== null ? Number(match[1]) / 100 : typeof raw === 'number' ? raw : Number.NaN;
  if (Number.isFinite(value) && value >= 0 && value <= 1) return value;
  at(path, `expected a percentage from 0% to 100% like "90%", got ${show(raw)}`);
  return undefined;
}

function integer(
  raw: unknown,
  path: string,
  min: number,
  max: number,
  at: (path: string, message: string) => void,
): number | undefined {
  if (typeof raw === 'number' && Number.isInteger(raw) && raw >= min && raw <= max) return raw;
  at(path, `expected a whole number from ${min} to ${max}, got ${show(raw)}`);
  return undefined;
}

function oneOf<const C extends readonly string[]>(
  raw: unknown,
  choices: C,
  path: string,
  at: (path: string, message: string) => void,
): C[number] | undefined {
  if (typeof raw === 'string' && choices.includes(raw)) return raw;
  at(path, `expected one of ${choices.join(', ')}, got ${show(raw)}`);
  return undefined;
}

function asRecord(raw: unknown): Record<string, unknown> | undefined {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw)
    ? (raw as Record<string, unknown>)
    : undefined;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
