import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createCoreKit } from '../../../packages/action-kit/src/core-kit.js';

// deploy-stack appends each change set's table as it becomes ready (void kit.appendSummary).
// Two stacks of one wave whose change sets are ready on the same tick append concurrently.
it('keeps each change set table once when two are appended at the same moment', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'core-kit-summary-')), 'summary.md');
  writeFileSync(file, '');
  const saved = process.env.GITHUB_STEP_SUMMARY;
  process.env.GITHUB_STEP_SUMMARY = file;
  try {
    const kit = createCoreKit();
    const first = kit.appendSummary('### Change set: Database\n');
    const second = kit.appendSummary('### Change set: Security\n');
    await Promise.all([first, second]);
    await kit.appendSummary('### Stacks\n');
  } finally {
    if (saved === undefined) delete process.env.GITHUB_STEP_SUMMARY;
    else process.env.GITHUB_STEP_SUMMARY = saved;
  }
  // Each table once, in the order appended (the kit ends each append with a newline).
  expect(readFileSync(file, 'utf8')).toBe(
    '### Change set: Database\n\n### Change set: Security\n\n### Stacks\n\n',
  );
});
