import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVirtualClock } from '@cutover/kit';
import { ProviderUnavailable, QueryRejected, checkWindow } from '@cutover/gates';
import { PrometheusSource } from '@cutover/metrics';
import { parsePlan, type Plan } from '@cutover/plan';
import { readFileSync } from 'node:fs';
import {
  counterOpenMetrics,
  freePort,
  startPrometheus,
  type CounterSeries,
  type RunningPrometheus,
} from '../support/prometheus.js';

/**
 * The three NextEvent rollback triggers, in the example plan's own PromQL, against a real
 * Prometheus holding three hours of backfilled traffic:
 *   error rate 8%:            30m-36m (6 min, fires)   60m-64m (4 min, does not)
 *   p95 ~250ms:               90m-99m (9 min, does not) 110m-122m (12 min, fires)
 *   DB connection failures 12%: 140m-144m (4 min, fires) 155m-156m30s (90 s, does not)
 */
const M = 60;
const between = (t: number, from: number, to: number) => t >= from * M && t < to * M;
const errorFraction = (t: number) => (between(t, 30, 36) || between(t, 60, 64) ? 0.08 : 0.01);
const slowFraction = (t: number) => (between(t, 90, 99) || between(t, 110, 122) ? 0.1 : 0);
const dbFailureFraction = (t: number) =>
  between(t, 140, 144) || between(t, 155, 156.5) ? 0.12 : 0.005;
const RPS = 100;

function series(): CounterSeries[] {
  const app = { app: 'nextevent', track: 'green' };
  const buckets: [string, (t: number) => number][] = [
    ['0.05', (t) => RPS * (1 - slowFraction(t)) * 0.5],
    ['0.1', (t) => RPS * (1 - slowFraction(t))],
    ['0.2', (t) => RPS * (1 - slowFraction(t))],
    ['0.3', () => RPS],
    ['+Inf', () => RPS],
  ];
  return [
    {
      name: 'http_requests_total',
      labels: { ...app, code: '200' },
      ratePerSecond: (t) => RPS * (1 - errorFraction(t)),
    },
    {
      name: 'http_requests_total',
      labels: { ...app, code: '500' },
      ratePerSecond: (t) => RPS * errorFraction(t),
    },
    ...buckets.map(([le, rate]) => ({
      name: 'http_request_duration_seconds_bucket',
      labels: { ...app, le },
      ratePerSecond: rate,
    })),
    {
      name: 'db_connection_attempts_total',
      labels: { ...app, result: 'success' },
      ratePerSecond: (t) => 10 * (1 - dbFailureFraction(t)),
    },
    {
      name: 'db_connection_attempts_total',
      labels: { ...app, result: 'failure' },
      ratePerSecond: (t) => 10 * dbFailureFraction(t),
    },
  ];
}

let prometheus: RunningPrometheus;
let plan: Plan;
let startMs = 0;
const clock = createVirtualClock(0);

beforeAll(async () => {
  const startS = Math.floor(Date.now() / 1000 / 3600) * 3600 - 5 * 3600;
  startMs = startS * 1000;
  prometheus = await startPrometheus({
    openMetrics: counterOpenMetrics(series(), startS, 180 * M, 15),
  });
  const result = parsePlan(
    readFileSync(new URL('../../examples/plans/nextevent-phased.yaml', import.meta.url), 'utf8'),
  );
  if (!result.ok) throw new Error(result.errors.join('\n'));
  plan = result.plan;
}, 60_000);
afterAll(() => prometheus.stop());

const source = () => new PrometheusSource({ url: prometheus.url, timeoutMs: 5000 });
const gate = (name: string) => {
  const rule = plan.gates[name];
  if (rule === undefined) throw new Error(name);
  return rule;
};
const check = (name: string, fromMin: number, toMin: number) =>
  checkWindow([gate(name)], source(), startMs + fromMin * 60_000, startMs + toMin * 60_000, clock);

