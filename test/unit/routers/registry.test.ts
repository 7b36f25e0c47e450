import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { systemClock } from '@cutover/kit';
import {
  ROUTER_KINDS,
  RouterConfigError,
  checkRouterSettings,
  createTargets,
  routerRegistry,
} from '@cutover/routers';

const RULE =
  'arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:listener-rule/app/lightningtalk/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee';
const TG = (name: string) =>
  `arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/${name}/73e2d6bc24d8a067`;

/** One valid `router:` per kind, and one wrong field with the message it must give. */
const EXAMPLES: Record<string, { valid: Record<string, unknown>; bad: [string, unknown, string] }> =
  {
    file: {
      valid: { kind: 'file', path: 'w.json', stable: 'blue', candidate: 'green' },
      bad: ['path', '', 'router.path: expected a file path like ".cutover/weights.json", got ""'],
    },
    'gateway-api': {
      valid: { kind: 'gateway-api', name: 'shop', stable: 'blue', candidate: 'green' },
      bad: [
        'candidate',
        'Green_V2',
        'router.candidate: expected a Service name like "shop-green" (lowercase letters, digits, "-"), got "Green_V2"',
      ],
    },
    'ingress-nginx': {
      valid: {
        kind: 'ingress-nginx',
        objects: ['shop-canary'],
        stable: 'blue',
        candidate: 'green',
      },
      bad: [
        'objects',
        [],
        'router.objects: expected a list of distinct object names like [shop, shop-api], got []',
      ],
    },
    istio: {
      valid: {
        kind: 'istio',
        name: 'shop',
        namespace: 'production',
        stable: 'blue',
        candidate: 'green',
        readiness: { stable: 'shop', candidate: 'shop' },
      },
      bad: [
        'readiness',
        { stable: 'shop' },
        'router.readiness.candidate: expected a Service name like "shop-green" (lowercase letters, digits, "-"), got nothing',
      ],
    },
    'service-selector': {
      valid: {
        kind: 'service-selector',
        name: 'shop',
        'stable-selector': { app: 'shop', track: 'blue' },
        'candidate-selector': { app: 'shop', track: 'green' },
      },
      bad: [
        'candidate-selector',
        {},
        'router.candidate-selector: expected a label map like {track: green}, got {}',
      ],
    },
    route53: {
      valid: {
        kind: 'route53',
        'hosted-zone-id': 'Z0123456789EXAMPLE',
        record: 'api.example.com',
        stable: 'legacy',
        candidate: 'prod-v2',
      },
      bad: [
        'type',
        'SOA',
        'router.type: expected one of A, AAAA, CAA, CNAME, DS, MX, NAPTR, PTR, SPF, SRV, TXT, got "SOA"',
      ],
    },
    alb: {
      valid: {
        kind: 'alb',
        region: 'ap-northeast-1',
        'rule-arn': RULE,
        stable: TG('blue'),
        candidate: TG('green'),
      },
      bad: [
        'region',
        'eu-west-1',
        'router.region: expected the region of rule-arn (ap-northeast-1), got "eu-west-1"',
      ],
    },
  };

