import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVirtualClock } from '@cutover/kit';
import { run as runCutover } from '@cutover/cli';
import { FileRouter } from '@cutover/routers';
import { rollbackTraffic, shiftTraffic } from '@cutover/traffic';
import {
  counterOpenMetrics,
  startPrometheus,
  type RunningPrometheus,
} from '../support/prometheus.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'packages/cli/bin/cutover.mjs');
const NEXTEVENT = 'examples/plans/nextevent-phased.yaml';
const CLIMB = 'examples/scenarios/nextevent-errors-climb-at-50.yaml';
const HEALTHY = 'examples/scenarios/nextevent-healthy.yaml';

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the command as a user does: a process, its exit code, its two streams. */
function run(command: string, args: string[]): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}
/** The bin as a process: what `npx cutover` runs. */
const cutoverProcess = (...argv: string[]) => run(process.execPath, [BIN, ...argv]);

/** The same entry point in this process (the bin only wires streams and exit), for speed. */
async function cutover(...argv: string[]): Promise<Ran> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runCutover(argv, (text) => stdout.push(`${text}\n`), {
    err: (text) => stderr.push(`${text}\n`),
  });
  return { code, stdout: stdout.join(''), stderr: stderr.join('') };
}

const tmp = () => mkdtempSync(join(tmpdir(), 'cutover-cli-'));

/** What a terminal must never show: HTML entities, markdown tables, mermaid blocks. */
function expectPlainText(text: string) {
  expect(text).not.toMatch(/&(gt|lt|amp|quot);/);
  expect(text).not.toContain('```');
  expect(text).not.toMatch(/\|\s*-{3,}\s*\|/);
  expect(text).not.toMatch(/^\|.*\|$/m);
}

describe('the cutover command', () => {
  it('is linked as node_modules/.bin/cutover and runs on the node in PATH', async () => {
    const { code, stdout } = await run(join(ROOT, 'node_modules/.bin/cutover'), ['--version']);
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^cutover \d+\.\d+\.\d+$/);
  });

  it('is declared as the bin of the workspace package, so npx never asks a registry', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'packages/cli/package.json'), 'utf8')) as {
      bin?: Record<string, string>;
    };
    expect(pkg.bin).toEqual({ cutover: 'bin/cutover.mjs' });
    expect(existsSync(join(ROOT, 'packages/cli', pkg.bin?.cutover ?? ''))).toBe(true);
  });

  it.each([['--help'], ['-h'], ['help']])('%s exits 0 with one line per command', async (flag) => {
    const { code, stdout } = await cutoverProcess(flag);
    expect(code).toBe(0);
    for (const command of ['plan', 'rehearse', 'backtest', 'status'])
      expect(stdout.split('\n').filter((l) => l.startsWith(`  cutover ${command} `))).toHaveLength(
        1,
      );
    expect(stdout).toContain('exit codes');
  });

  it('--version exits 0', async () => {
    const { code, stdout } = await cutoverProcess('--version');
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^cutover \d+\.\d+\.\d+$/);
  });

  it('shows one command’s options and JSON shape with help COMMAND and COMMAND --help', async () => {
    for (const argv of [
      ['help', 'backtest'],
      ['backtest', '--help'],
    ]) {
      const { code, stdout } = await cutoverProcess(...argv);
      expect(code).toBe(0);
      expect(stdout).toContain('--from TIME');
      expect(stdout).toContain('"firings"');
    }
  });

  it('says "unknown command" and suggests the closest one, exit 2', async () => {
    const typo = await cutoverProcess('rehears', NEXTEVENT);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('unknown command "rehears"; did you mean rehearse?');
    expect((await cutoverProcess('stauts', NEXTEVENT)).stderr).toContain('did you mean status?');
    const far = await cutoverProcess('launch', NEXTEVENT);
    expect(far.code).toBe(2);
    expect(far.stderr).toContain('unknown command "launch"');
    expect(far.stderr).not.toContain('did you mean');
  });

  it('names an unknown option and the closest known one, exit 2', async () => {
    const { code, stderr } = await cutoverProcess('plan', NEXTEVENT, '--fromat', 'json');
    expect(code).toBe(2);
    expect(stderr).toContain('unknown option --fromat for cutover plan; did you mean --format?');
  });

  it('names a missing plan file plainly, exit 2', async () => {
    const { code, stderr } = await cutoverProcess('plan', 'examples/plans/x.yaml');
    expect(code).toBe(2);
    expect(stderr.trim()).toBe(
      'cutover: cannot read plan file examples/plans/x.yaml: no such file',
    );
  });

  it('asks for the plan file when it is missing from the command line, exit 2', async () => {
    const { code, stderr } = await cutoverProcess('status');
    expect(code).toBe(2);
    expect(stderr).toContain('cutover status needs a plan file');
  });

  it('lists every problem of an invalid plan, exit 2', async () => {
    const file = join(tmp(), 'bad.yaml');
    writeFileSync(
      file,
      readFileSync(join(ROOT, NEXTEVENT), 'utf8')
        .replace("threshold: '> 5%'", "threshold: 'above 5%'")
        .replace(
          'interval: 15s\n    initial-delay: 1m\n    min-samples: 4\n  db',
          'interval: 7x\n  db',
        ),
    );
    const { code, stderr } = await cutoverProcess('plan', file);
    expect(code).toBe(2);
    expect(stderr).toContain(`${file} is not a valid plan`);
    expect(stderr).toMatch(/threshold.*above 5%/);
    expect(stderr).toMatch(/interval.*7x/);
  });

  it('refuses an unknown --format, naming the allowed ones, exit 2', async () => {
    const { code, stderr } = await cutoverProcess('plan', NEXTEVENT, '--format', 'xml');
    expect(code).toBe(2);
    expect(stderr).toContain('--format: expected text, markdown or json, got "xml"');
  });
});

