// The whole test suite, as CI runs it: system deps, type-check, lint, then every test. Every tool
// runs on Node 24 (the runtime the actions declare, from the npm registry), whatever Node ran
// npm. Ends with a plain "N passed, N failed" line.
// The dist check (rebuild every bundle, compare with dist/) is the slowest step and needs no
// test: it starts first, runs next to the others and is awaited at the end.
import { spawn, spawnSync } from 'node:child_process';
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

// Output is buffered so it does not interleave with the other steps; printed when awaited.
function background(title, command, args) {
  const started = Date.now();
  const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const finished = new Promise((resolve) => {
    child.on('error', (error) => resolve({ code: null, error }));
    child.on('close', (code) => resolve({ code }));
  });
  return async () => {
    const { code, error } = await finished;
    console.log(`\n== ${title}\n${output}${error ? String(error) : ''}`);
    console.log(
      `== ${title}: ${code === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)}s (in parallel)`,
    );
    return code === 0;
  };
}

const node = node24Path();
const distCheck = background('dist matches sources', node, ['scripts/check-dist.mjs']);
let ok = step('system packages', 'bash', ['scripts/install-system-deps.sh']);
ok = step('type-check', node, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json']) && ok;
ok = step('lint', node, ['node_modules/eslint/bin/eslint.js', '.']) && ok;
ok = step('format', node, ['node_modules/prettier/bin/prettier.cjs', '--check', '.']) && ok;

const report = join(mkdtempSync(join(tmpdir(), 'cutover-vitest-')), 'report.json');
ok =
  step('tests', node, [
    'node_modules/vitest/vitest.mjs',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...extra,
  ]) && ok;

ok = (await distCheck()) && ok;

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
