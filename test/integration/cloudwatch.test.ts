import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVirtualClock } from '@cutover/kit';
import { ProviderUnavailable, QueryRejected, checkWindow } from '@cutover/gates';
import { CloudWatchSource } from '@cutover/metrics';
import { parseThreshold, type GateRule } from '@cutover/plan';
import { FakeCloudWatch } from '../support/fake-cloudwatch.js';

let cloudwatch: FakeCloudWatch;
const saved = { ...process.env };
const errorRate = {
  expression: '100 * errors / requests',
  period: 60,
  metrics: {
    errors: {
      namespace: 'AWS/ApplicationELB',
      name: 'HTTPCode_Target_5XX_Count',
      stat: 'Sum',
      dimensions: { LoadBalancer: 'app/x/1' },
    },
    requests: {
      namespace: 'AWS/ApplicationELB',
      name: 'RequestCount',
      stat: 'Sum',
      dimensions: { LoadBalancer: 'app/x/1' },
    },
  },
};
const T0 = Date.UTC(2026, 10, 1, 12, 0, 0);
const source = () =>
  new CloudWatchSource({ region: 'ap-northeast-1', endpoint: cloudwatch.url, timeoutMs: 5000 });
const rule: GateRule = {
  name: 'api-error-rate',
  query: errorRate,
  threshold: parseThreshold('> 5') ?? { comparison: '>', value: 5, unit: '', text: '> 5' },
  forMs: 3 * 60_000,
  intervalMs: 60_000,
  initialDelayMs: 0,
  minSamples: 3,
  minTraffic: undefined,
  onNoData: 'inconclusive',
  minCoverage: 0,
  maxGapMs: Number.POSITIVE_INFINITY,
  errorBudget: 1,
  relative: undefined,
  severity: 'critical',
  description: undefined,
};

beforeAll(async () => {
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  cloudwatch = await new FakeCloudWatch().start();
  // 8% errors from 12:30 to 12:40, 1% otherwise.
  cloudwatch.generators.set('100 * errors / requests', (t) =>
    t * 1000 >= T0 + 30 * 60_000 && t * 1000 < T0 + 40 * 60_000 ? 8 : 1,
  );
});
afterAll(async () => {
  await cloudwatch.stop();
  process.env = saved;
});

describe('CloudWatch GetMetricData through the real SDK', () => {
  it('sends the metric stats and the math expression, and fails the gate on a sustained breach', async () => {
    const report = await checkWindow([rule], source(), T0, T0 + 60 * 60_000, createVirtualClock(0));
    expect(report.verdicts[0]).toMatchObject({
      status: 'fail',
      firedAt: T0 + 33 * 60_000,
      worst: 8,
    });
    const sent = cloudwatch.requests.at(-1)?.body.MetricDataQueries ?? [];
    expect(
      sent.map((q) => [q.Id, q.ReturnData, q.Expression ?? q.MetricStat?.Metric.MetricName]),
    ).toEqual([
      ['errors', false, 'HTTPCode_Target_5XX_Count'],
      ['requests', false, 'RequestCount'],
      ['result', true, '100 * errors / requests'],
    ]);
  });

  it('reads every page (NextToken while PartialData)', async () => {
    cloudwatch.pageSize = 7;
    const before = cloudwatch.requests.length;
    const series = await source().range(errorRate, T0, T0 + 60 * 60_000);
    cloudwatch.pageSize = 100_800;
    expect(series[0]?.points).toHaveLength(60);
    expect(cloudwatch.requests.length - before).toBe(9);
  });

  it('does not trust data still partial after the last page', async () => {
    cloudwatch.incomplete = true;
    await expect(source().range(errorRate, T0, T0 + 10 * 60_000)).rejects.toThrow(
      /returned PartialData data after all pages/,
    );
    cloudwatch.incomplete = false;
  });

  it('lets the SDK retry throttling and 5xx before answering', async () => {
    cloudwatch.failNext(400, 'Throttling', 'Rate exceeded');
    cloudwatch.failNext(503, 'ServiceUnavailable', 'try later');
    const series = await source().range(errorRate, T0, T0 + 5 * 60_000);
    expect(series[0]?.points).toHaveLength(5);
  });

  it('classifies a persistent outage as transient and an invalid query as permanent', async () => {
    // The SDK's standard retry strategy makes 3 attempts.
    cloudwatch.failNext(500, 'InternalServiceError', 'boom', 3);
    const before = cloudwatch.requests.length;
    await expect(source().range(errorRate, T0, T0 + 60_000)).rejects.toThrow(ProviderUnavailable);
    expect(cloudwatch.requests.length - before).toBe(3);
    const bad = { ...errorRate, expression: '100 * errors / reqs' };
    await expect(source().range(bad, T0, T0 + 60_000)).rejects.toThrow(QueryRejected);
    await expect(source().range(bad, T0, T0 + 60_000)).rejects.toThrow(
      /InvalidParameterValue.*Unrecognized token reqs/,
    );
  });

  it('refuses a malformed query before calling AWS', async () => {
    const before = cloudwatch.requests.length;
    await expect(
      source().range({ period: 90, metrics: { Errors: { namespace: 'x' } } }, T0, T0 + 60_000),
    ).rejects.toThrow(
      /query\.period: must be 1, 5, 10, 30 or a multiple of 60 seconds, got 90; query\.metrics\.Errors: metric id "Errors" must start with a lowercase letter.*; query\.metrics\.Errors\.name: expected a metric name like "RequestCount", got undefined; query\.metrics\.Errors\.stat: /,
    );
    expect(cloudwatch.requests.length).toBe(before);
  });

  it('answers an instant query with the latest point', async () => {
    const series = await source().instant(errorRate, T0 + 35 * 60_000);
    expect(series[0]?.points).toEqual([[T0 + 34 * 60_000, 8]]);
  });
});

describe('CloudWatch answers with non-finite or missing values', () => {
  it('drops NaN, ±Infinity and values missing for a timestamp: they are no data', async () => {
    const t = T0 / 1000;
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        // Timestamps outnumber Values: the last timestamp has no value at all.
        res.end(
          `{"MetricDataResults":[{"Id":"result","Label":"result","StatusCode":"Complete","Messages":[],` +
            `"Timestamps":[${t},${t + 60},${t + 120},${t + 180},${t + 240}],` +
            `"Values":["NaN","Infinity",2.5,"-Infinity"]}],"Messages":[]}`,
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const hostile = new CloudWatchSource({
      region: 'ap-northeast-1',
      endpoint: `http://127.0.0.1:${port}`,
      timeoutMs: 5000,
    });
    try {
      expect(await hostile.range(errorRate, T0, T0 + 5 * 60_000)).toEqual([
        { labels: {}, points: [[T0 + 120_000, 2.5]] },
      ]);
      const report = await checkWindow(
        [{ ...rule, minSamples: 1, forMs: 60_000 }],
        hostile,
        T0,
        T0 + 5 * 60_000,
        createVirtualClock(0),
      );
      expect(report.verdicts[0]?.worst).toBe(2.5);
    } finally {
      server.close();
    }
  });
});
