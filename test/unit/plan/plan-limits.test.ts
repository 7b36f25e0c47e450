import { describe, expect, it, vi } from 'vitest';
import {
  loadPlanFile,
  parseDuration,
  parsePlan,
  sameSideProblems,
  validatePlan,
  type Plan,
} from '@cutover/plan';

const header = `version: 1
name: t
strategy: phased
target: { kind: file, name: app }
router: { kind: file, path: w.json, stable: blue, candidate: green }
metrics: { provider: file, path: m.yaml }
`;
const plan = (body: string) => `${header}${body}`;
const twoSteps = `steps:
  - { weight: 50, bake: 1h, gates: [errors] }
  - { weight: 100, bake: 1h, gates: [errors] }
`;
const errorsGate = `gates:
  errors: { query: x, threshold: '> 5%', for: 5m }
`;
const errorsOf = (text: string): string[] => {
  const result = parsePlan(text, 'p.yaml');
  return result.ok ? [] : result.errors;
};
const load = (text: string): Plan => {
  const result = parsePlan(text, 'p.yaml');
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.plan;
};

describe('plan size and YAML limits', () => {
  it('refuses a plan over 256 KiB before parsing, naming the file, its size and the limit', () => {
    let gates = 'gates:\n';
    for (let i = 0; gates.length < 300 * 1024; i++)
      gates += `  g${i}: { query: 'sum(rate(x[1m]))', threshold: '> 5%', for: 5m }\n`;
    const text = plan(twoSteps.replaceAll('errors', 'g0') + gates);
    const bytes = new TextEncoder().encode(text).length;
    expect(errorsOf(text)).toEqual([
      `p.yaml: the file is ${bytes} bytes; a plan may be at most 262144 bytes (256 KiB)`,
    ]);
  });

  it('counts the size in UTF-8 bytes, not characters', () => {
    // 140,000 two-byte characters: under the limit in characters, over it in bytes.
    const text = plan(`${twoSteps}${errorsGate}# ${'é'.repeat(140_000)}\n`);
    expect(errorsOf(text)[0]).toMatch(/^p\.yaml: the file is 28\d{4} bytes; a plan may be at most/);
  });

  it('names the input and the path when the plan file is too large', () => {
    const result = loadPlanFile('plans/big.yaml', () => `# ${'x'.repeat(270_000)}\n`);
    expect(!result.ok && result.message).toBe(
      "input 'plan': plans/big.yaml is not a valid plan:\nplans/big.yaml: the file is 270003 bytes; a plan may be at most 262144 bytes (256 KiB)",
    );
  });

  it('refuses a billion-laughs plan as a plan error, not an exception', () => {
    let laughs = 'lol0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n';
    for (let i = 1; i < 9; i++)
      laughs += `lol${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]\n`;
    const run = () => errorsOf(plan(`${twoSteps}${errorsGate}${laughs}`));
    expect(run).not.toThrow();
    expect(run()).toEqual([
      'p.yaml: YAML aliases expand too far: an anchor (&name) may be repeated at most 100 times, counting the aliases nested inside it',
    ]);
  });

  it('refuses a plan with more than 100 aliases, even to distinct anchors', () => {
    const pairs = Array.from({ length: 101 }, (_, i) => `  - [&a${i} 1, *a${i}]\n`).join('');
    expect(errorsOf(plan(`${twoSteps}${errorsGate}extra:\n${pairs}`))).toEqual([
      'p.yaml: YAML has 101 aliases (*name); a plan may have at most 100',
    ]);
    const many = `q: &q x\nrefs: [${Array.from({ length: 101 }, () => '*q').join(', ')}]\n`;
    expect(() => parsePlan(plan(`${twoSteps}${errorsGate}${many}`))).not.toThrow();
  });

  it('accepts a few aliases that share a query between gates', () => {
    const shared = load(
      plan(`steps:
  - { weight: 50, bake: 1h, gates: [errors, errors-strict] }
  - { weight: 100, bake: 1h, gates: [errors] }
gates:
  errors: { query: &q 'sum(rate(errors[1m]))', threshold: '> 5%', for: 5m }
  errors-strict: { query: *q, threshold: '> 10%', for: 1m }
`),
    );
    expect(shared.gates['errors-strict']?.query).toBe('sum(rate(errors[1m]))');
  });

  it('still refuses a key written twice in one mapping, with its line', () => {
    expect(
      errorsOf(
        plan(`${twoSteps}gates:
  errors: { query: x, threshold: '> 5%', for: 5m }
  errors: { query: y, threshold: '> 1%', for: 5m }
`),
      ),
    ).toEqual(['p.yaml: YAML line 12: key "errors" appears more than once in the same mapping']);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(errorsOf('version: 1\nsteps: [1, 2\n')[0]).toMatch(/^p\.yaml: YAML line \d+: /);
  });

  it('reports at most 100 problems, then how many more there were', () => {
    const steps = Array.from({ length: 300 }, () => '  - { weight: fifty }\n').join('');
    const errors = errorsOf(plan(`steps:\n${steps}${errorsGate}`));
    expect(errors).toHaveLength(101);
    expect(errors.at(-1)).toMatch(/^p\.yaml: … and \d+ more problems$/);
  });
});

