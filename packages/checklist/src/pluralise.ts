/** "1 item", "2 items": counts in messages read as English, never "item(s)". */
export function pluralise(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}

/** "1 item blocks", "2 items block": the verb agrees too. */
export function blockCount(count: number): string {
  return count === 1 ? '1 item blocks' : `${count} items block`;
}
