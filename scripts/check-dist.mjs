// The committed bundles match the sources: bundles every action into a temp dir and compares
// it with dist/ byte for byte. Its own step of `npm test` (run next to vitest), not a test.
// Usage: node scripts/check-dist.mjs [distDir]   (distDir defaults to dist)
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleAll, bundledActions } from './bundle.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => statSync(join(dir, file)).isFile())
    .sort();
}

/** Every difference between a fresh build and the committed one, as "dist/<path>: why" lines. */
export function compareTrees(built, committed, label = 'dist') {
  const problems = [];
  const builtFiles = filesUnder(built);
  const committedFiles = new Set(filesUnder(committed));
  for (const file of builtFiles) {
    if (!committedFiles.has(file)) problems.push(`${label}/${file}: missing`);
    else if (!readFileSync(join(built, file)).equals(readFileSync(join(committed, file))))
      problems.push(`${label}/${file}: stale`);
    committedFiles.delete(file);
  }
  for (const file of committedFiles) problems.push(`${label}/${file}: no longer built`);
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dist = resolve(root, process.argv[2] ?? 'dist');
  const out = mkdtempSync(join(tmpdir(), 'cutover-dist-'));
  const started = Date.now();
  const results = await bundleAll(out);
  const problems = [];
  for (const result of results) {
    if (!result.ok) problems.push(`actions/${result.action}: does not bundle\n${result.log}`);
    else
      problems.push(
        ...compareTrees(
          result.out,
          join(dist, result.action),
          relative(root, join(dist, result.action)),
        ),
      );
  }
  // A dist/<name> left behind by a removed action is stale too.
  for (const name of filesUnder(dist).map((file) => file.split('/')[0]))
    if (!bundledActions().includes(name))
      problems.push(`${relative(root, dist)}/${name}: no such action`);
  rmSync(out, { recursive: true, force: true });
  const unique = [...new Set(problems)];
  const timings = results.map((result) => `${result.action} ${result.seconds}s`).join(', ');
  if (unique.length === 0) {
    console.log(`dist matches the sources (${timings}; ${(Date.now() - started) / 1000}s)`);
    process.exit(0);
  }
  console.error(
    `dist does not match the sources: run "npm run bundle" and commit dist/\n${unique.map((line) => `  ${line}`).join('\n')}`,
  );
  process.exit(1);
}
