import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * validate-checklist run the way users debug an action: `local-action run <action dir>
 * <entrypoint> <env file>`, which loads src/main.ts through tsx, stubs @actions/core and calls
 * the exported run().
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const localAction = join(root, 'node_modules/@github/local-action/bin/local-action.js');

async function localActionRun(
  checklist: string,
): Promise<{ log: string; outputs: Record<string, string> }> {
  const workspace = mkdtempSync(join(tmpdir(), 'cutover-local-action-'));
  writeFileSync(join(workspace, 'checklist.md'), checklist);
  const envFile = join(workspace, '.env');
  writeFileSync(
    envFile,
    ['INPUT_SOURCE=file', 'INPUT_PATH=checklist.md', `GITHUB_WORKSPACE=${workspace}`, ''].join(
      '\n',
    ),
  );
  // Only what the tool needs from this shell: a runner's own GITHUB_* variables stay out.
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? workspace };
  const child = spawn(
    process.execPath,
    [localAction, 'run', 'actions/validate-checklist', 'src/main.ts', envFile],
    { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  // local-action exits 0 even when the action fails: the ::error:: lines tell.
  await new Promise((resolve) => child.on('close', resolve));
  // The stubbed core prints each output as a (legacy) set-output command line.
  const outputs: Record<string, string> = {};
  for (const [, name, value] of log.matchAll(/^::set-output name=([\w-]+)::(.*)$/gm))
    if (name !== undefined && value !== undefined) outputs[name] = value;
  return { log, outputs };
}

describe('validate-checklist through @github/local-action', () => {
  it('reports a complete checklist in its outputs', async () => {
    const { log, outputs } = await localActionRun('# Before\n\n- [x] backups taken\n');
    expect(outputs, log).toMatchObject({
      complete: 'true',
      total: '1',
      checked: '1',
      missing: '[]',
      source: 'checklist.md',
    });
    expect(outputs.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(log).not.toMatch(/^::error/m);
  }, 120_000);

  it('names the unticked item and fails the run', async () => {
    const { log, outputs } = await localActionRun(
      '# Before\n\n- [x] backups taken\n- [ ] DNS TTL lowered\n',
    );
    expect(outputs, log).toMatchObject({ complete: 'false', total: '2', checked: '1' });
    expect(JSON.parse(outputs.missing ?? 'null')).toEqual([
      {
        section: 'Before',
        text: 'DNS TTL lowered',
        line: 4,
        origin: 'checklist.md',
        reason: 'not ticked',
      },
    ]);
    expect(log).toMatch(/^::error::checklist in checklist\.md is incomplete/m);
  }, 120_000);
});
