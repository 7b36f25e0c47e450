// One ncc bundle per action: dist/<action>/index.js (+ chunks for lazy imports), committed.
// Usage: node scripts/bundle.mjs [outDir]   (outDir defaults to dist; tests bundle to a temp dir)
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outRoot = resolve(root, process.argv[2] ?? 'dist');
const ncc = join(root, 'node_modules/@vercel/ncc/dist/ncc/cli.js');

for (const action of readdirSync(join(root, 'actions'))) {
  const entry = join(root, 'actions', action, 'src/index.ts');
  if (!existsSync(entry)) continue;
  const out = join(outRoot, action);
  rmSync(out, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [ncc, 'build', entry, '-o', out, '--minify', '--license', 'licenses.txt', '--quiet'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  console.log(`bundled ${action} -> ${out}`);
}
