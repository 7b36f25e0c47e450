import { ConfigError } from '@cutover/kit';
import MarkdownIt from 'markdown-it';
import type Token from 'markdown-it/lib/token.mjs';
import {
  describeControls,
  describeLookAlike,
  invisibleControls,
  lookAlikeBox,
  revealControls,
} from './detect-look-alikes.js';
import { parseItemComment, type ItemDirective } from './item-directives.js';

/**
 * Task-list items of a GFM document, found on the parsed token tree (not with regexes over the
 * text): items inside code fences, HTML blocks (comments) and block quotes do not count.
 * Lines that only look like task items are returned too, flagged, so they fail the gate.
 */

/**
 * Refused before parsing, so a hostile body costs nothing. GitHub bodies stop at 65,536
 * characters; 256 KiB keeps the worst case (an emphasis/bracket bomb) near 200 ms.
 */
export const CHECKLIST_LIMITS = { maxBytes: 256 * 1024, maxLines: 20_000 };

export interface ChecklistItem {
  /** Headings above the item, outermost first; [] before the first heading. */
  headings: string[];
  /** The nearest heading, or "(no section)". */
  section: string;
  /** Item text without the task marker and without directive comments; controls spelled out. */
  text: string;
  /** 1-based line of the task marker in the document (LF, CRLF and a lone CR end a line). */
  line: number;
  /** Offset of "[" of the task marker in the document, for ticking. */
  markerOffset: number;
  ticked: boolean;
  optional: boolean;
  notApplicable: boolean;
  verifiers: ItemDirective[];
  /** Directive comments that could not be understood; each fails the item. */
  problems: string[];
  /**
   * Set when the line only looks like a task item (a look-alike box, see detect-look-alikes.ts)
   * or hides invisible controls: the finding, which fails the gate whatever else the item says.
   */
  flagged?: string;
}

export interface ParsedChecklist {
  items: ChecklistItem[];
  /** Every heading in document order, for validating a `sections` filter. */
  headings: string[];
}

export class ChecklistTooLargeError extends ConfigError {}

const NO_SECTION = '(no section)';
const NO_TEXT = '(no text)';
const parser = new MarkdownIt('commonmark', { html: true }).enable('strikethrough');
// Markdown list markers (any depth, "- 1) [ ]"), as they prefix the first line of an item.
const LIST_PREFIX = /^[ \t]*(?:(?:[-+*]|\d{1,9}[.)])(?=[ \t]|$)[ \t]*)*/;

type Found = Omit<ChecklistItem, 'headings' | 'section'>;

/** Where each line starts and ends, splitting exactly where markdown-it's normalize does. */
interface LineTable {
  starts: number[];
  ends: number[];
}

export function parseChecklist(text: string, limits = CHECKLIST_LIMITS): ParsedChecklist {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > limits.maxBytes)
    throw new ChecklistTooLargeError(
      `checklist is ${bytes} bytes; the limit is ${limits.maxBytes} bytes (${limits.maxBytes / 1024} KiB)`,
    );
  const lines = lineTable(text);
  if (lines.starts.length > limits.maxLines)
    throw new ChecklistTooLargeError(
      `checklist has ${lines.starts.length} lines; the limit is ${limits.maxLines} lines`,
    );

  // markdown-it turns CRLF and a lone CR into LF before parsing, so token.map line numbers
  // index the same lines as the table above, and offsets come from the table, not from "\n".
  const tokens = parser.parse(text, {});
  const items: ChecklistItem[] = [];
  const allHeadings: string[] = [];
  const headingStack: { level: number; text: string }[] = [];
  let quoteDepth = 0;

  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index];
    if (token === undefined) continue;
    if (token.type === 'blockquote_open') quoteDepth++;
    else if (token.type === 'blockquote_close') quoteDepth--;
    else if (token.type === 'heading_open' && quoteDepth === 0) {
      const level = Number(token.tag.slice(1));
      const title = plainText(tokens[index + 1]).trim();
      while (headingStack.length > 0 && (headingStack.at(-1)?.level ?? 0) >= level)
        headingStack.pop();
      headingStack.push({ level, text: title });
      allHeadings.push(title);
    } else if (token.type === 'paragraph_open' && quoteDepth === 0 && token.map !== null) {
      const found: Found[] = [];
      // The first paragraph of a list item is where GFM looks for the task marker.
      const opensItem = tokens[index - 1]?.type === 'list_item_open';
      if (opensItem) {
        const item = taskItem(tokens[index + 1], token.map[0], text, lines);
        if (item !== undefined) found.push(item);
      }
      // Every other line of a paragraph is text; a box at its start only looks like an item.
      for (let line = token.map[0] + (opensItem ? 1 : 0); line < token.map[1]; line++) {
        const raw = lineText(text, lines, line);
        const box = lookAlikeBox(raw, 'text');
        if (box !== undefined)
          found.push(flaggedLine(raw, line, lines, describeLookAlike(box, raw)));
      }
      if (found.length === 0) continue;
      const headings = headingStack.map((entry) => entry.text);
      const section = headings.at(-1) ?? NO_SECTION;
      for (const item of found) items.push({ ...item, headings, section });
    }
  }
  return { items, headings: allHeadings };
}