describe('cutover plan', () => {
  it('prints the timeline and gates as aligned plain text, values in their units', async () => {
    const { code, stdout } = await cutover('plan', NEXTEVENT);
    expect(code).toBe(0);
    expectPlainText(stdout);
    expect(stdout).toMatch(
      /^ {2}3 +50% +\+2d +1d +error-rate, p95-latency, db-connection-failures +12m15s$/m,
    );
    expect(stdout).toMatch(/^ {2}p95-latency +> 200 ms +10m +15s +1m/m);
    expect(stdout).toMatch(/^ {2}error-rate +> 5% +5m /m);
    expect(stdout).toContain('Expected duration when every gate passes: 11d.');
    expect(stdout).toContain(
      'Worst case from a breach to traffic back on stable: 12m15s (gate p95-latency + one interval + traffic-timeout 2m; target 15m)',
    );
  });

  it('prints the markdown the job summary shows with --format markdown', async () => {
    const { output } = {
      output: (await cutover('plan', NEXTEVENT, '--format', 'markdown')).stdout,
    };
    expect(output).toContain(
      '| 3 | 50% | +2d | 1d | error-rate, p95-latency, db-connection-failures | 12m15s |',
    );
    expect(output).toContain('Expected duration when every gate passes: **11d**');
  });

  it('renders the Lightning Talk Circle blue/green DNS cutover', async () => {
    const { stdout } = await cutover(
      'plan',
      'examples/plans/lightning-talk-circle-blue-green.yaml',
      '--format',
      'markdown',
    );
    expect(stdout).toContain('## Plan lightning-talk-circle-dns-cutover (blue-green)');
    expect(stdout).toContain(
      '| 1 | 100% | +0s | 30m | api-error-rate, api-p95-critical, api-p95-warning | 9m |',
    );
  });

  it('prints one machine-readable object with --format json', async () => {
    const { code, stdout } = await cutover('plan', NEXTEVENT, '--format', 'json');
    expect(code).toBe(0);
    const json = JSON.parse(stdout) as {
      command: string;
      plan: string;
      steps: { step: number; weight: number; bakeMs: number }[];
      gates: { name: string; threshold: string; forMs: number }[];
      expectedDurationMs: number;
    };
    expect(json.command).toBe('plan');
    expect(json.plan).toBe('nextevent-phased-cutover');
    expect(json.steps[2]).toMatchObject({ step: 3, weight: 50, bakeMs: 86_400_000 });
    expect(json.gates.find((g) => g.name === 'p95-latency')).toMatchObject({
      threshold: '> 200 ms',
      forMs: 600_000,
    });
    expect(json.expectedDurationMs).toBe(11 * 86_400_000);
  });

  it('writes the markdown summary to --summary FILE and keeps the terminal plain', async () => {
    const summary = join(tmp(), 'plan.md');
    const { code, stdout } = await cutover('plan', NEXTEVENT, '--summary', summary);
    expect(code).toBe(0);
    expectPlainText(stdout);
    expect(readFileSync(summary, 'utf8')).toContain('## Plan nextevent-phased-cutover (phased)');
  });

  it('names a summary file it cannot write, exit 2', async () => {
    const { code, stderr } = await cutover(
      'plan',
      NEXTEVENT,
      '--summary',
      join(tmp(), 'no-such-dir', 'plan.md'),
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(/cannot write summary file .*no-such-dir\/plan\.md: no such directory/);
  });
});

describe('cutover rehearse', () => {
  it('rolls back the NextEvent plan when the error rate climbs at 50%, in plain text', async () => {
    const { code, stdout } = await cutover(
      'rehearse',
      NEXTEVENT,
      '--scenario',
      CLIMB,
      '--expect',
      'rolled-back',
    );
    expect(code).toBe(0);
    expectPlainText(stdout);
    // The job summary with its charts is 48 KB; the terminal gets the story.
    expect(stdout.length).toBeLessThan(8000);
    expect(stdout).toMatch(/\+2d\s+shift\s+50%\s+25% → 50%/);
    expect(stdout).toMatch(/\+2d2h15m45s\s+rollback\s+0%\s+50% → 0%: error-rate 7\.2% > 5% for 5m/);
    expect(stdout).toMatch(/^ {2}50% +error-rate +critical +fail +> 5% +7\.2% +7\.\d% /m);
    expect(stdout).toContain(
      'Breach began at +2d2h10m45s; the gate failed 5m later; traffic back on stable at +2d2h15m45s.',
    );
    expect(stdout).toContain('router now blue 100% / green 0%');
  });

  it('writes the job-summary markdown, charts included, to --summary FILE', async () => {
    const summary = join(tmp(), 'summary.md');
    const { code, stdout } = await cutover(
      'rehearse',
      NEXTEVENT,
      '--scenario',
      CLIMB,
      '--summary',
      summary,
      '--expect',
      'rolled-back',
    );
    expect(code).toBe(0);
    expectPlainText(stdout);
    const markdown = readFileSync(summary, 'utf8');
    expect(markdown).toContain('## Rehearsal of nextevent-phased-cutover: rolled-back');
    expect(markdown).toContain('## ❌ Step 50%: fail');
    expect(markdown).toContain('```mermaid');
  });

  it('prints the job-summary markdown with --format markdown', async () => {
    const { stdout } = await cutover(
      'rehearse',
      NEXTEVENT,
      '--scenario',
      CLIMB,
      '--format',
      'markdown',
    );
    expect(stdout).toContain('## Rehearsal of nextevent-phased-cutover: rolled-back');
  });

  it('prints one machine-readable object with --format json', async () => {
    const { code, stdout } = await cutover(
      'rehearse',
      NEXTEVENT,
      '--scenario',
      CLIMB,
      '--format',
      'json',
    );
    expect(code).toBe(3);
    const json = JSON.parse(stdout) as {
      command: string;
      outcome: string;
      ok: boolean;
      events: { atMs: number; kind: string; weight: number }[];
      steps: {
        weight: number;
        status: string;
        rules: { rule: string; status: string; lastText: string; threshold: string }[];
      }[];
      breach: { sinceMs: number; detectedMs: number; stableMs: number };
      finalWeights: { stable: number; candidate: number };
    };
    expect(json).toMatchObject({ command: 'rehearse', outcome: 'rolled-back', ok: false });
    expect(json.events.at(-1)).toMatchObject({ kind: 'rollback', weight: 0 });
    const failed = json.steps.find((s) => s.status === 'fail');
    expect(failed?.weight).toBe(50);
    expect(failed?.rules.find((r) => r.rule === 'error-rate')).toMatchObject({
      status: 'fail',
      lastText: '7.2%',
      threshold: '> 5%',
    });
    expect(json.breach.detectedMs - json.breach.sinceMs).toBe(300_000);
    expect(json.finalWeights).toEqual({ stable: 100, candidate: 0 });
  });

  it('completes the plan on a healthy scenario, riding out a latency blip shorter than for', async () => {
    const { code, stdout } = await cutover('rehearse', NEXTEVENT, '--scenario', HEALTHY);
    expect(code).toBe(0);
    expect(stdout).toMatch(/\+11d\s+done\s+100%/);
  });

  it('exits 3 when the gates roll the plan back and no outcome was expected', async () => {
    expect((await cutoverProcess('rehearse', NEXTEVENT, '--scenario', CLIMB)).code).toBe(3);
  });

  it('exits 3 when the outcome is not the expected one', async () => {
    const { code, stdout } = await cutover(
      'rehearse',
      NEXTEVENT,
      '--scenario',
      HEALTHY,
      '--expect',
      'rolled-back',
    );
    expect(code).toBe(3);
    expect(stdout).toContain('expected outcome rolled-back, got done');
  });

  it('refuses a scenario series that matches no gate, exit 2', async () => {
    const file = join(tmp(), 'typo.yaml');
    writeFileSync(file, 'eror-rate:\n  - { from: 0s, to: 1d, value: 0.01 }\n');
    const { code, stderr } = await cutover('rehearse', NEXTEVENT, '--scenario', file);
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /"eror-rate" match no gate of plan nextevent-phased-cutover; series names: error-rate, error-rate.traffic, p95-latency, db-connection-failures/,
    );
  });

  it('names a missing scenario file plainly, exit 2', async () => {
    const { code, stderr } = await cutover('rehearse', NEXTEVENT, '--scenario', 'nope.yaml');
    expect(code).toBe(2);
    expect(stderr.trim()).toBe('cutover: cannot read scenario file nope.yaml: no such file');
  });
});

