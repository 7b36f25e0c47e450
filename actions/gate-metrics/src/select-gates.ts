import { ConfigError } from '@cutover/kit';
import type { GateRule, Plan } from '@cutover/plan';
import type { SelectedStep } from './select-step.js';

/** Input `gates`, else the step's gates, else every gate of the plan; unknown names refused. */
export function selectGates(
  plan: Plan,
  planPath: string,
  gates: string[],
  selected: SelectedStep | undefined,
): { names: string[]; rules: GateRule[] } {
  const names = gates.length > 0 ? gates : (selected?.step.gates ?? Object.keys(plan.gates));
  const unknown = names.filter((name) => !(name in plan.gates));
  if (unknown.length > 0)
    throw new ConfigError(
      `input 'gates': ${unknown.map((n) => `"${n}"`).join(', ')} not defined in ${planPath}; gates: ${Object.keys(plan.gates).join(', ')}`,
    );
  const rules = names
    .map((name) => plan.gates[name])
    .filter((rule): rule is GateRule => rule !== undefined);
  if (rules.length === 0)
    throw new ConfigError(
      `no gates to evaluate: step ${selected?.number ?? '?'} names none; set input 'gates'`,
    );
  return { names, rules };
}
