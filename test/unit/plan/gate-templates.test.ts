import { describe, expect, it } from 'vitest';
import { planJson, renderPlan, renderPlanText } from '@cutover/cli';
import { GATE_TEMPLATES, parsePlan, promString, templateParams, type Plan } from '@cutover/plan';

const PROM = '{ provider: prometheus, url: https://prometheus.example.com }';
const CW = '{ provider: cloudwatch, region: ap-northeast-1 }';

const plan = (metrics: string, gate: string) => `version: 1
name: t
strategy: blue-green
target: { kind: file, name: app }
router: { kind: file, path: w.json }
metrics: ${metrics}
steps: [{ weight: 100, bake: 1h, gates: [g] }]
gates:
  g: ${gate}
`;
const load = (metrics: string, gate: string): Plan => {
  const result = parsePlan(plan(metrics, gate), 'plan.yaml');
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.plan;
};
const errors = (metrics: string, gate: string): string[] => {
  const result = parsePlan(plan(metrics, gate), 'plan.yaml');
  return result.ok ? [] : result.errors;
};
const SHOP = 'params: { selector: { app: shop, track: green } }';
const ALB = 'params: { load-balancer: app/shop/0123456789abcdef }';

describe('expanding a template', () => {
  it('writes the PromQL, the traffic query and the default threshold', () => {
    const gate = load(
      PROM,
      `{ template: error-rate, ${SHOP}, for: 5m, min-traffic: { threshold: 1 } }`,
    ).gates.g;
    expect(gate?.query).toBe(
      '(sum(rate(http_requests_total{app="shop",track="green",code=~"5.."}[1m])) or vector(0)) / sum(rate(http_requests_total{app="shop",track="green"}[1m]))',
    );
    expect(gate?.minTraffic).toEqual({
      query: 'sum(rate(http_requests_total{app="shop",track="green"}[1m]))',
      threshold: 1,
    });
    expect(gate?.threshold).toMatchObject({ comparison: '>', value: 0.05, text: '> 5%' });
    expect(gate?.forMs).toBe(300_000);
    expect(gate?.template).toEqual({
      name: 'error-rate',
      language: 'prometheus',
      params: {
        selector: { app: 'shop', track: 'green' },
        metric: 'http_requests_total',
        'status-label': 'code',
        window: '1m',
      },
    });
  });

  it('takes the plan’s threshold, metric names, labels and window over the defaults', () => {
    const gate = load(
      PROM,
      `{ template: request-success-rate, params: { selector: { job: api }, metric: api_requests_total, status-label: status, window: 5m }, threshold: '< 99%' }`,
    ).gates.g;
    expect(gate?.query).toBe(
      '(sum(rate(api_requests_total{job="api",status!~"5.."}[5m])) or vector(0)) / sum(rate(api_requests_total{job="api"}[5m]))',
    );
    expect(gate?.threshold.value).toBe(0.99);
  });

  it('writes quantiles over the histogram buckets and counts requests from _count', () => {
    const p99 = load(
      PROM,
      `{ template: latency-p99, params: { selector: { app: shop }, histogram: api_latency_seconds }, threshold: '> 500ms', min-traffic: { threshold: 2 } }`,
    ).gates.g;
    expect(p99?.query).toBe(
      'histogram_quantile(0.99, sum by (le) (rate(api_latency_seconds_bucket{app="shop"}[1m])))',
    );
    expect(p99?.minTraffic?.query).toBe('sum(rate(api_latency_seconds_count{app="shop"}[1m]))');
    expect(p99?.threshold.value).toBe(0.5);
  });

  it('counts failed connection attempts by their outcome label', () => {
    const gate = load(
      PROM,
      `{ template: db-connection-failures, params: { selector: { app: shop }, outcome-label: outcome, failure-value: 'err"or' } }`,
    ).gates.g;
    expect(gate?.query).toBe(
      '(sum(rate(db_connection_attempts_total{app="shop",outcome="err\\"or"}[1m])) or vector(0)) / sum(rate(db_connection_attempts_total{app="shop"}[1m]))',
    );
    expect(gate?.threshold.text).toBe('> 10%');
  });

  it('keeps an explicit min-traffic query and a relative baseline as written', () => {
    const gate = load(
      PROM,
      `{ template: error-rate, ${SHOP}, min-traffic: { query: 'sum(rate(x[1m]))', threshold: 3 }, relative: { baseline: 'stable_errors' } }`,
    ).gates.g;
    expect(gate?.minTraffic).toEqual({ query: 'sum(rate(x[1m]))', threshold: 3 });
    expect(gate?.relative).toEqual({ baseline: 'stable_errors', mode: 'ratio' });
  });

  it('writes a GetMetricData mapping for CloudWatch: ALB defaults, FILL for error-free periods', () => {
    const gate = load(
      CW,
      `{ template: error-rate, params: { load-balancer: app/shop/0123456789abcdef, target-group: targetgroup/shop-green/0123456789abcdef }, min-traffic: { threshold: 1 } }`,
    ).gates.g;
    const dimensions = {
      LoadBalancer: 'app/shop/0123456789abcdef',
      TargetGroup: 'targetgroup/shop-green/0123456789abcdef',
    };
    const metric = (name: string) => ({
      namespace: 'AWS/ApplicationELB',
      name,
      stat: 'Sum',
      dimensions,
    });
    expect(gate?.query).toEqual({
      expression: 'FILL(errors, 0) / requests',
      period: 60,
      metrics: { errors: metric('HTTPCode_Target_5XX_Count'), requests: metric('RequestCount') },
    });
    expect(gate?.minTraffic?.query).toEqual({
      expression: 'requests / PERIOD(requests)',
      period: 60,
      metrics: { requests: metric('RequestCount') },
    });
    const success = load(CW, `{ template: request-success-rate, ${ALB} }`).gates.g;
    expect(success?.query).toMatchObject({ expression: '1 - FILL(errors, 0) / requests' });
    expect(success?.threshold.text).toBe('< 95%');
  });

  it('reads CloudWatch latency as a percentile statistic, converting milliseconds', () => {
    const seconds = load(CW, `{ template: latency-p95, ${ALB}, threshold: '> 2000ms' }`).gates.g;
    expect(seconds?.query).toEqual({
      period: 60,
      metrics: {
        latency: {
          namespace: 'AWS/ApplicationELB',
          name: 'TargetResponseTime',
          stat: 'p95',
          dimensions: { LoadBalancer: 'app/shop/0123456789abcdef' },
        },
      },
    });
    const ms = load(
      CW,
      `{ template: latency-p99, params: { namespace: AWS/ApiGateway, dimensions: { ApiName: shop }, latency-metric: Latency, latency-unit: milliseconds, period: 300 }, threshold: '> 1s' }`,
    ).gates.g;
    expect(ms?.query).toMatchObject({
      expression: 'latency / 1000',
      period: 300,
      metrics: { latency: { stat: 'p99', name: 'Latency', dimensions: { ApiName: 'shop' } } },
    });
  });

  it('reads database connection failures from the application’s own CloudWatch metrics', () => {
    const gate = load(
      CW,
      `{ template: db-connection-failures, params: { namespace: Shop/Db, failures-metric: Failed, attempts-metric: Attempts } }`,
    ).gates.g;
    expect(gate?.query).toMatchObject({
      expression: 'FILL(failures, 0) / attempts',
      metrics: {
        failures: { namespace: 'Shop/Db', name: 'Failed', stat: 'Sum', dimensions: {} },
        attempts: { name: 'Attempts' },
      },
    });
  });

  it('keeps a dimension named __proto__ a dimension, never a prototype', () => {
    const gate = load(
      CW,
      `{ template: db-connection-failures, params: { namespace: Shop/Db, failures-metric: F, attempts-metric: A, dimensions: { __proto__: x } } }`,
    ).gates.g;
    const metrics = (gate?.query as { metrics: Record<string, { dimensions: object }> }).metrics;
    expect(Object.keys(metrics.failures?.dimensions ?? {})).toEqual(['__proto__']);
    expect(JSON.stringify(metrics.failures?.dimensions)).toBe('{"__proto__":"x"}');
  });

  it('leaves a gate that writes its query as it was: no template key, the same rule', () => {
    const gate = load(PROM, `{ query: up, threshold: '< 1' }`).gates.g;
    expect(gate !== undefined && 'template' in gate).toBe(false);
  });

  it('lists every template with a form for each language; every param says what it allows', () => {
    expect([...GATE_TEMPLATES.keys()]).toEqual([
      'request-success-rate',
      'error-rate',
      'latency-p95',
      'latency-p99',
      'db-connection-failures',
    ]);
    for (const template of GATE_TEMPLATES.values())
      for (const language of ['prometheus', 'cloudwatch'] as const)
        for (const param of templateParams(template, language))
          expect(
            param.allowed.length,
            `${template.name} ${language} ${param.name}`,
          ).toBeGreaterThan(10);
  });

  it('escapes backslashes and quotes in PromQL strings', () => {
    expect(promString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(promString('"} or vector(1) #')).toBe('"\\"} or vector(1) #"');
  });
});

describe('refusing a template gate, naming the gate, key, value and what is allowed', () => {
  it.each([
    [
      PROM,
      '{ template: eror-rate }',
      'plan.yaml: gates.g.template: unknown template "eror-rate"; allowed: request-success-rate, error-rate, latency-p95, latency-p99, db-connection-failures',
    ],
    [
      PROM,
      '{ template: [error-rate] }',
      'plan.yaml: gates.g.template: expected a template name, one of request-success-rate, error-rate, latency-p95, latency-p99, db-connection-failures, got ["error-rate"]',
    ],
    [
      PROM,
      `{ template: error-rate, query: up, ${SHOP} }`,
      'plan.yaml: gates.g.query: give either query or template, not both: template "error-rate" writes the query (cutover plan shows it)',
    ],
    [
      PROM,
      `{ query: up, threshold: '> 1', ${SHOP} }`,
      'plan.yaml: gates.g.params: params are the parameters of a template: add template (e.g. "template: error-rate") or remove params',
    ],
    [
      PROM,
      '{ template: error-rate }',
      'plan.yaml: gates.g.params.selector: required by template "error-rate" on prometheus: a mapping of label name to value that picks the candidate\'s series, like { app: api, track: green }; each value is matched exactly (label="value")',
    ],
    [
      PROM,
      '{ template: error-rate, params: [app] }',
      'plan.yaml: gates.g.params: expected a mapping of parameter name to value for template "error-rate" (selector, metric, status-label, window), got ["app"]',
    ],
    [
      PROM,
      '{ template: error-rate, params: { selector: {} } }',
      'plan.yaml: gates.g.params.selector: expected a mapping of label name to value that picks the candidate\'s series, like { app: api, track: green }; each value is matched exactly (label="value"), got {}',
    ],
    [
      PROM,
      `{ template: error-rate, params: { selector: { app: shop }, job: api } }`,
      'plan.yaml: gates.g.params.job: unknown parameter of template "error-rate" on prometheus; allowed: selector, metric, status-label, window',
    ],
    [
      PROM,
      `{ template: error-rate, params: { selector: { app: "a\\nb" } } }`,
      'plan.yaml: gates.g.params.selector.app: expected a label value: text of 1 to 1024 characters without line breaks or control characters, got "a\\nb"',
    ],
    [
      PROM,
      `{ template: error-rate, params: { selector: { app: '' } } }`,
      'plan.yaml: gates.g.params.selector.app: expected a label value: text of 1 to 1024 characters without line breaks or control characters, got ""',
    ],
    [
      PROM,
      `{ template: error-rate, params: { selector: { code: 200 } } }`,
      "plan.yaml: gates.g.params.selector.code: expected a label value: text of 1 to 1024 characters without line breaks or control characters, got 200 (quote it: '200')",
    ],
    [
      PROM,
      `{ template: error-rate, params: { selector: { 'app="x",y': shop } } }`,
      'plan.yaml: gates.g.params.selector["app=\\"x\\",y"]: expected a label name: a letter or "_", then letters, digits or "_" (at most 128), like "code", got "app=\\"x\\",y"',
    ],
    [
      PROM,
      `{ template: error-rate, params: { selector: { __name__: up } } }`,
      'plan.yaml: gates.g.params.selector.__name__: label names starting with "__" are reserved by Prometheus, got "__name__"',
    ],
    [
      PROM,
      `{ template: error-rate, params: { selector: { app: shop }, metric: 'up) or vector(1' } }`,
      'plan.yaml: gates.g.params.metric: expected the request counter: a Prometheus metric name (a letter, "_" or ":", then letters, digits, "_" or ":"), got "up) or vector(1"',
    ],
    [
      PROM,
      `{ template: error-rate, params: { selector: { app: shop }, window: '1m] or vector(1) [1m' } }`,
      'plan.yaml: gates.g.params.window: expected the rate() range: a whole number and one unit s, m, h or d, like "1m" or "5m"; at least two scrape intervals, got "1m] or vector(1) [1m"',
    ],
    [
      PROM,
      `{ template: error-rate, params: { selector: { app: shop, code: '200' } } }`,
      'plan.yaml: gates.g.params.selector.code: the template matches label "code" itself (status-label); remove it from the selector',
    ],
    [
      PROM,
      `{ template: latency-p95, params: { selector: { le: '0.1' } }, threshold: '> 1s' }`,
      'plan.yaml: gates.g.params.selector.le: the template matches label "le" itself; remove it from the selector',
    ],
    [
      PROM,
      `{ template: latency-p95, params: { selector: { app: a }, histogram: x_seconds_bucket }, threshold: '> 1s' }`,
      'plan.yaml: gates.g.params.histogram: give the histogram\'s name without "_bucket", "_count" or "_sum" (the template adds them), got "x_seconds_bucket"',
    ],
    [
      PROM,
      `{ template: latency-p95, ${SHOP} }`,
      'plan.yaml: gates.g.threshold: template "latency-p95" has no default threshold: latency limits depend on the service (NextEvent rolls back at p95 > 200ms, Lightning Talk Circle at p95 > 2000ms); write one like \'> 200ms\'',
    ],
    [
      '{ provider: file, path: m.yaml }',
      `{ template: error-rate, ${SHOP} }`,
      'plan.yaml: gates.g.template: template "error-rate" expands for metrics.provider prometheus or cloudwatch, and this plan\'s provider is "file"; write the query instead (cutover plan shows the expansion for a prometheus or cloudwatch plan)',
    ],
    [
      CW,
      `{ template: error-rate, ${SHOP} }`,
      'plan.yaml: gates.g.params.selector: unknown parameter of template "error-rate" on cloudwatch; allowed: load-balancer, target-group, dimensions, namespace, requests-metric, period, errors-metric',
    ],
    [
      CW,
      `{ template: error-rate, params: { load-balancer: 'arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/shop/0123456789abcdef' } }`,
      'plan.yaml: gates.g.params.load-balancer: expected the LoadBalancer dimension value "app/<name>/<id>" (the end of the ARN), got "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/shop/…',
    ],
    [
      CW,
      '{ template: error-rate }',
      "plan.yaml: gates.g.params: a CloudWatch metric is found by its dimensions: give load-balancer, target-group or dimensions (the candidate's own, e.g. its target group)",
    ],
    [
      CW,
      `{ template: error-rate, params: { namespace: AWS/ApiGateway, load-balancer: app/shop/0123456789abcdef } }`,
      'plan.yaml: gates.g.params.load-balancer: load-balancer names an AWS/ApplicationELB dimension, and namespace is "AWS/ApiGateway"; use dimensions for other namespaces',
    ],
    [
      CW,
      `{ template: error-rate, params: { load-balancer: app/shop/0123456789abcdef, dimensions: { LoadBalancer: app/other/01 } } }`,
      'plan.yaml: gates.g.params.dimensions.LoadBalancer: load-balancer already sets the LoadBalancer dimension; give it once',
    ],
    [
      CW,
      `{ template: error-rate, params: { load-balancer: app/shop/0123456789abcdef, period: 90 } }`,
      'plan.yaml: gates.g.params.period: expected seconds: 1, 5, 10, 30 or a multiple of 60, got 90',
    ],
    [
      CW,
      `{ template: latency-p95, params: { load-balancer: app/shop/0123456789abcdef, latency-unit: ms }, threshold: '> 1s' }`,
      'plan.yaml: gates.g.params.latency-unit: expected seconds or milliseconds, got "ms"',
    ],
    [
      CW,
      `{ template: db-connection-failures, params: { namespace: ':bad', failures-metric: F, attempts-metric: A } }`,
      'plan.yaml: gates.g.params.namespace: expected a CloudWatch namespace like "AWS/ApplicationELB" or "NextEvent/Api": letters, digits, spaces and . _ / # : - (not starting with ":"), at most 255, got ":bad"',
    ],
    [
      CW,
      `{ template: db-connection-failures, params: { namespace: Shop/Db, failures-metric: F } }`,
      'plan.yaml: gates.g.params.attempts-metric: required by template "db-connection-failures" on cloudwatch: all connection attempts, failed ones included (Sum): text of 1 to 255 characters without control characters, like "DbConnectionAttempts"',
    ],
  ])('%s %s', (metrics, gate, message) => {
    expect(errors(metrics, gate)).toEqual([message]);
  });

  it('lists every problem of one gate at once', () => {
    expect(
      errors(
        PROM,
        `{ template: latency-p99, params: { selector: { app: "x\\ty", le: '1' }, windw: 1m } }`,
      ),
    ).toEqual([
      'plan.yaml: gates.g.params.windw: unknown parameter of template "latency-p99" on prometheus; allowed: selector, histogram, window',
      'plan.yaml: gates.g.params.selector.app: expected a label value: text of 1 to 1024 characters without line breaks or control characters, got "x\\ty"',
      'plan.yaml: gates.g.threshold: template "latency-p99" has no default threshold: latency limits depend on the service (NextEvent rolls back at p95 > 200ms, Lightning Talk Circle at p95 > 2000ms); write one like \'> 500ms\'',
    ]);
  });

  it('reports a lone surrogate, which no query can carry', () => {
    const result = parsePlan(
      plan(PROM, `{ template: error-rate, params: { selector: { app: "a\\uD800" } } }`),
      'plan.yaml',
    );
    expect(result.ok ? [] : result.errors).toEqual([
      expect.stringMatching(/^plan\.yaml: gates\.g\.params\.selector\.app: expected a label value/),
    ]);
  });
});

describe('cutover plan shows what will run', () => {
  const templated = load(PROM, `{ template: error-rate, ${SHOP}, min-traffic: { threshold: 1 } }`);
  const query = templated.gates.g?.query;
  const written = typeof query === 'string' ? query : '';

  it('prints each query in the terminal, with the template it came from', () => {
    const text = renderPlanText(templated);
    expect(text).toContain('  g (template error-rate on prometheus)\n');
    expect(text).toContain(`    query: ${written}\n`);
    expect(text).toContain(
      '    traffic (min-traffic 1): sum(rate(http_requests_total{app="shop",track="green"}[1m]))',
    );
  });

  it('shows a CloudWatch mapping as JSON, and a written query with no template note', () => {
    const cw = renderPlanText(load(CW, `{ template: latency-p95, ${ALB}, threshold: '> 1s' }`));
    expect(cw).toContain('    query: {\n        "period": 60,\n        "metrics": {');
    expect(renderPlanText(load(PROM, `{ query: up, threshold: '< 1' }`))).toContain(
      '  g\n    query: up\n',
    );
  });

  it('keeps a query from faking a workflow command or a terminal escape', () => {
    const text = renderPlanText(
      load(PROM, `{ query: "up\\n::error::fake\\n\\u001b[31mred", threshold: '< 1' }`),
    );
    expect(text).not.toMatch(/^\s*::/m);
    expect(text).not.toContain('\u001b');
  });

  it('fences each query in the markdown summary, longer than any backticks inside', () => {
    const markdown = renderPlan(templated);
    expect(markdown).toContain('### Queries');
    expect(markdown).toContain(
      `**g** \\(template error-rate on prometheus\\)\n\nquery:\n\n\`\`\`\n${written}\n\`\`\``,
    );
    const sneaky = renderPlan(load(PROM, '{ query: "up\\n```\\n# injected", threshold: \'< 1\' }'));
    expect(sneaky).toContain('````\nup\n```\n# injected\n````');
  });

  it('gives the query and the template in --format json', () => {
    const gate = (planJson(templated).gates as Record<string, unknown>[])[0];
    expect(gate).toMatchObject({
      name: 'g',
      query: templated.gates.g?.query,
      minTraffic: { threshold: 1 },
      template: { name: 'error-rate', language: 'prometheus' },
    });
  });
});
