import {
  ProviderUnavailable,
  QueryRejected,
  ConfigError,
  redactUrls,
  secretOr,
  settingsObject,
  v,
} from '@cutover/kit';
import { describeQuery, type MetricsSource, type Series } from '@cutover/gates';
import type { MetricQuery } from '@cutover/plan';
import {
  type MetricsProvider,
  durationSetting,
  endpointSetting,
  nonEmptyText,
} from './provider.js';
import { showUrl, urlProblem } from './url-safety.js';

export interface PrometheusOptions {
  url: string;
  bearerToken?: string | undefined;
  basicAuth?: { username: string; password: string } | undefined;
  headers?: Record<string, string> | undefined;
  /** Bounds the whole exchange: connecting, redirects, headers and body. */
  timeoutMs: number;
  /** Largest response body read; beyond it the answer is a provider error. */
  maxBodyBytes?: number | undefined;
}

/** A day of 15 s points for a few hundred series fits; a runaway answer does not fill memory. */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;
/** Same-origin redirects followed before giving up (a proxy adding a path prefix needs one). */
export const MAX_REDIRECTS = 3;
export const PROMETHEUS_AUTH_ADVICE = `pass credentials with metrics.basic-auth or metrics.bearer-token (a secret as { env: NAME }), or input 'prometheus-basic-auth' ("user:password") or 'prometheus-token', which are masked`;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * The Prometheus HTTP API (/api/v1/query and /api/v1/query_range, POSTed so long queries fit).
 * 400/422 (bad_data, execution), refused credentials and redirects to another origin are
 * permanent; 5xx, timeouts, stalled or oversized bodies, malformed answers and answers carrying
 * warnings (partial data) are transient and spend the rule's error budget. NaN, ±Inf and
 * unparsable sample values are dropped, so the gate sees missing data, never a passing value.
 */
export class PrometheusSource implements MetricsSource {
  readonly name: string;
  private readonly base: URL;

  constructor(private readonly options: PrometheusOptions) {
    const problem = urlProblem(options.url, 'the Prometheus URL', PROMETHEUS_AUTH_ADVICE);
    if (problem !== undefined) throw new QueryRejected(problem);
    const url = options.url.endsWith('/') ? options.url : `${options.url}/`;
    this.base = new URL(url);
    this.name = `prometheus ${this.base.host}`;
  }

  instant(query: MetricQuery, at: number): Promise<Series[]> {
    return this.call('/api/v1/query', query, { time: seconds(at) });
  }

  range(query: MetricQuery, from: number, to: number, stepMs: number): Promise<Series[]> {
    return this.call('/api/v1/query_range', query, {
      start: seconds(from),
      end: seconds(to),
      step: `${stepMs / 1000}s`,
    });
  }

  private async call(
    path: string,
    query: MetricQuery,
    params: Record<string, string>,
  ): Promise<Series[]> {
    if (typeof query !== 'string')
      throw new QueryRejected(`prometheus needs a PromQL string, got ${describeQuery(query)}`);
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      ...this.options.headers,
    };
    if (this.options.bearerToken !== undefined)
      headers.authorization = `Bearer ${this.options.bearerToken}`;
    else if (this.options.basicAuth !== undefined)
      headers.authorization = `Basic ${Buffer.from(`${this.options.basicAuth.username}:${this.options.basicAuth.password}`).toString('base64')}`;
    const body = new URLSearchParams({
      query,
      ...params,
      timeout: `${Math.max(1, Math.floor(this.options.timeoutMs / 1000))}s`,
    }).toString();

