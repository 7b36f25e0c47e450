// cutover: plan / rehearse / backtest / status of a cutover plan. The process wiring is in
// ../bin/cutover.mjs (the package's bin); `run` takes argv and returns the exit code.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createVirtualClock, errorKind, redactUrls, systemClock } from '@cutover/kit';
import { findFirings } from '@cutover/gates';
import {
  FileSource,
  createMetricsSource,
  parseRecordedSeries,
  type SourceSecrets,
} from '@cutover/metrics';
import { parseCatalogPlan } from '@cutover/catalog';
import { TIME_SPEC_FORMS, parseTimeSpec, type Plan } from '@cutover/plan';
import { FileRouter, RouterConfigError, createTargets } from '@cutover/routers';
import { backtestJson, renderBacktestMarkdown, renderBacktestText } from './backtest.js';
import { closestName } from './closest-name.js';
import {
  COMMANDS,
  EXIT,
  FORMATS,
  commandHelp,
  isCommand,
  usage,
  type CommandName,
  type Format,
} from './commands.js';
import { plain } from './plain-text.js';
import { planJson, renderPlan, renderPlanText } from './render-plan.js';
import { rehearsalJson, renderRehearsalText, type RehearsalRun } from './render-rehearsal.js';
import { rehearse } from './rehearse.js';
import { scenarioToQueries } from './scenario.js';
import { readTargets, renderStatusMarkdown, renderStatusText, statusView } from './status.js';

export const VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

/** A mistake in the command line, plan or scenario: exit 2, nothing was done. */
class UsageError extends Error {}

export interface RunOptions {
  /** Diagnostics (default: the same sink as the output). */
  err?: (line: string) => void;
  now?: () => number;
  /** Where relative paths in the plan (a file router's path) resolve; default the process's. */
  cwd?: string;
}

/** What a command produced, in every format; the caller prints the one asked for. */
interface Result {
  code: number;
  text: string;
  markdown: () => string;
  json: Record<string, unknown>;
  /** A line for a person (e.g. an unmet --expect): on stdout with text, on stderr otherwise. */
  note?: string;
}

export async function run(
  argv: readonly string[],
  out: (line: string) => void,
  options: RunOptions = {},
): Promise<number> {
  const err = options.err ?? out;
  try {
    return await dispatch(argv, out, err, {
      now: options.now ?? (() => Date.now()),
      cwd: options.cwd ?? process.cwd(),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    err(`cutover: ${redactUrls(message).split('\n').map(plain).join('\n')}`);
    return error instanceof UsageError ? EXIT.usage : EXIT.failed;
  }
}

async function dispatch(
  argv: readonly string[],
  out: (line: string) => void,
  err: (line: string) => void,
  context: { now: () => number; cwd: string },
): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h' || first === 'help') {
    const topic = rest[0];
    if (topic === undefined) out(usage(VERSION));
    else if (isCommand(topic)) out(commandHelp(topic));
    else throw unknownCommand(topic);
    return EXIT.ok;
  }
  if (first === '--version') {
    out(`cutover ${VERSION}`);
    return EXIT.ok;
  }
  if (first === undefined) throw new UsageError(`expected a command\n${usage(VERSION)}`);
  if (first.startsWith('-'))
    throw new UsageError(
      `expected a command before options, got ${first}; commands: ${Object.keys(COMMANDS).join(', ')}`,
    );
  if (!isCommand(first)) throw unknownCommand(first);
  if (rest.includes('--help') || rest.includes('-h')) {
    out(commandHelp(first));
    return EXIT.ok;
  }

  const { values, file } = parseOptions(first, rest);
  const format = values.format ?? 'text';
  if (!(FORMATS as readonly string[]).includes(format))
    throw new UsageError(`--format: expected text, markdown or json, got "${format}"`);
  const plan = loadPlan(file);
  const result = await COMMAND_RUNNERS[first](plan, values, { ...context, file });

  if (values.summary !== undefined) writeSummary(values.summary, result.markdown());
  switch (format as Format) {
    case 'text':
      out(result.text);
      if (result.note !== undefined) out(result.note);
      break;
    case 'markdown':
      out(result.markdown().trimEnd());
      break;
    case 'json':
      out(JSON.stringify(result.json, null, 2));
      break;
  }
  if (format !== 'text' && result.note !== undefined) err(`cutover: ${result.note}`);
  return result.code;
}

function unknownCommand(typed: string): UsageError {
  const guess = closestName(typed, Object.keys(COMMANDS));
  return new UsageError(
    `unknown command "${typed}"${guess === undefined ? '.' : `; did you mean ${guess}?`} Commands: ${Object.keys(COMMANDS).join(', ')} (cutover --help)`,
  );
}

type Values = Partial<Record<string, string>>;

