import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudWatchSource, PrometheusSource, checkMetricsQuery } from '@cutover/metrics';
import { GATE_TEMPLATES, parsePlan, type GateRule, type MetricQuery } from '@cutover/plan';
import { FakeCloudWatch } from '../support/fake-cloudwatch.js';
import {
  counterOpenMetrics,
  startPrometheus,
  type CounterSeries,
  type RunningPrometheus,
} from '../support/prometheus.js';

/**
 * Every template's expansion, run for real: the PromQL against a real Prometheus holding an
 * hour of backfilled traffic with known shares, the CloudWatch mapping through the real SDK to
 * the GetMetricData fake (which checks ids, periods and expression references).
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = (command: string, args: string[]) => promisify(execFile)(command, args, { cwd: ROOT });
const green = { track: 'green' };
// A label value holding a quote and a backslash, as OpenMetrics writes it and as stored.
const WEIRD_OM = 'we\\"ird\\\\app';
const WEIRD = 'we"ird\\app';

function series(): CounterSeries[] {
  const counter = (labels: Record<string, string>, rate: number): CounterSeries => ({
    name: 'http_requests_total',
    labels: { ...labels, ...green },
    ratePerSecond: () => rate,
  });
  const buckets: [string, number][] = [
    ['0.05', 50],
    ['0.1', 90],
    ['0.25', 97],
    ['0.5', 99.5],
    ['+Inf', 100],
  ];
  return [
    counter({ app: 'shop', code: '200' }, 98),
    counter({ app: 'shop', code: '500' }, 2),
    // A service that never answered a 5xx has no 5xx series at all.
    counter({ app: 'quiet', code: '200' }, 10),
    counter({ app: WEIRD_OM, code: '200' }, 5),
    counter({ app: WEIRD_OM, code: '503' }, 5),
    ...buckets.map(([le, rate]) => ({
      name: 'http_request_duration_seconds_bucket',
      labels: { app: 'shop', ...green, le },
      ratePerSecond: () => rate,
    })),
    {
      name: 'http_request_duration_seconds_count',
      labels: { app: 'shop', ...green },
      ratePerSecond: () => 100,
    },
    {
      name: 'db_connection_attempts_total',
      labels: { app: 'shop', ...green, result: 'success' },
      ratePerSecond: () => 9.5,
    },
    {
      name: 'db_connection_attempts_total',
      labels: { app: 'shop', ...green, result: 'failure' },
      ratePerSecond: () => 0.5,
    },
  ];
}

/** What each template reads on the data above for app "shop": the value and the traffic. */
const EXPECTED: Record<string, { value: number; traffic: number; threshold?: string }> = {
  'request-success-rate': { value: 0.98, traffic: 100 },
  'error-rate': { value: 0.02, traffic: 100 },
  // Linear inside the bucket, as histogram_quantile: rank 95 between 90 (0.1s) and 97 (0.25s).
  'latency-p95': { value: 0.1 + (5 / 7) * 0.15, traffic: 100, threshold: '> 200ms' },
  'latency-p99': { value: 0.25 + (2 / 2.5) * 0.25, traffic: 100, threshold: '> 500ms' },
  'db-connection-failures': { value: 0.05, traffic: 10 },
};

const planText = (metrics: string, gates: Record<string, string>) =>
  [
    'version: 1',
    'name: templates',
    'strategy: blue-green',
    'target: { kind: file, name: app }',
    'router: { kind: file, path: w.json, stable: blue, candidate: green }',
    `metrics: ${metrics}`,
    `steps: [{ weight: 100, bake: 1h, gates: [${Object.keys(gates).join(', ')}] }]`,
    'gates:',
    ...Object.entries(gates).map(([name, body]) => `  ${name}: ${body}`),
  ].join('\n');

function gatesOf(metrics: string, gates: Record<string, string>): Record<string, GateRule> {
  const result = parsePlan(planText(metrics, gates));
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.plan.gates;
}

const promGate = (template: string, app = 'shop') =>
  `{ template: ${template}, params: { selector: { app: ${JSON.stringify(app)}, track: green } }, min-traffic: { threshold: 1 }${EXPECTED[template]?.threshold === undefined ? '' : `, threshold: '${EXPECTED[template].threshold}'`} }`;

