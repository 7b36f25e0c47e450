import * as v from 'valibot';

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
