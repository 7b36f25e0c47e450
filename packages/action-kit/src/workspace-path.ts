import { realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ConfigError } from '@cutover/kit';

/**
 * Resolves a path an input or plan names against the workspace and refuses one that leaves it
 * (`../../etc`, an absolute path elsewhere, or a symbolic link — of the file or of any folder on
 * the way — that points out), unless the caller allows it. A checklist or plan may come from an
 * untrusted pull request, which can commit symlinks, so "inside" is judged on real paths.
 */
export function resolveInWorkspace(
  workspace: string,
  path: string,
  name: string,
  options: { allowOutside?: boolean; allowInput?: string } = {},
): string {
  const root = resolve(workspace);
  const full = resolve(root, path);
  if (options.allowOutside === true) return full;
  const real = realPathOfExisting(full);
  const realRoot = realPathOfExisting(root);
  if (within(root, full) && within(realRoot, real)) return full;
  const escape =
    options.allowInput === undefined ? '' : ` (set input '${options.allowInput}' to allow it)`;
  const via = real === full ? '' : ` (through a symbolic link, to ${real})`;
  throw new ConfigError(
    `${name}: "${path}" resolves to ${full}${via}, outside the workspace ${root}; expected a path inside it${escape}`,
  );
}

function within(root: string, path: string): boolean {
  const rel = relative(root, path);
  // "..notes.md" is a file inside; only ".." itself or "../…" climbs out.
  return rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/** The real path of the longest existing prefix, with the part that does not exist yet appended. */
function realPathOfExisting(path: string): string {
  const missing: string[] = [];
  let current = path;
  for (;;) {
    try {
      return join(realpathSync(current), ...missing.reverse());
    } catch {
      const parent = dirname(current);
      if (parent === current) return path;
      missing.push(basename(current));
      current = parent;
    }
  }
}
