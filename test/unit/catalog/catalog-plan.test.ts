import { describe, expect, it } from 'vitest';
import { loadPlanFile, parseCatalogPlan } from '@cutover/catalog';

/** A valid plan with one part replaced. */
function plan(parts: { router?: string; metrics?: string; query?: string; extra?: string }) {
  return `version: 1
name: catalog-test
strategy: blue-green
target: { kind: kubernetes, name: api }
router: ${parts.router ?? '{ kind: file, path: w.json, stable: blue, candidate: green }'}
metrics: ${parts.metrics ?? '{ provider: prometheus, url: "http://prometheus:9090" }'}
steps:
  - { weight: 100, bake: 10m, gates: [errors] }
gates:
  errors:
    query: ${parts.query ?? 'sum(rate(errors[1m]))'}
    threshold: '> 5'
${parts.extra ?? ''}`;
}

const CLOUDWATCH = '{ provider: cloudwatch, region: ap-northeast-1 }';
const ROUTE53 =
  '{ kind: route53, hosted-zone-id: Z0123456789EXAMPLE, record: api.example.com, stable: blue, candidate: green }';

const errorsOf = (text: string, env?: Record<string, string>) => {
  const result = parseCatalogPlan(text, 'plan.yaml', env === undefined ? {} : { env });
  return result.ok ? [] : result.errors;
};

describe('the catalog loads a plan with its adapters checked', () => {
  it('accepts a plan whose router, provider and queries are all valid', () => {
    expect(errorsOf(plan({}))).toEqual([]);
    const cloudwatch = plan({
      router: ROUTE53,
      metrics: CLOUDWATCH,
      query: '{ metrics: { e: { namespace: AWS/ApplicationELB, name: RequestCount, stat: Sum } } }',
    });
    expect(errorsOf(cloudwatch)).toEqual([]);
  });

  it.each([
    [
      'a router setting under the wrong name',
      plan({ router: ROUTE53.replace('hosted-zone-id', 'hosted-zone') }),
      [/^plan\.yaml: router\.hosted-zone-id: /, /^plan\.yaml: router\.hosted-zone: /],
    ],
    [
      'a provider setting the provider does not have, and a URL with credentials',
      plan({ metrics: '{ provider: prometheus, url: "http://ci:pw@prometheus:9090", token: x }' }),
      [
        /^plan\.yaml: metrics\.url: the URL must not contain credentials, got "http:\/\/\*\*\*@prometheus:9090\/"/,
        /^plan\.yaml: metrics\.token: unknown key; allowed: url, headers, bearer-token, basic-auth, timeout$/,
      ],
    ],
    [
      'a CloudWatch query CloudWatch would refuse',
      plan({
        metrics: CLOUDWATCH,
        query: '{ period: 90, metrics: { e: { namespace: AWS/ApplicationELB, stat: Sum } } }',
        extra: `    min-traffic: { query: 'sum(requests)', threshold: 1 }
    relative: { baseline: { metrics: { Base: { namespace: N, name: M, stat: Sum } } } }`,
      }),
      [
        /^plan\.yaml: gates\.errors\.query\.period: must be 1, 5, 10, 30 or a multiple of 60 seconds, got 90$/,
        /^plan\.yaml: gates\.errors\.query\.metrics\.e\.name: expected a metric name/,
        /^plan\.yaml: gates\.errors\.min-traffic\.query: cloudwatch needs a GetMetricData mapping/,
        /^plan\.yaml: gates\.errors\.relative\.baseline\.metrics\.Base: metric id "Base" must start with a lowercase letter/,
      ],
    ],
    [
      'a secret reference that is not one',
      plan({
        metrics:
          '{ provider: prometheus, url: "http://p:9090", basic-auth: { username: ci, password: { environment: PW } } }',
      }),
      [
        /^plan\.yaml: metrics\.basic-auth\.password: expected a password or a secret reference \{ env: NAME \}, got Object$/,
      ],
    ],
  ])('refuses %s, naming every field', (_name, text, expected) => {
    const errors = errorsOf(text);
    expect(errors).toHaveLength(expected.length);
    expected.forEach((pattern, i) => expect(errors[i]).toMatch(pattern));
  });

  it("lists the plan's own problems and the adapters' problems at once", () => {
    const text = plan({
      router: ROUTE53.replace('hosted-zone-id', 'hosted-zone'),
      metrics: '{ provider: cloudwatch, region: tokyo }',
    }).replace("threshold: '> 5'", "threshold: 'over 5'");
    const errors = errorsOf(text);
    expect(errors).toEqual([
      expect.stringMatching(/^plan\.yaml: gates\.errors\.threshold: /),
      expect.stringMatching(/^plan\.yaml: router\.hosted-zone-id: /),
      expect.stringMatching(/^plan\.yaml: router\.hosted-zone: /),
      'plan.yaml: metrics.region: expected an AWS region like "ap-northeast-1", got "tokyo"',
      expect.stringMatching(
        /^plan\.yaml: gates\.errors\.query: cloudwatch needs a GetMetricData mapping/,
      ),
    ]);
  });

  it('does not report twice what the plan reports (an unknown provider, a missing query)', () => {
    const errors = errorsOf(plan({ metrics: '{ provider: datadog }', query: '""' }));
    // The plan's own problems first, then the registry's.
    expect(errors).toEqual([
      expect.stringMatching(/^plan\.yaml: gates\.errors\.query: expected a PromQL expression/),
      'plan.yaml: metrics.provider: expected one of prometheus, cloudwatch, file, got "datadog"',
    ]);
  });

  it('refuses secrets whose variables are unset in the environment it is given, by path and name', () => {
    const text = plan({
      metrics:
        '{ provider: prometheus, url: "http://p:9090", bearer-token: { env: PROM_TOKEN }, headers: { X-Scope-OrgID: { env: TENANT } } }',
    });
    expect(errorsOf(text)).toEqual([]);
    expect(errorsOf(text, { TENANT: 't' })).toEqual([
      expect.stringMatching(
        /^plan\.yaml: metrics\.bearer-token: the environment variable PROM_TOKEN is not set/,
      ),
    ]);
    expect(errorsOf(text, { TENANT: 't', PROM_TOKEN: 'x' })).toEqual([]);
  });

  it('prefixes the input that named the file, as the actions report it', () => {
    const result = loadPlanFile('plan.yaml', () => plan({ metrics: '{ provider: file }' }));
    expect(result).toEqual({
      ok: false,
      message:
        "input 'plan': plan.yaml is not a valid plan:\nplan.yaml: metrics.path: expected the path of a recorded-samples file, got undefined",
    });
    expect(loadPlanFile('p.yaml', () => plan({}))).toMatchObject({ ok: true });
  });
});