    // One deadline for the whole exchange, so a slow redirect chain or body cannot extend it.
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    let target = new URL(path.replace(/^\//, ''), this.base);
    let response: Response;
    for (let hop = 0; ; hop++) {
      response = await this.send(target, headers, body, signal);
      if (!REDIRECT_STATUSES.has(response.status)) break;
      await response.body?.cancel().catch(() => undefined);
      target = this.redirectTarget(target, response, hop);
    }
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel().catch(() => undefined);
      throw new QueryRejected(`${this.name} refused the credentials (HTTP ${response.status})`);
    }
    const text = await this.readBody(response, signal);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      const excerpt = JSON.stringify(redactUrls(text.slice(0, 120)));
      if (response.status >= 500 || response.status === 429)
        throw new ProviderUnavailable(`${this.name} answered HTTP ${response.status}`);
      if (response.status >= 200 && response.status < 300)
        throw new ProviderUnavailable(
          `${this.name} answered HTTP ${response.status} with a body that is not JSON (${text.length} bytes: ${excerpt})`,
        );
      throw new QueryRejected(
        `${this.name} answered HTTP ${response.status} with a body that is not the Prometheus API (${excerpt})`,
      );
    }
    const payload = apiResponse(parsed, this.name);
    if (response.status === 400 || response.status === 422 || payload.errorType === 'bad_data')
      throw new QueryRejected(
        `${this.name} rejected ${describeQuery(query)}: ${redactUrls(payload.error ?? `HTTP ${response.status}`)}`,
      );
    if (response.status !== 200 || payload.status !== 'success')
      throw new ProviderUnavailable(
        `${this.name} failed (HTTP ${response.status}${payload.errorType === undefined ? '' : `, ${payload.errorType}`}): ${redactUrls(payload.error ?? 'no detail')}`,
      );
    if (payload.warnings.length > 0)
      throw new ProviderUnavailable(
        `${this.name} answered with warnings (possibly partial data, not trusted as a pass): ${redactUrls(payload.warnings.join('; '))}`,
      );
    return toSeries(payload.data, this.name);
  }

  private async send(
    target: URL,
    headers: Record<string, string>,
    body: string,
    signal: AbortSignal,
  ): Promise<Response> {
    try {
      return await fetch(target, { method: 'POST', headers, body, signal, redirect: 'manual' });
    } catch (error) {
      if (signal.aborted)
        throw new ProviderUnavailable(
          `${this.name} did not answer within ${this.options.timeoutMs / 1000}s`,
        );
      const message = error instanceof Error ? error.message : String(error);
      // undici says "fetch failed" (with a cause) for network errors; any other error means the
      // request could not even be built (a bad header value, say), which no retry will fix.
      if (!(error instanceof TypeError) || message !== 'fetch failed')
        throw new QueryRejected(
          `${this.name}: the request could not be built (${redactUrls(message)}); check metrics.url and metrics.headers`,
        );
      const cause = error.cause instanceof Error ? error.cause.message : message;
      throw new ProviderUnavailable(`${this.name} is unreachable: ${redactUrls(cause)}`);
    }
  }

  /**
   * Where a redirect points, if it may be followed. Another origin would receive the plan's
   * headers and credentials, and the gate would be judged on its data, so it is refused.
   */
  private redirectTarget(from: URL, response: Response, hop: number): URL {
    const location = response.headers.get('location');
    let next: URL | undefined;
    try {
      next = location === null ? undefined : new URL(location, from);
    } catch {
      next = undefined;
    }
    if (next === undefined)
      throw new ProviderUnavailable(
        `${this.name} answered HTTP ${response.status} without a usable Location (${JSON.stringify(redactUrls(location ?? ''))})`,
      );
    if (next.origin !== from.origin)
      throw new QueryRejected(
        `${this.name} redirected (HTTP ${response.status}) from ${showUrl(from.origin)} to another origin, ${showUrl(next.origin)}; metrics never follow a redirect to another origin (it would get the plan's headers and credentials, and the gate would judge its data): set metrics.url to the Prometheus that answers`,
      );
    if (hop + 1 > MAX_REDIRECTS)
      throw new QueryRejected(
        `${this.name} redirected more than ${MAX_REDIRECTS} times (last to ${showUrl(next.href)}); set metrics.url to the address that answers`,
      );
    return next;
  }

  /** The body as text, at most maxBodyBytes, within the exchange's deadline. */
  private async readBody(response: Response, signal: AbortSignal): Promise<string> {
    const max = this.options.maxBodyBytes ?? MAX_BODY_BYTES;
    const tooLarge = (size: string) =>
      new ProviderUnavailable(
        `${this.name} answered with a body ${size}, over the ${mebibytes(max)} limit; stopped reading (narrow the query or widen its step)`,
      );
    const declared = Number(response.headers.get('content-length') ?? Number.NaN);
    if (Number.isFinite(declared) && declared > max) {
      await response.body?.cancel().catch(() => undefined);
      throw tooLarge(`of ${mebibytes(declared)}`);
    }
    if (response.body === null) return '';
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const chunks: Uint8Array[] = [];
    let total = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.byteLength;
        if (total > max) {
          await reader.cancel().catch(() => undefined);
          throw tooLarge('larger than that');
        }
        chunks.push(value);
      }
    } catch (error) {
      if (error instanceof ProviderUnavailable) throw error;
      if (signal.aborted)
        throw new ProviderUnavailable(
          `${this.name} sent its headers (HTTP ${response.status}) but the body stalled: not complete within ${this.options.timeoutMs / 1000}s (${total} bytes read)`,
        );
      const cause =
        error instanceof Error && error.cause instanceof Error
          ? error.cause.message
          : error instanceof Error
            ? error.message
            : String(error);
      throw new ProviderUnavailable(
        `${this.name}: the connection broke while reading the answer (${total} bytes read): ${redactUrls(cause)}`,
      );
    }
    return Buffer.concat(chunks).toString('utf8');
  }
}