describe('values validated when the plan loads', () => {
  it('refuses weights that are not whole percentages, at every step at once', () => {
    expect(
      errorsOf(
        plan(`steps:
  - { weight: 12.5, bake: 1h }
  - { weight: .nan, bake: 1h }
  - { weight: -5, bake: 1h }
  - { weight: '50', bake: 1h }
  - { weight: 100, bake: 1h }
${errorsGate}`),
      ),
    ).toEqual([
      'p.yaml: steps[0].weight: expected a whole percentage from 1 to 100, got 12.5',
      'p.yaml: steps[1].weight: expected a whole percentage from 1 to 100, got NaN',
      'p.yaml: steps[2].weight: expected a whole percentage from 1 to 100, got -5',
      'p.yaml: steps[3].weight: expected a whole percentage from 1 to 100, got "50"',
    ]);
  });

  it('refuses durations that are endless, too long, negative or empty, for every duration key', () => {
    const nines = '9'.repeat(320);
    expect(
      errorsOf(
        plan(`steps:
  - { weight: 50, bake: ${nines}s, gates: [errors] }
  - { weight: 100, bake: 366d, gates: [errors] }
gates:
  errors:
    query: x
    threshold: '> 5%'
    for: -5m
    interval: ''
    initial-delay: .inf
    max-gap: 1000w
rollback: { max-hold: 9007199254740993ms, traffic-timeout: ' ', max-time-to-stable: 53w }
`),
      ),
    ).toEqual([
      `p.yaml: steps[0].bake: expected at most 365d, got "${nines.slice(0, 79)}…`,
      'p.yaml: steps[1].bake: expected at most 365d, got "366d"',
      'p.yaml: gates.errors.for: expected a duration like "90s", "5m", "1h30m" or "2d", got "-5m"',
      'p.yaml: gates.errors.interval: expected a duration like "90s", "5m", "1h30m" or "2d", got ""',
      'p.yaml: gates.errors.initial-delay: expected a duration like "90s", "5m", "1h30m" or "2d", got Infinity',
      'p.yaml: gates.errors.max-gap: expected at most 365d, got "1000w"',
      'p.yaml: rollback.max-hold: expected at most 365d, got "9007199254740993ms"',
      'p.yaml: rollback.traffic-timeout: expected a duration like "90s", "5m", "1h30m" or "2d", got " "',
      'p.yaml: rollback.max-time-to-stable: expected at most 365d, got "53w"',
    ]);
  });

  it('parseDuration never returns an endless or unsafe number', () => {
    expect(parseDuration(`${'9'.repeat(320)}s`)).toBeUndefined();
    expect(parseDuration('9007199254740993ms')).toBeUndefined();
    expect(parseDuration('365d')).toBe(365 * 86_400_000);
  });

  it('refuses a fraction of a millisecond instead of rounding it, and adds decimals exactly', () => {
    expect(parseDuration('0.0001ms')).toBeUndefined();
    expect(parseDuration('1.0005s')).toBeUndefined();
    expect(parseDuration('1.1s')).toBe(1100);
    expect(parseDuration('0.001s')).toBe(1);
    const steps = `steps:\n  - { weight: 50, bake: 1.0005s, gates: [errors] }\n  - { weight: 100, bake: 1h, gates: [errors] }\n`;
    expect(errorsOf(plan(`${steps}${errorsGate}`))).toEqual([
      expect.stringContaining('steps[0].bake: expected a duration'),
    ]);
  });

  it('refuses thresholds and traffic guards that are not finite numbers', () => {
    const nines = '9'.repeat(320);
    expect(
      errorsOf(
        plan(`${twoSteps}gates:
  errors:
    query: x
    threshold: '> ${nines}%'
    for: 5m
    min-traffic: { query: y, threshold: .nan }
  other:
    query: x
    threshold: '> 5%'
    min-traffic: { query: y, threshold: .inf }
`),
      ),
    ).toEqual([
      `p.yaml: gates.errors.threshold: expected a finite number in the comparison, got "> ${nines.slice(0, 77)}…`,
      'p.yaml: gates.errors.min-traffic.threshold: expected a number >= 0 (e.g. requests per second), got NaN',
      'p.yaml: gates.other.min-traffic.threshold: expected a number >= 0 (e.g. requests per second), got Infinity',
    ]);
  });

  it('refuses router and target settings that name the same backend as stable and candidate', () => {
    expect(
      errorsOf(
        `version: 1
name: t
strategy: phased
target: { kind: kubernetes, name: app, stable: api, candidate: api }
router:
  kind: gateway-api
  name: route
  stable: blue
  candidate: blue
  readiness: { stable: svc, candidate: svc }
  stable-selector: { track: blue }
  candidate-selector: { track: blue }
metrics: { provider: file, path: m.yaml }
${twoSteps}${errorsGate}`,
      ),
    ).toEqual([
      'p.yaml: target.candidate: must differ from target.stable, both are "api"',
      'p.yaml: router.candidate: must differ from router.stable, both are "blue"',
      'p.yaml: router.candidate-selector: must differ from router.stable-selector, both are {"track":"blue"}',
      'p.yaml: router.readiness.candidate: must differ from router.readiness.stable, both are "svc"',
    ]);
  });

  it('refuses gate names outside the documented pattern, whatever they spell', () => {
    const errors = errorsOf(
      plan(`${twoSteps}gates:
  errors: { query: x, threshold: '> 5%', for: 5m }
  __proto__: { query: x, threshold: '> 5%' }
  constructor-ok: { query: x, threshold: '> 5%' }
  'has space': { query: x, threshold: '> 5%' }
  '**bold**': { query: x, threshold: '> 5%' }
  '-lead': { query: x, threshold: '> 5%' }
  ${'g'.repeat(64)}: { query: x, threshold: '> 5%' }
`),
    );
    const pattern =
      'gate names are 1 to 63 letters, digits, ".", "_" or "-", starting with a letter or digit';
    expect(errors).toEqual([
      `p.yaml: gates: ${pattern}, got "__proto__"`,
      `p.yaml: gates: ${pattern}, got "has space"`,
      `p.yaml: gates: ${pattern}, got "**bold**"`,
      `p.yaml: gates: ${pattern}, got "-lead"`,
      `p.yaml: gates: ${pattern}, got "${'g'.repeat(64)}"`,
    ]);
  });

  it('never lets a gate name set or read a prototype key', () => {
    // JSON.parse creates an own "__proto__" key, as YAML does.
    const raw = JSON.parse(
      JSON.stringify({
        version: 1,
        name: 't',
        strategy: 'phased',
        target: { kind: 'file', name: 'app' },
        router: { kind: 'file', path: 'w.json' },
        metrics: { provider: 'file' },
        steps: [
          { weight: 50, bake: '1h', gates: ['constructor', 'toString', 'hasOwnProperty'] },
          { weight: 100, bake: '1h' },
        ],
        gates: { errors: { query: 'x', threshold: '> 5%' } },
      }),
    ) as Record<string, unknown>;
    const result = validatePlan(raw, 'p.json');
    expect(!result.ok && result.errors).toEqual([
      'p.json: steps[0].gates: gate "constructor" is not defined under gates; defined: errors',
      'p.json: steps[0].gates: gate "toString" is not defined under gates; defined: errors',
      'p.json: steps[0].gates: gate "hasOwnProperty" is not defined under gates; defined: errors',
    ]);
    const loaded = load(plan(twoSteps + errorsGate));
    expect(loaded.gates['constructor']).toBeUndefined();
    expect(Object.getPrototypeOf(loaded.gates)).toBeNull();
  });

  it('refuses a gate description that is not text', () => {
    expect(
      errorsOf(
        plan(`${twoSteps}gates:\n  errors: { query: x, threshold: '> 5%', description: [a] }\n`),
      ),
    ).toEqual(['p.yaml: gates.errors.description: expected text, got ["a"]']);
  });
});