/**
 * GFM: a task item is a list item whose first block is a paragraph starting "[ ]", "[x]" or
 * "[X]" then a space or tab. Anything else that looks like one is returned flagged.
 */
function taskItem(
  inline: Token | undefined,
  line: number,
  source: string,
  lines: LineTable,
): Found | undefined {
  if (inline?.type !== 'inline') return undefined;
  const raw = lineText(source, lines, line);
  const marker = /^\[([ xX])\][ \t]/.exec(inline.content);
  if (marker === null) {
    const box = lookAlikeBox(raw, 'item');
    return box === undefined
      ? undefined
      : flaggedLine(raw, line, lines, describeLookAlike(box, raw));
  }
  const start = lines.starts[line] ?? 0;
  const prefix = LIST_PREFIX.exec(raw)?.[0].length ?? 0;
  if (!/^\[[ xX]\]/.test(raw.slice(prefix)))
    // markdown-it saw a marker this line does not start with: never skip a checkbox silently.
    return flaggedLine(
      raw,
      line,
      lines,
      'looks like a task item, but its box could not be located on the line; rewrite it as "- [ ] text"',
    );

  const directives: ItemDirective[] = [];
  const problems: string[] = [];
  const textParts: string[] = [];
  let struck = 0;
  let wholeTextStruck = true;
  let markerPending = true;
  for (const child of inline.children ?? []) {
    if (child.type === 'html_inline' && child.content.startsWith('<!--')) {
      const parsed = parseItemComment(child.content);
      if (parsed.kind === 'problem') problems.push(parsed.message);
      else if (parsed.kind === 'directive') directives.push(parsed.directive);
      continue;
    }
    if (child.type === 's_open') struck++;
    else if (child.type === 's_close') struck--;
    let piece = childText(child);
    if (markerPending && child.type === 'text') {
      piece = piece.replace(/^\[[ xX]\][ \t]+/, '');
      markerPending = false;
    }
    if (piece.trim() !== '' && struck === 0) wholeTextStruck = false;
    textParts.push(piece);
  }
  const joined = textParts.join('');
  const text = oneLine(joined) || NO_TEXT;
  const hidden = invisibleControls(inline.content);
  // Spelled out before white space is folded, so a hidden separator shows in the item text.
  const base = {
    text: oneLine(revealControls(joined)) || NO_TEXT,
    line: line + 1,
    markerOffset: start + prefix,
  };
  if (hidden.length > 0)
    return {
      ...base,
      ticked: marker[1] !== ' ',
      optional: false,
      notApplicable: false,
      verifiers: [],
      problems,
      flagged: describeControls(hidden),
    };
  const optional = directives.some((d) => d.type === 'optional') || /\(optional\)\s*$/i.test(text);
  const notApplicable =
    directives.some((d) => d.type === 'not-applicable') || (wholeTextStruck && text !== NO_TEXT);
  return {
    ...base,
    ticked: marker[1] !== ' ',
    optional,
    notApplicable,
    verifiers: directives.filter((d) => d.type === 'verify'),
    problems,
  };
}

/** A line that is not a task item but looks like one: it counts, and fails, as a finding. */
function flaggedLine(raw: string, line: number, lines: LineTable, finding: string): Found {
  const prefix = LIST_PREFIX.exec(raw)?.[0].length ?? 0;
  return {
    text: oneLine(revealControls(raw.slice(prefix))) || NO_TEXT,
    line: line + 1,
    markerOffset: (lines.starts[line] ?? 0) + prefix,
    ticked: false,
    optional: false,
    notApplicable: false,
    verifiers: [],
    problems: [],
    flagged: finding,
  };
}

function childText(token: Token): string {
  switch (token.type) {
    case 'text':
    case 'code_inline':
    case 'html_inline':
      return token.content;
    case 'softbreak':
    case 'hardbreak':
      return ' ';
    default:
      return '';
  }
}

function plainText(inline: Token | undefined): string {
  return (inline?.children ?? []).map(childText).join('');
}

/** Collapses white space, including NEL and the Unicode line separators, to single spaces. */
function oneLine(text: string): string {
  return text.replace(/[\s\u0085]+/g, ' ').trim();
}

function lineText(source: string, lines: LineTable, line: number): string {
  return source.slice(lines.starts[line] ?? source.length, lines.ends[line] ?? source.length);
}

/** One pass over the text; CRLF, a lone CR and LF each end a line (CommonMark, markdown-it). */
function lineTable(text: string): LineTable {
  const starts = [0];
  const ends: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code !== 10 && code !== 13) continue;
    ends.push(i);
    if (code === 13 && text.charCodeAt(i + 1) === 10) i++;
    starts.push(i + 1);
  }
  ends.push(text.length);
  return { starts, ends };
}
