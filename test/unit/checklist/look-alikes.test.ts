import { describe, expect, it } from 'vitest';
import { evaluateChecklist, parseChecklist } from '@cutover/checklist';

const matching = (pattern: RegExp): string => expect.stringMatching(pattern) as string;
const flagged = (markdown: string) =>
  parseChecklist(markdown)
    .items.filter((item) => item.flagged !== undefined)
    .map((item) => ({ line: item.line, flagged: item.flagged ?? '' }));
const counted = (markdown: string) =>
  parseChecklist(markdown)
    .items.filter((item) => item.flagged === undefined)
    .map((item) => item.text);

describe('parseChecklist flags look-alike checkboxes instead of skipping them', () => {
  const lookAlikes: [string, string][] = [
    ['fullwidth brackets', '- ［x］ Database ready'],
    ['fullwidth brackets, unticked', '- ［ ］ Database ready'],
    ['lenticular brackets', '- 【 】 Database ready'],
    ['Cyrillic х', '- [х] Database ready'],
    ['Cyrillic Х', '- [Х] Database ready'],
    ['Greek χ', '- [χ] Database ready'],
    ['multiplication sign', '- [×] Database ready'],
    ['check mark', '- [✓] Database ready'],
    ['heavy check mark', '- [✔] Database ready'],
    ['heavy check mark with variation selector', '- [✔️] Database ready'],
    ['ballot x', '- [✗] Database ready'],
    ['x then a space', '- [X ] Database ready'],
    ['a space then x', '- [ x] Database ready'],
    ['two spaces', '- [  ] Database ready'],
    ['no-break space', '- [\u00a0] Database ready'],
    ['ideographic space', '- [\u3000] Database ready'],
    ['empty brackets', '- [] Database ready'],
    ['no space after the box', '- [ ]Database ready'],
    ['a box and no text', '- [ ]'],
    ['a ballot box glyph', '- ☐ Database ready'],
    ['a checked ballot box glyph', '- ☑ Database ready'],
    ['a check-box emoji', '- ✅ Database ready'],
    ['a bullet that is not a list marker', '• [ ] Database ready'],
    ['an en dash that is not a list marker', '– [x] Database ready'],
  ];
  for (const [name, line] of lookAlikes)
    it(`flags ${name}: ${JSON.stringify(line)}`, () => {
      const markdown = `## Infra\n- [x] Cluster\n\n${line}\n`;
      expect(counted(markdown)).toEqual(['Cluster']);
      expect(flagged(markdown)).toEqual([
        { line: 4, flagged: matching(/looks like a task item but is not one/) },
      ]);
    });

  it('names the characters that make a box a look-alike', () => {
    expect(flagged('- ［x］ a')[0]?.flagged).toContain('U+FF3B');
    expect(flagged('- [х] a')[0]?.flagged).toContain('U+0445');
    expect(flagged('- [✓] a')[0]?.flagged).toContain('U+2713');
  });

  it('flags a box on a line that Markdown folds into the text of the item above', () => {
    // A list starting at 10 cannot interrupt a paragraph, so "10. [ ] b" is text.
    expect(flagged('Steps to run:\n10. [ ] b\n').map((f) => f.line)).toEqual([2]);
    expect(flagged('- [x] a\n  [ ] b\n- [x] c').map((f) => f.line)).toEqual([2]);
    expect(flagged('Steps:\n[ ] deploy\n').map((f) => f.line)).toEqual([2]);
    expect(flagged('- [x] a\n\n  [ ] second paragraph\n').map((f) => f.line)).toEqual([3]);
  });

  it('keeps the section of a flagged line, and gives it no verifiers to run', () => {
    const item = parseChecklist(
      '## Security\n- [✓] TLS <!-- verify: http https://evil.example/ -->',
    ).items[0];
    expect(item).toMatchObject({ section: 'Security', line: 2, verifiers: [], ticked: false });
  });

  it('does not flag links, footnote-like brackets or items it cannot see', () => {
    const markdown = [
      '- [link](https://example.com) text',
      '- [x](https://example.com) link named x',
      '- [y] other',
      '- [1] reference',
      '- plain item',
      '```',
      '- [✓] in a fence',
      '```',
      '> - ［x］ quoted',
      '<!--',
      '- [х] in a comment',
      '-->',
      '    [ ] indented code',
      '- [ ] real',
    ].join('\n');
    expect(flagged(markdown)).toEqual([]);
    expect(counted(markdown)).toEqual(['real']);
  });

  it('counts a real item whose only text is a directive instead of skipping it', () => {
    const { items } = parseChecklist('- [ ] <!-- verify: checks -->\n- [x] done');
    expect(items.map((i) => [i.text, i.ticked, i.flagged])).toEqual([
      ['(no text)', false, undefined],
      ['done', true, undefined],
    ]);
  });
});

