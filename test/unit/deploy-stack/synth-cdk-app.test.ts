import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '@cutover/kit';
import { readCloudAssembly } from '@cutover/stacks';
import {
  type ExecLike,
  isCdkApp,
  isCloudAssembly,
  synthCdkApp,
} from '../../../actions/deploy-stack/src/synth-cdk-app.js';

interface Call {
  command: string;
  args: string[];
  cwd: string;
  silent: boolean;
  ignoreReturnCode: boolean;
}

/** A fake exec: records the call, plays the given output, writes manifest.json on success. */
function fakeExec(
  calls: Call[],
  run: { code?: number; stdout?: string[]; stderr?: string[]; writeManifest?: boolean } = {},
): ExecLike {
  return async (command, args, options) => {
    calls.push({
      command,
      args,
      cwd: options.cwd,
      silent: options.silent,
      ignoreReturnCode: options.ignoreReturnCode,
    });
    for (const chunk of run.stdout ?? []) options.listeners.stdout(Buffer.from(chunk));
    for (const chunk of run.stderr ?? []) options.listeners.stderr(Buffer.from(chunk));
    const out = args[args.indexOf('--output') + 1] ?? '';
    if (run.writeManifest ?? (run.code ?? 0) === 0) {
      await mkdir(out, { recursive: true });
      await writeFile(join(out, 'manifest.json'), '{"artifacts":{}}');
    }
    return run.code ?? 0;
  };
}

let app: string;
beforeEach(async () => {
  app = await mkdtemp(join(tmpdir(), 'synth-cdk-app-'));
  await writeFile(join(app, 'cdk.json'), '{"app":"node bin/app.js"}');
});
afterEach(async () => {
  await rm(app, { recursive: true, force: true });
});