describe('Prometheus templates against a real Prometheus', () => {
  let prometheus: RunningPrometheus;
  let at = 0;
  const source = () => new PrometheusSource({ url: prometheus.url, timeoutMs: 5000 });
  const value = async (query: MetricQuery) => {
    const answer = await source().instant(query, at);
    expect(answer.length).toBeLessThanOrEqual(1);
    return answer[0]?.points.at(-1)?.[1];
  };

  beforeAll(async () => {
    const startS = Math.floor(Date.now() / 1000 / 3600) * 3600 - 3 * 3600;
    at = (startS + 30 * 60) * 1000;
    prometheus = await startPrometheus({
      openMetrics: counterOpenMetrics(series(), startS, 3600, 15),
    });
  }, 60_000);
  afterAll(() => prometheus.stop());

  it('has an expected value for every template', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...GATE_TEMPLATES.keys()].sort());
  });

  it.each([...GATE_TEMPLATES.keys()])(
    '%s: the expanded query and its traffic query read the recorded shares',
    async (name) => {
      const gate = gatesOf(`{ provider: prometheus, url: ${prometheus.url} }`, {
        g: promGate(name),
      }).g;
      const expected = EXPECTED[name];
      if (gate === undefined || expected === undefined) throw new Error(name);
      expect(gate.template).toMatchObject({ name, language: 'prometheus' });
      expect(await value(gate.query)).toBeCloseTo(expected.value, 3);
      expect(gate.minTraffic?.threshold).toBe(1);
      expect(await value(gate.minTraffic?.query ?? '')).toBeCloseTo(expected.traffic, 2);
    },
  );

  it('reads a service that never had a 5xx as 0% errors and 100% success, not as no data', async () => {
    const gates = gatesOf(`{ provider: prometheus, url: ${prometheus.url} }`, {
      errors: promGate('error-rate', 'quiet'),
      success: promGate('request-success-rate', 'quiet'),
    });
    expect(await value(gates.errors?.query ?? '')).toBe(0);
    expect(await value(gates.success?.query ?? '')).toBe(1);
  });

  it('has no data, never 0%, when the selection has no traffic', async () => {
    const gate = gatesOf(`{ provider: prometheus, url: ${prometheus.url} }`, {
      g: promGate('error-rate', 'gone'),
    }).g;
    expect(await source().instant(gate?.query ?? '', at)).toEqual([]);
  });

  it('matches a label value with a quote and a backslash exactly', async () => {
    const gate = gatesOf(`{ provider: prometheus, url: ${prometheus.url} }`, {
      g: promGate('error-rate', WEIRD),
    }).g;
    expect(gate?.query).toContain('app="we\\"ird\\\\app"');
    expect(await value(gate?.query ?? '')).toBeCloseTo(0.5, 3);
  });

  it.each([
    'shop"}) or vector(1) or (up{x="',
    'shop"} or vector(1) #',
    'shop\\',
    '\\"} or vector(1)',
  ])('keeps %j a label value: Prometheus parses the query and matches nothing', async (app) => {
    const gate = gatesOf(`{ provider: prometheus, url: ${prometheus.url} }`, {
      g: promGate('error-rate', app),
    }).g;
    // Parsed (a rejected query would throw QueryRejected) and selects no series: no data.
    expect(await source().instant(gate?.query ?? '', at)).toEqual([]);
    expect(await source().instant(gate?.minTraffic?.query ?? '', at)).toEqual([]);
  });

  it('runs what `cutover plan` shows for the NextEvent example, and each gate reads its share', async () => {
    const file = 'examples/plans/nextevent-phased.yaml';
    const { stdout: shown } = await run(process.execPath, [
      join(ROOT, 'packages/cli/bin/cutover.mjs'),
      'plan',
      file,
    ]);
    const result = parsePlan(readFileSync(join(ROOT, file), 'utf8'));
    if (!result.ok) throw new Error(result.errors.join('\n'));
    const gates = Object.values(result.plan.gates);
    expect(gates.map((g) => g.template?.name)).toEqual([
      'error-rate',
      'latency-p95',
      'db-connection-failures',
    ]);
    // Same labels as the recorded data, for another app: the example's expansion, re-pointed.
    for (const gate of gates) {
      const written = typeof gate.query === 'string' ? gate.query : '';
      expect(shown).toContain(`query: ${written}\n`);
      const query = written.replaceAll('app="nextevent"', 'app="shop"');
      const template = gate.template?.name ?? '';
      expect(await value(query)).toBeCloseTo(EXPECTED[template]?.value ?? Number.NaN, 3);
    }
  });
});

