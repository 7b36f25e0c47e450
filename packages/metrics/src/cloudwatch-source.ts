import type { CloudWatchClient, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { redactUrls } from '@cutover/kit';
import {
  ProviderUnavailable,
  QueryRejected,
  describeQuery,
  type MetricsSource,
  type Series,
} from '@cutover/gates';
import type { MetricQuery } from '@cutover/plan';

export interface CloudWatchOptions {
  region: string;
  /** For tests and VPC endpoints; normally unset. */
  endpoint?: string | undefined;
  timeoutMs: number;
}

interface CloudWatchQuery {
  expression: string | undefined;
  period: number;
  metrics: Record<
    string,
    { namespace: string; name: string; stat: string; dimensions: Record<string, string> }
  >;
}

const MAX_PAGES = 100;

/**
 * CloudWatch GetMetricData: metric stats plus an optional metric-math expression, all pages.
 * A result still PartialData after the last page, or InternalError, is transient (spends the
 * error budget); invalid parameters and access denied are permanent. The SDK (about 1 MB) is
 * imported on first use, so other providers never pay for it.
 */
export class CloudWatchSource implements MetricsSource {
  readonly name: string;
  private client: CloudWatchClient | undefined;

  constructor(private readonly options: CloudWatchOptions) {
    this.name = `cloudwatch ${options.region}`;
  }

  async instant(query: MetricQuery, at: number): Promise<Series[]> {
    const parsed = parseQuery(query);
    const series = await this.fetch(parsed, at - 5 * parsed.period * 1000, at);
    const last = series[0]?.points.at(-1);
    return last === undefined ? [] : [{ labels: {}, points: [last] }];
  }

  async range(query: MetricQuery, from: number, to: number): Promise<Series[]> {
    return this.fetch(parseQuery(query), from, to);
  }

  private async fetch(query: CloudWatchQuery, from: number, to: number): Promise<Series[]> {
    const sdk = await import('@aws-sdk/client-cloudwatch');
    this.client ??= new sdk.CloudWatchClient({
      region: this.options.region,
      ...(this.options.endpoint === undefined ? {} : { endpoint: this.options.endpoint }),
    });
    const queries: MetricDataQuery[] = Object.entries(query.metrics).map(([id, metric]) => ({
      Id: id,
      MetricStat: {
        Metric: {
          Namespace: metric.namespace,
          MetricName: metric.name,
          Dimensions: Object.entries(metric.dimensions).map(([Name, Value]) => ({ Name, Value })),
        },
        Period: query.period,
        Stat: metric.stat,
      },
      ReturnData: query.expression === undefined,
    }));
    if (query.expression !== undefined)
      queries.push({
        Id: 'result',
        Expression: query.expression,
        Period: query.period,
        ReturnData: true,
      });

    const points: [number, number][] = [];
    let status = 'Complete';
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      let output;
      try {
        output = await this.client.send(
          new sdk.GetMetricDataCommand({
            MetricDataQueries: queries,
            StartTime: new Date(from),
            EndTime: new Date(to),
            ScanBy: 'TimestampAscending',
            NextToken: nextToken,
          }),
          { abortSignal: AbortSignal.timeout(this.options.timeoutMs) },
        );
      } catch (error) {
        throw classify(error, this.name);
      }
      const result = output.MetricDataResults?.find(
        (r) => r.Id === (query.expression === undefined ? Object.keys(query.metrics)[0] : 'result'),
      );
      status = result?.StatusCode ?? 'Complete';
      if (status === 'Forbidden')
        throw new QueryRejected(
          `${this.name}: access to the metrics was forbidden (${redactUrls(result?.Messages?.map((m) => m.Value).join('; ') ?? '')})`,
        );
      const timestamps = result?.Timestamps ?? [];
      const values = result?.Values ?? [];
      // NaN, ±Inf (the SDK parses "NaN"/"Infinity") or a missing value is no data, never a sample.
      timestamps.forEach((time, i) => {
        const value = values[i];
        const t = time instanceof Date ? time.getTime() : Number.NaN;
        if (typeof value === 'number' && Number.isFinite(value) && Number.isFinite(t))
          points.push([t, value]);
      });
      nextToken = output.NextToken;
      if (nextToken === undefined) break;
    }
    if (status !== 'Complete')
      throw new ProviderUnavailable(
        `${this.name} returned ${status} data after all pages; an incomplete window is not trusted as a pass`,
      );
    points.sort((a, b) => a[0] - b[0]);
    return points.length === 0 ? [] : [{ labels: {}, points }];
  }
}

function classify(error: unknown, name: string): Error {
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  const message = redactUrls(`${name}: ${e.name ?? 'error'}: ${e.message ?? String(error)}`);
  if (e.name === 'TimeoutError' || e.name === 'AbortError')
    return new ProviderUnavailable(`${name} did not answer in time`);
  if (
    /InvalidParameter|MissingParameter|AccessDenied|UnrecognizedClient|InvalidClientTokenId|ValidationError/.test(
      e.name ?? '',
    )
  )
    return new QueryRejected(message);
  if (
    status !== undefined &&
    status >= 400 &&
    status < 500 &&
    !/Throttl|LimitExceeded/.test(e.name ?? '')
  )
    return new QueryRejected(message);
  return new ProviderUnavailable(message);
}

function parseQuery(query: MetricQuery): CloudWatchQuery {
  if (typeof query === 'string')
    throw new QueryRejected(
      `cloudwatch needs a query mapping with metrics (and an optional expression), got ${describeQuery(query)}`,
    );
  const problems: string[] = [];
  const period = query.period ?? 60;
  if (
    typeof period !== 'number' ||
    !Number.isInteger(period) ||
    period < 1 ||
    (period >= 60 && period % 60 !== 0)
  )
    problems.push(
      `period must be 1, 5, 10, 30 or a multiple of 60 seconds, got ${JSON.stringify(period)}`,
    );
  const expression = query.expression;
  if (expression !== undefined && typeof expression !== 'string')
    problems.push('expression must be a string');
  const metrics: CloudWatchQuery['metrics'] = {};
  const raw = query.metrics;
  if (typeof raw !== 'object' || raw === null || Object.keys(raw).length === 0)
    problems.push('metrics must map ids to {namespace, name, stat, dimensions}');
  for (const [id, value] of Object.entries((raw ?? {}) as Record<string, unknown>)) {
    const metric = value as Record<string, unknown>;
    if (!/^[a-z][a-zA-Z0-9_]*$/.test(id))
      problems.push(`metric id "${id}" must start with a lowercase letter (CloudWatch rule)`);
    if (
      typeof metric.namespace !== 'string' ||
      typeof metric.name !== 'string' ||
      typeof metric.stat !== 'string'
    )
      problems.push(`metrics.${id} needs namespace, name and stat strings`);
    else
      metrics[id] = {
        namespace: metric.namespace,
        name: metric.name,
        stat: metric.stat,
        dimensions: (metric.dimensions ?? {}) as Record<string, string>,
      };
  }
  if (expression === undefined && Object.keys(metrics).length !== 1)
    problems.push('without an expression, give exactly one metric');
  if (problems.length > 0)
    throw new QueryRejected(`cloudwatch query ${describeQuery(query)}: ${problems.join('; ')}`);
  return { expression: expression as string | undefined, period: period as number, metrics };
}
