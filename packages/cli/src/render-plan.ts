import { escapeMarkdown, table } from '@cutover/kit';
import { formatDuration, formatThreshold, planTimeline, type Plan } from '@cutover/plan';
import { columns, plain } from './plain-text.js';

/** Pure: the plan's timeline and gates as markdown, for a job summary or `--format markdown`. */
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

/** Pure: the same content as plain text for a terminal, thresholds in their units. */
export function renderPlanText(plan: Plan): string {
  const timeline = planTimeline(plan);
  return [
    `Plan ${plain(plan.name)} (${plan.strategy})`,
    `Target ${plain(plan.target.kind)} ${plain(plan.target.name)} · router ${plain(plan.router.kind)} · metrics ${plan.metrics.provider}`,
    '',
    columns(
      ['step', 'candidate', 'starts at', 'bake', 'gates', 'breach → stable (worst)'],
      timeline.steps.map((s) => [
        String(s.index + 1),
        `${s.weight}%`,
        `+${formatDuration(s.startsAtMs)}`,
        formatDuration(s.bakeMs),
        s.gates.join(', ') || '-',
        formatDuration(s.breachToStableMs),
      ]),
    ),
    '',
    columns(
      [
        'gate',
        'condition',
        'for',
        'interval',
        'initial delay',
        'min samples',
        'min coverage',
        'max gap',
        'no data',
        'severity',
      ],
      Object.values(plan.gates).map((g) => [
        g.name,
        formatThreshold(g.threshold),
        formatDuration(g.forMs),
        formatDuration(g.intervalMs),
        formatDuration(g.initialDelayMs),
        String(g.minSamples),
        `${Number((g.minCoverage * 100).toFixed(1))}%`,
        formatDuration(g.maxGapMs),
        g.onNoData,
        g.severity,
      ]),
    ),
    '',
    `Expected duration when every gate passes: ${formatDuration(timeline.expectedDurationMs)}. ${worstCase(plan, timeline)}.`,
  ].join('\n');
}

/** Pure: `cutover plan --format json`. */
export function planJson(plan: Plan): Record<string, unknown> {
  const timeline = planTimeline(plan);
  return {
    command: 'plan',
    plan: plan.name,
    strategy: plan.strategy,
    target: { kind: plan.target.kind, name: plan.target.name },
    router: plan.router.kind,
    metrics: plan.metrics.provider,
    steps: timeline.steps.map((s) => ({
      step: s.index + 1,
      weight: s.weight,
      startsAtMs: s.startsAtMs,
      bakeMs: s.bakeMs,
      gates: s.gates,
      breachToStableMs: s.breachToStableMs,
    })),
    gates: Object.values(plan.gates).map((g) => ({
      name: g.name,
      threshold: formatThreshold(g.threshold),
      unit: g.threshold.unit,
      forMs: g.forMs,
      intervalMs: g.intervalMs,
      initialDelayMs: g.initialDelayMs,
      minSamples: g.minSamples,
      minCoverage: g.minCoverage,
      maxGapMs: g.maxGapMs,
      onNoData: g.onNoData,
      severity: g.severity,
    })),
    expectedDurationMs: timeline.expectedDurationMs,
    worstCaseBreachToStableMs: timeline.worstCaseBreachToStableMs,
    slowestGate: timeline.slowestGate ?? null,
    maxTimeToStableMs: plan.rollback.maxTimeToStableMs ?? null,
  };
}

function worstCase(plan: Plan, timeline: ReturnType<typeof planTimeline>): string {
  return `Worst case from a breach to traffic back on stable: ${formatDuration(timeline.worstCaseBreachToStableMs)} (gate ${timeline.slowestGate ?? '-'} + one interval + traffic-timeout ${formatDuration(plan.rollback.trafficTimeoutMs)}${plan.rollback.maxTimeToStableMs === undefined ? '' : `; target ${formatDuration(plan.rollback.maxTimeToStableMs)}`})`;
}