describe('NextEvent rollback triggers against a real Prometheus', () => {
  it('error rate > 5% for 5 minutes: a 6-minute spike fails, a 4-minute one passes', async () => {
    const fired = await check('error-rate', 20, 50);
    expect(fired.outcome.status).toBe('fail');
    expect(fired.verdicts[0]?.worst).toBeCloseTo(0.08, 3);
    const firedAt = (fired.verdicts[0]?.firedAt ?? 0) - startMs;
    expect(firedAt).toBeGreaterThanOrEqual(35 * 60_000);
    expect(firedAt).toBeLessThanOrEqual(36.5 * 60_000);
    expect((await check('error-rate', 50, 80)).outcome.status).toBe('pass');
  });

  it('p95 > 200ms for 10 minutes (histogram_quantile): 12 minutes fails, 9 minutes passes', async () => {
    const fired = await check('p95-latency', 100, 130);
    expect(fired.outcome.status).toBe('fail');
    expect(fired.verdicts[0]?.worst).toBeGreaterThan(0.2);
    expect((await check('p95-latency', 80, 105)).outcome.status).toBe('pass');
  });

  it('DB connection failures > 10% for 2 minutes: 4 minutes fails, 90 seconds passes', async () => {
    expect((await check('db-connection-failures', 135, 150)).outcome.status).toBe('fail');
    expect((await check('db-connection-failures', 150, 170)).outcome.status).toBe('pass');
  });

  it('is inconclusive, never a pass, over a window with no data', async () => {
    const report = await checkWindow(
      [gate('error-rate')],
      source(),
      startMs - 3 * 3600_000,
      startMs - 2 * 3600_000,
      clock,
    );
    expect(report.outcome.status).toBe('inconclusive');
  });

  it('rejects a query that returns several series unless it aggregates', async () => {
    const perCode = { ...gate('error-rate'), query: 'rate(http_requests_total[1m])' };
    const report = await checkWindow([perCode], source(), startMs, startMs + 10 * 60_000, clock);
    expect(report.verdicts[0]?.reason).toMatch(/returned 2 series .*aggregate it/);
  });

  it('fails a bad query at once (HTTP 400), without retrying', async () => {
    await expect(source().instant('sum(rate(http_requests_total[1m]', Date.now())).rejects.toThrow(
      QueryRejected,
    );
    const report = await checkWindow(
      [{ ...gate('error-rate'), query: 'sum(' }],
      source(),
      startMs,
      startMs + 60_000,
      clock,
    );
    // The value and the min-traffic guard, once each: a rejected query is never retried.
    expect(report.queries).toBe(2);
    expect(report.verdicts[0]?.reason).toMatch(/rejected "sum\(": .*parse error/);
  });
});

describe('Prometheus failures', () => {
  let hang: TcpServer;
  let warnings: Server;
  let hangPort = 0;
  let warningsUrl = '';

  beforeAll(async () => {
    hang = createTcpServer(() => {
      /* accepts, never answers */
    });
    hangPort = await freePort();
    await new Promise<void>((resolve) => hang.listen(hangPort, '127.0.0.1', resolve));
    warnings = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          status: 'success',
          warnings: ['remote store eu-1 unavailable: partial response'],
          data: { resultType: 'vector', result: [{ metric: {}, value: [1, '0.01'] }] },
        }),
      );
    });
    await new Promise<void>((resolve) => warnings.listen(0, '127.0.0.1', resolve));
    const address = warnings.address();
    warningsUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  });
  afterAll(() => {
    hang.close();
    warnings.close();
  });

  it('counts Prometheus down against the error budget', async () => {
    const down = new PrometheusSource({
      url: `http://127.0.0.1:${await freePort()}`,
      timeoutMs: 1000,
    });
    await expect(down.instant('up', Date.now())).rejects.toThrow(ProviderUnavailable);
    const report = await checkWindow(
      [{ ...gate('error-rate'), errorBudget: 2 }],
      down,
      startMs,
      startMs + 60_000,
      createVirtualClock(0),
    );
    expect(report.verdicts[0]?.reason).toMatch(
      /^3 provider errors in a row \(error-budget 2\); last: prometheus 127\.0\.0\.1:\d+ is unreachable: .*ECONNREFUSED/,
    );
  });

  it('times out a Prometheus that never answers', async () => {
    const slow = new PrometheusSource({ url: `http://127.0.0.1:${hangPort}`, timeoutMs: 300 });
    await expect(slow.instant('up', Date.now())).rejects.toThrow(
      `prometheus 127.0.0.1:${hangPort} did not answer within 0.3s`,
    );
  });

  it('does not trust an answer carrying warnings (partial response)', async () => {
    const partial = new PrometheusSource({ url: warningsUrl, timeoutMs: 1000 });
    await expect(partial.instant('up', Date.now())).rejects.toThrow(
      /answered with warnings .*partial response/,
    );
  });

  it('sends bearer tokens and custom headers', async () => {
    let seen: Record<string, unknown> = {};
    const echo = createServer((req, res) => {
      seen = req.headers;
      res
        .writeHead(200)
        .end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }));
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    const address = echo.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    await new PrometheusSource({
      url: `http://127.0.0.1:${port}/prom/`,
      bearerToken: 's3cret',
      headers: { 'X-Scope-OrgID': 'team-a' },
      timeoutMs: 1000,
    }).instant('up', 0);
    echo.close();
    expect(seen).toMatchObject({ authorization: 'Bearer s3cret', 'x-scope-orgid': 'team-a' });
  });
});