interface ApiResponse {
  status: string;
  errorType?: string;
  error?: string;
  warnings: string[];
  data: unknown;
}

/** The envelope every API answer has; anything else is a malformed answer. */
function apiResponse(value: unknown, name: string): ApiResponse {
  const malformed = (what: string) =>
    new ProviderUnavailable(`${name} sent a malformed answer: ${what}`);
  if (!isRecord(value)) throw malformed(`expected a JSON object, got ${kindOf(value)}`);
  const { status, errorType, error, warnings, data } = value;
  if (typeof status !== 'string') throw malformed(`"status" is ${kindOf(status)}, not a string`);
  if (warnings !== undefined && !(Array.isArray(warnings) && warnings.every(isString)))
    throw malformed('"warnings" is not a list of strings');
  return {
    status,
    ...(typeof errorType === 'string' ? { errorType } : {}),
    ...(typeof error === 'string' ? { error } : {}),
    warnings: warnings ?? [],
    data,
  };
}

function toSeries(data: unknown, name: string): Series[] {
  const malformed = (what: string) =>
    new ProviderUnavailable(`${name} sent a malformed answer: ${what}`);
  if (!isRecord(data)) throw malformed(`"data" is ${kindOf(data)}, not an object`);
  const { resultType, result } = data;
  const labels = (sample: unknown, at: string): Record<string, string> => {
    if (!isRecord(sample)) throw malformed(`${at} is ${kindOf(sample)}, not an object`);
    if ('histogram' in sample || 'histograms' in sample)
      throw new QueryRejected(
        `${name}: the query returned native histogram samples, not numbers; wrap it, e.g. histogram_quantile(0.95, ...)`,
      );
    const metric = sample.metric ?? {};
    if (!isRecord(metric) || !Object.values(metric).every(isString))
      throw malformed(`${at}.metric is not a map of label names to strings`);
    return metric as Record<string, string>;
  };
  const list = (value: unknown, at: string): unknown[] => {
    if (!Array.isArray(value)) throw malformed(`${at} is ${kindOf(value)}, not a list`);
    return value;
  };
  switch (resultType) {
    case 'vector':
      return keepPoints(
        list(result, 'data.result').map((sample, i) => ({
          labels: labels(sample, `data.result[${i}]`),
          points: pointsOf([(sample as Record<string, unknown>).value], `data.result[${i}].value`),
        })),
      );
    case 'matrix':
      return keepPoints(
        list(result, 'data.result').map((sample, i) => ({
          labels: labels(sample, `data.result[${i}]`),
          points: pointsOf(
            list((sample as Record<string, unknown>).values, `data.result[${i}].values`),
            `data.result[${i}].values`,
          ),
        })),
      );
    case 'scalar':
      return keepPoints([{ labels: {}, points: pointsOf([result], 'data.result') }]);
    case 'string':
      throw new QueryRejected(`the query returned a string, not numbers`);
    default:
      throw malformed(`resultType is ${kindOf(resultType)}, not vector, matrix or scalar`);
  }

  function pointsOf(pairs: unknown[], at: string): [number, number][] {
    const points: [number, number][] = [];
    pairs.forEach((pair, i) => {
      const where = pairs.length === 1 ? at : `${at}[${i}]`;
      if (
        !Array.isArray(pair) ||
        pair.length !== 2 ||
        typeof pair[0] !== 'number' ||
        !Number.isFinite(pair[0]) ||
        typeof pair[1] !== 'string'
      )
        throw malformed(`${where} is ${kindOf(pair)}, not a [time, "value"] pair`);
      const value = sampleValue(pair[1]);
      // Unparsable values are no data. NaN and ±Inf go on as they are: the gate fold never takes
      // them for a passing sample, and +Inf (histogram_quantile past its last bucket) does breach
      // "> 200ms", so dropping it would hide the slowest latency of all.
      if (value !== undefined) points.push([pair[0] * 1000, value]);
    });
    return points;
  }
}

