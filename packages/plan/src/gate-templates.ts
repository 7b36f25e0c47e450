import type { MetricQuery } from './plan-types.js';

/**
 * Ready-made gates for the common metrics: `template: error-rate` plus a few named `params`
 * expand into an ordinary query for the plan's metrics provider (PromQL for `prometheus`, a
 * GetMetricData mapping for `cloudwatch`), a traffic query for `min-traffic`, and a default
 * threshold. Parameter values never reach a query as raw text: names are restricted to their
 * grammar and PromQL label values are escaped, so a value cannot change the query's shape.
 */

export const TEMPLATE_LANGUAGES = ['prometheus', 'cloudwatch'] as const;
export type TemplateLanguage = (typeof TEMPLATE_LANGUAGES)[number];

export type TemplateParamValue = string | number | Record<string, string>;

/** What a gate written with `template:` used, kept on the rule so `cutover plan` can show it. */
export interface GateTemplateUse {
  name: string;
  language: TemplateLanguage;
  /** Every parameter as used, defaults filled in. */
  params: Record<string, TemplateParamValue>;
}

export interface ExpandedTemplate {
  use: GateTemplateUse;
  query: MetricQuery;
  /** Requests (or attempts) per second of the same selection: the `min-traffic` query. */
  traffic: MetricQuery;
  /** The threshold when the gate writes none; undefined when the gate must write one. */
  threshold: string | undefined;
}

type Report = (path: string, message: string) => void;

interface Context {
  path: string;
  at: Report;
  /** How a received value is quoted in messages (the plan's own). */
  show: (value: unknown) => string;
}

interface Param {
  /** What is allowed, for messages and the reference. */
  allowed: string;
  /** Undefined: the parameter is required (unless `optional`). */
  fallback?: TemplateParamValue;
  optional?: true;
  read(raw: unknown, path: string, context: Context): TemplateParamValue | undefined;
}

interface Form {
  params: Record<string, Param>;
  /** Checks across parameters, after each one was read. */
  check?(params: Record<string, TemplateParamValue>, context: Context): void;
  build(params: Record<string, TemplateParamValue>): { query: MetricQuery; traffic: MetricQuery };
}

export interface GateTemplate {
  name: string;
  summary: string;
  threshold: string | undefined;
  /** Why there is no default threshold, and what to write. */
  noThreshold?: string;
  forms: Record<TemplateLanguage, Form>;
}

// ---------------------------------------------------------------------------------------------
// Parameter readers

