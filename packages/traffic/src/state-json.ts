import type { Plan, Weights } from '@cutover/plan';
import type { CutoverState } from './controller.js';
import type { Marker, PauseRecord, RecordedVerdict } from './marker.js';

/** shift-traffic's `state` output: the cutover as the target records it, for status views. */
export interface ObservedStateJson {
  /** The first routed object, whose weights these are. */
  object: string;
  weights: Weights;
  /** The plan step traffic is at (number is 1-based); null at 0%, off-plan or without a plan. */
  step: { number: number; weight: number } | null;
  /** When the current step's bake began (ISO 8601); null when unknown. */
  stepStartedAt: string | null;
  /** When the bake ends (stepStartedAt + the step's bake; time paused counts); null when unknown. */
  bakeEndsAt: string | null;
  /** The marker's state (shifting, done, reverted, rolled-back); null without a marker. */
  state: Marker['state'] | null;
  paused: PauseRecord | null;
  verdict: RecordedVerdict | null;
  rolledBack: boolean;
  /** The run that last moved traffic. */
  runId: string | null;
  planHash: string | null;
  /** Objects that disagree with the first (a move that half happened). */
  disagreements: string[];
  /** The plan's steps, so that a workflow can lay them out; empty without a plan. */
  steps: { number: number; weight: number; bakeMs: number }[];
}

/** Pure: the observed cutover as plain JSON (dates as ISO strings, absences as null). */
export function observedStateJson(
  observed: CutoverState,
  plan: Pick<Plan, 'steps'> | undefined,
): ObservedStateJson {
  const bakeMs =
    observed.step === undefined ? undefined : plan?.steps[observed.step.number - 1]?.bakeMs;
  const started = observed.stepStartedAt;
  return {
    object: observed.object,
    weights: observed.weights,
    step: observed.step ?? null,
    stepStartedAt: started === undefined ? null : new Date(started).toISOString(),
    bakeEndsAt:
      started === undefined || bakeMs === undefined
        ? null
        : new Date(started + bakeMs).toISOString(),
    state: observed.marker?.state ?? null,
    paused: observed.paused ?? null,
    verdict: observed.verdict ?? null,
    rolledBack: observed.rolledBack,
    runId: observed.runId ?? null,
    planHash: observed.planHash ?? null,
    disagreements: observed.disagreements,
    steps: (plan?.steps ?? []).map((s, i) => ({
      number: i + 1,
      weight: s.weight,
      bakeMs: s.bakeMs,
    })),
  };
}