describe('CloudWatch templates through the real SDK', () => {
  let cloudwatch: FakeCloudWatch;
  const saved = { ...process.env };
  const T0 = Date.UTC(2026, 10, 1, 12, 0, 0);
  const source = () =>
    new CloudWatchSource({ region: 'ap-northeast-1', endpoint: cloudwatch.url, timeoutMs: 5000 });
  const params: Record<string, string> = {
    'request-success-rate':
      '{ load-balancer: app/shop/0123456789abcdef, target-group: targetgroup/shop-green/0123456789abcdef }',
    'error-rate':
      '{ load-balancer: app/shop/0123456789abcdef, target-group: targetgroup/shop-green/0123456789abcdef }',
    'latency-p95': '{ load-balancer: app/shop/0123456789abcdef }',
    'latency-p99':
      '{ namespace: AWS/ApiGateway, dimensions: { ApiName: shop }, latency-metric: Latency, latency-unit: milliseconds, requests-metric: Count }',
    'db-connection-failures':
      '{ namespace: Shop/Database, failures-metric: ConnectionFailures, attempts-metric: ConnectionAttempts, dimensions: { Service: shop } }',
  };

  beforeAll(async () => {
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    cloudwatch = await new FakeCloudWatch().start();
  });
  afterAll(async () => {
    await cloudwatch.stop();
    process.env = saved;
  });

  it.each([...GATE_TEMPLATES.keys()])(
    '%s: the provider accepts the expansion and GetMetricData answers it',
    async (name) => {
      const threshold = EXPECTED[name]?.threshold;
      const gate = gatesOf('{ provider: cloudwatch, region: ap-northeast-1 }', {
        g: `{ template: ${name}, params: ${params[name] ?? '{}'}, min-traffic: { threshold: 1 }${threshold === undefined ? '' : `, threshold: '${threshold}'`} }`,
      }).g;
      if (gate === undefined || gate.minTraffic === undefined) throw new Error(name);
      for (const [path, query] of [
        ['query', gate.query],
        ['min-traffic.query', gate.minTraffic.query],
      ] as const) {
        expect(checkMetricsQuery('cloudwatch', query, path)).toEqual([]);
        // The fake answers a returned query by its expression, or by its metric's name.
        const q = query as { expression?: string; metrics: Record<string, { name: string }> };
        const key = q.expression ?? Object.values(q.metrics)[0]?.name ?? '';
        cloudwatch.generators.set(key, () => 0.5);
        const answer = await source().range(query, T0, T0 + 10 * 60_000);
        expect(answer[0]?.points).toHaveLength(10);
        const sent = cloudwatch.requests.at(-1)?.body.MetricDataQueries ?? [];
        expect(sent.filter((s) => s.ReturnData !== false)).toHaveLength(1);
      }
    },
  );

  it('sends the ALB dimensions that pick the candidate, and the milliseconds conversion', async () => {
    const gates = gatesOf('{ provider: cloudwatch, region: ap-northeast-1 }', {
      errors: `{ template: error-rate, params: ${params['error-rate'] ?? ''} }`,
      slow: `{ template: latency-p99, params: ${params['latency-p99'] ?? ''}, threshold: '> 2000ms' }`,
    });
    cloudwatch.generators.set('FILL(errors, 0) / requests', () => 0.01);
    await source().range(gates.errors?.query ?? '', T0, T0 + 60_000);
    const sent = cloudwatch.requests.at(-1)?.body.MetricDataQueries ?? [];
    expect(sent.map((q) => [q.Id, q.MetricStat?.Stat, q.MetricStat?.Metric.Dimensions])).toEqual([
      [
        'errors',
        'Sum',
        [
          { Name: 'LoadBalancer', Value: 'app/shop/0123456789abcdef' },
          { Name: 'TargetGroup', Value: 'targetgroup/shop-green/0123456789abcdef' },
        ],
      ],
      ['requests', 'Sum', expect.any(Array)],
      ['result', undefined, undefined],
    ]);
    expect(gates.slow?.query).toMatchObject({
      expression: 'latency / 1000',
      metrics: { latency: { namespace: 'AWS/ApiGateway', name: 'Latency', stat: 'p99' } },
    });
    expect(gates.slow?.threshold.value).toBe(2);
  });
});
