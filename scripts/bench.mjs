// npm run bench: the performance baseline. Per action: bundle bytes and cold start of
// `node dist/<action>/index.js` on the fail-fast path (no inputs), as the median of interleaved
// runs next to a bare @actions/core bundle; plus checklist parsing at the size limits.
// Runs on Node 24 with tsx (scripts/node24.mjs --import tsx). Results also go to .bench/results.json.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 25);
const benchDir = join(root, '.bench');
mkdirSync(benchDir, { recursive: true });

// A bare @actions/core bundle that fails fast the same way: the floor every action pays.
const baselineSrc = join(benchDir, 'core-only.mjs');
writeFileSync(
  baselineSrc,
  "import * as core from '@actions/core';\ncore.setFailed('no inputs');\n",
);
const baselineOut = join(benchDir, 'core-only');
if (!existsSync(join(baselineOut, 'index.mjs')) && !existsSync(join(baselineOut, 'index.js')))
  execFileSync(
    process.execPath,
    [
      join(root, 'node_modules/@vercel/ncc/dist/ncc/cli.js'),
      'build',
      baselineSrc,
      '-o',
      baselineOut,
      '--minify',
      '--quiet',
    ],
    { cwd: root, stdio: 'inherit' },
  );

const cleanEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
const timeOnce = (script) => {
  const started = process.hrtime.bigint();
  spawnSync(process.execPath, [script], { env: cleanEnv, stdio: 'ignore' });
  return Number(process.hrtime.bigint() - started) / 1e6;
};
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const bytes = (dir) =>
  readdirSync(dir)
    .filter((f) => /\.m?js$/.test(f))
    .reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);

const actions = readdirSync(join(root, 'dist')).filter((name) =>
  existsSync(join(root, 'dist', name, 'index.js')),
);
const results = { node: process.version, runs, actions: {}, parse: {} };
const baselineScript = join(
  baselineOut,
  existsSync(join(baselineOut, 'index.mjs')) ? 'index.mjs' : 'index.js',
);
const samples = { baseline: [] };
for (const name of actions) samples[name] = [];
for (let i = 0; i < 3; i++) timeOnce(baselineScript); // warm the file cache
for (let i = 0; i < runs; i++) {
  samples.baseline.push(timeOnce(baselineScript));
  for (const name of actions) samples[name].push(timeOnce(join(root, 'dist', name, 'index.js')));
}
const baseline = median(samples.baseline);
console.log(
  `Node ${process.version}, median of ${runs} interleaved cold starts (fail-fast path, no inputs)\n`,
);
console.log('| bundle | entry bytes | all chunks bytes | cold start | vs bare core |');
console.log('|---|---|---|---|---|');
console.log(
  `| bare @actions/core | ${statSync(baselineScript).size} | ${bytes(baselineOut)} | ${baseline.toFixed(0)} ms | 1.00 |`,
);
for (const name of actions) {
  const dir = join(root, 'dist', name);
  const start = median(samples[name]);
  results.actions[name] = {
    entryBytes: statSync(join(dir, 'index.js')).size,
    totalBytes: bytes(dir),
    coldStartMs: Math.round(start),
    ratio: +(start / baseline).toFixed(2),
  };
  console.log(
    `| ${name} | ${results.actions[name].entryBytes} | ${results.actions[name].totalBytes} | ${start.toFixed(0)} ms | ${(start / baseline).toFixed(2)} |`,
  );
}
results.baselineColdStartMs = Math.round(baseline);

// Checklist parsing at and beyond the limits (hostile bodies).
const { parseChecklist, CHECKLIST_LIMITS } = await import('../packages/checklist/src/index.ts');
{
  const { maxBytes, maxLines } = CHECKLIST_LIMITS;
  const item = '- [ ] item <!-- verify: http https://h.example/ -->\n';
  const fill = (unit) => unit.repeat(Math.floor((maxBytes - 8) / unit.length));
  const cases = {
    'task items with verifiers, at the byte limit': fill(item),
    [`${maxLines - 1} "- [" lines`]: '- [\n'.repeat(maxLines - 1),
    'unclosed fence, at the byte limit':
      '```\n' + ('b'.repeat(63) + '\n').repeat(Math.floor((maxBytes - 8) / 64)),
    'emphasis and brackets, at the byte limit': fill('*a **b [c '),
    'nested quotes and lists, at the byte limit': fill('> - [ ] > * [x] '),
    '5 MB body (refused by size)': 'x'.repeat(5 * 1024 * 1024),
    '100k "- [" lines (refused by size)': '- [\n'.repeat(100_000),
  };
  console.log('\n| checklist input | bytes | parse (median of 5) | outcome |');
  console.log('|---|---|---|---|');
  for (const [label, text] of Object.entries(cases)) {
    const times = [];
    let outcome = '';
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      try {
        outcome = `${parseChecklist(text).items.length} items`;
      } catch (error) {
        outcome = `refused: ${error.message.split(';')[0]}`;
      }
      times.push(performance.now() - started);
    }
    results.parse[label] = {
      bytes: Buffer.byteLength(text),
      ms: +median(times).toFixed(1),
      outcome,
    };
    console.log(
      `| ${label} | ${Buffer.byteLength(text)} | ${median(times).toFixed(1)} ms | ${outcome} |`,
    );
  }
}
writeFileSync(join(benchDir, 'results.json'), JSON.stringify(results, null, 2));