describe('coverage fields (min-coverage, max-gap)', () => {
  it('defaults to 90% coverage and a gap of max(for, interval)', () => {
    const loaded = load(
      plan(`${twoSteps}gates:
  errors: { query: x, threshold: '> 5%', for: 5m }
  instant: { query: x, threshold: '> 5%', interval: 30s }
`),
    );
    expect(loaded.gates.errors).toMatchObject({ minCoverage: 0.9, maxGapMs: 300_000 });
    expect(loaded.gates.instant).toMatchObject({ minCoverage: 0.9, maxGapMs: 30_000 });
  });

  it('reads percentages and fractions', () => {
    const loaded = load(
      plan(`${twoSteps}gates:
  errors: { query: x, threshold: '> 5%', for: 5m, min-coverage: 75%, max-gap: 2m }
  all: { query: x, threshold: '> 5%', min-coverage: 1, max-gap: 15s }
  none: { query: x, threshold: '> 5%', min-coverage: '0%' }
`),
    );
    expect(loaded.gates.errors).toMatchObject({ minCoverage: 0.75, maxGapMs: 120_000 });
    expect(loaded.gates.all).toMatchObject({ minCoverage: 1, maxGapMs: 15_000 });
    expect(loaded.gates.none?.minCoverage).toBe(0);
  });

  it('refuses bad coverage values and a max-gap shorter than the interval, all at once', () => {
    expect(
      errorsOf(
        plan(`${twoSteps}gates:
  errors: { query: x, threshold: '> 5%', for: 5m, min-coverage: '90', max-gap: 10s }
  a: { query: x, threshold: '> 5%', min-coverage: 150%, max-gap: soon }
  b: { query: x, threshold: '> 5%', min-coverage: -0.1, max-gap: 0 }
  c: { query: x, threshold: '> 5%', min-coverage: .nan, interval: 1m, max-gap: 59s }
`),
      ),
    ).toEqual([
      'p.yaml: gates.errors.min-coverage: expected a percentage from 0% to 100% like "90%", got "90"',
      'p.yaml: gates.errors.max-gap: 10s is shorter than the interval 15s; a gap is counted in whole intervals, so use at least 15s',
      'p.yaml: gates.a.min-coverage: expected a percentage from 0% to 100% like "90%", got "150%"',
      'p.yaml: gates.a.max-gap: expected a duration like "90s", "5m", "1h30m" or "2d", got "soon"',
      'p.yaml: gates.b.min-coverage: expected a percentage from 0% to 100% like "90%", got -0.1',
      'p.yaml: gates.b.max-gap: 0s is shorter than the interval 15s; a gap is counted in whole intervals, so use at least 15s',
      'p.yaml: gates.c.min-coverage: expected a percentage from 0% to 100% like "90%", got NaN',
      'p.yaml: gates.c.max-gap: 59s is shorter than the interval 1m; a gap is counted in whole intervals, so use at least 1m',
    ]);
  });
});