function parseOptions(
  command: CommandName,
  args: readonly string[],
): { values: Values; file: string } {
  const known = [...Object.keys(COMMANDS[command].options), 'format', 'summary'];
  // Named here rather than by parseArgs, so the message can suggest the option meant.
  for (const arg of args) {
    if (arg === '--') break;
    if (!arg.startsWith('-') || arg === '-') continue;
    const name = arg.replace(/^--?/, '').split('=')[0] ?? '';
    if (arg.startsWith('--') && known.includes(name)) continue;
    const guess = closestName(name, known);
    throw new UsageError(
      `unknown option ${arg.split('=')[0] ?? arg} for cutover ${command}${guess === undefined ? '.' : `; did you mean --${guess}?`} Options: ${known.map((o) => `--${o}`).join(', ')}`,
    );
  }
  let parsed: { values: Values; positionals: string[] };
  try {
    const options: Record<string, { type: 'string' }> = Object.fromEntries(
      known.map((name) => [name, { type: 'string' as const }]),
    );
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    const option = /'(--[a-z-]+)/.exec(error instanceof Error ? error.message : '')?.[1];
    throw new UsageError(
      option === undefined
        ? `cutover ${command}: ${error instanceof Error ? error.message : String(error)}`
        : `${option} needs a value`,
    );
  }
  const [file, ...extra] = parsed.positionals;
  if (file === undefined)
    throw new UsageError(`cutover ${command} needs a plan file: ${COMMANDS[command].usage}`);
  if (extra.length > 0)
    throw new UsageError(
      `cutover ${command} takes one plan file, got also ${extra.map((e) => `"${e}"`).join(', ')}`,
    );
  return { values: parsed.values, file };
}

const ERRNO: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
};

function readInput(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    throw new UsageError(`cannot read ${what} ${path}: ${ERRNO[code] ?? code}`);
  }
}

function writeSummary(path: string, markdown: string): void {
  try {
    writeFileSync(path, markdown);
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    throw new UsageError(
      `cannot write summary file ${path}: ${code === 'ENOENT' ? 'no such directory' : (ERRNO[code] ?? code)}`,
    );
  }
}

function loadPlan(file: string): Plan {
  // The catalog checks the router's and the metrics provider's settings too, every problem at once.
  const result = parseCatalogPlan(readInput(file, 'plan file'), file);
  if (!result.ok)
    throw new UsageError(
      `${file} is not a valid plan (${result.errors.length} ${result.errors.length === 1 ? 'problem' : 'problems'}):\n${result.errors.map((e) => `  - ${e}`).join('\n')}`,
    );
  return result.plan;
}

function routerNames(plan: Plan): { stable: string; candidate: string } {
  const name = (key: 'stable' | 'candidate') => {
    const value = plan.router.settings[key];
    return typeof value === 'string' ? value : key;
  };
  return { stable: name('stable'), candidate: name('candidate') };
}

type Runner = (
  plan: Plan,
  values: Values,
  context: { now: () => number; cwd: string; file: string },
) => Promise<Result>;

