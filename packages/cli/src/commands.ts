import { TIME_SPEC_FORMS } from '@cutover/plan';

/** Exit codes, the same for every command (documented in --help). */
export const EXIT = {
  ok: 0,
  /** Could not run: a provider, router or file the command needed failed. */
  failed: 1,
  /** The command line, plan or scenario is wrong; nothing was done. */
  usage: 2,
  /** Gates failed: a rehearsal rolled back (or needs a human, or ended other than --expect), a backtest found a firing. */
  gates: 3,
} as const;

export const FORMATS = ['text', 'markdown', 'json'] as const;
export type Format = (typeof FORMATS)[number];

interface Command {
  usage: string;
  summary: string;
  /** Option name -> its help line (every command also takes --format, --summary, --help). */
  options: Record<string, string>;
  about: string;
  json: string;
  exit: string;
}

const COMMON: Record<string, string> = {
  format:
    '--format text|markdown|json  text (default); markdown: the job summary; json: one object (shape: cutover help COMMAND)',
  summary: '--summary FILE               also write the markdown job summary to FILE',
};

export const COMMANDS: Record<'plan' | 'rehearse' | 'backtest' | 'status', Command> = {
  plan: {
    usage: 'cutover plan PLAN',
    summary: 'the timeline, gates and worst case from a breach to traffic back on stable',
    options: {},
    about:
      'Validates the plan and prints its steps (weight, bake, gates) and gates, in their units.',
    json: '{"command":"plan","plan":string,"strategy":string,"target":{"kind","name"},"router":string,"metrics":string,\n   "steps":[{"step","weight","startsAtMs","bakeMs","gates":[string],"breachToStableMs"}],\n   "gates":[{"name","threshold":"> 5%","unit":"%"|"ms"|"s"|"","forMs","intervalMs","initialDelayMs","minSamples",\n             "minCoverage","maxGapMs","onNoData","severity"}],\n   "expectedDurationMs","worstCaseBreachToStableMs","slowestGate":string|null,"maxTimeToStableMs":number|null}',
    exit: '0 valid; 2 unreadable or invalid plan',
  },
  rehearse: {
    usage: 'cutover rehearse PLAN --scenario FILE',
    summary: 'the whole plan on a virtual clock against recorded metrics and a local file router',
    options: {
      scenario:
        '--scenario FILE               recorded series keyed by gate name (error-rate, error-rate.traffic, ...)',
      start:
        '--start TIME                  virtual start, an ISO 8601 time (default 2026-01-01T00:00:00Z)',
      expect: '--expect done|rolled-back|needs-human  the outcome that counts as success',
    },
    about:
      'Runs the step function (shift / hold / rollback / done), the traffic engine and the gates\nover every bake; days of plan take milliseconds. The summary holds a chart per rule.',
    json: '{"command":"rehearse","plan","scenario","start":ISO,"outcome":"done"|"rolled-back"|"needs-human",\n   "expected":string|null,"ok":boolean,"events":[{"atMs","kind","weight","text"}],\n   "steps":[{"weight","fromMs","toMs","status","reason","queries","rules":[RULE]}],\n   "breach":{"sinceMs","detectedMs","stableMs"}|null,"queries","finalWeights":{"stable","candidate"}}\n  RULE: {"rule","status","severity","threshold","unit","last":number|null,"lastText":"7.2%","worst","worstText",\n         "samples","points","errors","breachSince":ISO|null,"firedAt":ISO|null,"breachSinceMs","firedAtMs","reason"}\n  (…Ms times count from the start of the rehearsal)',
    exit: '0 the plan completed (or ended as --expect says); 3 it rolled back, needs a human, or ended other than --expect; 2 bad plan or scenario',
  },
  backtest: {
    usage: 'cutover backtest PLAN --from TIME',
    summary: 'when each gate would have fired over real history (Prometheus range queries)',
    options: {
      prometheus:
        "--prometheus URL              Prometheus base URL (default: the plan's metrics url when its provider is prometheus)",
      from: `--from TIME                   window start: ${TIME_SPEC_FORMS}`,
      to: '--to TIME                     window end, the same forms (default now)',
      gates: '--gates a,b                   only these gates (default: all of the plan)',
    },
    about:
      'Replays the gates over the window as check mode does; after a firing a rule re-arms once\nits condition clears, as an alert would.',
    json: '{"command":"backtest","plan","from":ISO,"to":ISO,"gates":[string],"queries",\n   "firings":[{"rule","since":ISO,"at":ISO,"afterMs","value":number,"valueText":"9.0%","threshold":"> 5%"}]}',
    exit: '0 no gate would have fired; 3 at least one would have; 1 Prometheus failed; 2 bad input',
  },
  status: {
    usage: 'cutover status PLAN',
    summary: 'where the cutover stands: step, weights, run, state, since when, last verdict',
    options: {},
    about:
      "Reads the cutover.dev/traffic marker on every object the plan's router names: offline for a\nfile router; Kubernetes routers use kubeconfig (KUBECONFIG or ~/.kube/config, or the plan's\nrouter.kubeconfig/context), AWS routers the usual AWS environment, as the actions do.",
    json: '{"command":"status","plan","now":ISO,"targets":[{"object","weights":{"stable","candidate"},"marker":MARKER|null,\n   "changedByHand":boolean}],"cutover":null|{"runId","state":"shifting"|"done"|"reverted"|"rolled-back",\n   "step":{"number","of","weight"}|null,"weight","since":ISO,"stepStartedAt":ISO|null,\n   "planHash":string|null,"ageMs","before","after","verdict":{"status","reason","at"}|null},\n   "disagreements":[string],"problems":[string]}',
    exit: '0 read; 1 the router or marker could not be read; 2 bad plan or router settings',
  },
};

export type CommandName = keyof typeof COMMANDS;

export function isCommand(name: string): name is CommandName {
  return Object.hasOwn(COMMANDS, name);
}

export function usage(version: string): string {
  const width = Math.max(...Object.values(COMMANDS).map((c) => c.usage.length));
  return [
    `cutover ${version}: plan, rehearse, backtest and follow a cutover plan (a YAML file)`,
    '',
    'usage: cutover COMMAND PLAN [options]',
    '',
    ...Object.values(COMMANDS).map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`),
    '',
    'options of every command:',
    `  ${COMMON.format ?? ''}`,
    `  ${COMMON.summary ?? ''}`,
    '  -h, --help                   this help; "cutover help COMMAND" for one command\'s options and JSON',
    '  --version                    the version',
    '',
    `exit codes: ${EXIT.ok} done; ${EXIT.failed} could not run (a provider, router or file failed); ${EXIT.usage} bad command`,
    `line, plan or scenario (nothing was done); ${EXIT.gates} gates failed (rehearse rolled back, needs a human or`,
    'ended other than --expect; backtest found a firing)',
  ].join('\n');
}

export function commandHelp(name: CommandName): string {
  const command = COMMANDS[name];
  return [
    `usage: ${command.usage} [options]`,
    '',
    command.about,
    '',
    ...Object.values(command.options).map((line) => `  ${line}`),
    `  ${COMMON.format ?? ''}`,
    `  ${COMMON.summary ?? ''}`,
    '',
    `exit codes: ${command.exit}`,
    '',
    '--format json prints one object:',
    `  ${command.json}`,
  ].join('\n');
}
