import {
  ProviderUnavailable,
  QueryRejected,
  describeQuery,
  type MetricsSource,
  type Series,
} from '@cutover/gates';
import type { MetricQuery } from '@cutover/plan';

export interface PrometheusOptions {
  url: string;
  bearerToken?: string | undefined;
  basicAuth?: { username: string; password: string } | undefined;
  headers?: Record<string, string> | undefined;
  timeoutMs: number;
}

interface ApiResponse {
  status?: 'success' | 'error';
  errorType?: string;
  error?: string;
  warnings?: string[];
  data?: { resultType: string; result: unknown };
}

/**
 * The Prometheus HTTP API (/api/v1/query and /api/v1/query_range, POSTed so long queries fit).
 * 400/422 (bad_data, execution) and refused credentials are permanent; 5xx, timeouts and
 * answers carrying warnings (partial data) are transient and spend the rule's error budget.
 */
export class PrometheusSource implements MetricsSource {
  readonly name: string;

  constructor(private readonly options: PrometheusOptions) {
    this.name = `prometheus ${new URL(options.url).host}`;
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
    const url = new URL(
      path.replace(/^\//, ''),
      this.options.url.endsWith('/') ? this.options.url : `${this.options.url}/`,
    );
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
    });

    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      const timedOut =
        error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      const cause =
        error instanceof Error && error.cause instanceof Error
          ? error.cause.message
          : error instanceof Error
            ? error.message
            : String(error);
      throw new ProviderUnavailable(
        timedOut
          ? `${this.name} did not answer within ${this.options.timeoutMs / 1000}s`
          : `${this.name} is unreachable: ${cause}`,
      );
    }
    const text = await response.text();
    let payload: ApiResponse;
    try {
      payload = JSON.parse(text) as ApiResponse;
    } catch {
      if (response.status >= 500 || response.status === 429)
        throw new ProviderUnavailable(`${this.name} answered HTTP ${response.status}`);
      throw new QueryRejected(
        `${this.name} answered HTTP ${response.status} with a body that is not the Prometheus API (${text.slice(0, 120)})`,
      );
    }
    if (response.status === 401 || response.status === 403)
      throw new QueryRejected(`${this.name} refused the credentials (HTTP ${response.status})`);
    if (response.status === 400 || response.status === 422 || payload.errorType === 'bad_data')
      throw new QueryRejected(
        `${this.name} rejected ${describeQuery(query)}: ${payload.error ?? `HTTP ${response.status}`}`,
      );
    if (response.status !== 200 || payload.status !== 'success')
      throw new ProviderUnavailable(
        `${this.name} failed (HTTP ${response.status}${payload.errorType === undefined ? '' : `, ${payload.errorType}`}): ${payload.error ?? 'no detail'}`,
      );
    if (payload.warnings !== undefined && payload.warnings.length > 0)
      throw new ProviderUnavailable(
        `${this.name} answered with warnings (possibly partial data, not trusted as a pass): ${payload.warnings.join('; ')}`,
      );
    return toSeries(payload.data);
  }
}

function toSeries(data: ApiResponse['data']): Series[] {
  if (data === undefined) return [];
  switch (data.resultType) {
    case 'vector':
      return (data.result as { metric: Record<string, string>; value: [number, string] }[]).map(
        (s) => ({ labels: s.metric, points: [[s.value[0] * 1000, sampleValue(s.value[1])]] }),
      );
    case 'matrix':
      return (data.result as { metric: Record<string, string>; values: [number, string][] }[]).map(
        (s) => ({ labels: s.metric, points: s.values.map(([t, v]) => [t * 1000, sampleValue(v)]) }),
      );
    case 'scalar': {
      const [t, v] = data.result as [number, string];
      return [{ labels: {}, points: [[t * 1000, sampleValue(v)]] }];
    }
    default:
      throw new QueryRejected(`the query returned a ${data.resultType}, not numbers`);
  }
}

/** Prometheus encodes floats as strings, with "+Inf", "-Inf" and "NaN". */
function sampleValue(text: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}
