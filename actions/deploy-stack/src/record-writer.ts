import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { RollbackRecord } from '@cutover/stacks';

/**
 * The rollback record file, rewritten whole after every executed change set: a temporary file
 * renamed over the record, one write at a time, so a reader (or a job killed mid-write) sees
 * either the previous record or the new one, never half of one.
 */
export function recordWriter(path: string) {
  const stacks: RollbackRecord[] = [];
  let queue: Promise<void> = Promise.resolve();
  const save = (list: readonly RollbackRecord[]) => {
    const text = `${JSON.stringify({ stacks: list }, null, 2)}\n`;
    queue = queue
      .catch(() => undefined)
      .then(async () => {
        await mkdir(dirname(path), { recursive: true });
        const temporary = `${path}.tmp-${process.pid}`;
        await writeFile(temporary, text);
        await rename(temporary, path);
      });
    return queue;
  };
  return {
    /** Adds one stack's record and saves (failures surface on the next write). */
    add: (record: RollbackRecord) => {
      stacks.push(record);
      return save([...stacks]).catch(() => undefined);
    },
    /** Saves exactly this list (the run's final record) and waits for every write. */
    write: (list: readonly RollbackRecord[]) => save(list),
  };
}
