import { createHash } from 'node:crypto';
import type { ChecklistItem } from './parse-checklist.js';

/** Replaces "[ ]" with "[x]" at each item's marker; refuses if the text no longer has "[ ]" there. */
export function tickItems(text: string, items: readonly ChecklistItem[]): string {
  // One pass building pieces: re-slicing the whole text per item was quadratic in the items.
  const parts: string[] = [];
  let copied = 0;
  for (const item of [...items].sort((a, b) => a.markerOffset - b.markerOffset)) {
    if (
      item.markerOffset < copied ||
      text.slice(item.markerOffset, item.markerOffset + 3) !== '[ ]'
    )
      throw new Error(`line ${item.line} no longer starts with "[ ]"; the text changed`);
    parts.push(text.slice(copied, item.markerOffset), '[x]');
    copied = item.markerOffset + 3;
  }
  parts.push(text.slice(copied));
  return parts.join('');
}

/**
 * sha256 of the checklist text(s) as evaluated, so a later job can refuse a checklist edited
 * after the gate. Several documents (a body and its comments) are length-prefixed so that
 * moving text between them changes the digest.
 */
export function checklistDigest(texts: readonly string[]): string {
  const hash = createHash('sha256');
  if (texts.length === 1) hash.update(texts[0] ?? '', 'utf8');
  else for (const text of texts) hash.update(`${Buffer.byteLength(text, 'utf8')}:${text}`, 'utf8');
  return `sha256:${hash.digest('hex')}`;
}
