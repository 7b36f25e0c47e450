/** "1 item", "2 items": counts in messages read as English, never "item(s)". */
export function plural(count: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : pluralNoun}`;
}
