import { describe, expect, it } from 'vitest';
import { ConfigError } from '@cutover/kit';
import {
  CloudWatchSource,
  FileSource,
  PrometheusSource,
  checkMetricsQuery,
  checkMetricsSettings,
  createMetricsSource,
  metricsRegistry,
  type SourceContext,
} from '@cutover/metrics';
import type { MetricsConfig } from '@cutover/plan';

const context = (env: Record<string, string> = {}, masked: string[] = []): SourceContext => ({
  readFile: () => 'up: [{ from: 0s, to: 1h, value: 1 }]\n',
  recordedBase: 0,
  timeoutMs: 1000,
  env,
  mask: (secret) => masked.push(secret),
});

const errorsOf = (raw: unknown) => {
  const checked = checkMetricsSettings(raw);
  return checked.ok ? [] : checked.errors;
};

/** The options a Prometheus source was built with (private, read for the assertions only). */
const optionsOf = (source: unknown) =>
  (source as { options: { bearerToken?: string; basicAuth?: object; headers?: object } }).options;

function thrown(build: () => unknown): Error {
  try {
    build();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('the metrics registry', () => {
  it('lists each provider once, by kind, with a summary and a settings schema', () => {
    expect([...metricsRegistry.keys()]).toEqual(['prometheus', 'cloudwatch', 'file']);
    for (const provider of metricsRegistry.values()) {
      expect(provider.summary).not.toBe('');
      expect(provider.settings).toBeDefined();
    }
    expect(metricsRegistry.get('__proto__')).toBeUndefined();
  });

  it('names an unknown provider and the providers there are', () => {
    expect(errorsOf({ provider: 'datadog' })).toEqual([
      'metrics.provider: expected one of prometheus, cloudwatch, file, got "datadog"',
    ]);
    expect(errorsOf('prometheus')).toEqual([
      'metrics: expected a mapping with a provider (prometheus, cloudwatch, file)',
    ]);
  });

  it('lists every problem of a provider at once, each with its field path', () => {
    const errors = errorsOf({
      provider: 'prometheus',
      url: 'http://user:s3cret@prometheus:9090',
      headers: { 'bad header': 'x', 'X-Ok': 5 },
      'bearer-token': { env: '1NVALID' },
      'basic-auth': { username: 'ci' },
      timeout: 'soon',
      tenant: 'a',
      region: 'b',
    });
    expect(errors).toEqual([
      expect.stringMatching(
        /^metrics\.url: the URL must not contain credentials, got "http:\/\/\*\*\*@prometheus:9090\/"/,
      ),
      expect.stringMatching(
        /^metrics\.headers\.bad header: "bad header" is not a valid HTTP header name/,
      ),
      'metrics.headers.X-Ok: expected a header value (a string) or a secret reference { env: NAME }, got 5',
      expect.stringMatching(
        /^metrics\.bearer-token: expected \{ env: NAME \} with an environment variable name .*, got \{ env: "1NVALID" \}$/,
      ),
      'metrics.basic-auth.password: expected a password or a secret reference { env: NAME }, got undefined',
      'metrics.timeout: expected a duration like "30s" (more than 0), got "soon"',
      'metrics.tenant: unknown key; allowed: url, headers, bearer-token, basic-auth, timeout',
      'metrics.region: unknown key; allowed: url, headers, bearer-token, basic-auth, timeout',
    ]);
    expect(errors.join('\n')).not.toContain('s3cret');
  });

  it('checks CloudWatch and file settings the same way', () => {
    expect(errorsOf({ provider: 'cloudwatch', region: 'tokyo', endpoint: 'ftp://x' })).toEqual([
      'metrics.region: expected an AWS region like "ap-northeast-1", got "tokyo"',
      'metrics.endpoint: the URL must start with http:// or https://, got "ftp://x"',
    ]);
    expect(errorsOf({ provider: 'cloudwatch' })).toEqual([
      'metrics.region: expected an AWS region like "ap-northeast-1", got undefined',
    ]);
    expect(errorsOf({ provider: 'file', start: 'yesterday' })).toEqual([
      'metrics.path: expected the path of a recorded-samples file, got undefined',
      'metrics.start: expected an ISO 8601 time like "2026-06-01T00:00:00Z", got "yesterday"',
    ]);
  });

  it('builds each provider through its definition', () => {
    const build = (config: MetricsConfig) => createMetricsSource(config, {}, context());
    expect(build({ provider: 'prometheus', settings: { url: 'http://p:9090' } })).toBeInstanceOf(
      PrometheusSource,
    );
    expect(build({ provider: 'cloudwatch', settings: { region: 'eu-west-1' } })).toBeInstanceOf(
      CloudWatchSource,
    );
    expect(build({ provider: 'file', settings: { path: 'm.yaml' } })).toBeInstanceOf(FileSource);
  });

  it('reports bad settings as a configuration error listing every problem', () => {
    const error = thrown(() =>
      createMetricsSource(
        { provider: 'cloudwatch', settings: { region: 'x', extra: 1 } },
        {},
        context(),
      ),
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(
      'metrics.region: expected an AWS region like "ap-northeast-1", got "x"\nmetrics.extra: unknown key; allowed: region, endpoint, timeout',
    );
  });

  it('reports an unreadable or malformed recording as a configuration error', () => {
    const unreadable = thrown(() =>
      createMetricsSource(
        { provider: 'file', settings: { path: 'gone.yaml' } },
        {},
        {
          ...context(),
          readFile: () => {
            throw Object.assign(new Error('nope'), { code: 'ENOENT' });
          },
        },
      ),
    );
    expect(unreadable).toBeInstanceOf(ConfigError);
    expect(unreadable.message).toBe('metrics.path: cannot read "gone.yaml" (ENOENT)');
    const malformed = thrown(() =>
      createMetricsSource(
        { provider: 'file', settings: { path: 'm.yaml' } },
        {},
        {
          ...context(),
          readFile: () => 'up: 5\n',
        },
      ),
    );
    expect(malformed).toBeInstanceOf(ConfigError);
    expect(malformed.message).toBe('metrics.path: m.yaml: up: expected a list of entries');
  });
});

describe('secrets as settings: { env: NAME }', () => {
  const prometheus = (settings: Record<string, unknown>): MetricsConfig => ({
    provider: 'prometheus',
    settings: { url: 'https://prometheus.example.com', ...settings },
  });

  it('resolves every secret reference from the environment and masks each value before use', () => {
    const masked: string[] = [];
    const source = createMetricsSource(
      prometheus({
        'basic-auth': { username: 'ci', password: { env: 'PROM_PASSWORD' } },
        headers: { 'X-Scope-OrgID': { env: 'TENANT' }, 'X-Plain': 'visible' },
      }),
      {},
      context({ PROM_PASSWORD: 'pw-123', TENANT: 'tenant-7' }, masked),
    );
    expect(optionsOf(source).basicAuth).toEqual({ username: 'ci', password: 'pw-123' });
    expect(optionsOf(source).headers).toEqual({
      'X-Scope-OrgID': 'tenant-7',
      'X-Plain': 'visible',
    });
    expect(masked.sort()).toEqual(['pw-123', 'tenant-7']);
  });

  it('refuses unset or empty variables, naming each setting path and variable, all at once', () => {
    const error = thrown(() =>
      createMetricsSource(
        prometheus({
          'bearer-token': { env: 'PROM_TOKEN' },
          headers: { 'X-Scope-OrgID': { env: 'TENANT' } },
        }),
        {},
        context({ TENANT: '' }),
      ),
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message.split('\n')).toEqual([
      expect.stringMatching(
        /^metrics\.headers\.X-Scope-OrgID: the environment variable TENANT is empty/,
      ),
      expect.stringMatching(
        /^metrics\.bearer-token: the environment variable PROM_TOKEN is not set/,
      ),
    ]);
  });

  it('reads no environment when there is none in the context', () => {
    const { env: _env, ...withoutEnv } = context();
    expect(() =>
      createMetricsSource(prometheus({ 'bearer-token': { env: 'PROM_TOKEN' } }), {}, withoutEnv),
    ).toThrow(/metrics\.bearer-token: the environment variable PROM_TOKEN is not set/);
  });

  it('reads only variables the environment has, never an inherited property', () => {
    for (const name of ['__proto__', 'constructor', 'toString'])
      expect(() =>
        createMetricsSource(prometheus({ 'bearer-token': { env: name } }), {}, context()),
      ).toThrow(`metrics.bearer-token: the environment variable ${name} is not set`);
  });

  it('takes a mapping that only looks like a reference literally where no secret is allowed', () => {
    // A header named "env" is a header, not a secret reference.
    const source = createMetricsSource(
      prometheus({ headers: { env: 'production' } }),
      {},
      context(),
    );
    expect(optionsOf(source).headers).toEqual({ env: 'production' });
  });

  it('refuses a resolved header value that HTTP cannot carry, without printing it', () => {
    const error = thrown(() =>
      createMetricsSource(
        prometheus({ headers: { 'X-Key': { env: 'KEY' } } }),
        {},
        context({ KEY: 'sec\r\nret' }),
      ),
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(
      'metrics.headers.X-Key: the value contains a line break or NUL, which HTTP does not allow',
    );
  });

  it("keeps the 'prometheus-token' and 'prometheus-basic-auth' inputs, which replace the plan's credentials", () => {
    const masked: string[] = [];
    const withToken = createMetricsSource(
      prometheus({ 'basic-auth': { username: 'ci', password: { env: 'UNSET' } } }),
      { prometheusToken: 'input-token' },
      context({}, masked),
    );
    expect(optionsOf(withToken).bearerToken).toBe('input-token');
    expect(optionsOf(withToken).basicAuth).toBeUndefined();
    const withBasic = createMetricsSource(
      prometheus({ 'bearer-token': { env: 'UNSET' } }),
      { prometheusUsername: 'ops', prometheusPassword: 'pw' },
      context({}, masked),
    );
    expect(optionsOf(withBasic).basicAuth).toEqual({ username: 'ops', password: 'pw' });
    expect(optionsOf(withBasic).bearerToken).toBeUndefined();
    // The user name is no secret: masking it would hide every "ops" in the log.
    expect(masked).toEqual(['input-token', 'pw']);
  });
});

describe('provider-specific queries', () => {
  const good = {
    expression: '100 * errors / requests',
    period: 60,
    metrics: {
      errors: { namespace: 'AWS/ApplicationELB', name: 'HTTPCode_Target_5XX_Count', stat: 'Sum' },
      requests: { namespace: 'AWS/ApplicationELB', name: 'RequestCount', stat: 'Sum' },
    },
  };

  it('accepts a GetMetricData mapping for CloudWatch and a PromQL string for Prometheus', () => {
    expect(checkMetricsQuery('cloudwatch', good, 'gates.e.query')).toEqual([]);
    expect(checkMetricsQuery('prometheus', 'up', 'gates.e.query')).toEqual([]);
    expect(checkMetricsQuery('file', good, 'gates.e.query')).toEqual([]);
  });

  it('lists every problem of a CloudWatch query with its path', () => {
    expect(
      checkMetricsQuery(
        'cloudwatch',
        {
          period: 90,
          label: 'x',
          metrics: { Errors: { namespace: 'x', stat: 'Sum', dimensions: { LoadBalancer: 5 } } },
        },
        'gates.e.query',
      ),
    ).toEqual([
      'gates.e.query.period: must be 1, 5, 10, 30 or a multiple of 60 seconds, got 90',
      expect.stringMatching(
        /^gates\.e\.query\.metrics\.Errors: metric id "Errors" must start with a lowercase letter/,
      ),
      'gates.e.query.metrics.Errors.name: expected a metric name like "RequestCount", got undefined',
      'gates.e.query.metrics.Errors.dimensions.LoadBalancer: expected a dimension value (a string), got 5',
      'gates.e.query.label: unknown key; allowed: expression, period, metrics',
    ]);
  });

  it('refuses a CloudWatch query that cannot name its result', () => {
    expect(checkMetricsQuery('cloudwatch', { metrics: { ...good.metrics } }, 'q')).toEqual([
      'q.metrics: without an expression, give exactly one metric (or an expression combining them)',
    ]);
    expect(
      checkMetricsQuery(
        'cloudwatch',
        { expression: 'result * 2', metrics: { result: good.metrics.errors } },
        'q',
      ),
    ).toEqual([
      `q.metrics: the id "result" names the expression's result; give the metric another id`,
    ]);
  });

  it("refuses the other provider's query shape", () => {
    expect(checkMetricsQuery('cloudwatch', 'sum(rate(x[1m]))', 'q')).toEqual([
      'q: cloudwatch needs a GetMetricData mapping {metrics, expression, period}, got the string "sum(rate(x[1m]))"',
    ]);
    expect(checkMetricsQuery('prometheus', good, 'q')).toEqual([
      expect.stringMatching(/^q: prometheus needs a PromQL expression \(a string\), got a mapping/),
    ]);
  });
});
