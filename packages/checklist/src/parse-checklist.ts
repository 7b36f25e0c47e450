import MarkdownIt from 'markdown-it';
import type Token from 'markdown-it/lib/token.mjs';
import { parseItemComment, type ItemDirective } from './item-directives.js';

/**
 * Task-list items of a GFM document, found on the parsed token tree (not with regexes over the
 * text): items inside code fences, HTML blocks (comments) and block quotes do not count.
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
  /** Item text without the task marker and without directive comments. */
  text: string;
  /** 1-based line of the task marker in the document. */
  line: number;
  /** Offset of "[" of the task marker in the document, for ticking. */
  markerOffset: number;
  ticked: boolean;
  optional: boolean;
  notApplicable: boolean;
  verifiers: ItemDirective[];
  /** Directive comments that could not be understood; each fails the item. */
  problems: string[];
}

export interface ParsedChecklist {
  items: ChecklistItem[];
  /** Every heading in document order, for validating a `sections` filter. */
  headings: string[];
}

export class ChecklistTooLargeError extends Error {}

const NO_SECTION = '(no section)';
const parser = new MarkdownIt('commonmark', { html: true }).enable('strikethrough');

export function parseChecklist(text: string, limits = CHECKLIST_LIMITS): ParsedChecklist {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > limits.maxBytes)
    throw new ChecklistTooLargeError(
      `checklist is ${bytes} bytes; the limit is ${limits.maxBytes} bytes (${limits.maxBytes / 1024} KiB)`,
    );
  const lineStarts = lineStartOffsets(text);
  if (lineStarts.length > limits.maxLines)
    throw new ChecklistTooLargeError(
      `checklist has ${lineStarts.length} lines; the limit is ${limits.maxLines} lines`,
    );

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
    } else if (token.type === 'list_item_open' && quoteDepth === 0) {
      const item = taskItem(tokens, index, text, lineStarts);
      if (item === undefined) continue;
      const headings = headingStack.map((entry) => entry.text);
      items.push({ ...item, headings, section: headings.at(-1) ?? NO_SECTION });
    }
  }
  return { items, headings: allHeadings };
}

/** GFM: a task item is a list item whose first block is a paragraph starting "[ ]", "[x]" or "[X]" then whitespace. */
function taskItem(
  tokens: Token[],
  index: number,
  source: string,
  lineStarts: number[],
): Omit<ChecklistItem, 'headings' | 'section'> | undefined {
  const paragraph = tokens[index + 1];
  const inline = tokens[index + 2];
  if (paragraph?.type !== 'paragraph_open' || inline?.type !== 'inline' || paragraph.map === null)
    return undefined;
  const marker = /^\[([ xX])\][ \t]/.exec(inline.content);
  if (marker === null) return undefined;

  const line = paragraph.map[0];
  const markerOffset = markerOffsetOnLine(source, lineStarts, line);
  if (markerOffset === undefined) return undefined;

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
  const text = textParts.join('').replace(/\s+/g, ' ').trim();
  if (text === '') return undefined;
  const optional = directives.some((d) => d.type === 'optional') || /\(optional\)\s*$/i.test(text);
  const notApplicable = directives.some((d) => d.type === 'not-applicable') || wholeTextStruck;

  return {
    text,
    line: line + 1,
    markerOffset,
    ticked: marker[1] !== ' ',
    optional,
    notApplicable,
    verifiers: directives.filter((d) => d.type === 'verify'),
    problems,
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

/** The "[" of the task marker: the first non-blank on the paragraph's line, after any list bullets. */
function markerOffsetOnLine(
  source: string,
  lineStarts: number[],
  line: number,
): number | undefined {
  const start = lineStarts[line];
  if (start === undefined) return undefined;
  const end = source.indexOf('\n', start);
  const content = source.slice(start, end === -1 ? source.length : end);
  const prefix = /^(?:[ \t]*(?:[-+*]|\d{1,9}[.)])(?=[ \t]))*[ \t]*/.exec(content)?.[0] ?? '';
  const offset = start + prefix.length;
  return /^\[[ xX]\]/.test(source.slice(offset, offset + 3)) ? offset : undefined;
}

function lineStartOffsets(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}
