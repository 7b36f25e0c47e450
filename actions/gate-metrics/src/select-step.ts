import { ConfigError, Refusal, type Clock } from '@cutover/kit';
import type { Plan, PlanStep } from '@cutover/plan';
import { parseGateStep, readCutover } from '@cutover/traffic';

export interface SelectedStep {
  number: number;
  step: PlanStep;
  /** `current`: when traffic began flowing at this step (the marker's stepStartedAt). */
  startedAt: number | undefined;
}

/**
 * The step whose gates and bake to use: input `step` (its number, or `current` read from the
 * marker on the plan's router target) or input `weight` (its percentage). The routers load
 * only for `current`, so a file or Prometheus run stays light.
 */
export async function selectStep(
  plan: Plan,
  inputs: { step: string | undefined; weight: string | undefined },
  context: { clock: Clock; resolvePath: (path: string) => string },
): Promise<SelectedStep | undefined> {
  const request = parseGateStep(plan, inputs.step, inputs.weight);
  if (request === undefined) return undefined;
  if (request.kind === 'step') {
    const step = plan.steps[request.number - 1] as PlanStep;
    return { number: request.number, step, startedAt: undefined };
  }
  const { createTargets } = await import('@cutover/routers');
  const { targets } = createTargets(plan.router.settings, context);
  const { state } = await readCutover(plan, targets);
  if (state.step === undefined)
    throw new Refusal(
      `input 'step': "current": ${state.object} has ${state.weights.candidate}% on the candidate, which is no step of the plan (${plan.steps.map((s) => s.weight).join(', ')}); no step is being baked`,
    );
  if (state.marker?.state === 'shifting')
    throw new Refusal(
      `input 'step': "current": run ${state.marker.runId} is still shifting to ${state.marker.after.candidate}% (since ${state.marker.at}); the step has not begun`,
    );
  const step = plan.steps[state.step.number - 1];
  if (step === undefined) throw new ConfigError(`input 'step': no step ${state.step.number}`);
  return { number: state.step.number, step, startedAt: state.stepStartedAt };
}
