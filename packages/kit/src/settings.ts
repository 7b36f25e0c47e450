import * as v from 'valibot';
import { ConfigError } from './errors.js';

/**
 * Settings schemas for adapters (routers, metrics providers, stack engines): each adapter
 * exports its kind, a valibot schema of its settings and a factory; plan validation composes
 * them, so a bad setting is refused when the plan is read, with the path of every problem.
 */
export interface AdapterDefinition<Settings, Context, Instance> {
  readonly kind: string;
  /** One line for help texts and the plan reference. */
  readonly summary: string;
  readonly settings: v.GenericSchema<unknown, Settings>;
  create(settings: Settings, context: Context): Instance;
}

export type SettingsCheck<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/** Checks raw settings against a schema; each problem reads `router.weights.stable: expected …, got …`. */
export function checkSettings<T>(
  schema: v.GenericSchema<unknown, T>,
  raw: unknown,
  path: string,
): SettingsCheck<T> {
  const result = v.safeParse(schema, raw);
  if (result.success) return { ok: true, value: result.output };
  return {
    ok: false,
    errors: result.issues.map((issue) => {
      const keys = (issue.path ?? []).map((item) => String(item.key));
      const where = [path, ...keys].join('.');
      return `${where}: ${issue.message}`;
    }),
  };
}

export { v };

/**
 * A mapping of settings: every key not in `entries` is refused, each one listed
 * (`unknown key; allowed: url, headers`), not only the first as valibot's strictObject does.
 */
export function settingsObject<const TEntries extends v.ObjectEntries>(
  entries: TEntries,
  what = 'a mapping',
) {
  const allowed = Object.keys(entries).join(', ');
  return v.objectWithRest(entries, v.never(`unknown key; allowed: ${allowed}`), (issue) => {
    // A missing required key: the key's own schema says what it expects.
    const key = issue.path?.at(-1)?.key;
    const entry = typeof key === 'string' && Object.hasOwn(entries, key) ? entries[key] : undefined;
    const missing = entry === undefined ? undefined : v.safeParse(entry, undefined).issues?.[0];
    return missing?.message ?? `expected ${what}, got ${issue.received}`;
  });
}

/**
 * A secret named by a setting, `{ env: NAME }`: the value comes from the environment variable
 * NAME at run time, so the plan never holds it. Parsed settings hold instances of this class
 * only where the schema allows a secret, so `headers: { env: prod }` stays a header named env.
 */
export class SecretRef {
  constructor(readonly env: string) {}
  toJSON(): { env: string } {
    return { env: this.env };
  }
}

/** Settings after resolution: every SecretRef became the variable's value. */
export type Resolved<T> = T extends SecretRef
  ? string
  : T extends readonly (infer U)[]
    ? Resolved<U>[]
    : T extends object
      ? { [K in keyof T]: Resolved<T[K]> }
      : T;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The schema of a secret reference, `{ env: NAME }`. */
export const secretRef = v.pipe(
  v.strictObject(
    { env: v.string() },
    (issue) => `expected a secret reference { env: NAME }, got ${issue.received}`,
  ),
  v.transform(({ env }) => new SecretRef(env)),
  // Checked after the transform, so a union with a text schema reports this message, not its own.
  v.check(
    (ref) => ENV_NAME.test(ref.env),
    (issue) =>
      `expected { env: NAME } with an environment variable name (letters, digits and _, not starting with a digit), got { env: ${JSON.stringify(issue.input.env)} }`,
  ),
);

/**
 * A text setting that may be written in the plan or, for credentials, taken from the environment
 * at run time: `password: { env: PROM_PASSWORD }`.
 */
export function secretOr(
  schema: v.GenericSchema<unknown, string> = v.string(),
  what = 'a string',
): v.GenericSchema<unknown, string | SecretRef> {
  return v.union(
    [schema, secretRef],
    (issue) => `expected ${what} or a secret reference { env: NAME }, got ${issue.received}`,
  );
}

export interface SecretEnvironment {
  /** Where `{ env: NAME }` is looked up (process.env in an action). */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Called with every resolved value before it is used (the runner's setSecret). */
  mask?: ((secret: string) => void) | undefined;
}

/** Every secret reference in parsed settings, with its path (`metrics.basic-auth.password`). */
export function secretRefs(value: unknown, path: string): { path: string; ref: SecretRef }[] {
  if (value instanceof SecretRef) return [{ path, ref: value }];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) =>
    secretRefs(item, Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`),
  );
}

/**
 * Parsed settings with every secret reference replaced by its variable's value, each value
 * passed to `mask` first. All unset variables are listed at once, by setting path and
 * variable name; a value is never printed.
 */
export function resolveSecrets<T>(
  value: T,
  path: string,
  environment: SecretEnvironment,
): Resolved<T> {
  const missing: string[] = [];
  const resolve = (item: unknown, at: string): unknown => {
    if (item instanceof SecretRef) {
      // Own string values only: `{ env: __proto__ }` must not read Object.prototype.
      const env = environment.env ?? {};
      const found = Object.hasOwn(env, item.env) ? env[item.env] : undefined;
      const secret = typeof found === 'string' ? found : undefined;
      if (secret === undefined || secret === '') {
        missing.push(
          `${at}: the environment variable ${item.env} is ${secret === undefined ? 'not set' : 'empty'} (the setting is { env: ${item.env} }); set it in the step's env, e.g. ${item.env}: \${{ secrets.${item.env} }}`,
        );
        return item;
      }
      environment.mask?.(secret);
      return secret;
    }
    if (Array.isArray(item)) return item.map((entry, i) => resolve(entry, `${at}[${i}]`));
    if (typeof item === 'object' && item !== null)
      return Object.fromEntries(
        Object.entries(item).map(([key, entry]) => [key, resolve(entry, `${at}.${key}`)]),
      );
    return item;
  };
  const resolved = resolve(value, path) as Resolved<T>;
  if (missing.length > 0) throw new ConfigError(missing.join('\n'));
  return resolved;
}
