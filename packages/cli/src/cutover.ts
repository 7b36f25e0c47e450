// cutover: plan / rehearse / backtest a cutover plan locally. Run: npm run cutover -- <command> ...
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createVirtualClock } from '@cutover/action-kit';
import { findFirings } from '@cutover/gates';
import { FileSource, PrometheusSource, parseRecordedSeries } from '@cutover/metrics';
import { formatDuration, parsePlan, type GateRule, type Plan } from '@cutover/plan';
import { FileRouter } from '@cutover/routers';
import { renderPlan } from './render-plan.js';
import { rehearse } from './rehearse.js';
import { scenarioToQueries } from './scenario.js';

const USAGE = `usage:
  cutover plan FILE
  cutover rehearse FILE --scenario SCENARIO [--start ISO] [--summary OUT.md] [--expect done|rolled-back]
  cutover backtest FILE --prometheus URL --from ISO --to ISO [--gates a,b]`;

export async function run(argv: string[], out: (line: string) => void): Promise<number> {
  const [command, file, ...rest] = argv;
  if (
    command === undefined ||
    file === undefined ||
    !['plan', 'rehearse', 'backtest'].includes(command)
  ) {
    out(USAGE);
    return 2;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      scenario: { type: 'string' },
      start: { type: 'string' },
      summary: { type: 'string' },
      expect: { type: 'string' },
      prometheus: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      gates: { type: 'string' },
    },
  });
  const plan = loadPlan(file);

  if (command === 'plan') {
    out(renderPlan(plan));
    return 0;
  }

  if (command === 'rehearse') {
    if (values.scenario === undefined)
      throw new Error('--scenario is required: a recorded-samples file keyed by gate name');
    const start = values.start === undefined ? Date.UTC(2026, 0, 1) : Date.parse(values.start);
    if (Number.isNaN(start))
      throw new Error(`--start: expected an ISO 8601 time, got "${values.start ?? ''}"`);
    const scenario = scenarioToQueries(
      plan,
      parseRecordedSeries(readFileSync(values.scenario, 'utf8'), values.scenario),
      values.scenario,
    );
    const names = {
      stable:
        typeof plan.router.settings.stable === 'string' ? plan.router.settings.stable : 'stable',
      candidate:
        typeof plan.router.settings.candidate === 'string'
          ? plan.router.settings.candidate
          : 'candidate',
    };
    const weightsFile = join(mkdtempSync(join(tmpdir(), 'cutover-rehearsal-')), 'weights.json');
    const router = new FileRouter(weightsFile, names);
    out(
      `Rehearsal of ${plan.name} (${plan.strategy}, ${plan.steps.map((s) => `${s.weight}%`).join(' -> ')}) with ${values.scenario}`,
    );
    out(
      `virtual clock from ${new Date(start).toISOString()}; traffic in ${weightsFile} (${names.stable}/${names.candidate})\n`,
    );
    const started = performance.now();
    const result = await rehearse(
      plan,
      router,
      new FileSource(scenario, start),
      createVirtualClock(start),
      (event) => {
        out(
          `  +${formatDuration(event.at).padEnd(12)} ${event.kind.padEnd(11)} ${`${event.weight}%`.padEnd(5)} ${event.text}`,
        );
      },
    );
    const elapsed = performance.now() - started;
    const { weights: final } = await router.read();
    out('');
    if (result.breach !== undefined)
      out(
        `Breach began at +${formatDuration(result.breach.since)}; the gate failed ${formatDuration(result.breach.detected - result.breach.since)} later; traffic back on stable at +${formatDuration(result.breach.stable)}.`,
      );
    out(
      `Result: ${result.outcome}; router now ${names.stable} ${final.stable}% / ${names.candidate} ${final.candidate}%; ${result.queries} metric queries; ${formatDuration(result.events.at(-1)?.at ?? 0)} of plan time rehearsed in ${elapsed.toFixed(0)} ms.`,
    );
    out(`\n----- job summary markdown -----\n${result.summary}`);
    if (values.summary !== undefined) writeFileSync(values.summary, result.summary);
    if (values.expect !== undefined && values.expect !== result.outcome) {
      out(`expected outcome ${values.expect}, got ${result.outcome}`);
      return 1;
    }
    return 0;
  }

  // backtest
  if (values.prometheus === undefined || values.from === undefined || values.to === undefined)
    throw new Error('backtest needs --prometheus URL --from ISO --to ISO');
  const from = Date.parse(values.from);
  const to = Date.parse(values.to);
  if (Number.isNaN(from) || Number.isNaN(to) || from >= to)
    throw new Error(
      `--from/--to: expected ISO 8601 times with from before to, got "${values.from}" and "${values.to}"`,
    );
  const names =
    values.gates === undefined
      ? Object.keys(plan.gates)
      : values.gates.split(',').map((g) => g.trim());
  const rules = names.map((name) => {
    const rule = plan.gates[name];
    if (rule === undefined)
      throw new Error(
        `--gates: "${name}" is not a gate of ${plan.name}; gates: ${Object.keys(plan.gates).join(', ')}`,
      );
    return rule;
  });
  const { firings, queries } = await findFirings(
    rules,
    new PrometheusSource({ url: values.prometheus, timeoutMs: 30_000 }),
    from,
    to,
  );
  out(
    `Backtest of ${rules.map((r: GateRule) => r.name).join(', ')} over ${values.from} → ${values.to} (${queries} range queries)`,
  );
  if (firings.length === 0) out('No gate would have fired.');
  for (const firing of firings)
    out(
      `  ${firing.rule.padEnd(24)} breach from ${new Date(firing.since).toISOString()}, would have failed at ${new Date(firing.at).toISOString()} (+${formatDuration(firing.at - firing.since)}), value ${firing.value.toPrecision(4)}`,
    );
  return 0;
}

function loadPlan(file: string): Plan {
  const result = parsePlan(readFileSync(file, 'utf8'), file);
  if (!result.ok) throw new Error(`${file} is not a valid plan:\n${result.errors.join('\n')}`);
  return result.plan;
}

if (
  process.argv[1] !== undefined &&
  import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')
) {
  run(process.argv.slice(2), (line) => {
    console.log(line);
  }).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`cutover: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(2);
    },
  );
}
