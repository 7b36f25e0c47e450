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