describe('cutover backtest against a real Prometheus', () => {
  let prometheus: RunningPrometheus;
  let startS = 0;
  beforeAll(async () => {
    startS = Math.floor(Date.now() / 1000 / 3600) * 3600 - 4 * 3600;
    // Two 6-minute spikes of 9% errors, at 20m and 50m.
    const share = (t: number) =>
      (t >= 20 * 60 && t < 26 * 60) || (t >= 50 * 60 && t < 56 * 60) ? 0.09 : 0.01;
    const labels = { app: 'nextevent', track: 'green' };
    prometheus = await startPrometheus({
      openMetrics: counterOpenMetrics(
        [
          {
            name: 'http_requests_total',
            labels: { ...labels, code: '200' },
            ratePerSecond: (t) => 50 * (1 - share(t)),
          },
          {
            name: 'http_requests_total',
            labels: { ...labels, code: '503' },
            ratePerSecond: (t) => 50 * share(t),
          },
        ],
        startS,
        3600,
        15,
      ),
    });
  }, 60_000);
  afterAll(() => prometheus.stop());

  const firingLines = (output: string) =>
    output.split('\n').filter((line) => line.includes('would have failed'));

  it('reports each time the error-rate gate would have fired, in the threshold’s unit, exit 3', async () => {
    const iso = (s: number) => new Date(s * 1000).toISOString();
    const { code, stdout } = await cutover(
      'backtest',
      NEXTEVENT,
      '--prometheus',
      prometheus.url,
      '--from',
      iso(startS),
      '--to',
      iso(startS + 3600),
      '--gates',
      'error-rate',
    );
    expect(code).toBe(3);
    expectPlainText(stdout);
    const firings = firingLines(stdout);
    expect(firings).toHaveLength(2);
    expect(firings[0]).toMatch(
      /error-rate +breach from \S+, would have failed at \S+ \(\+5m\), 9\.\d% > 5%/,
    );
  });

  it('accepts a duration ago and "now" as --from and --to', async () => {
    const { code, stdout, stderr } = await cutover(
      'backtest',
      NEXTEVENT,
      '--prometheus',
      prometheus.url,
      '--from',
      '24h',
      '--to',
      'now',
      '--gates',
      'error-rate',
    );
    expect(stderr).toBe('');
    expect(code).toBe(3);
    expect(firingLines(stdout)).toHaveLength(2);
  });

  it('defaults --to to now and prints one machine-readable object with --format json', async () => {
    const { code, stdout } = await cutover(
      'backtest',
      NEXTEVENT,
      '--prometheus',
      prometheus.url,
      '--from',
      '6h',
      '--gates',
      'error-rate',
      '--format',
      'json',
    );
    expect(code).toBe(3);
    const json = JSON.parse(stdout) as {
      command: string;
      gates: string[];
      firings: { rule: string; since: string; at: string; value: number; valueText: string }[];
    };
    expect(json.command).toBe('backtest');
    expect(json.gates).toEqual(['error-rate']);
    expect(json.firings).toHaveLength(2);
    expect(Date.parse(json.firings[0]?.at ?? '') - Date.parse(json.firings[0]?.since ?? '')).toBe(
      300_000,
    );
    expect(json.firings[0]?.valueText).toMatch(/^9\.\d%$/);
  });

  it('takes credentials in the Prometheus URL as basic auth and never prints them', async () => {
    const { code, stdout, stderr } = await cutover(
      'backtest',
      NEXTEVENT,
      '--prometheus',
      prometheus.url.replace('://', '://reader:s3cret-pw@'),
      '--from',
      '24h',
      '--gates',
      'error-rate',
    );
    expect(stderr).toBe('');
    expect(code).toBe(3);
    expect(`${stdout}${stderr}`).not.toContain('s3cret-pw');
  });

  it('exits 0 when no gate would have fired', async () => {
    const { code, stdout } = await cutover(
      'backtest',
      NEXTEVENT,
      '--prometheus',
      prometheus.url,
      '--from',
      new Date(startS * 1000).toISOString(),
      '--to',
      new Date((startS + 15 * 60) * 1000).toISOString(),
      '--gates',
      'error-rate',
    );
    expect(code).toBe(0);
    expect(stdout).toContain('No gate would have fired.');
  });
});

