import { escapeMarkdown, table } from '@cutover/kit';
import { type Clock } from '@cutover/kit';
import {
  renderGateSummary,
  watchGates,
  type MetricsSource,
  type RuleVerdict,
} from '@cutover/gates';
import {
  formatDuration,
  planTimeline,
  type GateOutcome,
  type GateRule,
  type Plan,
} from '@cutover/plan';
import {
  decideNext,
  planHash,
  readCutover,
  rollbackTraffic,
  shiftTraffic,
  type RecordedVerdict,
  type RouterTarget,
} from '@cutover/traffic';
import { describeVerdict } from './describe-verdict.js';

export interface RehearsalEvent {
  at: number;
  kind: 'shift' | 'gates' | 'hold' | 'rollback' | 'done' | 'needs-human';
  weight: number;
  text: string;
}

/** One evaluated step: the gates' verdicts over its bake. */
export interface RehearsalStep {
  weight: number;
  window: { from: number; to: number };
  outcome: GateOutcome;
  verdicts: RuleVerdict[];
  rules: GateRule[];
  queries: number;
}

export interface RehearsalResult {
  outcome: 'done' | 'rolled-back' | 'needs-human';
  events: RehearsalEvent[];
  steps: RehearsalStep[];
  /** The same job-summary markdown the actions write, for every evaluated step. */
  summary: string;
  breach: { since: number; detected: number; stable: number } | undefined;
  queries: number;
}

/**
 * Runs a whole plan on a virtual clock: the step function decides, the router moves traffic,
 * the gates watch each bake against the metrics source. Days of bakes take milliseconds.
 */
export async function rehearse(
  plan: Plan,
  router: RouterTarget,
  source: MetricsSource,
  clock: Clock,
  log: (event: RehearsalEvent) => void,
): Promise<RehearsalResult> {
  const start = clock.now();
  const events: RehearsalEvent[] = [];
  const summaries: string[] = [];
  const steps: RehearsalStep[] = [];
  let queries = 0;
  let breach: RehearsalResult['breach'];
  let lastVerdicts: RuleVerdict[] = [];
  // The rehearsal moves traffic through the same engine as shift-traffic and rollback.
  const hash = planHash(plan);
  const shiftOptions = {
    runId: 'rehearsal',
    planHash: hash,
    clock,
    verifyTimeoutMs: plan.rollback.trafficTimeoutMs,
    verifyIntervalMs: 1000,
    log: () => undefined,
  };
  const emit = (kind: RehearsalEvent['kind'], weight: number, text: string) => {
    const event = { at: clock.now() - start, kind, weight, text };
    events.push(event);
    log(event);
  };

  for (let round = 0; round < 10_000; round++) {
    // What the controller knows comes from the marker on the target, as in the actions.
    const { state: observed } = await readCutover(plan, [router]);
    const { weights, stepStartedAt } = observed;
    const step = observed.step === undefined ? undefined : plan.steps[observed.step.number - 1];
    let verdict: GateOutcome | undefined;
    let recorded: RecordedVerdict | undefined;
    if (step !== undefined && stepStartedAt !== undefined && step.gates.length > 0) {
      const rules = step.gates
        .map((name) => plan.gates[name])
        .filter((rule): rule is GateRule => rule !== undefined);
      const until = Math.max(stepStartedAt + step.bakeMs, clock.now());
      const report = await watchGates(rules, source, clock, { from: stepStartedAt, until });
      queries += report.queries;
      verdict = report.outcome;
      recorded = { ...verdict, at: new Date(clock.now()).toISOString() };
      lastVerdicts = report.verdicts;
      steps.push({
        weight: weights.candidate,
        window: { from: stepStartedAt, to: clock.now() },
        outcome: verdict,
        verdicts: report.verdicts,
        rules,
        queries: report.queries,
      });
      emit(
        'gates',
        weights.candidate,
        `${verdict.status.toUpperCase()}: ${report.verdicts.map((v) => describeVerdict(v, plan.gates[v.rule])).join('; ')}`,
      );
      summaries.push(
        renderGateSummary({
          title: `Step ${weights.candidate}%`,
          outcome: verdict,
          verdicts: report.verdicts,
          rules,
          window: { from: stepStartedAt, to: clock.now() },
          queries: report.queries,
          shadow: false,
        }),
      );
    }
    const decision = decideNext(plan, observed, {
      now: clock.now(),
      runId: shiftOptions.runId,
      planHash: hash,
      verdict,
    });
    switch (decision.kind) {
      case 'shift':
        await shiftTraffic([router], decision.weight, {
          ...shiftOptions,
          planSteps: plan.steps.map((s) => s.weight),
          force: false,
          verdict: recorded,
        });
        emit(
          'shift',
          decision.weight,
          `${weights.candidate}% → ${decision.weight}%: ${decision.reason}`,
        );
        break;
      case 'hold':
        if (decision.needsHuman) {
          emit('needs-human', weights.candidate, decision.reason);
          return finish('needs-human');
        }
        emit('hold', weights.candidate, decision.reason);
        if (decision.untilMs !== undefined && decision.untilMs > clock.now())
          await clock.sleep(decision.untilMs - clock.now());
        break;
      case 'rollback': {
        const fired = lastVerdicts.filter((v) => v.status === 'fail' && v.severity === 'critical');
        const since = Math.min(...fired.map((v) => v.breachSince ?? clock.now()));
        await rollbackTraffic([router], { ...shiftOptions, verdict: recorded });
        breach = {
          since: since - start,
          detected: clock.now() - start,
          stable: clock.now() - start,
        };
        // Say why in the thresholds' units when rules fired; otherwise the step function's reason.
        const why =
          fired.length > 0
            ? fired.map((v) => describeVerdict(v, plan.gates[v.rule])).join('; ')
            : decision.reason;
        emit('rollback', 0, `${weights.candidate}% → 0%: ${why}`);
        return finish('rolled-back');
      }
      case 'done':
        emit('done', weights.candidate, decision.reason);
        return finish('done');
      case 'rolled-back':
        return finish('rolled-back');
    }
  }
  throw new Error('rehearsal did not finish within 10,000 decisions');

  function finish(outcome: RehearsalResult['outcome']): RehearsalResult {
    const timeline = planTimeline(plan);
    const header = [
      `## Rehearsal of ${escapeMarkdown(plan.name)}: ${outcome}`,
      table(
        ['Time', 'Event', 'Candidate', 'Detail'],
        events.map((e) => [
          `+${formatDuration(e.at)}`,
          e.kind,
          `${e.weight}%`,
          escapeMarkdown(e.text),
        ]),
      ),
      breach === undefined
        ? `Expected duration ${formatDuration(timeline.expectedDurationMs)}; worst case breach → stable ${formatDuration(timeline.worstCaseBreachToStableMs)}.`
        : `Breach began at +${formatDuration(breach.since)}; the gate failed ${formatDuration(breach.detected - breach.since)} later and traffic was back on stable at +${formatDuration(breach.stable)} (plan worst case ${formatDuration(timeline.worstCaseBreachToStableMs)}).`,
    ];
    return {
      outcome,
      events,
      steps,
      summary: `${[...header, ...summaries].join('\n\n')}\n`,
      breach,
      queries,
    };
  }
}
