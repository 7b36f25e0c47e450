import { ConfigError } from '@cutover/kit';
import { readPlanStacks } from '@cutover/catalog';
import type { Plan } from '@cutover/plan';
import { readCloudAssembly, type StackSpec } from '@cutover/stacks';

/**
 * The stacks this run deploys: a cloud assembly named by input, else the plan's `stacks:`
 * (listed, or an assembly), narrowed to input 'stacks', with input 'role-arn' for those that
 * name no role of their own.
 */
export async function collectStacks(
  plan: Plan | undefined,
  inputs: { stacks: string[]; 'role-arn': string | undefined },
  assembly: string | undefined,
  read: (path: string) => Promise<string>,
): Promise<StackSpec[]> {
  let specs: StackSpec[] = [];
  if (assembly !== undefined) specs = await readCloudAssembly(assembly, read);
  else if (plan?.stacks !== undefined) {
    const stacks = readPlanStacks(plan.stacks);
    if (!stacks.ok) throw new ConfigError(stacks.errors.join('\n'));
    specs =
      stacks.stacks.kind === 'listed'
        ? stacks.stacks.specs
        : narrow(
            await readCloudAssembly(stacks.stacks.dir, read),
            stacks.stacks.only,
            'plan stacks.only',
          );
  }
  specs = narrow(specs, inputs.stacks.length > 0 ? inputs.stacks : undefined, "input 'stacks'");
  const role = inputs['role-arn'];
  return role === undefined
    ? specs
    : specs.map((spec) => ({ ...spec, roleArn: spec.roleArn ?? role }));
}

/**
 * Only the named stacks. Those not named are not deployed: the named ones do not wait for
 * them, and read their outputs from the stacks as they stand.
 */
function narrow(specs: StackSpec[], names: string[] | undefined, what: string): StackSpec[] {
  if (names === undefined) return specs;
  const unknown = names.filter((name) => !specs.some((spec) => spec.name === name));
  if (unknown.length > 0)
    throw new ConfigError(
      `${what}: ${unknown.join(', ')} not found; stacks: ${specs.map((s) => s.name).join(', ') || 'none'}`,
    );
  return specs
    .filter((spec) => names.includes(spec.name))
    .map((spec) => ({ ...spec, dependsOn: spec.dependsOn.filter((name) => names.includes(name)) }));
}
