import type { ChecklistItem } from './parse-checklist.js';

export type SectionFilterResult =
  { ok: true; items: ChecklistItem[] } | { ok: false; unknown: string[]; available: string[] };

/**
 * Keeps items under any of the named headings (case-insensitive, any level, subsections
 * included). A name matching no heading is reported rather than silently gating nothing.
 */
export function filterSections(
  items: readonly ChecklistItem[],
  headings: readonly string[],
  sections: readonly string[],
): SectionFilterResult {
  if (sections.length === 0) return { ok: true, items: [...items] };
  const normalize = (name: string) => name.trim().replace(/\s+/g, ' ').toLowerCase();
  const wanted = new Set(sections.map(normalize));
  const known = new Set(headings.map(normalize));
  const unknown = sections.filter((name) => !known.has(normalize(name)));
  if (unknown.length > 0) return { ok: false, unknown, available: [...new Set(headings)] };
  return {
    ok: true,
    items: items.filter((item) => item.headings.some((h) => wanted.has(normalize(h)))),
  };
}
