import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError, errorMessage, redactUrls } from '@cutover/kit';

/** The part of `@actions/exec`'s `exec` this module uses; tests inject a fake. */
export type ExecLike = (
  command: string,
  args: string[],
  options: {
    cwd: string;
    ignoreReturnCode: boolean;
    silent: boolean;
    listeners: { stdout: (data: Buffer) => void; stderr: (data: Buffer) => void };
  },
) => Promise<number>;

/** Whether a path exists; `isCdkApp` and `isCloudAssembly` take one so main can bind it to the workspace. */
export type Exists = (path: string) => boolean | Promise<boolean>;

export interface SynthOptions {
  exec: ExecLike;
  /** Where the assembly goes; relative to `appDir`. */
  outDir: string;
  /** `--context key=value` pairs, in order. */
  context?: Record<string, string>;
  /** Every line cdk prints (stdout and stderr), redacted; the kit neutralises workflow commands. */
  log: (line: string) => void;
  signal?: AbortSignal;
  exists?: Exists;
}

/** How much of stderr a failure shows: cdk puts the cause last, after its progress lines. */
export const STDERR_TAIL_LINES = 20;
const MAX_LINE = 500;
// How npx (npm 7 and later) says the bin is not installed locally and --no-install forbade a download.
const NO_CLI = /npx canceled due to missing packages|could not determine executable to run/;

const fileExists: Exists = async (path) => {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
};

/** A CDK app: a directory with `cdk.json` (which names the app command cdk synth runs). */
export async function isCdkApp(dir: string, exists: Exists = fileExists): Promise<boolean> {
  return await exists(join(dir, 'cdk.json'));
}

/** A synthesized cloud assembly (`cdk.out`): a directory with `manifest.json`. */
export async function isCloudAssembly(dir: string, exists: Exists = fileExists): Promise<boolean> {
  return await exists(join(dir, 'manifest.json'));
}

// A key becomes one argv element after `--context`: a leading "-" would read as a flag, "="
// would split the pair elsewhere than the user meant.
const CONTEXT_KEY = /^[A-Za-z0-9_@][^\s=]*$/;

function contextArgs(context: Record<string, string>): string[] {
  return Object.entries(context).flatMap(([key, value]) => {
    if (!CONTEXT_KEY.test(key))
      throw new ConfigError(
        `cdk context key "${key}": expected a name without white space or "=" that does not start with "-" (like "env" or "@aws-cdk/core:target")`,
      );
    return ['--context', `${key}=${value}`];
  });
}

/** Splits a byte stream into lines; a line cut between chunks is joined before it is emitted. */
function lineSplitter(emit: (line: string) => void) {
  let pending = '';
  return {
    push(data: Buffer) {
      const parts = (pending + data.toString('utf8')).split(/\r?\n|\r/);
      pending = parts.pop() ?? '';
      for (const part of parts) emit(part);
    },
    flush() {
      if (pending !== '') emit(pending);
      pending = '';
    },
  };
}

/**
 * Runs `cdk synth` in a CDK app and returns the cloud assembly directory (absolute).
 *
 * - `npx --no-install cdk`: the app's own aws-cdk (its node_modules) or nothing. Without
 *   `--no-install` a missing CLI would be fetched from the registry at whatever version, and
 *   the npm package literally named `cdk` need not be the one the app was written against.
 * - `--output` is absolute, so cdk.json's own "output" and the cwd cannot move it; `--quiet`
 *   keeps the templates out of the log.
 * - Output is captured (`silent`), not echoed: a line from the app must not become a workflow
 *   command, so every line goes through `log` (redacted here, neutralised by the kit).
 * - A failure is a ConfigError with the last lines of stderr: the app, its dependencies or
 *   its context need fixing, not this action.
 */
export async function synthCdkApp(appDir: string, options: SynthOptions): Promise<string> {
  const { exec, log, signal } = options;
  const exists = options.exists ?? fileExists;
  const dir = resolve(appDir);
  if (!(await isCdkApp(dir, exists)))
    throw new ConfigError(
      `${dir}: not a CDK app (no cdk.json); give a directory with cdk.json to synthesize, or a synthesized cloud assembly (with manifest.json)`,
    );
  const outDir = resolve(dir, options.outDir);
  const args = [
    '--no-install',
    'cdk',
    'synth',
    '--output',
    outDir,
    ...contextArgs(options.context ?? {}),
    '--quiet',
  ];
  if (signal?.aborted === true)
    throw new ConfigError(`cdk synth in ${dir}: cancelled before it started`);

  const tail: string[] = [];
  const print = (line: string) => log(redactUrls(line));
  const stdout = lineSplitter(print);
  const stderr = lineSplitter((line) => {
    print(line);
    tail.push(line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}…` : line);
    if (tail.length > STDERR_TAIL_LINES) tail.shift();
  });
  log(`cdk synth in ${dir}: npx ${args.join(' ')}`);

  // @actions/exec cannot kill its child: on cancel stop waiting (the runner ends the process
  // tree); the child's later output is dropped rather than logged after the step reported.
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new ConfigError(`cdk synth in ${dir}: cancelled`));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  let code: number;
  try {
    code = await Promise.race([
      exec('npx', args, {
        cwd: dir,
        ignoreReturnCode: true,
        silent: true,
        listeners: { stdout: (data) => stdout.push(data), stderr: (data) => stderr.push(data) },
      }).catch((error: unknown) => {
        throw new ConfigError(
          `cdk synth in ${dir}: could not run npx (${redactUrls(errorMessage(error))}); the runner needs Node.js with npm on PATH`,
        );
      }),
      aborted,
    ]);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    stdout.flush();
    stderr.flush();
  }
  if (code !== 0) {
    const shown = tail.map(redactUrls);
    const details = shown.length > 0 ? `; last lines of stderr:\n${shown.join('\n')}` : '';
    const hint = tail.some((line) => NO_CLI.test(line))
      ? `; the aws-cdk CLI is not installed in the app: add aws-cdk to its devDependencies and run "npm ci" in ${dir} before this step (it is never downloaded implicitly)`
      : '';
    throw new ConfigError(`cdk synth in ${dir} failed (exit code ${code})${hint}${details}`);
  }
  if (!(await isCloudAssembly(outDir, exists)))
    throw new ConfigError(
      `cdk synth in ${dir} succeeded but wrote no ${join(outDir, 'manifest.json')}; check the "app" command in ${join(dir, 'cdk.json')}`,
    );
  return outDir;
}
