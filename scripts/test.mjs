// The whole test suite, as CI runs it: system deps, type-check, lint, then every test on Node 24
// (the runtime the actions declare). Ends with a plain "N passed, N failed" line.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { node24Path } from './node24.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const extra = process.argv.slice(2);

function step(title, command, args) {
  console.log(`\n== ${title}`);
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  console.log(
    `== ${title}: ${result.status === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)}s`,
  );
  return result.status === 0;
}

const bin = (name) => join(root, 'node_modules/.bin', name);
let ok = step('system packages', 'bash', ['scripts/install-system-deps.sh']);
ok = step('type-check', bin('tsc'), ['-p', 'tsconfig.json']) && ok;
ok = step('lint', bin('eslint'), ['.']) && ok;
ok = step('format', bin('prettier'), ['--check', '.']) && ok;

const report = join(mkdtempSync(join(tmpdir(), 'cutover-vitest-')), 'report.json');
ok =
  step('tests (Node 24)', node24Path(), [
    'node_modules/vitest/vitest.mjs',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...extra,
  ]) && ok;

let summary = '0 passed, 0 failed';
try {
  const results = JSON.parse(readFileSync(report, 'utf8'));
  summary = `${results.numPassedTests} passed, ${results.numFailedTests} failed`;
  if (results.numTotalTests === 0) ok = false;
} catch {
  ok = false;
}
console.log(`\n${summary}`);
process.exit(ok ? 0 : 1);
