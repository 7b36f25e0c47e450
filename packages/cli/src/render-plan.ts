import { escapeMarkdown, table } from '@cutover/action-kit/summary';
import { formatDuration, planTimeline, type Plan } from '@cutover/plan';

/** Pure: the plan's timeline and gates as markdown (also readable in a terminal). */
export function renderPlan(plan: Plan): string {
  const timeline = planTimeline(plan);
  const steps = table(
    ['Step', 'Candidate', 'Starts at', 'Bake', 'Gates', 'Breach → stable (worst)'],
    timeline.steps.map((s) => [
      String(s.index + 1),
      `${s.weight}%`,
      `+${formatDuration(s.startsAtMs)}`,
      formatDuration(s.bakeMs),
      s.gates.join(', ') || '—',
      formatDuration(s.breachToStableMs),
    ]),
  );
  const gates = table(
    ['Gate', 'Condition', 'For', 'Interval', 'Initial delay', 'Min samples', 'No data', 'Severity'],
    Object.values(plan.gates).map((g) => [
      escapeMarkdown(g.name),
      escapeMarkdown(g.threshold.text),
      formatDuration(g.forMs),
      formatDuration(g.intervalMs),
      formatDuration(g.initialDelayMs),
      String(g.minSamples),
      g.onNoData,
      g.severity,
    ]),
  );
  return [
    `## Plan ${escapeMarkdown(plan.name)} (${plan.strategy})`,
    `Target ${escapeMarkdown(plan.target.kind)} ${escapeMarkdown(plan.target.name)} · router ${escapeMarkdown(plan.router.kind)} · metrics ${plan.metrics.provider}`,
    steps,
    gates,
    `Expected duration when every gate passes: **${formatDuration(timeline.expectedDurationMs)}**. Worst case from a breach to traffic back on stable: **${formatDuration(timeline.worstCaseBreachToStableMs)}** (gate ${timeline.slowestGate ?? '—'} + one interval + traffic-timeout ${formatDuration(plan.rollback.trafficTimeoutMs)}${plan.rollback.maxTimeToStableMs === undefined ? '' : `; target ${formatDuration(plan.rollback.maxTimeToStableMs)}`}).`,
  ].join('\n\n');
}
