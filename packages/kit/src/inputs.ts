import { ConfigError } from './errors.js';

/**
 * Schema-checked action inputs. Each field parses the raw string GitHub hands over
 * (empty string = not set) and explains itself on failure:
 *   input 'steps': expected ascending percentages like "10,25,50", got "10;50"
 */
export interface InputField<T> {
  readonly description: string;
  /** The default GitHub applies; kept equal to action.yml by a contract test. */
  readonly default?: string;
  readonly required?: boolean;
  parse(raw: string): T;
}

export type InputSchema = Record<string, InputField<unknown>>;
export type InputValues<S extends InputSchema> = { [K in keyof S]: ReturnType<S[K]['parse']> };

/** Thrown by a field parser; readInputs prefixes the input name and the received value. */
export class InputParseError extends Error {}

function field<T>(
  description: string,
  parse: (raw: string) => T,
  options: { default?: string; required?: boolean },
): InputField<T> {
  return { description, parse, ...options };
}

export const input = {
  string(description: string, options: { default?: string; required?: boolean } = {}) {
    return field(description, (raw) => raw, options);
  },
  /** Not set yields undefined. */
  optionalString(description: string) {
    return field(description, (raw): string | undefined => (raw === '' ? undefined : raw), {});
  },
  boolean(description: string, options: { default: 'true' | 'false' }) {
    return field(
      description,
      (raw) => {
        const value = raw.trim().toLowerCase();
        if (value === 'true') return true;
        if (value === 'false') return false;
        throw new InputParseError('expected true or false');
      },
      options,
    );
  },
  optionalInteger(description: string, limits: { min: number; max: number }) {
    return field(
      description,
      (raw): number | undefined => {
        if (raw.trim() === '') return undefined;
        if (!/^\s*-?\d+\s*$/.test(raw)) throw new InputParseError('expected a whole number');
        const value = Number(raw);
        if (!Number.isSafeInteger(value) || value < limits.min || value > limits.max)
          throw new InputParseError(`expected a whole number from ${limits.min} to ${limits.max}`);
        return value;
      },
      {},
    );
  },
  choice<const C extends readonly string[]>(
    description: string,
    choices: C,
    options: { default: C[number] },
  ) {
    return field(
      description,
      (raw): C[number] => {
        const value = raw.trim();
        if (!choices.includes(value))
          throw new InputParseError(`expected one of ${choices.join(', ')}`);
        return value;
      },
      options,
    );
  },
  /** Comma- or newline-separated list; blanks dropped. */
  list(description: string, options: { default?: string } = {}) {
    return field(description, (raw) => splitList(raw), options);
  },
};

export function splitList(raw: string): string[] {
  return raw
    .split(/[,\n]/)
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/**
 * Reads every input of the schema. All problems are reported at once, so a user fixes a
 * workflow in one round trip instead of one per input.
 */
export function readInputs<S extends InputSchema>(
  schema: S,
  getRaw: (name: string) => string,
): InputValues<S> {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(schema)) {
    let raw = getRaw(name);
    // An expression default ("${{ github.token }}") only means something when GitHub expands it.
    if (raw.trim() === '' && spec.default !== undefined && !spec.default.startsWith('${{'))
      raw = spec.default;
    if (raw.trim() === '' && spec.required === true) {
      problems.push(`input '${name}' is required (${spec.description})`);
      continue;
    }
    try {
      values[name] = spec.parse(raw);
    } catch (error) {
      if (!(error instanceof InputParseError)) throw error;
      problems.push(`input '${name}': ${error.message}, got ${JSON.stringify(clip(raw))}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems.join('\n'));
  return values as InputValues<S>;
}

function clip(raw: string): string {
  return raw.length > 200 ? `${raw.slice(0, 200)}…` : raw;
}