describe('keys in messages', () => {
  it('quotes unknown keys that are not plain words, so no raw line break or markdown reaches a message', () => {
    expect(
      errorsOf(
        plan(`${twoSteps}${errorsGate}"x\\n::error::boom": 1\nrollback: { "**max**": 1h }\n`),
      ),
    ).toEqual([
      'p.yaml: ["x\\n::error::boom"]: unknown key; allowed: version, name, strategy, target, router, metrics, steps, gates, rollback, stacks, workload',
      'p.yaml: rollback["**max**"]: unknown key; allowed: on-inconclusive, max-hold, traffic-timeout, max-time-to-stable',
    ]);
  });
});

describe('sameSideProblems', () => {
  it('checks router settings given without a plan the same way', () => {
    expect(sameSideProblems({ kind: 'file', stable: 'blue', candidate: ' blue ' })).toEqual([
      'router.candidate: must differ from router.stable, both are "blue"',
    ]);
    expect(sameSideProblems({ kind: 'file', stable: 'blue', candidate: 'green' })).toEqual([]);
  });
});

describe('plan text never reaches stderr', () => {
  it('emits no process warning quoting the plan (the runner parses stderr for commands)', () => {
    const warnings: unknown[] = [];
    const listener = (warning: unknown) => warnings.push(warning);
    process.on('warning', listener);
    const spy = vi.spyOn(process, 'emitWarning');
    try {
      parsePlan('? [x]\n: 1\n? {"a\\n::error::injected": 1}\n: 2\nversion: 1\n', 'p.yaml');
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
      process.off('warning', listener);
    }
    expect(warnings).toEqual([]);
  });
});