/** A series whose every value was dropped is no data, not an empty series. */
function keepPoints(series: Series[]): Series[] {
  return series.filter((s) => s.points.length > 0);
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

const SPECIAL: Readonly<Record<string, number>> = {
  '+inf': Number.POSITIVE_INFINITY,
  inf: Number.POSITIVE_INFINITY,
  '-inf': Number.NEGATIVE_INFINITY,
  nan: Number.NaN,
};

/** Prometheus encodes floats as strings: decimals, and "+Inf", "-Inf", "NaN" as Go prints them. */
function sampleValue(text: string): number | undefined {
  const special = SPECIAL[text.toLowerCase()];
  if (special !== undefined || Object.hasOwn(SPECIAL, text.toLowerCase())) return special;
  return DECIMAL.test(text) ? Number(text) : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'missing';
  if (Array.isArray(value)) return `the list ${JSON.stringify(value).slice(0, 60)}`;
  return typeof value === 'object'
    ? 'an object'
    : `${typeof value} ${JSON.stringify(value).slice(0, 60)}`;
}

function mebibytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1)} MiB`;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** A header value HTTP can carry; a value read from the environment is checked again once resolved. */
const headerValueProblem = (value: string) =>
  /[\0\r\n]/.test(value)
    ? 'the value contains a line break or NUL, which HTTP does not allow'
    : undefined;

const prometheusSettings = settingsObject({
  /** Optional here: input 'prometheus-url' or `cutover backtest --prometheus` may give it. */
  url: v.optional(endpointSetting(PROMETHEUS_AUTH_ADVICE)),
  headers: v.optional(
    v.record(
      v.pipe(
        v.string(),
        v.regex(
          HEADER_NAME,
          (issue) =>
            `${issue.received} is not a valid HTTP header name (letters, digits and !#$%&'*+.^_\`|~-)`,
        ),
      ),
      // Values may be secrets: messages name the header, never the value.
      secretOr(
        v.pipe(
          v.string(),
          v.check((value) => headerValueProblem(value) === undefined, headerValueProblem('\n')),
        ),
        'a header value (a string)',
      ),
      (issue) => `expected a mapping of header name to value, got ${issue.received}`,
    ),
  ),
  'bearer-token': v.optional(secretOr(nonEmptyText('a token'), 'a token')),
  'basic-auth': v.optional(
    settingsObject(
      {
        username: secretOr(nonEmptyText('a user name'), 'a user name'),
        password: secretOr(v.string(), 'a password'),
      },
      'a mapping { username, password }',
    ),
  ),
  /** Read by the callers (gate-metrics, the CLI) to bound each query. */
  timeout: v.optional(durationSetting),
});

/** The Prometheus HTTP API; credentials as settings (secrets from the environment) or inputs. */
export const prometheusProvider: MetricsProvider<v.InferOutput<typeof prometheusSettings>> = {
  kind: 'prometheus',
  summary: 'the Prometheus HTTP API (url, headers, bearer-token, basic-auth, timeout)',
  settings: prometheusSettings,
  create(settings, context) {
    if (settings.url === undefined)
      throw new ConfigError(
        `metrics.url: expected the Prometheus base URL like "https://prometheus.example.com" (in the plan, or input 'prometheus-url'), got nothing`,
      );
    const problems: string[] = [];
    for (const [name, value] of Object.entries(settings.headers ?? {})) {
      const problem = headerValueProblem(value);
      if (problem !== undefined) problems.push(`metrics.headers.${name}: ${problem}`);
    }
    if (settings['bearer-token'] !== undefined && /[\0\r\n]/.test(settings['bearer-token']))
      problems.push(`metrics.bearer-token: ${headerValueProblem('\n') ?? ''}`);
    if (problems.length > 0) throw new ConfigError(problems.join('\n'));
    return new PrometheusSource({
      url: settings.url,
      bearerToken: settings['bearer-token'],
      basicAuth: settings['basic-auth'],
      headers: settings.headers,
      timeoutMs: context.timeoutMs,
    });
  },
  checkQuery(query, path) {
    // Empty or missing queries are the plan's to report.
    return typeof query === 'string'
      ? []
      : [
          `${path}: prometheus needs a PromQL expression (a string), got a mapping ${describeQuery(query)}`,
        ];
  },
};
