import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryKit, failureMessage, type MemoryKit } from '@cutover/action-kit';
import { main, type Dependencies } from '../../actions/validate-checklist/src/main.js';

export interface Run {
  kit: MemoryKit;
  failure: string | undefined;
}

/** Runs validate-checklist's main() in-process, as runAction would, with an in-memory kit. */
export async function runValidateChecklist(options: {
  inputs: Record<string, string>;
  env?: Record<string, string>;
  event?: { name: string; payload: unknown };
  deps?: Partial<Dependencies>;
  files?: Record<string, string>;
}): Promise<Run> {
  const workspace = mkdtempSync(join(tmpdir(), 'cutover-ws-'));
  for (const [path, text] of Object.entries(options.files ?? {}))
    writeFileSync(join(workspace, path), text);
  const env: Record<string, string> = {
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_WORKSPACE: workspace,
    ...options.env,
  };
  if (options.event !== undefined) {
    const eventPath = join(workspace, 'event.json');
    writeFileSync(eventPath, JSON.stringify(options.event.payload));
    env.GITHUB_EVENT_PATH = eventPath;
    env.GITHUB_EVENT_NAME = options.event.name;
  }
  const kit = createMemoryKit({
    inputs: { 'github-token': 'ghs_test', ...options.inputs },
    env,
    clock: { now: () => Date.now(), sleep: () => Promise.resolve() },
  });
  let failure: string | undefined;
  try {
    await main(kit, {
      readFile: (path) => readFileSync(path, 'utf8'),
      apiRetry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 10 },
      ...options.deps,
    });
  } catch (error) {
    failure = failureMessage(error);
  }
  return { kit, failure };
}
