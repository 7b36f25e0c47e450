import fc from 'fast-check';
import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { parseChecklist } from '@cutover/checklist';

// Lines a checklist is made of, tricky ones included: nesting, ordered markers, tabs, fences,
// quotes, HTML comments, indented code, lazy continuations, empty boxes and look-alikes.
const word = fc.constantFrom(
  'db',
  'tls ok',
  '~~old~~',
  '`code`',
  '<!-- verify: checks -->',
  'a\tb',
);
const taskLine = fc
  .tuple(
    fc.constantFrom('', ' ', '  ', '   ', '    ', '\t', '  \t'),
    fc.constantFrom('-', '*', '+', '1.', '2)', '10.', '- -', '1. -'),
    fc.constantFrom(' ', '  ', '\t', '    '),
    fc.constantFrom(' ', 'x', 'X'),
    fc.constantFrom(' ', '\t', '  ', ''),
    word,
  )
  .map(
    ([indent, bullet, gap, mark, after, text]) =>
      `${indent}${bullet}${gap}[${mark}]${after}${text}`,
  );
const otherLine = fc.constantFrom(
  '',
  '',
  '# Heading',
  '## Sub',
  'Setext',
  '===',
  'plain paragraph',
  '- plain item',
  '  continued text',
  '```',
  '~~~md',
  '    - [ ] indented code',
  '> - [ ] quoted',
  '> > - [x] deep',
  '>',
  '<!--',
  '-->',
  '<!-- - [ ] one-line comment -->',
  '<details>',
  '</details>',
  '- [ ]',
  '- [x]',
  '-',
  '  [ ] lazy box',
  '- ［x］ fullwidth',
  '- [✓] check',
  '- [х] cyrillic',
  '- [x] zero\u200bwidth',
);
const lineEnding = fc.constantFrom('\n', '\r', '\r\n');
const documents = fc
  .array(fc.tuple(fc.oneof(taskLine, otherLine), lineEnding), { minLength: 1, maxLength: 30 })
  .map((lines) => lines.map(([line, end]) => line + end).join(''));

const markdownIt = new MarkdownIt('commonmark', { html: true });

/** GFM task items as markdown-it's own token stream shows them (outside block quotes). */
function markdownItTaskItems(text: string): { line: number; ticked: boolean }[] {
  const tokens = markdownIt.parse(text, {});
  const found: { line: number; ticked: boolean }[] = [];
  let quotes = 0;
  tokens.forEach((token, index) => {
    if (token.type === 'blockquote_open') quotes++;
    if (token.type === 'blockquote_close') quotes--;
    const paragraph = tokens[index + 1];
    const inline = tokens[index + 2];
    if (token.type !== 'list_item_open' || quotes > 0 || paragraph?.type !== 'paragraph_open')
      return;
    const marker = /^\[([ xX])\][ \t]/.exec(inline?.content ?? '');
    if (marker !== null && paragraph.map !== null)
      found.push({ line: paragraph.map[0] + 1, ticked: marker[1] !== ' ' });
  });
  return found;
}

/** 1-based line of an offset, counting CRLF, CR and LF as CommonMark does. */
const lineOf = (text: string, offset: number) =>
  (text.slice(0, offset).match(/\r\n?|\n/g)?.length ?? 0) + 1;

describe('parseChecklist agrees with markdown-it', () => {
  it('finds every task item markdown-it finds, on the same line, with the same tick', () => {
    fc.assert(
      fc.property(documents, (text) => {
        const items = parseChecklist(text).items;
        const expected = markdownItTaskItems(text);
        const found = items
          .filter((item) => expected.some((e) => e.line === item.line))
          .map(({ line, ticked }) => ({ line, ticked }));
        expect(found).toEqual(expected);
        // Anything else it reports is a flagged look-alike, never a silently counted item.
        for (const item of items)
          if (!expected.some((e) => e.line === item.line)) expect(item.flagged).toBeDefined();
      }),
      { numRuns: 600 },
    );
  });

  it('points each counted marker at "[ ]" or "[x]" on the reported line of the raw text', () => {
    fc.assert(
      fc.property(documents, (text) => {
        for (const item of parseChecklist(text).items) {
          if (item.flagged !== undefined) continue;
          const marker = text.slice(item.markerOffset, item.markerOffset + 3);
          expect(marker).toMatch(item.ticked ? /^\[[xX]\]$/ : /^\[ \]$/);
          expect(lineOf(text, item.markerOffset)).toBe(item.line);
        }
      }),
      { numRuns: 600 },
    );
  });
});
