import { escapeMarkdown, heading, table } from '@cutover/kit';
import { formatDuration, type Plan, type Weights } from '@cutover/plan';
import {
  MARKER_KEY,
  observeCutover,
  weightsProblem,
  type Marker,
  type RouterTarget,
  type TargetReading,
} from '@cutover/traffic';
import { columns, plain } from './plain-text.js';

export type { TargetReading };

/** What every routed object says: its weights now and the marker the last shift left on it. */
export async function readTargets(targets: readonly RouterTarget[]): Promise<TargetReading[]> {
  return Promise.all(
    targets.map(async (target) => {
      const { weights, marker } = await target.read();
      return { object: target.description, weights, marker };
    }),
  );
}

export interface StatusView {
  command: 'status';
  plan: string;
  now: string;
  targets: {
    object: string;
    weights: Weights;
    marker: Marker | null;
    /** The weights differ from the marker's `after`: changed by hand since the last shift. */
    changedByHand: boolean;
  }[];
  cutover: {
    runId: string;
    state: Marker['state'];
    /** The plan step the marker moved to; null for 0% (back on stable) or a weight no step has. */
    step: { number: number; of: number; weight: number } | null;
    weight: number;
    since: string;
    /** When traffic began flowing at this weight (the bake's start), when the marker says. */
    stepStartedAt: string | null;
    /** planHash() of the plan the last move followed, when recorded. */
    planHash: string | null;
    ageMs: number;
    before: Weights;
    after: Weights;
    verdict: { status: string; reason: string | null; at: string | null } | null;
    /** A human's pause (shift-traffic step: pause): no forward move until resumed. */
    paused: { at: string; by: string | null; reason: string | null } | null;
  } | null;
  /** Objects whose markers disagree with the first object's (a shift that half happened). */
  disagreements: string[];
  /** Weights no shift could have written (90/90, negative): the actions refuse to move from them. */
  problems: string[];
}

/** Pure: the cutover as the targets record it, placed on the plan's steps. */
export function statusView(
  plan: Plan,
  readings: readonly TargetReading[],
  now: number,
): StatusView {
  // Where the cutover stands is the controller's reading, the same the actions act on.
  const observed = observeCutover(plan, readings);
  const first = observed.marker;
  const index = first === undefined ? -1 : plan.steps.findIndex((s) => s.weight === first.step);
  const at = first === undefined ? Number.NaN : Date.parse(first.at);
  return {
    command: 'status',
    plan: plan.name,
    now: new Date(now).toISOString(),
    targets: readings.map((r) => ({
      object: r.object,
      weights: r.weights,
      marker: r.marker ?? null,
      changedByHand:
        r.marker !== undefined &&
        (r.marker.after.stable !== r.weights.stable ||
          r.marker.after.candidate !== r.weights.candidate),
    })),
    cutover:
      first === undefined
        ? null
        : {
            runId: first.runId,
            state: first.state,
            step:
              index < 0 ? null : { number: index + 1, of: plan.steps.length, weight: first.step },
            weight: first.step,
            since: first.at,
            stepStartedAt:
              observed.stepStartedAt === undefined
                ? null
                : new Date(observed.stepStartedAt).toISOString(),
            planHash: observed.planHash ?? null,
            ageMs: Number.isNaN(at) ? 0 : now - at,
            before: first.before,
            after: first.after,
            verdict:
              observed.verdict === undefined
                ? null
                : {
                    status: observed.verdict.status,
                    reason: observed.verdict.reason ?? null,
                    at: observed.verdict.at,
                  },
            paused:
              observed.paused === undefined
                ? null
                : {
                    at: observed.paused.at,
                    by: observed.paused.by ?? null,
                    reason: observed.paused.reason ?? null,
                  },
          },
    disagreements: observed.disagreements,
    problems: readings
      .map((r) => weightsProblem(r.weights, r.object))
      .filter((problem): problem is string => problem !== undefined),
  };
}

const STATE_MEANING: Record<Marker['state'], string> = {
  shifting: 'written, not yet verified',
  done: 'verified',
  reverted: 'the shift failed and was put back',
  'rolled-back': 'traffic put back on stable',
};

function stepText(plan: Plan, cutover: NonNullable<StatusView['cutover']>): string {
  if (cutover.step !== null)
    return `step ${cutover.step.number} of ${cutover.step.of} (${cutover.weight}% to the candidate)`;
  if (cutover.weight === 0) return 'back on stable (0% to the candidate)';
  return `${cutover.weight}% to the candidate, which is no step of the plan (${plan.steps.map((s) => s.weight).join(', ')})`;
}

