import { escapeMarkdown, neutraliseCommands, table } from '@cutover/kit';
import {
  formatDuration,
  formatThreshold,
  planTimeline,
  type GateRule,
  type MetricQuery,
  type Plan,
} from '@cutover/plan';
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
    markdownQueries(plan),
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
    textQueries(plan),
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
      query: g.query,
      minTraffic: g.minTraffic ?? null,
      relative: g.relative ?? null,
      template: g.template ?? null,
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

/** The queries a gate runs, labelled: its value, the traffic guard, the baseline. */
function gateQueries(g: GateRule): { label: string; query: MetricQuery }[] {
  return [
    { label: 'query', query: g.query },
    ...(g.minTraffic === undefined
      ? []
      : [{ label: `traffic (min-traffic ${g.minTraffic.threshold})`, query: g.minTraffic.query }]),
    ...(g.relative === undefined
      ? []
      : [{ label: `baseline (relative ${g.relative.mode})`, query: g.relative.baseline }]),
  ];
}

const queryText = (query: MetricQuery) =>
  typeof query === 'string' ? query.trim() : JSON.stringify(query, null, 2);

const templateNote = (g: GateRule) =>
  g.template === undefined ? '' : ` (template ${g.template.name} on ${g.template.language})`;

/**
 * Every query as it will run, templates expanded, so a reviewer reads what a gate asks. A fence
 * longer than any run of backticks in the query keeps the query from closing it.
 */
function markdownQueries(plan: Plan): string {
  const blocks = Object.values(plan.gates).flatMap((g) => [
    `**${escapeMarkdown(g.name)}**${escapeMarkdown(templateNote(g))}`,
    ...gateQueries(g).map(({ label, query }) => {
      const text = queryText(query);
      const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
      const fence = '`'.repeat(Math.max(3, longest + 1));
      return `${escapeMarkdown(label)}:\n\n${fence}\n${text}\n${fence}`;
    }),
  ]);
  return ['### Queries', ...blocks].join('\n\n');
}

/** The same for a terminal: control characters shown, no line the runner could take as a command. */
function textQueries(plan: Plan): string {
  const lines = ['Queries (templates expanded):'];
  for (const g of Object.values(plan.gates)) {
    lines.push(`  ${plain(g.name)}${plain(templateNote(g))}`);
    for (const { label, query } of gateQueries(g)) {
      const [first = '', ...rest] = queryText(query).split(/\r\n|\n|\r/);
      lines.push(`    ${label}: ${plain(first)}`, ...rest.map((line) => `      ${plain(line)}`));
    }
  }
  return neutraliseCommands(lines.join('\n'));
}