describe('synthCdkApp', () => {
  it('runs the app’s own cdk through npx --no-install in the app directory, output captured', async () => {
    const calls: Call[] = [];
    const lines: string[] = [];
    const out = await synthCdkApp(app, {
      exec: fakeExec(calls),
      outDir: 'cdk.out',
      log: (line) => lines.push(line),
    });
    expect(out).toBe(join(app, 'cdk.out'));
    expect(calls).toEqual([
      {
        command: 'npx',
        args: ['--no-install', 'cdk', 'synth', '--output', join(app, 'cdk.out'), '--quiet'],
        cwd: app,
        silent: true,
        ignoreReturnCode: true,
      },
    ]);
    expect(lines[0]).toBe(
      `cdk synth in ${app}: npx --no-install cdk synth --output ${join(app, 'cdk.out')} --quiet`,
    );
  });

  it('passes an absolute output directory as it is', async () => {
    const calls: Call[] = [];
    const elsewhere = join(app, '..', `${app.split('/').pop() ?? ''}-out`);
    try {
      const out = await synthCdkApp(app, {
        exec: fakeExec(calls),
        outDir: elsewhere,
        log: () => {},
      });
      expect(out).toBe(elsewhere);
      expect(calls[0]?.args).toContain(elsewhere);
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it('passes each context pair as its own --context key=value, in order', async () => {
    const calls: Call[] = [];
    await synthCdkApp(app, {
      exec: fakeExec(calls),
      outDir: 'cdk.out',
      context: { env: 'prod', '@aws-cdk/core:target': 'a b=c', colour: '--green' },
      log: () => {},
    });
    expect(calls[0]?.args).toEqual([
      '--no-install',
      'cdk',
      'synth',
      '--output',
      join(app, 'cdk.out'),
      '--context',
      'env=prod',
      '--context',
      '@aws-cdk/core:target=a b=c',
      '--context',
      'colour=--green',
      '--quiet',
    ]);
  });

  it('refuses context keys that cdk would read as a flag or split elsewhere, before running', async () => {
    for (const key of ['-x', '--app', 'a=b', 'with space', '']) {
      const calls: Call[] = [];
      const synth = synthCdkApp(app, {
        exec: fakeExec(calls),
        outDir: 'cdk.out',
        context: { [key]: 'v' },
        log: () => {},
      });
      await expect(synth).rejects.toBeInstanceOf(ConfigError);
      await expect(synth).rejects.toThrow(`cdk context key "${key}"`);
      expect(calls).toEqual([]);
    }
  });

  it('refuses a directory without cdk.json, naming it, without running anything', async () => {
    await rm(join(app, 'cdk.json'));
    const calls: Call[] = [];
    const synth = synthCdkApp(app, { exec: fakeExec(calls), outDir: 'cdk.out', log: () => {} });
    await expect(synth).rejects.toBeInstanceOf(ConfigError);
    await expect(synth).rejects.toThrow(`${app}: not a CDK app (no cdk.json)`);
    expect(calls).toEqual([]);
  });

  it('fails with the last 20 lines of stderr, redacted, when cdk synth exits non-zero', async () => {
    const progress = Array.from({ length: 30 }, (_, i) => `line ${i + 1}\n`);
    const synth = synthCdkApp(app, {
      exec: fakeExec([], {
        code: 2,
        // The last line arrives in two chunks and without a newline.
        stderr: [...progress, 'Error: fetch https://user:s3cret@', 'registry.example/x failed'],
      }),
      outDir: 'cdk.out',
      log: () => {},
    });
    await expect(synth).rejects.toBeInstanceOf(ConfigError);
    const message = await synth.catch((error: unknown) => (error as Error).message);
    expect(message).toMatch(
      new RegExp(`^cdk synth in ${app} failed \\(exit code 2\\); last lines`),
    );
    expect(message.split('\n').slice(1)).toEqual([
      ...progress.slice(11).map((line) => line.trim()),
      'Error: fetch https://***@registry.example/x failed',
    ]);
    expect(message).not.toContain('s3cret');
  });

  it('says to install aws-cdk in the app when npx finds no local cdk', async () => {
    const synth = synthCdkApp(app, {
      exec: fakeExec([], {
        code: 1,
        stderr: [
          'npm error npx canceled due to missing packages and no YES option: ["cdk@2.1000.0"]\n',
        ],
      }),
      outDir: 'cdk.out',
      log: () => {},
    });
    await expect(synth).rejects.toThrow(
      `the aws-cdk CLI is not installed in the app: add aws-cdk to its devDependencies and run "npm ci" in ${app}`,
    );
  });

  it('logs every stdout and stderr line through log, redacted, and none straight to the console', async () => {
    const lines: string[] = [];
    const calls: Call[] = [];
    await synthCdkApp(app, {
      exec: fakeExec(calls, {
        stdout: ['Synthes', 'izing\r\n::error::from the app\n'],
        stderr: ['pulling https://u:p@host/x\n', 'done'],
      }),
      outDir: 'cdk.out',
      log: (line) => lines.push(line),
    });
    expect(calls[0]?.silent).toBe(true);
    expect(lines.slice(1)).toEqual([
      'Synthesizing',
      '::error::from the app', // the kit's info() neutralises it; here it only must not bypass log
      'pulling https://***@host/x',
      'done',
    ]);
  });

  it('fails when cdk exits 0 but wrote no manifest.json', async () => {
    const synth = synthCdkApp(app, {
      exec: fakeExec([], { code: 0, writeManifest: false }),
      outDir: 'cdk.out',
      log: () => {},
    });
    await expect(synth).rejects.toThrow(
      `cdk synth in ${app} succeeded but wrote no ${join(app, 'cdk.out', 'manifest.json')}`,
    );
  });

  it('wraps a failure to start npx as a ConfigError', async () => {
    const synth = synthCdkApp(app, {
      exec: () => Promise.reject(new Error('Unable to locate executable file: npx')),
      outDir: 'cdk.out',
      log: () => {},
    });
    await expect(synth).rejects.toBeInstanceOf(ConfigError);
    await expect(synth).rejects.toThrow(
      `cdk synth in ${app}: could not run npx (Unable to locate executable file: npx)`,
    );
  });

  it('does not start when already cancelled, and stops waiting when cancelled during synth', async () => {
    const before = new AbortController();
    before.abort();
    const calls: Call[] = [];
    await expect(
      synthCdkApp(app, {
        exec: fakeExec(calls),
        outDir: 'cdk.out',
        log: () => {},
        signal: before.signal,
      }),
    ).rejects.toThrow(`cdk synth in ${app}: cancelled before it started`);
    expect(calls).toEqual([]);

    const during = new AbortController();
    const never: ExecLike = () => {
      during.abort();
      return new Promise<number>(() => {});
    };
    await expect(
      synthCdkApp(app, { exec: never, outDir: 'cdk.out', log: () => {}, signal: during.signal }),
    ).rejects.toThrow(`cdk synth in ${app}: cancelled`);
  });
});

describe('isCdkApp and isCloudAssembly', () => {
  it('tell a CDK app (cdk.json) from a cloud assembly (manifest.json)', async () => {
    const assembly = join(app, 'cdk.out');
    await mkdir(assembly);
    await writeFile(join(assembly, 'manifest.json'), '{}');
    expect(await isCdkApp(app)).toBe(true);
    expect(await isCloudAssembly(app)).toBe(false);
    expect(await isCdkApp(assembly)).toBe(false);
    expect(await isCloudAssembly(assembly)).toBe(true);
  });

  it('ask the given exists function, so main can bind it to the workspace', async () => {
    const asked: string[] = [];
    const exists = (path: string) => {
      asked.push(path);
      return path === 'app/cdk.json';
    };
    expect(await isCdkApp('app', exists)).toBe(true);
    expect(await isCloudAssembly('app', exists)).toBe(false);
    expect(asked).toEqual(['app/cdk.json', 'app/manifest.json']);
  });
});

// A stand-in for the aws-cdk CLI: what `cdk synth --output DIR` leaves behind, one stack.
const FAKE_CDK = `#!/bin/sh
out=""
fail=""
while [ $# -gt 0 ]; do
  case "$1" in
    --output) out="$2"; shift 2 ;;
    --context) echo "context $2" >&2; case "$2" in fail=*) fail="\${2#fail=}" ;; esac; shift 2 ;;
    *) echo "arg $1"; shift ;;
  esac
done
if [ -n "$fail" ]; then echo "Error: $fail" >&2; exit 3; fi
mkdir -p "$out"
cat > "$out/manifest.json" <<'EOF'
{
  "version": "36.0.0",
  "artifacts": {
    "Tree": { "type": "cdk:tree", "properties": { "file": "tree.json" } },
    "AppStack": {
      "type": "aws:cloudformation:stack",
      "environment": "aws://unknown-account/unknown-region",
      "properties": { "templateFile": "AppStack.template.json", "stackName": "app-stack" }
    }
  }
}
EOF
echo '{"Resources":{"Topic":{"Type":"AWS::SNS::Topic"}}}' > "$out/AppStack.template.json"
`;

describe('synthCdkApp with the real @actions/exec', () => {
  beforeEach(async () => {
    await mkdir(join(app, 'node_modules', '.bin'), { recursive: true });
    await writeFile(join(app, 'package.json'), '{"name":"tiny-cdk-app","private":true}');
    await writeFile(join(app, 'node_modules', '.bin', 'cdk'), FAKE_CDK);
    await chmod(join(app, 'node_modules', '.bin', 'cdk'), 0o755);
  });

  it('runs the app’s node_modules/.bin/cdk end to end, and readCloudAssembly reads the result', async () => {
    const { exec } = await import('@actions/exec');
    const lines: string[] = [];
    const out = await synthCdkApp(app, {
      exec,
      outDir: 'cdk.out',
      context: { env: 'prod' },
      log: (line) => lines.push(line),
    });
    expect(out).toBe(join(app, 'cdk.out'));
    expect(lines).toEqual(expect.arrayContaining(['arg synth', 'arg --quiet', 'context env=prod']));
    const specs = await readCloudAssembly(out, (path) => readFile(path, 'utf8'));
    expect(specs.map((spec) => [spec.name, spec.template])).toEqual([
      ['app-stack', join(out, 'AppStack.template.json')],
    ]);
  });

  it('turns the real exit code and stderr into a ConfigError', async () => {
    const { exec } = await import('@actions/exec');
    const synth = synthCdkApp(app, {
      exec,
      outDir: 'cdk.out',
      context: { fail: 'Cannot find module aws-cdk-lib' },
      log: () => {},
    });
    await expect(synth).rejects.toBeInstanceOf(ConfigError);
    await expect(synth).rejects.toThrow(
      /failed \(exit code 3\); last lines of stderr:\n(.*\n)*Error: Cannot find module aws-cdk-lib$/,
    );
  });
});
