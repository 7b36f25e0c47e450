import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { GATE_NAME_PATTERN, MAX_DURATION_MS, parsePlan, validatePlan } from '@cutover/plan';

// Pieces of YAML a hostile or careless plan is made of: structure, anchors and aliases, tags,
// directives, odd scalars and the plan's own keys.
const piece = fc.oneof(
  fc.constantFrom(
    '\n',
    '  ',
    '- ',
    ': ',
    '? ',
    '[',
    ']',
    '{',
    '}',
    ', ',
    '&a ',
    '*a',
    '&b ',
    '*b',
    '!!str ',
    '!!int ',
    '!!binary ',
    '!custom ',
    '%YAML 1.1\n',
    '---\n',
    '...\n',
    '|\n',
    '>-\n',
    '"',
    "'",
    '#',
    '.nan',
    '.inf',
    '-.inf',
    '1e400',
    '12.5',
    '__proto__',
    'constructor',
    'version',
    'steps',
    'gates',
    'weight',
    'bake',
    'for',
    'max-gap',
    'min-coverage',
    'threshold',
    'stable',
    'candidate',
    '999999999999999999999d',
  ),
  fc.string({ maxLength: 8 }),
  fc.nat({ max: 150 }).map((n) => `[${Array.from({ length: n }, () => '*a').join(', ')}]`),
);
const yamlish = fc.array(piece, { maxLength: 60 }).map((parts) => parts.join(''));

const validPlan = {
  version: 1,
  name: 't',
  strategy: 'phased',
  target: { kind: 'file', name: 'app' },
  router: { kind: 'file', path: 'w.json', stable: 'blue', candidate: 'green' },
  metrics: { provider: 'file', path: 'm.yaml' },
  steps: [
    { weight: 50, bake: '1h', gates: ['errors'] },
    { weight: 100, bake: '1h', gates: ['errors'] },
  ],
  gates: { errors: { query: 'x', threshold: '> 5%', for: '5m' } },
};
const anyValue = fc.anything({
  withBigInt: true,
  withNullPrototype: true,
  withMap: true,
  withSet: true,
  withBoxedValues: true,
  withSparseArray: true,
  withTypedArray: true,
  withDate: true,
  withObjectString: true,
});
const paths = [
  ['version'],
  ['name'],
  ['target'],
  ['router', 'stable'],
  ['steps'],
  ['steps', 0],
  ['steps', 0, 'weight'],
  ['steps', 0, 'gates'],
  ['steps', 1, 'bake'],
  ['gates'],
  ['gates', 'errors'],
  ['gates', 'errors', 'for'],
  ['gates', 'errors', 'max-gap'],
  ['gates', 'errors', 'min-coverage'],
  ['gates', 'errors', 'min-traffic'],
  ['gates', 'errors', 'relative'],
  ['rollback'],
] as const;
/** The valid plan with one value, anywhere, replaced. */
const mutatedPlan = fc.tuple(fc.constantFrom(...paths), anyValue).map(([path, value]) => {
  const copy = structuredClone(validPlan) as Record<string | number, unknown>;
  let node: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path.at(-1) as string | number] = value;
  return copy;
});

const isResult = (result: ReturnType<typeof parsePlan>, fileName: string) =>
  result.ok ||
  (result.errors.length > 0 &&
    result.errors.every((e) => typeof e === 'string' && e.startsWith(`${fileName}: `)));

describe('parsing never throws', () => {
  it('returns a plan or plan errors for any YAML-ish text', () => {
    fc.assert(
      fc.property(yamlish, (text) => {
        expect(isResult(parsePlan(text, 'f.yaml'), 'f.yaml')).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('returns a plan or plan errors for the YAML of any mutated plan', () => {
    fc.assert(
      fc.property(mutatedPlan, (raw) => {
        let text: string;
        try {
          text = stringify(raw);
        } catch {
          return; // not representable as YAML
        }
        expect(isResult(parsePlan(text, 'f.yaml'), 'f.yaml')).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('returns a plan or plan errors for any JavaScript value, whole or in part', () => {
    fc.assert(
      fc.property(fc.oneof(anyValue, fc.jsonValue(), mutatedPlan), (raw) => {
        expect(isResult(validatePlan(raw, 'v'), 'v')).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('only accepts plans whose values are within the documented limits', () => {
    fc.assert(
      fc.property(mutatedPlan, (raw) => {
        const result = validatePlan(raw, 'v');
        if (!result.ok) return;
        const { plan } = result;
        for (const step of plan.steps) {
          expect(Number.isInteger(step.weight) && step.weight >= 1 && step.weight <= 100).toBe(
            true,
          );
          expect(step.bakeMs).toBeLessThanOrEqual(MAX_DURATION_MS);
          for (const gate of step.gates) expect(Object.hasOwn(plan.gates, gate)).toBe(true);
        }
        for (const [name, gate] of Object.entries(plan.gates)) {
          expect(name).toMatch(GATE_NAME_PATTERN);
          for (const ms of [gate.forMs, gate.intervalMs, gate.initialDelayMs, gate.maxGapMs])
            expect(Number.isSafeInteger(ms) && ms >= 0 && ms <= MAX_DURATION_MS).toBe(true);
          expect(gate.maxGapMs).toBeGreaterThanOrEqual(gate.intervalMs);
          expect(Number.isFinite(gate.threshold.value)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
