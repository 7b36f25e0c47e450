import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackFake } from './loopback-fake.js';

/**
 * A fake of CloudWatch's GetMetricData over the AWS JSON 1.0 protocol that the current SDK
 * speaks (X-Amz-Target: GraniteServiceVersion20100801.GetMetricData), on loopback. It pages
 * results with NextToken and StatusCode PartialData as the API documents, validates the
 * request (period, ids, expression references) and injects throttling and 5xx.
 */
export interface MetricDataQuery {
  Id: string;
  Expression?: string;
  Period?: number;
  ReturnData?: boolean;
  MetricStat?: {
    Metric: {
      Namespace: string;
      MetricName: string;
      Dimensions?: { Name: string; Value: string }[];
    };
    Period: number;
    Stat: string;
  };
}

export class FakeCloudWatch extends LoopbackFake {
  /** Values by the returned query's expression, or by metric name for a single metric; undefined = no point. */
  readonly generators = new Map<string, (epochSeconds: number) => number | undefined>();
  readonly requests: {
    target: string;
    body: {
      MetricDataQueries: MetricDataQuery[];
      StartTime: number;
      EndTime: number;
      NextToken?: string;
    };
  }[] = [];
  pageSize = 100_800;
  /** The final page still reports PartialData (the service could not return everything). */
  incomplete = false;
  private readonly faults: { status: number; code: string; message: string }[] = [];

  failNext(status: number, code: string, message: string, times = 1): void {
    for (let i = 0; i < times; i++) this.faults.push({ status, code, message });
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const body = JSON.parse(
      Buffer.concat(chunks).toString('utf8') || '{}',
    ) as FakeCloudWatch['requests'][number]['body'];
    this.requests.push({ target, body });
    if (!req.headers.authorization?.startsWith('AWS4-HMAC-SHA256 ')) {
      this.error(res, 403, 'MissingAuthenticationToken', 'Missing Authentication Token');
      return;
    }
    const fault = this.faults.shift();
    if (fault !== undefined) {
      this.error(res, fault.status, fault.code, fault.message);
      return;
    }
    if (target !== 'GraniteServiceVersion20100801.GetMetricData') {
      this.error(res, 400, 'InvalidAction', `unknown target ${target}`);
      return;
    }
    const problem = validate(body.MetricDataQueries);
    if (problem !== undefined) {
      this.error(res, 400, 'InvalidParameterValue', problem);
      return;
    }

    const returned = body.MetricDataQueries.filter((q) => q.ReturnData !== false);
    const offset = Number(body.NextToken ?? '0');
    let more = false as boolean;
    const results = returned.map((query) => {
      const key = query.Expression ?? query.MetricStat?.Metric.MetricName ?? '';
      const period = query.Period ?? query.MetricStat?.Period ?? 60;
      const generate = this.generators.get(key);
      const timestamps: number[] = [];
      const values: number[] = [];
      const first = Math.ceil(body.StartTime / period) * period;
      for (let t = first; t < body.EndTime; t += period) {
        const value = generate?.(t);
        if (value !== undefined) {
          timestamps.push(t);
          values.push(value);
        }
      }
      const page = {
        Timestamps: timestamps.slice(offset, offset + this.pageSize),
        Values: values.slice(offset, offset + this.pageSize),
      };
      more ||= offset + this.pageSize < timestamps.length;
      return {
        Id: query.Id,
        Label: query.Id,
        ...page,
        StatusCode:
          offset + this.pageSize < timestamps.length || this.incomplete
            ? 'PartialData'
            : 'Complete',
        Messages: [],
      };
    });
    res.writeHead(200, {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-requestid': `req-${this.requests.length}`,
    });
    res.end(
      JSON.stringify({
        MetricDataResults: results,
        Messages: [],
        ...(more ? { NextToken: String(offset + this.pageSize) } : {}),
      }),
    );
  }

  private error(res: ServerResponse, status: number, code: string, message: string): void {
    // AWS JSON 1.0 with awsQueryCompatible: the code travels in x-amzn-query-error too.
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-query-error': `${code};${status >= 500 ? 'Receiver' : 'Sender'}`,
    });
    res.end(JSON.stringify({ __type: `com.amazonaws.cloudwatch#${code}`, message }));
  }
}

function validate(queries: MetricDataQuery[]): string | undefined {
  const ids = new Set(queries.map((q) => q.Id));
  for (const query of queries) {
    if (!/^[a-z][a-zA-Z0-9_]*$/.test(query.Id))
      return `The value ${query.Id} for parameter MetricDataQueries.member.Id is invalid.`;
    const period = query.Period ?? query.MetricStat?.Period;
    if (period !== undefined && period >= 60 && period % 60 !== 0)
      return `The parameter MetricDataQueries.member.Period must be a multiple of 60.`;
    for (const reference of query.Expression?.match(/\b[a-z][a-zA-Z0-9_]*\b/g) ?? [])
      if (
        !ids.has(reference) &&
        !['abs', 'sum', 'avg', 'max', 'min', 'ceil', 'floor', 'fill'].includes(reference)
      )
        return `Error in expression '${query.Id}': Unrecognized token ${reference}`;
  }
  return queries.filter((q) => q.ReturnData !== false).length === 0
    ? 'No query returns data.'
    : undefined;
}
