import { ConfigError } from '@cutover/kit';
import type { Plan } from '@cutover/plan';
import { STEP_WORDS, type StepRequest } from './controller.js';

/**
 * One meaning of `step` in every action: the plan step's number (1 = first), or a word
 * (`current`, `next`); `weight` is a percentage. A number that is no step number but is a
 * step's weight is the old spelling (a weight in `step`), refused with what to write instead.
 */
export function parseStepNumber(plan: Plan, text: string, words: readonly string[]): number {
  const value = text.trim();
  const count = plan.steps.length;
  const allowed = `${words.map((w) => `"${w}"`).join(', ')}${words.length > 0 ? ' or ' : ''}a step number from 1 to ${count}`;
  if (!/^\d+$/.test(value))
    throw new ConfigError(`input 'step': expected ${allowed}, got "${text}"`);
  const number = Number(value);
  if (number >= 1 && number <= count) return number;
  const index = plan.steps.findIndex((s) => s.weight === number);
  const weights = plan.steps.map((s) => `${s.weight}%`).join(', ');
  throw new ConfigError(
    index >= 0
      ? `input 'step': ${number} is not a step number (the plan has steps 1-${count}); step now means the plan step: for the ${number}% step write step: ${index + 1}, or weight: ${number}`
      : `input 'step': ${number} is not a step number (the plan has steps 1-${count}); expected ${allowed} (step means the plan step, weight a percentage: ${weights})`,
  );
}

export function parsePercentage(text: string): number {
  if (!/^\s*\d{1,3}\s*$/.test(text) || Number(text) > 100)
    throw new ConfigError(
      `input 'weight': expected a whole percentage from 0 to 100, got "${text}"`,
    );
  return Number(text);
}

/**
 * shift-traffic: exactly one of `step` (a number or one of STEP_WORDS; needs a plan) and
 * `weight`.
 */
export function parseMoveRequest(
  plan: Plan | undefined,
  step: string | undefined,
  weight: string | undefined,
): StepRequest {
  if ((weight === undefined) === (step === undefined))
    throw new ConfigError("give exactly one of input 'weight' and input 'step'");
  if (weight !== undefined) return { kind: 'weight', weight: parsePercentage(weight) };
  if (plan === undefined)
    throw new ConfigError("input 'step' needs input 'plan' (steps come from the plan)");
  const word = STEP_WORDS.find((w) => w === step?.trim());
  if (word !== undefined) return { kind: word };
  return { kind: 'step', number: parseStepNumber(plan, step ?? '', STEP_WORDS) };
}

/** gate-metrics: which step's gates and bake; `weight` names it by percentage. */
export function parseGateStep(
  plan: Plan,
  step: string | undefined,
  weight: string | undefined,
): { kind: 'step'; number: number } | { kind: 'current' } | undefined {
  if (step !== undefined && weight !== undefined)
    throw new ConfigError("give at most one of input 'step' and input 'weight'");
  if (weight !== undefined) {
    const value = parsePercentage(weight);
    const index = plan.steps.findIndex((s) => s.weight === value);
    if (index < 0)
      throw new ConfigError(
        `input 'weight': the plan has no step of weight ${value}; steps: ${plan.steps.map((s) => s.weight).join(', ')}`,
      );
    return { kind: 'step', number: index + 1 };
  }
  if (step === undefined) return undefined;
  if (step.trim() === 'current') return { kind: 'current' };
  if (step.trim() === 'next')
    throw new ConfigError(
      `input 'step': "next" has no gates yet; gates judge the step traffic is at: write step: current, or the step's number`,
    );
  return { kind: 'step', number: parseStepNumber(plan, step, ['current']) };
}