const CONTROL = /[\p{Cc}\p{Cs}]/u;
const PROM_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]{0,127}$/;
const PROM_METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]{0,199}$/;
const PROM_RANGE = /^[1-9][0-9]{0,5}(s|m|h|d)$/;
const CW_NAMESPACE = /^[A-Za-z0-9._/#\- ][A-Za-z0-9._/#:\- ]{0,254}$/;
const CW_PERIODS = [1, 5, 10, 30];
const MAX_LABEL_VALUE = 1024;
const MAX_DIMENSIONS = 30;

function text(
  raw: unknown,
  path: string,
  context: Context,
  rule: { allowed: string; max: number; pattern?: RegExp },
): string | undefined {
  const quoted = typeof raw === 'number' || typeof raw === 'boolean';
  if (
    typeof raw === 'string' &&
    raw.length > 0 &&
    raw.length <= rule.max &&
    !CONTROL.test(raw) &&
    (rule.pattern === undefined || rule.pattern.test(raw))
  )
    return raw;
  context.at(
    path,
    `expected ${rule.allowed}, got ${context.show(raw)}${quoted ? ` (quote it: '${String(raw)}')` : ''}`,
  );
  return undefined;
}

const promLabelValue = (raw: unknown, path: string, context: Context) =>
  text(raw, path, context, {
    allowed: `a label value: text of 1 to ${MAX_LABEL_VALUE} characters without line breaks or control characters`,
    max: MAX_LABEL_VALUE,
  });

/** Label names as Prometheus writes them unquoted; `__`-names are Prometheus' own. */
function promLabelName(raw: unknown, path: string, context: Context): string | undefined {
  const name = text(raw, path, context, {
    allowed:
      'a label name: a letter or "_", then letters, digits or "_" (at most 128), like "code"',
    max: 128,
    pattern: PROM_LABEL_NAME,
  });
  if (name?.startsWith('__')) {
    context.at(
      path,
      `label names starting with "__" are reserved by Prometheus, got ${context.show(name)}`,
    );
    return undefined;
  }
  return name;
}

const promSelector: Param = {
  allowed:
    'a mapping of label name to value that picks the candidate\'s series, like { app: api, track: green }; each value is matched exactly (label="value")',
  read(raw, path, context) {
    const labels = asRecord(raw);
    if (labels === undefined || Object.keys(labels).length === 0) {
      context.at(path, `expected ${this.allowed}, got ${context.show(raw)}`);
      return undefined;
    }
    // Entries, not assignment: a key like "__proto__" stays an own key, never a prototype.
    const selector: [string, string][] = [];
    let ok = true;
    for (const [name, value] of Object.entries(labels)) {
      const at = keyPath(path, name);
      const label = promLabelName(name, at, context);
      const written = promLabelValue(value, at, context);
      if (label === undefined || written === undefined) ok = false;
      else selector.push([label, written]);
    }
    return ok ? Object.fromEntries(selector) : undefined;
  },
};

function promMetric(fallback: string, what: string, refuse?: RegExp): Param {
  return {
    allowed: `${what}: a Prometheus metric name (a letter, "_" or ":", then letters, digits, "_" or ":")`,
    fallback,
    read(raw, path, context) {
      const name = text(raw, path, context, {
        allowed: this.allowed,
        max: 200,
        pattern: PROM_METRIC_NAME,
      });
      if (name !== undefined && refuse?.test(name)) {
        context.at(
          path,
          `give the histogram's name without "_bucket", "_count" or "_sum" (the template adds them), got ${context.show(name)}`,
        );
        return undefined;
      }
      return name;
    },
  };
}

function promLabelParam(fallback: string, what: string): Param {
  return {
    allowed: `${what}: a label name (a letter or "_", then letters, digits or "_")`,
    fallback,
    read: (raw, path, context) => promLabelName(raw, path, context),
  };
}

const promWindow: Param = {
  allowed:
    'the rate() range: a whole number and one unit s, m, h or d, like "1m" or "5m"; at least two scrape intervals',
  fallback: '1m',
  read(raw, path, context) {
    return text(raw, path, context, { allowed: this.allowed, max: 8, pattern: PROM_RANGE });
  },
};

function cwName(what: string, example: string, fallback?: string): Param {
  return {
    allowed: `${what}: text of 1 to 255 characters without control characters, like "${example}"`,
    ...(fallback === undefined ? {} : { fallback }),
    read(raw, path, context) {
      return text(raw, path, context, { allowed: this.allowed, max: 255 });
    },
  };
}

function cwNamespace(fallback?: string): Param {
  return {
    allowed:
      'a CloudWatch namespace like "AWS/ApplicationELB" or "NextEvent/Api": letters, digits, spaces and . _ / # : - (not starting with ":"), at most 255',
    ...(fallback === undefined ? {} : { fallback }),
    read(raw, path, context) {
      return text(raw, path, context, { allowed: this.allowed, max: 255, pattern: CW_NAMESPACE });
    },
  };
}

const cwDimensions: Param = {
  allowed: `a mapping of dimension name to value (text), at most ${MAX_DIMENSIONS}, like { TargetGroup: targetgroup/api-green/0123456789abcdef }`,
  optional: true,
  read(raw, path, context) {
    const written = asRecord(raw);
    if (written === undefined || Object.keys(written).length > MAX_DIMENSIONS) {
      context.at(path, `expected ${this.allowed}, got ${context.show(raw)}`);
      return undefined;
    }
    const dimensions: [string, string][] = [];
    let ok = true;
    for (const [name, value] of Object.entries(written)) {
      const at = keyPath(path, name);
      const okName = text(name, at, context, {
        allowed:
          'a dimension name of 1 to 255 characters without control characters, not starting with ":"',
        max: 255,
        pattern: /^[^:]/,
      });
      const okValue = text(value, at, context, {
        allowed: 'a dimension value: text of 1 to 1024 characters without control characters',
        max: 1024,
      });
      if (okName === undefined || okValue === undefined) ok = false;
      else dimensions.push([okName, okValue]);
    }
    return ok ? Object.fromEntries(dimensions) : undefined;
  },
};

function cwArnPart(what: string, pattern: RegExp, example: string): Param {
  return {
    allowed: `the ${what} dimension value "${example}" (the end of the ARN)`,
    optional: true,
    read(raw, path, context) {
      const value = text(raw, path, context, { allowed: this.allowed, max: 1024, pattern });
      return value;
    },
  };
}

const cwLoadBalancer = cwArnPart(
  'LoadBalancer',
  /^app\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{1,32}$/,
  'app/<name>/<id>',
);
const cwTargetGroup = cwArnPart(
  'TargetGroup',
  /^targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{1,32}$/,
  'targetgroup/<name>/<id>',
);

const cwPeriod: Param = {
  allowed: 'seconds: 1, 5, 10, 30 or a multiple of 60',
  fallback: 60,
  read(raw, path, context) {
    if (
      typeof raw === 'number' &&
      Number.isInteger(raw) &&
      raw <= 86_400 &&
      (CW_PERIODS.includes(raw) || (raw >= 60 && raw % 60 === 0))
    )
      return raw;
    context.at(path, `expected ${this.allowed}, got ${context.show(raw)}`);
    return undefined;
  },
};

const cwLatencyUnit: Param = {
  allowed: 'the unit the latency metric is published in: seconds or milliseconds',
  fallback: 'seconds',
  read(raw, path, context) {
    if (raw === 'seconds' || raw === 'milliseconds') return raw;
    context.at(path, `expected seconds or milliseconds, got ${context.show(raw)}`);
    return undefined;
  },
};

// ---------------------------------------------------------------------------------------------
// Query builders

/** A PromQL double-quoted string: backslash and quote escaped; the reader refused control characters. */
export function promString(value: string): string {
  return `"${value.replace(/[\\"]/g, (char) => `\\${char}`)}"`;
}

function promMatchers(selector: Record<string, string>, ...extra: string[]): string {
  const written = Object.entries(selector).map(([name, value]) => `${name}=${promString(value)}`);
  return `{${[...written, ...extra].join(',')}}`;
}

const str = (value: TemplateParamValue | undefined): string =>
  typeof value === 'string' ? value : '';
const labels = (value: TemplateParamValue | undefined): Record<string, string> =>
  typeof value === 'object' ? value : {};

/** A counter share: `or vector(0)` so no matching series (never an error yet) reads 0, not no data. */
function promShare(
  p: Record<string, TemplateParamValue>,
  metric: string,
  part: string,
): { query: string; traffic: string } {
  const selector = labels(p.selector);
  const window = str(p.window);
  const all = `sum(rate(${metric}${promMatchers(selector)}[${window}]))`;
  return {
    query: `(sum(rate(${metric}${promMatchers(selector, part)}[${window}])) or vector(0)) / ${all}`,
    traffic: all,
  };
}

/** A label used by the template must not also be pinned by the selector (it would match nothing). */
function notInSelector(key: string, label: string | undefined) {
  return (params: Record<string, TemplateParamValue>, context: Context) => {
    const name = label ?? str(params[key]);
    if (Object.hasOwn(labels(params.selector), name))
      context.at(
        keyPath(`${context.path}.params.selector`, name),
        `the template matches label ${context.show(name)} itself${label === undefined ? ` (${key})` : ''}; remove it from the selector`,
      );
  };
}

function promRequests(errors: 'share' | 'success'): Form {
  return {
    params: {
      selector: promSelector,
      metric: promMetric('http_requests_total', 'the request counter'),
      'status-label': promLabelParam('code', 'the label holding the HTTP status code'),
      window: promWindow,
    },
    check: notInSelector('status-label', undefined),
    build(p) {
      const status = str(p['status-label']);
      return promShare(
        p,
        str(p.metric),
        errors === 'share' ? `${status}=~"5.."` : `${status}!~"5.."`,
      );
    },
  };
}

function promLatency(quantile: string): Form {
  return {
    params: {
      selector: promSelector,
      histogram: promMetric(
        'http_request_duration_seconds',
        'the latency histogram in seconds, without _bucket',
        /_(bucket|count|sum)$/,
      ),
      window: promWindow,
    },
    check: notInSelector('histogram', 'le'),
    build(p) {
      const selector = promMatchers(labels(p.selector));
      const window = str(p.window);
      const histogram = str(p.histogram);
      return {
        query: `histogram_quantile(${quantile}, sum by (le) (rate(${histogram}_bucket${selector}[${window}])))`,
        traffic: `sum(rate(${histogram}_count${selector}[${window}]))`,
      };
    },
  };
}

const promDbFailures: Form = {
  params: {
    selector: promSelector,
    metric: promMetric('db_connection_attempts_total', 'the connection-attempt counter'),
    'outcome-label': promLabelParam('result', 'the label telling failures apart'),
    'failure-value': {
      allowed: "the outcome label's value for a failed attempt (a label value)",
      fallback: 'failure',
      read: promLabelValue,
    },
    window: promWindow,
  },
  check: notInSelector('outcome-label', undefined),
  build(p) {
    return promShare(
      p,
      str(p.metric),
      `${str(p['outcome-label'])}=${promString(str(p['failure-value']))}`,
    );
  },
};

interface CwMetric {
  namespace: string;
  name: string;
  stat: string;
  dimensions: Record<string, string>;
}

const ALB = 'AWS/ApplicationELB';

function cwDimensionsOf(p: Record<string, TemplateParamValue>): Record<string, string> {
  return {
    ...(p['load-balancer'] === undefined ? {} : { LoadBalancer: str(p['load-balancer']) }),
    ...(p['target-group'] === undefined ? {} : { TargetGroup: str(p['target-group']) }),
    ...labels(p.dimensions),
  };
}

/** The metric math for requests (or attempts) per second, whatever the period. */
function cwPerSecond(id: string, metric: CwMetric, period: number): MetricQuery {
  return { expression: `${id} / PERIOD(${id})`, period, metrics: { [id]: metric } };
}

/** ALB shortcuts only name ALB dimensions; a metric is found by its dimensions, so one is needed. */
function cwServiceCheck(params: Record<string, TemplateParamValue>, context: Context) {
  const namespace = str(params.namespace);
  for (const key of ['load-balancer', 'target-group'])
    if (params[key] !== undefined && namespace !== ALB)
      context.at(
        `${context.path}.params.${key}`,
        `${key} names an ${ALB} dimension, and namespace is ${context.show(namespace)}; use dimensions for other namespaces`,
      );
  const dimensions = cwDimensionsOf(params);
  if (Object.keys(dimensions).length === 0)
    context.at(
      `${context.path}.params`,
      "a CloudWatch metric is found by its dimensions: give load-balancer, target-group or dimensions (the candidate's own, e.g. its target group)",
    );
  for (const [key, name] of [
    ['load-balancer', 'LoadBalancer'],
    ['target-group', 'TargetGroup'],
  ] as const)
    if (params[key] !== undefined && Object.hasOwn(labels(params.dimensions), name))
      context.at(
        `${context.path}.params.dimensions.${name}`,
        `${key} already sets the ${name} dimension; give it once`,
      );
}

const cwServiceParams = (): Record<string, Param> => ({
  'load-balancer': cwLoadBalancer,
  'target-group': cwTargetGroup,
  dimensions: cwDimensions,
  namespace: cwNamespace(ALB),
  'requests-metric': cwName('the request count metric (Sum)', 'RequestCount', 'RequestCount'),
  period: cwPeriod,
});

function cwMetric(p: Record<string, TemplateParamValue>, name: string, stat: string): CwMetric {
  return { namespace: str(p.namespace), name, stat, dimensions: cwDimensionsOf(p) };
}

function cwRequests(errors: 'share' | 'success'): Form {
  return {
    params: {
      ...cwServiceParams(),
      'errors-metric': cwName(
        'the server error count metric (Sum)',
        'HTTPCode_Target_5XX_Count',
        'HTTPCode_Target_5XX_Count',
      ),
    },
    check: cwServiceCheck,
    build(p) {
      const period = Number(p.period);
      const requests = cwMetric(p, str(p['requests-metric']), 'Sum');
      // A period without a single error has no datapoint; FILL makes it 0, not no data.
      const share = 'FILL(errors, 0) / requests';
      return {
        query: {
          expression: errors === 'share' ? share : `1 - ${share}`,
          period,
          metrics: { errors: cwMetric(p, str(p['errors-metric']), 'Sum'), requests },
        },
        traffic: cwPerSecond('requests', requests, period),
      };
    },
  };
}

function cwLatency(stat: string): Form {
  return {
    params: {
      ...cwServiceParams(),
      'latency-metric': cwName('the latency metric', 'TargetResponseTime', 'TargetResponseTime'),
      'latency-unit': cwLatencyUnit,
    },
    check: cwServiceCheck,
    build(p) {
      const period = Number(p.period);
      const latency = cwMetric(p, str(p['latency-metric']), stat);
      // Thresholds are in seconds ('> 200ms' is 0.2), so milliseconds are converted.
      return {
        query:
          p['latency-unit'] === 'milliseconds'
            ? { expression: 'latency / 1000', period, metrics: { latency } }
            : { period, metrics: { latency } },
        traffic: cwPerSecond('requests', cwMetric(p, str(p['requests-metric']), 'Sum'), period),
      };
    },
  };
}

/** No AWS service publishes connection failures for RDS itself: the application's own metrics. */
const cwDbFailures: Form = {
  params: {
    namespace: cwNamespace(),
    'failures-metric': cwName(
      'the failed connection attempts metric (Sum)',
      'DbConnectionFailures',
    ),
    'attempts-metric': cwName(
      'all connection attempts, failed ones included (Sum)',
      'DbConnectionAttempts',
    ),
    dimensions: cwDimensions,
    period: cwPeriod,
  },
  build(p) {
    const period = Number(p.period);
    const metric = (name: string): CwMetric => ({
      namespace: str(p.namespace),
      name,
      stat: 'Sum',
      dimensions: labels(p.dimensions),
    });
    const attempts = metric(str(p['attempts-metric']));
    return {
      query: {
        expression: 'FILL(failures, 0) / attempts',
        period,
        metrics: { failures: metric(str(p['failures-metric'])), attempts },
      },
      traffic: cwPerSecond('attempts', attempts, period),
    };
  },
};

// ---------------------------------------------------------------------------------------------
// The templates

const LATENCY_NO_DEFAULT =
  'latency limits depend on the service (NextEvent rolls back at p95 > 200ms, Lightning Talk Circle at p95 > 2000ms)';

const TEMPLATES: readonly GateTemplate[] = [
  {
    name: 'request-success-rate',
    summary: 'share of requests answered without a 5xx',
    threshold: '< 95%',
    forms: { prometheus: promRequests('success'), cloudwatch: cwRequests('success') },
  },
  {
    name: 'error-rate',
    summary: 'share of requests answered with a 5xx',
    threshold: '> 5%',
    forms: { prometheus: promRequests('share'), cloudwatch: cwRequests('share') },
  },
  {
    name: 'latency-p95',
    summary: '95th percentile response time, in seconds',
    threshold: undefined,
    noThreshold: `${LATENCY_NO_DEFAULT}; write one like '> 200ms'`,
    forms: { prometheus: promLatency('0.95'), cloudwatch: cwLatency('p95') },
  },
  {
    name: 'latency-p99',
    summary: '99th percentile response time, in seconds',
    threshold: undefined,
    noThreshold: `${LATENCY_NO_DEFAULT}; write one like '> 500ms'`,
    forms: { prometheus: promLatency('0.99'), cloudwatch: cwLatency('p99') },
  },
  {
    name: 'db-connection-failures',
    summary: 'share of database connection attempts that failed',
    threshold: '> 10%',
    forms: { prometheus: promDbFailures, cloudwatch: cwDbFailures },
  },
];

/** Templates by name. A Map, so `__proto__` or `constructor` is no template. */
export const GATE_TEMPLATES: ReadonlyMap<string, GateTemplate> = new Map(
  TEMPLATES.map((template) => [template.name, template]),
);

const names = () => [...GATE_TEMPLATES.keys()].join(', ');

/** The parameters of a template in one language: name, what is allowed, its default. */
export function templateParams(
  template: GateTemplate,
  language: TemplateLanguage,
): {
  name: string;
  allowed: string;
  required: boolean;
  fallback: TemplateParamValue | undefined;
}[] {
  return Object.entries(template.forms[language].params).map(([name, param]) => ({
    name,
    allowed: param.allowed,
    required: param.fallback === undefined && param.optional !== true,
    fallback: param.fallback,
  }));
}

/**
 * Expands `template` and `params` of the gate at `path` for the plan's metrics provider. Every
 * problem is reported through `at`, with its path; the answer is undefined when there was one.
 * `provider` undefined (the plan's metrics section is missing) reports nothing more.
 */
export function expandGateTemplate(
  written: { template: unknown; params: unknown },
  provider: string | undefined,
  context: Context,
): ExpandedTemplate | undefined {
  const { path, at, show } = context;
  const template =
    typeof written.template === 'string' ? GATE_TEMPLATES.get(written.template) : undefined;
  if (template === undefined) {
    at(
      `${path}.template`,
      typeof written.template === 'string'
        ? `unknown template ${show(written.template)}; allowed: ${names()}`
        : `expected a template name, one of ${names()}, got ${show(written.template)}`,
    );
    return undefined;
  }
  if (provider === undefined) return undefined;
  const language = TEMPLATE_LANGUAGES.find((kind) => kind === provider);
  if (language === undefined) {
    at(
      `${path}.template`,
      `template ${show(template.name)} expands for metrics.provider ${TEMPLATE_LANGUAGES.join(' or ')}, and this plan's provider is ${show(provider)}; write the query instead (cutover plan shows the expansion for a ${TEMPLATE_LANGUAGES.join(' or ')} plan)`,
    );
    return undefined;
  }
  const form = template.forms[language];
  const allowed = Object.keys(form.params);
  const raw = written.params === undefined ? {} : asRecord(written.params);
  if (raw === undefined) {
    at(
      `${path}.params`,
      `expected a mapping of parameter name to value for template ${show(template.name)} (${allowed.join(', ')}), got ${show(written.params)}`,
    );
    return undefined;
  }
  let ok = true;
  for (const key of Object.keys(raw))
    if (!Object.hasOwn(form.params, key)) {
      ok = false;
      at(
        keyPath(`${path}.params`, key),
        `unknown parameter of template ${show(template.name)} on ${language}; allowed: ${allowed.join(', ')}`,
      );
    }
  const params: Record<string, TemplateParamValue> = {};
  for (const [key, param] of Object.entries(form.params)) {
    const value = Object.hasOwn(raw, key) ? raw[key] : undefined;
    if (value === undefined) {
      if (param.fallback !== undefined) params[key] = param.fallback;
      else if (param.optional !== true) {
        ok = false;
        at(
          `${path}.params.${key}`,
          `required by template ${show(template.name)} on ${language}: ${param.allowed}`,
        );
      }
      continue;
    }
    const read = param.read(value, `${path}.params.${key}`, context);
    if (read === undefined) ok = false;
    else params[key] = read;
  }
  if (!ok) return undefined;
  const problems: [string, string][] = [];
  form.check?.(params, { ...context, at: (where, message) => problems.push([where, message]) });
  for (const [where, message] of problems) at(where, message);
  if (problems.length > 0) return undefined;
  const { query, traffic } = form.build(params);
  return {
    use: { name: template.name, language, params },
    query,
    traffic,
    threshold: template.threshold,
  };
}

/** Why a gate using `template` must write its threshold, or undefined when it has a default. */
export function missingThresholdAdvice(name: string): string | undefined {
  const template = GATE_TEMPLATES.get(name);
  return template?.threshold === undefined ? template?.noThreshold : undefined;
}

function asRecord(raw: unknown): Record<string, unknown> | undefined {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw)
    ? (raw as Record<string, unknown>)
    : undefined;
}

/** A key as a path segment; odd keys are quoted, never raw (as the plan's own paths). */
function keyPath(parent: string, key: string): string {
  return /^[\w.-]{1,64}$/.test(key)
    ? `${parent}.${key}`
    : `${parent}[${JSON.stringify(key).slice(0, 80)}]`;
}