describe('router registry', () => {
  it('has one definition per kind, and every kind has an example here', () => {
    expect(new Set(ROUTER_KINDS).size).toBe(routerRegistry.length);
    // A new router's own test covers its schema; these are the kinds shipped with the registry.
    for (const kind of Object.keys(EXAMPLES)) expect(ROUTER_KINDS).toContain(kind);
    for (const definition of routerRegistry) expect(definition.summary.length).toBeGreaterThan(10);
  });

  it("accepts the example plans' router sections", () => {
    const dir = new URL('../../../examples/plans/', import.meta.url);
    const files = readdirSync(dir).filter((name) => name.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const plan = parse(readFileSync(new URL(file, dir), 'utf8')) as { router: unknown };
      expect(checkRouterSettings(plan.router), file).toMatchObject({ ok: true });
    }
  });

  for (const [kind, { valid, bad }] of Object.entries(EXAMPLES)) {
    it(`${kind}: accepts valid settings and rejects a bad field with its path`, () => {
      expect(checkRouterSettings(valid)).toMatchObject({ ok: true });
      const [key, value, message] = bad;
      expect(checkRouterSettings({ ...valid, [key]: value })).toEqual({
        ok: false,
        errors: [message],
      });
    });
  }

  it('says what a missing setting expects', () => {
    const { 'hosted-zone-id': _zone, ...rest } = EXAMPLES.route53?.valid ?? {};
    expect(checkRouterSettings({ ...rest, 'hosted-zone': 'Z0123456789EXAMPLE' })).toEqual({
      ok: false,
      errors: [
        'router.hosted-zone-id: expected a Route 53 zone id like "Z0123456789EXAMPLE", got nothing',
        'router.hosted-zone: unknown setting (did you mean hosted-zone-id?); allowed: kind, hosted-zone-id, record, type, stable, candidate, endpoint',
      ],
    });
  });

  it('lists every problem at once, each with its path, under the path given', () => {
    const result = checkRouterSettings(
      {
        kind: 'gateway-api',
        namespace: 'Production',
        stable: 7,
        readiness: { stable: 'a', candidat: 'b' },
        'stable-selector': { a: 'b' },
      },
      'plan.router',
    );
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.errors).toEqual([
      'plan.router.namespace: expected a namespace like "production", got "Production"',
      'plan.router.stable: expected a Service name like "shop-green" (lowercase letters, digits, "-"), got 7',
      'plan.router.candidate: expected a Service name like "shop-green" (lowercase letters, digits, "-"), got nothing',
      'plan.router.readiness.candidate: expected a Service name like "shop-green" (lowercase letters, digits, "-"), got nothing',
      'plan.router.readiness.candidat: unknown setting (did you mean candidate?); allowed: stable, candidate',
      'plan.router.stable-selector: unknown setting (did you mean stable?); allowed: kind, namespace, kubeconfig, context, name, objects, stable, candidate, readiness',
      'plan.router.name: expected an object name (or objects: [a, b] to move several together), got nothing',
    ]);
  });

  it('names the kinds when the kind is unknown or missing, and refuses a non-mapping', () => {
    const kinds = ROUTER_KINDS.join(', ');
    expect(kinds).toMatch(
      /^file, gateway-api, ingress-nginx, istio, service-selector, route53, alb/,
    );
    expect(checkRouterSettings({ kind: 'traefik' })).toEqual({
      ok: false,
      errors: [`router.kind: expected one of ${kinds}, got "traefik"`],
    });
    expect(checkRouterSettings({ name: 'shop' })).toEqual({
      ok: false,
      errors: [`router.kind: expected one of ${kinds}, got nothing`],
    });
    expect(checkRouterSettings('file')).toEqual({
      ok: false,
      errors: [`router: expected a mapping with kind (one of ${kinds}), got "file"`],
    });
  });

  it('refuses name and objects together, and istio without readiness', () => {
    const istio = { ...EXAMPLES.istio?.valid };
    delete istio.readiness;
    expect(checkRouterSettings({ ...istio, objects: ['a'] })).toEqual({
      ok: false,
      errors: [
        'router.readiness: expected the Services whose endpoints must be ready, {stable: shop-blue, candidate: shop-green}, got nothing',
        'router.name: give name (one object) or objects (several), not both',
      ],
    });
  });

  it('createTargets refuses bad settings before building anything, with every problem', () => {
    const error = (() => {
      try {
        createTargets(
          { kind: 'alb', region: 'nowhere', stable: 'x' },
          { clock: systemClock, resolvePath: (p) => p },
        );
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(RouterConfigError);
    expect((error as RouterConfigError).problems).toHaveLength(4);
    expect(String(error)).toContain('router.rule-arn: expected a listener rule ARN');
  });

  it('createTargets builds one target per object, sharing one Kubernetes client', () => {
    const { targets, client } = createTargets(
      { kind: 'gateway-api', objects: ['shop', 'shop-api'], stable: 'blue', candidate: 'green' },
      { clock: systemClock, resolvePath: (p) => p },
    );
    expect(targets.map((t) => t.description)).toEqual([
      'HTTPRoute default/shop',
      'HTTPRoute default/shop-api',
    ]);
    expect(client).toBeDefined();
  });
});
