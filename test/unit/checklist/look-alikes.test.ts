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

  it('asks to remove "the character" or "the characters", never "the character(s)"', () => {
    expect(flagged('- [x] a\u200bb')[0]?.flagged).toMatch(/Remove the character$/);
    expect(flagged('- [x] a\u200bb\u202e')[0]?.flagged).toMatch(/Remove the characters$/);
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

describe('parseChecklist classifies look-alike boxes by Unicode properties, not by a fixed list', () => {
  const gate = (markdown: string) =>
    evaluateChecklist(
      parseChecklist(markdown).items.map((item) => ({
        item,
        origin: 'doc',
        outcomes: [],
        tickedByTool: false,
      })),
    );
  const lookAlikes: [string, string][] = [
    // blank-rendering characters inside ASCII brackets
    ['U+2800 braille blank', '- [\u2800] Database'],
    ['U+3164 Hangul filler', '- [\u3164] Database'],
    ['U+FFA0 halfwidth Hangul filler', '- [\uFFA0] Database'],
    ['U+115F Hangul choseong filler', '- [\u115F] Database'],
    ['U+1680 ogham space mark', '- [\u1680] Database'],
    ['a combining mark on a space', '- [ \u0338] Database'],
    ['a lone combining mark', '- [\u20DD] Database'],
    ['a format control alone', '- [\u2060] Database'],
    ['a variation selector alone', '- [\uFE0E] Database'],
    ['U+2012 figure dash', '- [\u2012] Database'],
    ['an ASCII hyphen', '- [-] Database'],
    ['an em dash', '- [—] Database'],
    // x-like and check-like characters
    ['mathematical bold x', '- [\u{1D431}] Database'],
    ['circled x', '- [ⓧ] Database'],
    ['saltire', '- [☓] Database'],
    ['vector cross product', '- [⨯] Database'],
    ['a ballot box with check', '- [🗹] Database'],
    ['a black square', '- [■] Database'],
    // other opening/closing punctuation pairs
    ['square brackets with quill', '- ⁅ ⁆ Database'],
    ['white square brackets', '- 〚 〛 Database'],
    ['light tortoise shell brackets', '- ❲ ❳ Database'],
    ['small tortoise shell brackets', '- ﹝ ﹞ Database'],
    ['square brackets with underbar', '- ⦋ ⦌ Database'],
    ['ceiling brackets, ticked', '- ⌈x⌉ Database'],
    ['parentheses with a space (a radio button)', '- ( ) Database'],
    ['parentheses with an x', '- (x) Database'],
    ['braces with a space', '- { } Database'],
    ['mixed pair', '- [ 〛 Database'],
    ['corner symbols', '- ⌜ ⌟ Database'],
    // a box glyph on its own
    ['white square with rounded corners', '- ▢ Database'],
    ['medium white square', '- ◻ Database'],
    ['shadowed white square', '- ❏ Database'],
    ['white square with upper left quadrant', '- ◰ Database'],
    ['large green square', '- 🟩 Database'],
    ['X in a rectangle box', '- ⌧ Database'],
    ['APL quad', '- ⎕ Database'],
    ['ballot box with bold check', '- 🗹 Database'],
    // a dash that is not a list marker, as a bullet
    ['a figure dash bullet', '‒ [ ] Database'],
    // blank-rendering characters between the list marker and the box
    ['a Hangul filler before the box', '- \u3164[ ] Database'],
    ['a braille blank before the box', '- \u2800[x] Database'],
  ];
  for (const [name, line] of lookAlikes)
    it(`fails the gate on ${name}: ${JSON.stringify(line)}`, () => {
      const markdown = `## Infra\n- [x] Cluster\n\n${line}\n`;
      expect(counted(markdown)).toEqual(['Cluster']);
      expect(flagged(markdown)).toEqual([
        { line: 4, flagged: matching(/looks like a task item but is not one/) },
      ]);
      expect(gate(markdown).complete).toBe(false);
    });

  it('flags a look-alike on a paragraph line that continues a ticked item', () => {
    expect(flagged('- [x] a\n  〚 〛 b\n').map((f) => f.line)).toEqual([2]);
    expect(flagged('Steps:\n▢ deploy\n').map((f) => f.line)).toEqual([2]);
  });

  it('names the code points of the box', () => {
    expect(flagged('- [\u2800] a')[0]?.flagged).toContain('U+2800');
    expect(flagged('- ⁅ ⁆ a')[0]?.flagged).toContain('U+2045');
    expect(flagged('- ▢ a')[0]?.flagged).toContain('U+25A2');
  });

  it('leaves prose, links, references and emoji bullets alone', () => {
    const markdown = [
      '- [link](https://example.com) text',
      '- [x](https://example.com) link named x',
      '- [y] other',
      '- [1] reference',
      '- [TODO] later',
      '- [ok] fine',
      '- [*] star',
      '- (see below) text',
      '- (1) first',
      '- () => void',
      '- {name} placeholder',
      '- ⚠️ Warning: read this',
      '- ✨ New feature',
      '- ★ Highlight',
      '- ● bullet',
      '- → next',
      '- x marks the spot',
      '- plain item',
      'A paragraph (with brackets) and [1] reference.',
      'Use x (the input) here',
      '[ ]is not a box without a blank after it',
      '- [ ] real',
    ].join('\n');
    expect(flagged(markdown)).toEqual([]);
    expect(counted(markdown)).toEqual(['real']);
  });
});
