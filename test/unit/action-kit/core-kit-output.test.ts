import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { commandLines, ownCommandName, runnerLines } from './runner-commands.js';

/** Every spelling of a command the runner (or its log viewer) would act on, one per line. */
const HOSTILE = [
  '::add-mask::PWNED',
  '  ::error::PWNED leading spaces',
  '\u00a0\u3000\t::warning::PWNED unicode white space',
  '\u0085::notice::PWNED after NEL',
  ':\u200b:error::PWNED zero-width space between the colons',
  '\ufeff\u00ad::debug::PWNED ignorable prefix',
  '::stop-commands::PWNEDTOKEN',
  '::set-output name=result::PWNED',
  '::ADD-MASK::PWNED upper case',
  'text then ##[add-mask]PWNED legacy form mid-line',
  '#\u200b#[group]PWNED hidden legacy form',
  '##[set-output name=result;]PWNED',
  'carriage\r::error::PWNED after a lone CR',
  'crlf\r\n::error::PWNED after CRLF',
  'line separator\u2028::error::PWNED',
  '%0A::error::PWNED percent-encoded newline',
].join('\n');

const fixture = fileURLToPath(new URL('./fixtures/print-hostile.ts', import.meta.url));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  output: string;
}
let run: Run;

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-kit-output-'));
  const outputFile = join(dir, 'output');
  writeFileSync(outputFile, '');
  const result = spawnSync(process.execPath, ['--import', 'tsx', fixture], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '',
      HOSTILE,
      GITHUB_OUTPUT: outputFile,
      // Set, but the file does not exist: the runner lost it, or the step runs outside Actions.
      GITHUB_STEP_SUMMARY: join(dir, 'missing', 'summary.md'),
      'INPUT_PROMETHEUS-URL': 'https://ops:hunter%2A2@prom.example:9090/api',
      INPUT_TOKEN: 'first-line-of-token\nsecond-line-of-token',
    },
  });
  run = {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    output: readFileSync(outputFile, 'utf8'),
  };
});

describe('the core kit, run as the runner runs an action', () => {
  it('prints no line the runner would take as a command, except its own', () => {
    const names = commandLines(run.stdout + '\n' + run.stderr).map(
      (line) => ownCommandName(line) ?? `NOT THE KIT'S OWN: ${JSON.stringify(line)}`,
    );
    expect(names.sort()).toEqual(
      [
        // the URL's userinfo and password, each raw and decoded (4); the token whole and each line (3)
        ...Array.from({ length: 7 }, () => 'add-mask'),
        'debug',
        'notice',
        'warning',
        'warning', // the job-summary file is missing: warned once for two appends
        'error',
        'error', // setFailed
        'group',
        'endgroup',
      ].sort(),
    );
  });

  it('keeps the hostile text readable in the log, with every command made inert', () => {
    const lines = runnerLines(run.stdout);
    expect(lines).toContain('> ::add-mask::PWNED');
    expect(lines).toContain('>   ::error::PWNED leading spaces');
    expect(lines).toContain('text then ## [add-mask]PWNED legacy form mid-line');
    expect(lines).toContain('> ::stop-commands::PWNEDTOKEN');
  });

  it('fails the step with the message and prints the stack trace inertly', () => {
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('::error::internal error: boom');
    expect(run.stdout).toMatch(/^ {4}at .*print-hostile\.ts/m);
  });

  it('masks every line of a multi-line secret and the whole of it', () => {
    const masks = runnerLines(run.stdout).filter((line) => line.startsWith('::add-mask::'));
    expect(masks).toContain('::add-mask::first-line-of-token%0Asecond-line-of-token');
    expect(masks).toContain('::add-mask::first-line-of-token');
    expect(masks).toContain('::add-mask::second-line-of-token');
  });

  it('masks URL credentials the moment inputs are read, before anything is printed', () => {
    const lines = runnerLines(run.stdout);
    // @actions/core escapes "%" in command data as %25; the runner unescapes it.
    const firstMask = lines.indexOf('::add-mask::ops:hunter%252A2');
    expect(firstMask).toBeGreaterThanOrEqual(0);
    expect(lines).toContain('::add-mask::hunter%252A2');
    expect(lines).toContain('::add-mask::hunter*2');
    expect(firstMask).toBeLessThan(lines.findIndex((line) => line.includes('PWNED')));
  });

  it('prints, outputs and fails with no URL credentials', () => {
    const printed = runnerLines(run.stdout).filter((line) => !line.startsWith('::add-mask::'));
    expect(printed.join('\n')).not.toContain('hunter');
    expect(run.output).not.toContain('hunter');
    expect(run.stdout).toContain('https://***@prom.example:9090/api');
    expect(run.output).toContain('https://***@prom.example:9090/api');
  });

  it('finishes the work when the job-summary file is missing: one warning, no failure', () => {
    const warnings = runnerLines(run.stdout).filter((line) => line.startsWith('::warning::'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('job summary');
    expect(run.stdout).toContain('work done');
  });
});

describe('what Node itself would print to stderr', () => {
  it('routes process warnings and stray rejections through the guard, failing the step', () => {
    const stray = fileURLToPath(new URL('./fixtures/stray-output.ts', import.meta.url));
    const result = spawnSync(process.execPath, ['--import', 'tsx', stray], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOSTILE },
    });
    const names = commandLines(result.stdout + '\n' + result.stderr).map(
      (line) => ownCommandName(line) ?? `NOT THE KIT'S OWN: ${JSON.stringify(line)}`,
    );
    expect(names.sort()).toEqual(['debug', 'error'].sort());
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('::error::internal error: stray rejection');
  });
});
