import { PLAN_LIMITS, type Plan, type PlanResult, parsePlan } from '@cutover/plan';
import { parse } from 'yaml';
import { type CheckOptions, adapterProblems, planView, rawView } from './check-adapters.js';

/**
 * Parses a plan and checks it with the registries: the plan's own rules, the router's settings,
 * the metrics provider's settings and the provider's query shapes, every problem at once in the
 * plan's format (`plan.yaml: router.hosted-zone-id: expected …`).
 */
export function parseCatalogPlan(
  text: string,
  fileName = 'plan',
  options: CheckOptions = {},
): PlanResult {
  const parsed = parsePlan(text, fileName);
  const at = (problem: string) => `${fileName}: ${problem}`;
  if (parsed.ok) {
    const problems = adapterProblems(planView(parsed.plan), options);
    return problems.length === 0
      ? parsed
      : { ok: false, errors: capped(problems.map(at), fileName) };
  }
  // The file could not be read as data (YAML, size, aliases) or the list is already full.
  if (parsed.errors.some((e) => isFileLevel(e, fileName))) return parsed;
  let raw: unknown;
  try {
    raw = parse(text, { uniqueKeys: false, maxAliasCount: PLAN_LIMITS.maxAliasExpansion });
  } catch {
    return parsed;
  }
  const extra = adapterProblems(rawView(raw), options)
    .map(at)
    .filter((problem) => !parsed.errors.includes(problem));
  return { ok: false, errors: capped([...parsed.errors, ...extra], fileName) };
}

/**
 * Reads and checks the plan an action input names, like `@cutover/plan`'s loadPlanFile, with
 * the router and metrics settings checked too. The message names the input, the file and
 * every problem; the caller decides how to fail with it.
 */
export function loadPlanFile(
  path: string,
  readFile: (path: string) => string,
  input = 'plan',
  options: CheckOptions = {},
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
  const result = parseCatalogPlan(text, path, options);
  return result.ok
    ? result
    : {
        ok: false,
        message: `input '${input}': ${path} is not a valid plan:\n${result.errors.join('\n')}`,
      };
}

function isFileLevel(error: string, fileName: string): boolean {
  const rest = error.slice(fileName.length + 2);
  return (
    !error.startsWith(`${fileName}: `) ||
    /^(YAML |the file is |expected a YAML mapping|… and \d+ more problems)/.test(rest)
  );
}

function capped(errors: string[], fileName: string): string[] {
  if (errors.length <= PLAN_LIMITS.maxErrors) return errors;
  return [
    ...errors.slice(0, PLAN_LIMITS.maxErrors),
    `${fileName}: … and ${errors.length - PLAN_LIMITS.maxErrors} more problems`,
  ];
}