const COMMAND_RUNNERS: Record<CommandName, Runner> = {
  plan: (plan) =>
    Promise.resolve({
      code: EXIT.ok,
      text: renderPlanText(plan),
      markdown: () => `${renderPlan(plan)}\n`,
      json: planJson(plan),
    }),

  async rehearse(plan, values) {
    const scenarioFile = values.scenario;
    if (scenarioFile === undefined)
      throw new UsageError(
        'cutover rehearse needs --scenario FILE: recorded series keyed by gate name',
      );
    const expected = values.expect;
    if (expected !== undefined && !['done', 'rolled-back', 'needs-human'].includes(expected))
      throw new UsageError(
        `--expect: expected done, rolled-back or needs-human, got "${expected}"`,
      );
    const start = values.start === undefined ? Date.UTC(2026, 0, 1) : Date.parse(values.start);
    if (Number.isNaN(start))
      throw new UsageError(
        `--start: expected an ISO 8601 time like "2026-11-20T10:00:00Z", got "${values.start ?? ''}"`,
      );
    const text = readInput(scenarioFile, 'scenario file');
    let scenario;
    try {
      scenario = scenarioToQueries(plan, parseRecordedSeries(text, scenarioFile), scenarioFile);
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    const names = routerNames(plan);
    const weightsFile = join(mkdtempSync(join(tmpdir(), 'cutover-rehearsal-')), 'weights.json');
    const router = new FileRouter(weightsFile, names);
    const started = performance.now();
    const result = await rehearse(
      plan,
      router,
      new FileSource(scenario, start),
      createVirtualClock(start),
      () => undefined,
    );
    const rehearsal: RehearsalRun = {
      plan: plan.name,
      scenario: scenarioFile,
      start,
      names,
      expected,
      result,
      finalWeights: (await router.read()).weights,
      elapsedMs: performance.now() - started,
    };
    const ok = expected === undefined ? result.outcome === 'done' : result.outcome === expected;
    return {
      code: ok ? EXIT.ok : EXIT.gates,
      text: [
        `Rehearsal of ${plain(plan.name)} (${plan.strategy}, ${plan.steps.map((s) => `${s.weight}%`).join(' -> ')}) with ${plain(scenarioFile)}`,
        `virtual clock from ${new Date(start).toISOString()}; traffic in ${weightsFile} (${plain(names.stable)}/${plain(names.candidate)})`,
        '',
        renderRehearsalText(rehearsal),
      ].join('\n'),
      markdown: () => result.summary,
      json: rehearsalJson(rehearsal, ok),
      ...(expected !== undefined && !ok
        ? { note: `expected outcome ${expected}, got ${result.outcome}` }
        : {}),
    };
  },

  async backtest(plan, values, context) {
    const now = context.now();
    const override = values.prometheus;
    if (override !== undefined && (!/^https?:\/\/[^/]/.test(override) || !URL.canParse(override)))
      throw new UsageError(
        `--prometheus: expected an http(s) URL like "http://prometheus:9090", got "${redactUrls(override)}"`,
      );
    if (values.from === undefined)
      throw new UsageError(`cutover backtest needs --from TIME: ${TIME_SPEC_FORMS}`);
    const from = time('--from', values.from, now);
    const to = time('--to', values.to ?? 'now', now);
    if (from >= to)
      throw new UsageError(
        `--from must be before --to: the window ${new Date(from).toISOString()} → ${new Date(to).toISOString()} is empty`,
      );
    const names =
      values.gates === undefined
        ? Object.keys(plan.gates)
        : values.gates
            .split(',')
            .map((g) => g.trim())
            .filter((g) => g !== '');
    const rules = names.map((name) => {
      const rule = plan.gates[name];
      if (rule === undefined) {
        const guess = closestName(name, Object.keys(plan.gates));
        throw new UsageError(
          `--gates: "${name}" is not a gate of ${plan.name}${guess === undefined ? '' : ` (did you mean ${guess}?)`}; gates: ${Object.keys(plan.gates).join(', ')}`,
        );
      }
      return rule;
    });
    // The plan's own provider, settings and secrets ({env: NAME} from this shell), or the
    // Prometheus that --prometheus names (its user:password@ sent as basic auth, never printed).
    const { settings, secrets } =
      override === undefined
        ? { settings: plan.metrics, secrets: {} }
        : prometheusOverride(plan, override);
    let source;
    try {
      source = createMetricsSource(settings, secrets, {
        readFile: (path) => readInput(resolve(context.cwd, path), 'recorded metrics file'),
        recordedBase: from,
        timeoutMs: 30_000,
        env: process.env,
      });
    } catch (error) {
      // The plan's provider settings, or a secret this shell lacks: the user's to fix (exit 2).
      if (errorKind(error) === 'config')
        throw new UsageError(`${context.file}: ${error instanceof Error ? error.message : ''}`);
      throw error;
    }
    const { firings, queries } = await findFirings(rules, source, from, to);
    const backtest = { plan: plan.name, rules, from, to, firings, queries };
    return {
      code: firings.length === 0 ? EXIT.ok : EXIT.gates,
      text: renderBacktestText(backtest),
      markdown: () => renderBacktestMarkdown(backtest),
      json: backtestJson(backtest),
    };
  },

  async status(plan, _values, context) {
    let targets;
    const paths: string[] = [];
    try {
      targets = createTargets(plan.router.settings, {
        clock: systemClock,
        resolvePath: (path) => {
          paths.push(resolve(context.cwd, path));
          return resolve(context.cwd, path);
        },
      }).targets;
    } catch (error) {
      if (error instanceof RouterConfigError)
        throw new UsageError(
          error.problems.map((problem) => `${context.file}: ${problem}`).join('\n'),
        );
      throw error;
    }
    const view = statusView(plan, await readTargets(targets), context.now());
    const names = routerNames(plan);
    // A file router reads a missing file as "all on stable": say so, a typo reads the same.
    const missing = paths.filter((path) => !existsSync(path));
    return {
      code: EXIT.ok,
      ...(missing.length > 0
        ? {
            note: `no weights file at ${missing.join(', ')}: nothing has shifted with this plan yet, or the path is wrong`,
          }
        : {}),
      text: renderStatusText(plan, view, names),
      markdown: () => renderStatusMarkdown(plan, view, names),
      json: view as unknown as Record<string, unknown>,
    };
  },
};

/** A local user may write http://user:password@host: the credentials go in a header, never in a message. */
function prometheusOverride(
  plan: Plan,
  text: string,
): { settings: Plan['metrics']; secrets: SourceSecrets } {
  const url = new URL(text);
  const secrets: SourceSecrets =
    url.username === '' && url.password === ''
      ? {}
      : {
          prometheusUsername: decodeURIComponent(url.username),
          prometheusPassword: decodeURIComponent(url.password),
        };
  url.username = '';
  url.password = '';
  const planSettings = plan.metrics.provider === 'prometheus' ? plan.metrics.settings : {};
  return {
    settings: { provider: 'prometheus', settings: { ...planSettings, url: url.toString() } },
    secrets,
  };
}

function time(flag: string, text: string, now: number): number {
  const value = parseTimeSpec(text, now);
  if (value === undefined)
    throw new UsageError(`${flag}: expected ${TIME_SPEC_FORMS}, got "${text}"`);
  return value;
}
