import { ConfigError } from '@cutover/kit';
import { filterSections } from './filter-sections.js';
import { ChecklistTooLargeError, parseChecklist, type ChecklistItem } from './parse-checklist.js';

/** One markdown text holding task items: the body of the source, or one of its comments. */
export interface ChecklistDocument {
  /** Where the text came from, e.g. "issue #12" or "docs/checklist.md"; names it in messages. */
  origin: string;
  text: string;
  /** Set for file sources, so annotations can point at the file. */
  file?: string;
  /** Set for issue and pull-request bodies, which the tool may tick. */
  editable?: { number: number; kind: 'issue' | 'pull request'; updatedAt: string };
}

/** A document and the items of it that the gate judges. */
export interface ScopedDocument {
  document: ChecklistDocument;
  items: ChecklistItem[];
}

/**
 * Parses every document and keeps the items under `sections` (all when empty). A section name
 * that matches no heading is a mistake in the input when there is one document; among a body
 * and its comments, a comment without that heading simply contributes nothing.
 */
export function scopeDocuments(
  documents: readonly ChecklistDocument[],
  sections: readonly string[],
): ScopedDocument[] {
  return documents.map((document) => {
    const { items, headings } = parseDocument(document);
    const filtered = filterSections(items, headings, sections);
    if (!filtered.ok && documents.length === 1)
      throw new ConfigError(
        `input 'sections': no heading named ${filtered.unknown.map((s) => `"${s}"`).join(', ')} in ${document.origin}; headings: ${filtered.available.map((s) => `"${s}"`).join(', ') || '(none)'}`,
      );
    return { document, items: filtered.ok ? filtered.items : [] };
  });
}

function parseDocument(document: ChecklistDocument) {
  try {
    return parseChecklist(document.text);
  } catch (error) {
    // The size error names no document; with comments read too, the user needs to know which.
    if (error instanceof ChecklistTooLargeError)
      throw new ConfigError(`${document.origin}: ${error.message}; refusing to parse it`);
    throw error;
  }
}
