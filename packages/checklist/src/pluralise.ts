export { plural as pluralise } from '@cutover/kit';

/** "1 item blocks", "2 items block": the verb agrees too. */
export function blockCount(count: number): string {
  return count === 1 ? '1 item blocks' : `${count} items block`;
}
