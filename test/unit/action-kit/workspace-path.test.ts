import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@cutover/kit';
import { resolveInWorkspace } from '@cutover/action-kit';

describe('paths confined to the workspace', () => {
  const workspace = '/home/runner/work/app';

  it.each(['weights.json', './cfg/w.json', '..notes.md', 'a/../b.json', '.', workspace])(
    'accepts %s, which stays inside',
    (path) => {
      expect(resolveInWorkspace(workspace, path, 'router.path').startsWith(workspace)).toBe(true);
    },
  );

  it.each(['..', '../other/w.json', '../../../etc/passwd', '/etc/passwd', 'a/../../x'])(
    'refuses %s, naming the setting, the path and the workspace',
    (path) => {
      expect(() => resolveInWorkspace(workspace, path, 'router.path')).toThrow(ConfigError);
      expect(() => resolveInWorkspace(workspace, path, 'router.path')).toThrow(
        /^router\.path: ".*" resolves to .*, outside the workspace \/home\/runner\/work\/app/,
      );
    },
  );

  it('names the input that allows it, and honours it', () => {
    expect(() =>
      resolveInWorkspace(workspace, '/srv/w.json', 'router.path', {
        allowInput: 'allow-outside-workspace',
      }),
    ).toThrow(/set input 'allow-outside-workspace' to allow it/);
    expect(resolveInWorkspace(workspace, '/srv/w.json', 'x', { allowOutside: true })).toBe(
      '/srv/w.json',
    );
  });
});

describe('paths through symbolic links', () => {
  const setup = () => {
    const base = realpathSync(mkdtempSync(join(tmpdir(), 'ws-links-')));
    const workspace = join(base, 'ws');
    const outside = join(base, 'outside');
    mkdirSync(join(workspace, 'real'), { recursive: true });
    mkdirSync(outside);
    writeFileSync(join(outside, 'creds.json'), '{"secret":"x"}');
    symlinkSync(outside, join(workspace, 'linked-dir'));
    symlinkSync(join(outside, 'creds.json'), join(workspace, 'linked-file.json'));
    symlinkSync(join(workspace, 'real'), join(workspace, 'inner-link'));
    return workspace;
  };

  it.each(['linked-dir/w.json', 'linked-dir/new/deeper.json', 'linked-file.json'])(
    'refuses %s, which a symlink points out of the workspace',
    (path) => {
      const workspace = setup();
      expect(() => resolveInWorkspace(workspace, path, 'router.path')).toThrow(
        /through a symbolic link, to .*outside.*outside the workspace/,
      );
    },
  );

  it('accepts a symlink that stays inside, and a file that does not exist yet', () => {
    const workspace = setup();
    expect(resolveInWorkspace(workspace, 'inner-link/w.json', 'router.path')).toBe(
      join(workspace, 'inner-link/w.json'),
    );
    expect(resolveInWorkspace(workspace, 'new/dir/w.json', 'router.path')).toBe(
      join(workspace, 'new/dir/w.json'),
    );
  });
});
