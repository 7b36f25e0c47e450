import { type StackSpec, parseStackSpecs } from '@cutover/stacks';

/**
 * What a plan's `stacks:` section asks for: stacks listed in the plan (checked by the stack
 * domain's parseStackSpecs), or a CDK cloud assembly to read them from when the action runs
 * (`stacks: { assembly: cdk.out }`, optionally `only: [names]`).
 */
export type PlanStacks =
  | { kind: 'listed'; specs: StackSpec[] }
  | { kind: 'assembly'; dir: string; only: string[] | undefined };

export type PlanStacksResult = { ok: true; stacks: PlanStacks } | { ok: false; errors: string[] };

const ASSEMBLY_KEYS = ['assembly', 'only'];

/** Every problem with its path (`stacks[2].depends-on: …`); never throws. */
export function readPlanStacks(raw: unknown, path = 'stacks'): PlanStacksResult {
  const record =
    typeof raw === 'object' && raw !== null && !Array.isArray(raw)
      ? (raw as Record<string, unknown>)
      : undefined;
  // A stack's settings are a mapping, so `assembly: <text>` can only mean a cloud assembly.
  if (record !== undefined && typeof record.assembly === 'string') {
    const errors: string[] = [];
    for (const key of Object.keys(record))
      if (!ASSEMBLY_KEYS.includes(key))
        errors.push(
          `${path}.${key}: unknown key next to assembly; allowed: ${ASSEMBLY_KEYS.join(', ')} (list the stacks instead to set their settings)`,
        );
    if (record.assembly.trim() === '')
      errors.push(`${path}.assembly: expected a cdk.out directory, got ""`);
    const only = record.only;
    const names =
      only === undefined
        ? undefined
        : Array.isArray(only) && only.every((name) => typeof name === 'string' && name !== '')
          ? (only as string[])
          : (errors.push(
              `${path}.only: expected a list of stack names, got ${JSON.stringify(only)}`,
            ),
            undefined);
    return errors.length > 0
      ? { ok: false, errors }
      : { ok: true, stacks: { kind: 'assembly', dir: record.assembly, only: names } };
  }
  const parsed = parseStackSpecs(raw, path);
  return parsed.ok ? { ok: true, stacks: { kind: 'listed', specs: parsed.specs } } : parsed;
}
