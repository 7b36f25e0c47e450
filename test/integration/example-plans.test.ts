import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadPlanFile } from '@cutover/catalog';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'packages/cli/bin/cutover.mjs');
const PLANS = readdirSync(join(ROOT, 'examples/plans'))
  .filter((name) => name.endsWith('.yaml'))
  .map((name) => `examples/plans/${name}`);

/** `cutover plan FILE` as a user runs it: a process, its exit code and streams. */
function cutoverPlan(file: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, 'plan', file], { cwd: ROOT }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : Number(error.code ?? -1), stdout, stderr });
    });
  });
}

describe('every example plan passes the stricter validation', () => {
  it('finds the example plans', () => {
    expect(PLANS.length).toBeGreaterThanOrEqual(2);
  });

  it.each(PLANS)('the catalog loads %s', (file) => {
    const result = loadPlanFile(file, (path) => readFileSync(join(ROOT, path), 'utf8'));
    expect(result.ok ? 'ok' : result.message).toBe('ok');
  });

  it.each(PLANS)('cutover plan accepts %s', async (file) => {
    const ran = await cutoverPlan(file);
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
  });
});

describe('cutover plan refuses bad adapter settings up front', () => {
  it('lists every router, provider and query problem at once, each with its path, exit 2', async () => {
    const example = readFileSync(
      join(ROOT, 'examples/plans/lightning-talk-circle-blue-green.yaml'),
      'utf8',
    );
    const broken = example
      .replace('hosted-zone-id:', 'hosted-zone:')
      .replace('region: ap-northeast-1\nsteps:', 'region: ap-northeast-1\n  token: x\nsteps:')
      .replace('period: 60', 'period: 90');
    expect(broken).not.toBe(example);
    const dir = mkdtempSync(join(tmpdir(), 'example-plans-'));
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, broken);
    const ran = await cutoverPlan(file);
    expect(ran.code).toBe(2);
    const problems = ran.stderr.split('\n').filter((line) => line.startsWith('  - '));
    expect(problems).toEqual([
      expect.stringMatching(/router\.hosted-zone-id: /),
      expect.stringMatching(/router\.hosted-zone: /),
      expect.stringMatching(/metrics\.token: unknown key; allowed: region, endpoint, timeout$/),
      expect.stringMatching(
        /gates\.api-error-rate\.query\.period: must be 1, 5, 10, 30 or a multiple of 60 seconds, got 90$/,
      ),
    ]);
  });
});
