import { LineCounter, isScalar, parseDocument, visit, type YAMLError } from 'yaml';
import { MAX_DURATION_MS, durationSum, formatDuration } from './duration.js';
import { expandGateTemplate, missingThresholdAdvice } from './gate-templates.js';
import type {
  GateRule,
  MetricQuery,
  Plan,
  PlanStep,
  RollbackPolicy,
  WorkloadSection,
} from './plan-types.js';
import { parseThreshold } from './threshold.js';
import { planTimeline } from './timeline.js';

export type PlanResult = { ok: true; plan: Plan } | { ok: false; errors: string[] };

/** Bounds on what a plan may ask of the parser (docs/plan-reference.md, "Limits"). */
export const PLAN_LIMITS = {
  /** UTF-8 bytes, checked before parsing. The largest example plan is under 4 KiB. */
  maxBytes: 256 * 1024,
  /** Alias nodes (`*name`) in the file: resolving each one scans the document. */
  maxAliases: 100,
  /** Copies of one anchor, nested aliases multiplied (the `yaml` package's maxAliasCount). */
  maxAliasExpansion: 100,
  /** Problems listed; the rest are counted. */
  maxErrors: 100,
  maxDurationMs: MAX_DURATION_MS,
} as const;

/** Gate names: safe as object keys, file names, markdown and log text. */
export const GATE_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/i;
const GATE_NAME_RULE =
  'gate names are 1 to 63 letters, digits, ".", "_" or "-", starting with a letter or digit';

const STRATEGIES = ['blue-green', 'phased'] as const;
const NO_DATA = ['fail', 'inconclusive', 'pass'] as const;
const SEVERITIES = ['critical', 'warning'] as const;
const DEFAULT_INTERVAL = '15s';

/**
 * Parses and validates a plan file. Every problem is reported with its path and, where the
 * YAML parser knows it, its line: `steps[2].weight: expected a number from 1 to 100, got "fifty"`.
 * Never throws: whatever the text, the answer is a plan or plan errors.
 */
export function parsePlan(text: string, fileName = 'plan'): PlanResult {
  return guarded(fileName, () => parseText(text, fileName));
}

function parseText(text: string, fileName: string): PlanResult {
  const bytes = utf8Bytes(text);
  if (bytes > PLAN_LIMITS.maxBytes)
    return fail(
      `${fileName}: the file is ${bytes} bytes; a plan may be at most ${PLAN_LIMITS.maxBytes} bytes (${PLAN_LIMITS.maxBytes / 1024} KiB)`,
    );
  const lineCounter = new LineCounter();
  // The library's own duplicate-key check is quadratic (10 s for a 256 KiB mapping); the visit
  // below does it in one pass.
  const document = parseDocument(text, {
    prettyErrors: false,
    uniqueKeys: false,
    lineCounter,
    // yaml's warnings quote the plan and go to stderr, which the runner parses: never print them.
    logLevel: 'error',
  });
  const lineOf = (offset: number | undefined) => lineCounter.linePos(offset ?? 0).line;
  if (document.errors.length > 0)
    return fail(
      ...new Set(
        document.errors.map((e) => `${fileName}: YAML line ${lineOf(e.pos[0])}: ${yamlMessage(e)}`),
      ),
    );
  const problems: string[] = [];
  let aliases = 0;
  visit(document, {
    Alias() {
      aliases += 1;
    },
    Map(_key, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        // Keys become object properties, so 1 and "1" are the same key.
        const key = String(pair.key.value);
        if (seen.has(key))
          problems.push(
            `${fileName}: YAML line ${lineOf(pair.key.range?.[0])}: key ${show(key)} appears more than once in the same mapping`,
          );
        seen.add(key);
      }
    },
  });
  if (aliases > PLAN_LIMITS.maxAliases)
    return fail(
      `${fileName}: YAML has ${aliases} aliases (*name); a plan may have at most ${PLAN_LIMITS.maxAliases}`,
    );
  if (problems.length > 0) return fail(...problems);
  let raw: unknown;
  try {
    raw = document.toJS({ maxAliasCount: PLAN_LIMITS.maxAliasExpansion });
  } catch (error) {
    const message = errorText(error);
    return fail(
      /excessive alias count/i.test(message)
        ? `${fileName}: YAML aliases expand too far: an anchor (&name) may be repeated at most ${PLAN_LIMITS.maxAliasExpansion} times, counting the aliases nested inside it`
        : `${fileName}: YAML ${message}`,
    );
  }
  return validateRaw(raw, fileName);
}