describe('parseChecklist flags invisible and bidirectional controls in item lines', () => {
  const controls: [string, string][] = [
    ['ZERO WIDTH SPACE', '\u200b'],
    ['ZERO WIDTH NON-JOINER', '\u200c'],
    ['ZERO WIDTH JOINER', '\u200d'],
    ['LEFT-TO-RIGHT MARK', '\u200e'],
    ['RIGHT-TO-LEFT MARK', '\u200f'],
    ['LEFT-TO-RIGHT EMBEDDING', '\u202a'],
    ['RIGHT-TO-LEFT OVERRIDE', '\u202e'],
    ['LEFT-TO-RIGHT ISOLATE', '\u2066'],
    ['POP DIRECTIONAL ISOLATE', '\u2069'],
    ['ZERO WIDTH NO-BREAK SPACE', '\ufeff'],
    ['SOFT HYPHEN', '\u00ad'],
  ];
  for (const [name, char] of controls) {
    it(`flags ${name} inside the text of a real item`, () => {
      const result = flagged(`- [x] Data${char}base ready`);
      expect(result).toEqual([{ line: 1, flagged: matching(new RegExp(name)) }]);
    });
    it(`flags ${name} before or inside the box`, () => {
      expect(flagged(`- ${char}[ ] a`)).toHaveLength(1);
      expect(flagged(`- [${char}x] a`)).toHaveLength(1);
      expect(flagged(`- [x]${char} a`)).toHaveLength(1);
    });
  }

  it('shows the hidden characters in the item text instead of printing them', () => {
    const item = parseChecklist('- [x] safe\u202eexe.sh').items[0];
    expect(item?.text).toBe('safe{U+202E}exe.sh');
    expect(item?.text).not.toMatch(/[\u202e]/);
  });

  it('flags a control in a directive comment of the item', () => {
    expect(flagged('- [x] ok <!-- verify: http https://a.example/\u202e -->')).toHaveLength(1);
  });
});

describe('evaluateChecklist with flagged lines', () => {
  it('fails the gate on a flagged line even when every real item is ticked', () => {
    const verdict = evaluateChecklist(
      parseChecklist('## Infra\n- [x] Cluster\n- ［ ］ Database\n').items.map((item) => ({
        item,
        origin: 'doc',
        outcomes: [],
        tickedByTool: false,
      })),
    );
    expect(verdict.complete).toBe(false);
    expect(verdict.results.map((r) => r.status)).toEqual(['done', 'flagged']);
    expect(verdict.missing).toEqual([
      {
        section: 'Infra',
        text: '［ ］ Database',
        line: 3,
        origin: 'doc',
        reason: matching(/looks like a task item but is not one/),
      },
    ]);
  });

  it('fails a flagged line even when it is marked optional or not applicable', () => {
    const verdict = evaluateChecklist(
      parseChecklist(
        '- [x] a\n- [x] b\u200b <!-- optional -->\n- [x] c\u202e <!-- n/a -->',
      ).items.map((item) => ({ item, origin: 'doc', outcomes: [], tickedByTool: false })),
    );
    expect(verdict.results.map((r) => r.status)).toEqual(['done', 'flagged', 'flagged']);
    expect(verdict.complete).toBe(false);
  });
});
