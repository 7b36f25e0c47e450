import type { MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { cloudWatchClient, lazyClient } from '@cutover/aws';
import {
  ProviderUnavailable,
  QueryRejected,
  checkSettings,
  redactUrls,
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
  /** Built through the shared AWS factory: default credential chain, lazy SDK, same retries. */
  private readonly client: ReturnType<
    typeof lazyClient<Awaited<ReturnType<typeof cloudWatchClient>>>
  >;

  constructor(private readonly options: CloudWatchOptions) {
    this.name = `cloudwatch ${options.region}`;
    this.client = lazyClient(() =>
      cloudWatchClient({ region: options.region, endpoint: options.endpoint }),
    );
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
    const { sdk, client } = await this.client();
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
        output = await client.send(
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

/** The id of the metric-math result; a metric may not take it when there is an expression. */
const RESULT_ID = 'result';
/** Periods under a minute (high-resolution metrics); longer ones are whole minutes. */
const PERIODS = [1, 5, 10, 30];

const metricStat = settingsObject(
  {
    namespace: nonEmptyText('a namespace like "AWS/ApplicationELB"'),
    name: nonEmptyText('a metric name like "RequestCount"'),
    stat: nonEmptyText('a statistic like "Sum" or "p95"'),
    dimensions: v.optional(
      v.record(
        v.string(),
        v.string((issue) => `expected a dimension value (a string), got ${issue.received}`),
        (issue) => `expected a mapping of dimension name to value, got ${issue.received}`,
      ),
    ),
  },
  'a metric {namespace, name, stat, dimensions}',
);

/** A GetMetricData request as a gate query: metric stats plus an optional metric-math expression. */
const cloudwatchQuery = v.pipe(
  settingsObject(
    {
      expression: v.optional(nonEmptyText('a metric-math expression')),
      period: v.optional(
        v.pipe(
          v.number((issue) => `expected seconds (a number), got ${issue.received}`),
          v.check(
            (period) =>
              Number.isInteger(period) &&
              (PERIODS.includes(period) || (period >= 60 && period % 60 === 0)),
            (issue) =>
              `must be 1, 5, 10, 30 or a multiple of 60 seconds, got ${String(issue.input)}`,
          ),
        ),
      ),
      metrics: v.pipe(
        v.record(
          v.pipe(
            v.string(),
            v.regex(
              /^[a-z][a-zA-Z0-9_]{0,254}$/,
              (issue) =>
                `metric id ${issue.received} must start with a lowercase letter, then letters, digits or _ (CloudWatch rule)`,
            ),
          ),
          metricStat,
          (issue) =>
            `expected a mapping of metric id to {namespace, name, stat, dimensions}, got ${issue.received}`,
        ),
        v.check((metrics) => Object.keys(metrics).length > 0, 'expected at least one metric'),
      ),
    },
    'a GetMetricData mapping {metrics, expression, period}',
  ),
  v.forward(
    v.check(
      (query) => query.expression !== undefined || Object.keys(query.metrics).length === 1,
      'without an expression, give exactly one metric (or an expression combining them)',
    ),
    ['metrics'],
  ),
  v.forward(
    v.check(
      (query) => query.expression === undefined || !Object.hasOwn(query.metrics, RESULT_ID),
      `the id "${RESULT_ID}" names the expression's result; give the metric another id`,
    ),
    ['metrics'],
  ),
);
/** Problems with a CloudWatch gate query, each with its path (`gates.x.query.period: …`). */
export function cloudwatchQueryProblems(query: MetricQuery, path: string): string[] {
  if (typeof query === 'string')
    return [
      `${path}: cloudwatch needs a GetMetricData mapping {metrics, expression, period}, got the string ${describeQuery(query)}`,
    ];
  const checked = checkSettings(cloudwatchQuery, query, path);
  return checked.ok ? [] : checked.errors;
}

function parseQuery(query: MetricQuery): CloudWatchQuery {
  const problems = cloudwatchQueryProblems(query, 'query');
  if (problems.length > 0)
    throw new QueryRejected(`cloudwatch query ${describeQuery(query)}: ${problems.join('; ')}`);
  const parsed = v.parse(cloudwatchQuery, query);
  const metrics: CloudWatchQuery['metrics'] = {};
  for (const [id, metric] of Object.entries(parsed.metrics))
    metrics[id] = { ...metric, dimensions: metric.dimensions ?? {} };
  return { expression: parsed.expression, period: parsed.period ?? 60, metrics };
}

const cloudwatchSettings = settingsObject({
  region: v.pipe(
    v.string((issue) => `expected an AWS region like "ap-northeast-1", got ${issue.received}`),
    v.regex(
      /^[a-z]{2}(-[a-z]+)+-\d$/,
      (issue) => `expected an AWS region like "ap-northeast-1", got ${issue.received}`,
    ),
  ),
  /** For tests and VPC endpoints; normally unset. */
  endpoint: v.optional(
    endpointSetting(
      'CloudWatch takes AWS credentials from the environment (aws-actions/configure-aws-credentials)',
    ),
  ),
  timeout: v.optional(durationSetting),
});

/** CloudWatch GetMetricData; AWS credentials come from the environment, as for the AWS routers. */
export const cloudwatchProvider: MetricsProvider<v.InferOutput<typeof cloudwatchSettings>> = {
  kind: 'cloudwatch',
  summary: 'CloudWatch GetMetricData (region, endpoint, timeout); queries are mappings',
  settings: cloudwatchSettings,
  create: (settings, context) =>
    new CloudWatchSource({
      region: settings.region,
      endpoint: settings.endpoint,
      timeoutMs: context.timeoutMs,
    }),
  checkQuery: cloudwatchQueryProblems,
};