describe('cutover backtest input', () => {
  it('refuses an unreadable time, naming the flag and the forms it accepts, exit 2', async () => {
    const { code, stderr } = await cutover(
      'backtest',
      NEXTEVENT,
      '--prometheus',
      'http://127.0.0.1:9',
      '--from',
      'yesterday',
    );
    expect(code).toBe(2);
    expect(stderr).toContain(
      '--from: expected an ISO 8601 time like "2026-11-20T10:00:00Z", a duration ago like "24h", or "now", got "yesterday"',
    );
  });

  it('refuses a window whose start is not before its end, exit 2', async () => {
    const { code, stderr } = await cutover(
      'backtest',
      NEXTEVENT,
      '--prometheus',
      'http://127.0.0.1:9',
      '--from',
      'now',
      '--to',
      '1h',
    );
    expect(code).toBe(2);
    expect(stderr).toContain('--from must be before --to');
  });
});

describe('cutover status', () => {
  const names = { stable: 'blue', candidate: 'green' };
  function planWithWeightsFile(): { plan: string; weights: string } {
    const dir = tmp();
    const weights = join(dir, 'weights.json');
    const plan = join(dir, 'plan.yaml');
    writeFileSync(
      plan,
      // The example's Gateway API router, swapped for a file router this test can read.
      readFileSync(join(ROOT, NEXTEVENT), 'utf8').replace(
        /^router:\n(?: {2}.*\n)+/m,
        `router: { kind: file, path: ${JSON.stringify(weights)}, stable: blue, candidate: green }\n`,
      ),
    );
    return { plan, weights };
  }
  const shiftOptions = (at: number) => ({
    runId: '777-1',
    clock: createVirtualClock(at),
    verifyTimeoutMs: 60_000,
    verifyIntervalMs: 1000,
    log: () => undefined,
    planSteps: [10, 25, 50, 75, 100],
    force: false,
  });

  it('says so when no cutover is recorded on the target', async () => {
    const { plan } = planWithWeightsFile();
    const { code, stdout } = await cutover('status', plan);
    expect(code).toBe(0);
    expect(stdout).toContain('no cutover recorded');
    expect(stdout).toMatch(/blue 100% \/ green 0%/);
  });

  it('reads the marker the traffic engine wrote: step, weights, run, state, since, verdict', async () => {
    const { plan, weights } = planWithWeightsFile();
    const router = new FileRouter(weights, names);
    const at = Date.now() - 90 * 60_000;
    await shiftTraffic([router], 10, shiftOptions(at - 86_400_000));
    await shiftTraffic([router], 25, shiftOptions(at));
    const { code, stdout } = await cutoverProcess('status', plan);
    expect(code).toBe(0);
    expectPlainText(stdout);
    expect(stdout).toContain('step 2 of 5 (25% to the candidate)');
    expect(stdout).toMatch(new RegExp(`file ${weights} +blue 75% / green 25%`));
    expect(stdout).toContain('run 777-1');
    expect(stdout).toContain('state done');
    expect(stdout).toMatch(
      new RegExp(`since ${new Date(at).toISOString().replace(/\./g, '\\.')} \\(1h30m\\d*s? ago\\)`),
    );
    expect(stdout).toContain('last verdict: not recorded');

    const json = JSON.parse((await cutover('status', plan, '--format', 'json')).stdout) as {
      command: string;
      cutover: {
        runId: string;
        state: string;
        step: { number: number; of: number; weight: number };
        since: string;
      };
      targets: { object: string; weights: { stable: number; candidate: number } }[];
    };
    expect(json.command).toBe('status');
    expect(json.cutover).toMatchObject({
      runId: '777-1',
      state: 'done',
      step: { number: 2, of: 5, weight: 25 },
      since: new Date(at).toISOString(),
    });
    expect(json.targets[0]?.weights).toEqual({ stable: 75, candidate: 25 });

    const summary = join(tmp(), 'status.md');
    await cutover('status', plan, '--summary', summary);
    expect(readFileSync(summary, 'utf8')).toContain(
      '## Cutover nextevent-phased-cutover: step 2 of 5 \\(25% to the candidate\\), done',
    );
  });

  it('shows a rolled-back cutover with traffic back on stable', async () => {
    const { plan, weights } = planWithWeightsFile();
    const router = new FileRouter(weights, names);
    const at = Date.now() - 60_000;
    await shiftTraffic([router], 10, shiftOptions(at - 3_600_000));
    await rollbackTraffic([router], shiftOptions(at));
    const { code, stdout } = await cutover('status', plan);
    expect(code).toBe(0);
    expect(stdout).toContain('state rolled-back');
    expect(stdout).toMatch(/blue 100% \/ green 0%/);
  });

  it('names a weights file that is not one, exit 1', async () => {
    const { plan, weights } = planWithWeightsFile();
    writeFileSync(weights, 'not json');
    const { code, stderr } = await cutover('status', plan);
    expect(code).toBe(1);
    expect(stderr).toContain(`${weights}: not a weights file`);
  });
});
