import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { ConfigError } from '@cutover/kit';
import { resolveInWorkspace } from '@cutover/action-kit';

/**
 * A reader of the checklist file that refuses one leaving the workspace: by its path ("../..",
 * absolute) or through a symbolic link, which a pull request can commit. No input widens this:
 * every checkout lives in the workspace, and a generated checklist can be written there.
 */
export function readWorkspaceFile(
  workspace: string,
  readFile: (path: string) => string,
): (path: string) => string {
  return (path) => readFile(confinedPath(workspace, path));
}

function confinedPath(workspace: string, path: string): string {
  const root = resolve(workspace);
  const full = resolve(root, path);
  const real = realPath(full); // undefined when missing: the read reports it with advice
  // A path written inside that leads out through a link: say it is the link, not the path.
  if (real !== undefined && isInside(root, full)) {
    const realRoot = realPath(root) ?? root;
    if (!isInside(realRoot, real))
      throw new ConfigError(
        `input 'path': "${path}" is a symbolic link to ${real}, outside the workspace ${realRoot}; expected a file inside it`,
      );
  }
  resolveInWorkspace(root, path, "input 'path'");
  return real ?? full;
}

function realPath(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}
