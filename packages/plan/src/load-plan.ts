import type { Plan } from './plan-types.js';
import { parsePlan } from './validate-plan.js';

/**
 * Reads and validates the plan an action input names. The message names the input, the path
 * and every problem; the caller decides how to fail with it.
 */
export function loadPlanFile(
  path: string,
  readFile: (path: string) => string,
  input = 'plan',
): { ok: true; plan: Plan } | { ok: false; message: string } {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    return {
      ok: false,
      message: `input '${input}': cannot read "${path}" (${(error as { code?: string }).code ?? String(error)})`,
    };
  }
  const result = parsePlan(text, path);
  return result.ok
    ? result
    : {
        ok: false,
        message: `input '${input}': ${path} is not a valid plan:\n${result.errors.join('\n')}`,
      };
}
