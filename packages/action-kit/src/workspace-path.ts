import { isAbsolute, relative, resolve, sep } from 'node:path';
import { ConfigError } from '@cutover/kit';

/**
 * Resolves a path an input or plan names against the workspace and refuses one that leaves it
 * (`../../etc`, an absolute path elsewhere), unless the caller allows it. A checklist or plan
 * may come from an untrusted pull request, so "relative to the workspace" must mean inside it.
 * Symlinks are not followed here: the workspace is the caller's own checkout.
 */
export function resolveInWorkspace(
  workspace: string,
  path: string,
  name: string,
  options: { allowOutside?: boolean; allowInput?: string } = {},
): string {
  const root = resolve(workspace);
  const full = resolve(root, path);
  const rel = relative(root, full);
  // "..notes.md" is a file inside; only ".." itself or "../…" climbs out.
  const inside = rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
  if (inside || options.allowOutside === true) return full;
  const escape =
    options.allowInput === undefined ? '' : ` (set input '${options.allowInput}' to allow it)`;
  throw new ConfigError(
    `${name}: "${path}" resolves to ${full}, outside the workspace ${root}; expected a path inside it${escape}`,
  );
}
