import type { StackSpec } from './stack-specs.js';

type Graph = Pick<StackSpec, 'name' | 'dependsOn'>;

/** The first dependency cycle found, as names from a stack back to itself, or undefined. */
export function findCycle(specs: readonly Graph[]): string[] | undefined {
  const byName = new Map(specs.map((spec) => [spec.name, spec]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    const seen = state.get(name);
    if (seen === 'done') return undefined;
    if (seen === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'visiting');
    stack.push(name);
    for (const next of byName.get(name)?.dependsOn ?? []) {
      if (!byName.has(next)) continue;
      const cycle = visit(next);
      if (cycle !== undefined) return cycle;
    }
    stack.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const spec of specs) {
    const cycle = visit(spec.name);
    if (cycle !== undefined) return cycle;
  }
  return undefined;
}

/** Every stack `name` waits for, directly or through others (cycles tolerated). */
export function transitiveDependencies(specs: readonly Graph[], name: string): Set<string> {
  const byName = new Map(specs.map((spec) => [spec.name, spec]));
  const found = new Set<string>();
  const queue = [...(byName.get(name)?.dependsOn ?? [])];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    if (found.has(next)) continue;
    found.add(next);
    queue.push(...(byName.get(next)?.dependsOn ?? []));
  }
  return found;
}

/**
 * Problems with the dependency graph, each at the stack's path: unknown stacks in `depends-on`,
 * a cycle (named "A -> B -> A"), and a parameter taken from the output of a stack that does not
 * run before this one (it would read a stale output or none).
 */
export function dependencyProblems(
  specs: readonly StackSpec[],
  pathOf: (name: string) => string,
): string[] {
  const names = new Set(specs.map((spec) => spec.name));
  const known = [...names].join(', ');
  const problems: string[] = [];
  for (const spec of specs) {
    for (const dependency of spec.dependsOn) {
      if (dependency === spec.name)
        problems.push(`${pathOf(spec.name)}.depends-on: the stack ${spec.name} depends on itself`);
      else if (!names.has(dependency))
        problems.push(
          `${pathOf(spec.name)}.depends-on: unknown stack "${dependency}"; stacks: ${known}`,
        );
    }
  }
  const cycle = findCycle(
    specs.map((spec) => ({ ...spec, dependsOn: spec.dependsOn.filter((d) => d !== spec.name) })),
  );
  if (cycle !== undefined)
    problems.push(
      `${pathOf(cycle[0] ?? '')}.depends-on: dependency cycle ${cycle.join(' -> ')}; stacks cannot wait for each other`,
    );
  for (const spec of specs) {
    const before = transitiveDependencies(specs, spec.name);
    for (const [key, value] of Object.entries(spec.parameters)) {
      if (typeof value === 'string') continue;
      const at = `${pathOf(spec.name)}.parameters.${key}`;
      if (!names.has(value.stack))
        problems.push(`${at}: takes an output of unknown stack "${value.stack}"; stacks: ${known}`);
      else if (value.stack === spec.name)
        problems.push(`${at}: takes an output of its own stack ${spec.name}`);
      else if (!before.has(value.stack))
        problems.push(
          `${at}: takes output ${value.output} of stack ${value.stack}, which is not among its dependencies; add ${value.stack} to depends-on so it deploys first`,
        );
    }
  }
  return problems;
}

/**
 * Stacks grouped in waves: each wave depends only on earlier ones. For plans and summaries;
 * the scheduler itself starts a stack as soon as its own dependencies are done.
 */
export function stackWaves(specs: readonly Graph[]): string[][] {
  const level = new Map<string, number>();
  const byName = new Map(specs.map((spec) => [spec.name, spec]));
  const levelOf = (name: string, seen: Set<string>): number => {
    const known = level.get(name);
    if (known !== undefined) return known;
    if (seen.has(name)) return 0;
    seen.add(name);
    const deps = (byName.get(name)?.dependsOn ?? []).filter((d) => byName.has(d));
    const value = deps.length === 0 ? 0 : 1 + Math.max(...deps.map((d) => levelOf(d, seen)));
    level.set(name, value);
    return value;
  };
  const waves: string[][] = [];
  for (const spec of specs) {
    const index = levelOf(spec.name, new Set());
    (waves[index] ??= []).push(spec.name);
  }
  return waves.filter((wave) => wave.length > 0);
}
