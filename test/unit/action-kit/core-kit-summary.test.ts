import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCoreKit } from '../../../packages/action-kit/src/core-kit.js';

// @actions/core keeps the summary path, once it was accessible, for the rest of the process: the
// one test that makes a path accessible runs last.

const savedSummary = process.env.GITHUB_STEP_SUMMARY;

function captureStdout(): string[] {
  const lines: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    lines.push(String(chunk));
    return true;
  });
  return lines;
}

afterEach(() => {
  vi.restoreAllMocks();
  if (savedSummary === undefined) delete process.env.GITHUB_STEP_SUMMARY;
  else process.env.GITHUB_STEP_SUMMARY = savedSummary;
});

async function appendTwice(summaryPath: string): Promise<string[]> {
  process.env.GITHUB_STEP_SUMMARY = summaryPath;
  const printed = captureStdout();
  const kit = createCoreKit();
  await expect(kit.appendSummary('# shifted to 50%\n')).resolves.toBeUndefined();
  await expect(kit.appendSummary('more\n')).resolves.toBeUndefined();
  return printed.filter((line) => line.startsWith('::warning::'));
}

describe('core kit job summary', () => {
  it('warns once and returns when the summary file is missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cutover-summary-'));
    const warnings = await appendTwice(join(dir, 'missing', 'summary.md'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('job summary not written');
  });

  it('writes only what follows once the file is back, not the failed part twice', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cutover-summary-')), 'summary.md');
    process.env.GITHUB_STEP_SUMMARY = file;
    captureStdout();
    const kit = createCoreKit();
    await kit.appendSummary('lost\n');
    writeFileSync(file, '');
    await kit.appendSummary('kept https://u:p@host/\n');
    // addRaw(…, true) ends each append with a line break of its own.
    expect(readFileSync(file, 'utf8')).toBe('kept https://***@host/\n\n');
  });
});