/** Validates plan data already parsed (from YAML or JSON). Never throws. */
export function validatePlan(raw: unknown, fileName = 'plan'): PlanResult {
  return guarded(fileName, () => validateRaw(raw, fileName));
}

function validateRaw(raw: unknown, fileName: string): PlanResult {
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
    'stacks',
    'workload',
  ];
  for (const key of Object.keys(root))
    if (!known.includes(key)) at(keyPath('', key), `unknown key; allowed: ${known.join(', ')}`);
  if (root.version !== 1) at('version', `expected 1, got ${show(root.version)}`);
  const name =
    typeof root.name === 'string' && root.name.trim() !== ''
      ? root.name
      : (at('name', `expected a name, got ${show(root.name)}`), '');
  const strategy = oneOf(root.strategy, STRATEGIES, 'strategy', at);

  const target = section(root.target, 'target', at);
  differentSides(target, 'target', at);
  const router = section(root.router, 'router', at);
  differentSides(router, 'router', at);
  const metricsRaw = asRecord(root.metrics);
  if (metricsRaw === undefined)
    at('metrics', 'expected a mapping with a provider, like "provider: prometheus"');
  // Which providers exist, and their settings, is the metrics registry's to say (the catalog).
  const provider =
    typeof metricsRaw?.provider === 'string' && metricsRaw.provider.trim() !== ''
      ? metricsRaw.provider
      : metricsRaw === undefined
        ? undefined
        : (at(
            'metrics.provider',
            `expected a provider name like "prometheus", got ${show(metricsRaw.provider)}`,
          ),
          undefined);
  const metricSettings = Object.fromEntries(
    Object.entries(metricsRaw ?? {}).filter(([key]) => key !== 'provider'),
  );

  const gatesRaw = asRecord(root.gates);
  // Own keys only: "constructor" or "toString" is no gate, even though every object has one.
  const defined = (gate: string) => gatesRaw !== undefined && Object.hasOwn(gatesRaw, gate);
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
        at(keyPath(path, key), 'unknown key; allowed: weight, bake, gates');
    const weight = step.weight;
    // Weights are whole percentages: every router stores integers, so 12.5 could never be verified.
    const validWeight = typeof weight === 'number' && Number.isInteger(weight) && weight >= 1;
    if (!validWeight || weight > 100)
      at(`${path}.weight`, `expected a whole percentage from 1 to 100, got ${show(weight)}`);
    const bakeMs = duration(step.bake ?? '0', `${path}.bake`, at);
    const stepGates: string[] = [];
    if (step.gates !== undefined && !Array.isArray(step.gates))
      at(`${path}.gates`, `expected a list of gate names, got ${show(step.gates)}`);
    (Array.isArray(step.gates) ? (step.gates as unknown[]) : []).forEach((gate, gateIndex) => {
      // YAML reads a gate named 404 as a number in a list and as the text "404" as a key.
      const gateName =
        typeof gate === 'string' ? gate : Number.isFinite(gate) ? String(gate) : undefined;
      if (gateName === undefined)
        return at(`${path}.gates[${gateIndex}]`, `expected a gate name, got ${show(gate)}`);
      stepGates.push(gateName);
      if (gatesRaw !== undefined && !defined(gateName))
        at(
          `${path}.gates`,
          `gate ${show(gateName)} is not defined under gates; defined: ${Object.keys(gatesRaw).join(', ') || 'none'}`,
        );
    });
    steps.push({
      weight: validWeight && weight <= 100 ? weight : 0,
      bakeMs: bakeMs ?? 0,
      gates: stepGates,
    });
  });

  // No prototype: a gate name can neither set nor read an inherited key.
  const gates = Object.create(null) as Record<string, GateRule>;
  if (gatesRaw === undefined) at('gates', 'expected a mapping of gate name to rule');
  for (const [gateName, ruleRaw] of Object.entries(gatesRaw ?? {})) {
    if (!GATE_NAME_PATTERN.test(gateName)) {
      at('gates', `${GATE_NAME_RULE}, got ${show(gateName)}`);
      continue;
    }
    const rule = validateGate(gateName, ruleRaw, `gates.${gateName}`, provider, at);
    if (rule !== undefined) gates[gateName] = rule;
  }

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
  // The stack rules are the stack domain's (checked by the catalog); here only the shape.
  if (
    root.stacks !== undefined &&
    !Array.isArray(root.stacks) &&
    asRecord(root.stacks) === undefined
  )
    at(
      'stacks',
      `expected a list of stacks like "- { name: Api, template: cfn/api.yaml }", a mapping of stack name to stack, or "{ assembly: cdk.out }", got ${show(root.stacks)}`,
    );
  const workload = root.workload === undefined ? undefined : validateWorkload(root.workload, at);
  if (errors.length > 0) return fail(...errors);

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
    // Only when written: a plan without them keeps the same hash as before they existed.
    ...(root.stacks === undefined ? {} : { stacks: root.stacks }),
    ...(workload === undefined ? {} : { workload }),
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
  provider: string | undefined,
  at: (path: string, message: string) => void,
): GateRule | undefined {
  const rule = asRecord(raw);
  if (rule === undefined) {
    at(path, `expected a mapping with query (or template), threshold and for, got ${show(raw)}`);
    return undefined;
  }
  const allowed = [
    'query',
    'template',
    'params',
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
    if (!allowed.includes(key))
      at(keyPath(path, key), `unknown key; allowed: ${allowed.join(', ')}`);
  // A template writes the query (and may give the threshold and the traffic query).
  const templated = rule.template !== undefined;
  if (templated && rule.query !== undefined)
    at(
      `${path}.query`,
      `give either query or template, not both: template ${show(rule.template)} writes the query (cutover plan shows it)`,
    );
  if (!templated && rule.params !== undefined)
    at(
      `${path}.params`,
      'params are the parameters of a template: add template (e.g. "template: error-rate") or remove params',
    );
  const expanded = templated
    ? expandGateTemplate({ template: rule.template, params: rule.params }, provider, {
        path,
        at,
        show,
      })
    : undefined;
  const query = templated ? expanded?.query : metricQuery(rule.query, `${path}.query`, at);
  const thresholdText =
    rule.threshold === undefined && templated ? expanded?.threshold : rule.threshold;
  const written = typeof thresholdText === 'string' ? parseThreshold(thresholdText) : undefined;
  if (written === undefined && templated && rule.threshold === undefined) {
    const advice =
      typeof rule.template === 'string' ? missingThresholdAdvice(rule.template) : undefined;
    if (advice !== undefined)
      at(
        `${path}.threshold`,
        `template ${show(rule.template)} has no default threshold: ${advice}`,
      );
  } else if (written === undefined)
    at(
      `${path}.threshold`,
      `expected a comparison like "> 5%", "> 200ms" or ">= 0.05", got ${show(rule.threshold)}`,
    );
  // 320 digits read as Infinity: a rule that could never breach.
  else if (!Number.isFinite(written.value))
    at(
      `${path}.threshold`,
      `expected a finite number in the comparison, got ${show(rule.threshold)}`,
    );
  const threshold = written !== undefined && Number.isFinite(written.value) ? written : undefined;
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
  // Points are an interval apart: a shorter gap limit would fail on every single missing point.
  if (
    rule['max-gap'] !== undefined &&
    maxGapMs !== undefined &&
    intervalMs !== undefined &&
    intervalMs >= 1000 &&
    maxGapMs < intervalMs
  )
    at(
      `${path}.max-gap`,
      `${formatDuration(maxGapMs)} is shorter than the interval ${formatDuration(intervalMs)}; a gap is counted in whole intervals, so use at least ${formatDuration(intervalMs)}`,
    );
  if (rule.description !== undefined && typeof rule.description !== 'string')
    at(`${path}.description`, `expected text, got ${show(rule.description)}`);

  let minTraffic: GateRule['minTraffic'];
  if (rule['min-traffic'] !== undefined) {
    const raw = asRecord(rule['min-traffic']);
    // A template's traffic query (requests per second) is the default.
    const q =
      templated && raw !== undefined && raw.query === undefined
        ? expanded?.traffic
        : metricQuery(raw?.query, `${path}.min-traffic.query`, at);
    const value = raw?.threshold;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      at(
        `${path}.min-traffic.threshold`,
        `expected a number >= 0 (e.g. requests per second), got ${show(value)}`,
      );
    if (q !== undefined && typeof value === 'number' && Number.isFinite(value) && value >= 0)
      minTraffic = { query: q, threshold: value };
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
    maxGapMs === undefined ||
    maxGapMs < intervalMs
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
    ...(expanded === undefined ? {} : { template: expanded.use }),
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
        keyPath('rollback', key),
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

const WORKLOAD_KEYS = ['manifests', 'namespace', 'image', 'container', 'colour', 'timeout'];
const COLOURS = ['blue', 'green'] as const;
function validateWorkload(
  raw: unknown,
  at: (path: string, message: string) => void,
): WorkloadSection | undefined {
  const workload = asRecord(raw);
  if (workload === undefined) {
    at(
      'workload',
      `expected a mapping with manifests, image, namespace and colour, got ${show(raw)}`,
    );
    return undefined;
  }
  for (const key of Object.keys(workload))
    if (!WORKLOAD_KEYS.includes(key))
      at(keyPath('workload', key), `unknown key; allowed: ${WORKLOAD_KEYS.join(', ')}`);
  const listed: unknown =
    typeof workload.manifests === 'string' ? [workload.manifests] : workload.manifests;
  const manifests: string[] = [];
  if (!Array.isArray(listed) || listed.length === 0)
    at(
      'workload.manifests',
      `expected a list of manifest files like "- k8s/api.yaml", got ${show(workload.manifests)}`,
    );
  else
    (listed as unknown[]).forEach((file, index) => {
      if (typeof file === 'string' && file.trim() !== '') manifests.push(file);
      else at(`workload.manifests[${index}]`, `expected a file path, got ${show(file)}`);
    });
  const text = (key: string): string | undefined => {
    const value = workload[key];
    if (value === undefined) return undefined;
    if (typeof value === 'string' && value.trim() !== '') return value;
    at(`workload.${key}`, `expected text, got ${show(value)}`);
    return undefined;
  };
  const namespace = text('namespace');
  const image = text('image');
  const colour =
    workload.colour === undefined
      ? undefined
      : oneOf(workload.colour, COLOURS, 'workload.colour', at);
  const timeoutMs = duration(workload.timeout ?? '10m', 'workload.timeout', at);
  return {
    manifests,
    namespace,
    image,
    colour,
    container: text('container'),
    timeoutMs: timeoutMs ?? 0,
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

/** Every duration is bounded: a bake of 320 nines is no plan, and Infinity breaks every clock. */
function duration(
  raw: unknown,
  path: string,
  at: (path: string, message: string) => void,
): number | undefined {
  if (raw === 0) return 0;
  const ms = typeof raw === 'string' ? durationSum(raw) : undefined;
  if (ms === undefined) {
    at(path, `expected a duration like "90s", "5m", "1h30m" or "2d", got ${show(raw)}`);
    return undefined;
  }
  if (!(ms <= MAX_DURATION_MS)) {
    at(path, `expected at most ${formatDuration(MAX_DURATION_MS)}, got ${show(raw)}`);
    return undefined;
  }
  return ms;
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
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined; // a BigInt, a cycle, a throwing toJSON
  }
  if (typeof text !== 'string') text = `a ${typeof value}`;
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

/**
 * The same check for router settings that come without a plan (shift-traffic's `router` input):
 * one message per pair of settings that name the same thing on both sides.
 */
export function sameSideProblems(settings: Record<string, unknown>, path = 'router'): string[] {
  const problems: string[] = [];
  differentSides(settings, path, (at, message) => problems.push(`${at}: ${message}`));
  return problems;
}

/**
 * Settings that name both sides (stable/candidate backends, selectors, readiness Services) must
 * name different things: the same name on both sides moves no traffic and verifies nothing.
 */
function differentSides(
  settings: Record<string, unknown>,
  path: string,
  at: (path: string, message: string) => void,
): void {
  const readiness = asRecord(settings.readiness);
  const pairs: [string, unknown, unknown][] = [
    ['', settings.stable, settings.candidate],
    ['-selector', settings['stable-selector'], settings['candidate-selector']],
  ];
  for (const [suffix, stable, candidate] of pairs)
    if (sameValue(stable, candidate))
      at(
        `${path}.candidate${suffix}`,
        `must differ from ${path}.stable${suffix}, both are ${show(stable)}`,
      );
  if (readiness !== undefined && sameValue(readiness.stable, readiness.candidate))
    at(
      `${path}.readiness.candidate`,
      `must differ from ${path}.readiness.stable, both are ${show(readiness.stable)}`,
    );
}

/** Equal names (ignoring surrounding spaces) or equal label maps; undefined is never equal. */
function sameValue(a: unknown, b: unknown, depth = 0): boolean {
  if (a === undefined || b === undefined || depth > 8) return false;
  if (typeof a === 'string' && typeof b === 'string') return a.trim() === b.trim();
  const left = asRecord(a);
  const right = asRecord(b);
  if (left === undefined || right === undefined) return a === b;
  const keys = Object.keys(left);
  return (
    keys.length === Object.keys(right).length &&
    keys.every((key) => Object.hasOwn(right, key) && sameValue(left[key], right[key], depth + 1))
  );
}

/** A key as a path segment; odd keys (spaces, newlines, markdown) are quoted, never raw. */
function keyPath(parent: string, key: string): string {
  const segment = /^[\w.-]{1,64}$/.test(key) ? key : `[${show(key)}]`;
  return parent === '' || segment.startsWith('[') ? `${parent}${segment}` : `${parent}.${segment}`;
}

function fail(...errors: string[]): { ok: false; errors: string[] } {
  return { ok: false, errors };
}

/** Bounded output, and no exception ever escapes: a plan that breaks the parser is a bad plan. */
function guarded(fileName: string, run: () => PlanResult): PlanResult {
  let result: PlanResult;
  try {
    result = run();
  } catch (error) {
    return fail(`${fileName}: cannot read the plan: ${errorText(error)}`);
  }
  if (result.ok || result.errors.length <= PLAN_LIMITS.maxErrors) return result;
  return fail(
    ...result.errors.slice(0, PLAN_LIMITS.maxErrors),
    `${fileName}: … and ${result.errors.length - PLAN_LIMITS.maxErrors} more problems`,
  );
}

function errorText(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? '') : show(error);
}

/** The library's first line, with a stack overflow said as what it means for a plan. */
function yamlMessage(error: YAMLError): string {
  const message = error.message.split('\n')[0] ?? '';
  return /call stack|stack overflow/i.test(message) ? 'nested too deeply for a plan' : message;
}

/** Size as stored on disk, without Buffer (this package stays free of Node APIs). */
function utf8Bytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code < 0xdc00 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i += 1;
    } else bytes += 3;
  }
  return bytes;
}
