import { describe, expect, it } from 'vitest';
import { ChecklistTooLargeError, parseChecklist, tickItems } from '@cutover/checklist';

const summary = (markdown: string) =>
  parseChecklist(markdown).items.map(({ text, line, ticked }) => ({ text, line, ticked }));

describe('parseChecklist line endings (CommonMark: LF, CRLF and a lone CR)', () => {
  it('reads a lone CR as a line ending: "- [x] a\\r- [ ] c" is two items, one unticked', () => {
    expect(summary('- [x] a\r- [ ] c')).toEqual([
      { text: 'a', line: 1, ticked: true },
      { text: 'c', line: 2, ticked: false },
    ]);
  });

  it('numbers lines the same whatever mix of LF, CR and CRLF separates them', () => {
    const lines = [
      '# T',
      '',
      '- [ ] one',
      '```',
      '- [ ] fenced',
      '```',
      '- [x] two',
      '- [ ] three',
    ];
    const endings = ['\r', '\r\n', '\n', '\r', '\n', '\r\n', '\r'];
    const text = lines.map((line, i) => line + (endings[i] ?? '')).join('');
    expect(summary(text)).toEqual([
      { text: 'one', line: 3, ticked: false },
      { text: 'two', line: 7, ticked: true },
      { text: 'three', line: 8, ticked: false },
    ]);
  });

  it('points every marker offset at its "[" in CR-only and mixed documents', () => {
    const text = '- [ ] a\r  - [x] b\r\n10) [ ] c\r\r- [X] d\n\t- [ ] e';
    const items = parseChecklist(text).items;
    expect(items.map((i) => i.text)).toEqual(['a', 'b', 'c', 'd', 'e']);
    for (const item of items)
      expect(text.slice(item.markerOffset, item.markerOffset + 3)).toMatch(/^\[[ xX]\]$/);
  });

  it('ticks the right item in a CR-only document', () => {
    const text = '- [x] a\r- [ ] b\r- [ ] c\r';
    const items = parseChecklist(text).items.filter((i) => i.text === 'c');
    expect(tickItems(text, items)).toBe('- [x] a\r- [ ] b\r- [x] c\r');
  });

  it('ends a fence and a block quote at a lone CR, as markdown-it does', () => {
    expect(summary('```\r- [ ] fenced\r```\r> quoted\r\r- [ ] real').map((i) => i.text)).toEqual([
      'real',
    ]);
  });

  it('counts CR-separated lines against the line limit', () => {
    expect(() => parseChecklist('- [ ] a\r'.repeat(30_000))).toThrow(ChecklistTooLargeError);
    expect(() => parseChecklist('- [ ] a\r'.repeat(30_000))).toThrow(/30001 lines/);
  });
});

describe('parseChecklist with Unicode and control line separators (not line endings in CommonMark)', () => {
  const separators: [string, string][] = [
    ['U+2028 LINE SEPARATOR', '\u2028'],
    ['U+2029 PARAGRAPH SEPARATOR', '\u2029'],
    ['U+0085 NEXT LINE', '\u0085'],
    ['U+000B LINE TABULATION (VT)', '\u000B'],
    ['U+000C FORM FEED (FF)', '\u000C'],
  ];
  const counted = (markdown: string) =>
    parseChecklist(markdown).items.filter((item) => item.flagged === undefined);
  const flaggedLines = (markdown: string) =>
    parseChecklist(markdown)
      .items.filter((item) => item.flagged !== undefined)
      .map((item) => item.line);

  for (const [name, sep] of separators) {
    it(`never lets an unticked box hide inside a ticked item behind ${name}`, () => {
      const markdown = `- [x] ok${sep}- [ ] after\n`;
      expect(counted(markdown)).toEqual([]);
      expect(flaggedLines(markdown)).toEqual([1]);
      expect(parseChecklist(markdown).items[0]?.flagged).toContain(name.split(' ')[0]);
    });

    it(`flags a box hidden behind ${name} in a list item or paragraph that is not a task`, () => {
      expect(flaggedLines(`- [x] real\n- plain${sep}- [ ] after\n`)).toEqual([2]);
      expect(flaggedLines(`- [x] real\n\nIntro${sep}[ ] after\n`)).toEqual([3]);
      expect(flaggedLines(`- [x] real\n\nIntro${sep}- ［ ］ after\n`)).toEqual([3]);
    });

    it(`flags a ticked item whose text contains ${name}, whatever follows it`, () => {
      expect(flaggedLines(`- [x] ok${sep}done\n`)).toEqual([1]);
    });
  }
});