function weightsText(w: Weights, names: { stable: string; candidate: string }): string {
  return `${plain(names.stable)} ${w.stable}% / ${plain(names.candidate)} ${w.candidate}%`;
}

function verdictText(verdict: NonNullable<StatusView['cutover']>['verdict']): string {
  if (verdict === null) return 'not recorded';
  return plain(
    `${verdict.status}${verdict.reason === null ? '' : `: ${verdict.reason}`}${verdict.at === null ? '' : ` (at ${verdict.at})`}`,
  );
}

function pausedText(paused: NonNullable<StatusView['cutover']>['paused']): string | undefined {
  if (paused === null) return undefined;
  return plain(
    `PAUSED${paused.by === null ? '' : ` by run ${paused.by}`} at ${paused.at}${paused.reason === null ? '' : ` (${paused.reason})`}: next and promote are refused until resumed (shift-traffic step: resume); rollback still works`,
  );
}

/** Pure: where the cutover stands, for a terminal. */
export function renderStatusText(
  plan: Plan,
  view: StatusView,
  names: { stable: string; candidate: string },
): string {
  const out: string[] = [];
  const { cutover } = view;
  if (cutover === null)
    out.push(`${plain(plan.name)}: no cutover recorded on the target (no ${MARKER_KEY} marker)`);
  else
    out.push(
      `${plain(plan.name)}: ${stepText(plan, cutover)}, state ${cutover.state} (${STATE_MEANING[cutover.state]})`,
      `run ${plain(cutover.runId)}, since ${plain(cutover.since)} (${formatDuration(Math.max(0, cutover.ageMs))} ago); moved from ${weightsText(cutover.before, names)} to ${weightsText(cutover.after, names)}`,
      `last verdict: ${verdictText(cutover.verdict)}`,
      ...(cutover.paused === null ? [] : [pausedText(cutover.paused) ?? '']),
    );
  out.push(
    '',
    columns(
      ['object', 'weights now', 'marker'],
      view.targets.map((t) => [
        t.object,
        weightsText(t.weights, names),
        t.marker === null
          ? 'none'
          : `run ${t.marker.runId}, ${t.marker.step}%, ${t.marker.state}${t.changedByHand ? `; the marker says ${weightsText(t.marker.after, names)}: changed by hand since` : ''}`,
      ]),
    ),
  );
  if (view.disagreements.length > 0)
    out.push(
      '',
      `These objects disagree with the first one's marker (a shift that did not finish everywhere): ${view.disagreements.map(plain).join(', ')}`,
    );
  for (const problem of view.problems) out.push('', `Inconsistent weights: ${plain(problem)}`);
  return out.join('\n');
}

/** Pure: the markdown for `--summary` and `--format markdown`. */
export function renderStatusMarkdown(
  plan: Plan,
  view: StatusView,
  names: { stable: string; candidate: string },
): string {
  const { cutover } = view;
  const parts = [
    heading(
      2,
      `Cutover ${escapeMarkdown(plan.name)}: ${cutover === null ? 'no cutover recorded' : `${escapeMarkdown(stepText(plan, cutover))}, ${cutover.state}${cutover.paused === null ? '' : ', paused'}`}`,
    ),
  ];
  if (cutover !== null)
    parts.push(
      `Run \`${escapeMarkdown(cutover.runId)}\` · since ${escapeMarkdown(cutover.since)} (${formatDuration(Math.max(0, cutover.ageMs))} ago) · last verdict: ${escapeMarkdown(verdictText(cutover.verdict))}`,
      ...(cutover.paused === null
        ? []
        : [`**${escapeMarkdown(pausedText(cutover.paused) ?? '')}**`]),
    );
  parts.push(
    table(
      ['Object', 'Weights now', 'Marker'],
      view.targets.map((t) => [
        escapeMarkdown(t.object),
        escapeMarkdown(weightsText(t.weights, names)),
        t.marker === null
          ? 'none'
          : escapeMarkdown(
              `run ${t.marker.runId}, ${t.marker.step}%, ${t.marker.state}${t.changedByHand ? ' (weights changed by hand since)' : ''}`,
            ),
      ]),
    ),
  );
  return `${parts.join('\n\n')}\n`;
}
