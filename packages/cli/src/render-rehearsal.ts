import type { Weights } from '@cutover/plan';
import { formatDuration } from '@cutover/plan';
import { verdictView } from './describe-verdict.js';
import { columns, plain } from './plain-text.js';
import type { RehearsalResult } from './rehearse.js';

export interface RehearsalRun {
  plan: string;
  scenario: string;
  start: number;
  names: { stable: string; candidate: string };
  expected: string | undefined;
  result: RehearsalResult;
  finalWeights: Weights;
  elapsedMs: number;
}

/** Pure: the events as they happened, the gates of every evaluated step, then the result. */
export function renderRehearsalText(run: RehearsalRun): string {
  const { result, start, names, finalWeights: final } = run;
  const since = (t: number | undefined) =>
    t === undefined ? '-' : `+${formatDuration(Math.max(0, t - start))}`;
  const lines = result.events.map((event) =>
    `  +${formatDuration(event.at).padEnd(12)} ${event.kind.padEnd(11)} ${`${event.weight}%`.padEnd(5)} ${plain(event.text)}`.trimEnd(),
  );
  const gates = result.steps.flatMap((step) =>
    step.verdicts.map((verdict) => {
      const view = verdictView(
        verdict,
        step.rules.find((r) => r.name === verdict.rule),
      );
      return [
        `${step.weight}%`,
        view.rule,
        view.severity,
        view.status,
        view.threshold,
        view.lastText,
        view.worstText,
        `${view.samples}/${view.points}`,
        since(verdict.breachSince),
        since(verdict.firedAt),
      ];
    }),
  );
  const out = [...lines, ''];
  if (gates.length > 0)
    out.push(
      'Gates (times from the start of the rehearsal):',
      columns(
        [
          'step',
          'rule',
          'severity',
          'verdict',
          'threshold',
          'last',
          'worst',
          'samples/points',
          'breach from',
          'fired at',
        ],
        gates,
      ),
      '',
    );
  if (result.breach !== undefined)
    out.push(
      `Breach began at +${formatDuration(result.breach.since)}; the gate failed ${formatDuration(result.breach.detected - result.breach.since)} later; traffic back on stable at +${formatDuration(result.breach.stable)}.`,
    );
  out.push(
    `Result: ${result.outcome}; router now ${plain(names.stable)} ${final.stable}% / ${plain(names.candidate)} ${final.candidate}%; ${result.queries} metric queries; ${formatDuration(result.events.at(-1)?.at ?? 0)} of plan time rehearsed in ${run.elapsedMs.toFixed(0)} ms.`,
  );
  return out.join('\n');
}

/** Pure: `cutover rehearse --format json`. Times are ms from the start of the rehearsal. */
export function rehearsalJson(run: RehearsalRun, ok: boolean): Record<string, unknown> {
  const { result, start } = run;
  const fromStart = (t: number | undefined) => (t === undefined ? null : t - start);
  return {
    command: 'rehearse',
    plan: run.plan,
    scenario: run.scenario,
    start: new Date(start).toISOString(),
    outcome: result.outcome,
    expected: run.expected ?? null,
    ok,
    events: result.events.map((e) => ({
      atMs: e.at,
      kind: e.kind,
      weight: e.weight,
      text: e.text,
    })),
    steps: result.steps.map((step) => ({
      weight: step.weight,
      fromMs: step.window.from - start,
      toMs: step.window.to - start,
      status: step.outcome.status,
      reason: step.outcome.reason,
      queries: step.queries,
      rules: step.verdicts.map((verdict) => ({
        ...verdictView(
          verdict,
          step.rules.find((r) => r.name === verdict.rule),
        ),
        breachSinceMs: fromStart(verdict.breachSince),
        firedAtMs: fromStart(verdict.firedAt),
      })),
    })),
    breach:
      result.breach === undefined
        ? null
        : {
            sinceMs: result.breach.since,
            detectedMs: result.breach.detected,
            stableMs: result.breach.stable,
          },
    queries: result.queries,
    finalWeights: run.finalWeights,
  };
}
