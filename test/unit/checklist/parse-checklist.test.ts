import { describe, expect, it } from 'vitest';
import { CHECKLIST_LIMITS, ChecklistTooLargeError, parseChecklist } from '@cutover/checklist';

const texts = (markdown: string) => parseChecklist(markdown).items.map((item) => item.text);

describe('parseChecklist', () => {
  it('finds ticked and unticked task items with their line, section and heading path', () => {
    const { items, headings } = parseChecklist(
      [
        '# Guide',
        '',
        '## Infra',
        '- [ ] Cluster ready',
        '- [x] Database ready',
        '* [X] Cache ready',
        '',
        '## Security',
        '1. [ ] TLS valid',
      ].join('\n'),
    );
    expect(headings).toEqual(['Guide', 'Infra', 'Security']);
    expect(
      items.map(({ text, ticked, line, section, headings: path }) => ({
        text,
        ticked,
        line,
        section,
        path,
      })),
    ).toEqual([
      { text: 'Cluster ready', ticked: false, line: 4, section: 'Infra', path: ['Guide', 'Infra'] },
      { text: 'Database ready', ticked: true, line: 5, section: 'Infra', path: ['Guide', 'Infra'] },
      { text: 'Cache ready', ticked: true, line: 6, section: 'Infra', path: ['Guide', 'Infra'] },
      {
        text: 'TLS valid',
        ticked: false,
        line: 9,
        section: 'Security',
        path: ['Guide', 'Security'],
      },
    ]);
  });

  it('ignores items inside code fences, HTML comments and block quotes', () => {
    const markdown = [
      '- [ ] real',
      '```',
      '- [ ] in a fence',
      '```',
      '~~~md',
      '- [x] in a tilde fence',
      '~~~',
      '<!--',
      '- [ ] in a comment',
      '-->',
      '> - [ ] quoted',
      '>',
      '> > - [x] deeply quoted',
      '    - [ ] indented code',
      '- [ ] also real',
    ].join('\n');
    expect(texts(markdown)).toEqual(['real', 'also real']);
  });

  it('does not count list items that are not task items, and flags boxes GitHub would not render', () => {
    const { items } = parseChecklist(
      '- [ ]\n- [ ]no space\n- [y] other\n- plain\n- [link](x)\n- [ ] ok',
    );
    expect(items.filter((i) => i.flagged === undefined).map((i) => i.text)).toEqual(['ok']);
    expect(items.filter((i) => i.flagged !== undefined).map((i) => i.line)).toEqual([1, 2]);
  });

  it('treats an unclosed fence as running to the end of the document', () => {
    expect(texts('- [ ] before\n```\n- [ ] swallowed')).toEqual(['before']);
  });

  it('finds nested items and items whose text continues on the next line', () => {
    const { items } = parseChecklist('- [ ] parent\n  - [x] child\n- [ ] long\n  text continues');
    expect(items.map((i) => [i.text, i.line])).toEqual([
      ['parent', 1],
      ['child', 2],
      ['long text continues', 3],
    ]);
  });

  it('records the offset of each "[ ]" marker, even in nested and ordered lists', () => {
    const markdown = '- [ ] a\n  - [ ] b\n10) [ ] c\n\r\n- [x] d';
    for (const item of parseChecklist(markdown).items)
      expect(markdown.slice(item.markerOffset, item.markerOffset + 3)).toMatch(/^\[[ x]\]$/);
  });

  it('understands optional and not-applicable markers', () => {
    const { items } = parseChecklist(
      [
        '- [ ] a <!-- optional -->',
        '- [ ] b (optional)',
        '- [ ] c <!-- n/a -->',
        '- [ ] ~~d struck~~',
        '- [ ] e ~~partly~~ struck',
      ].join('\n'),
    );
    expect(items.map((i) => [i.text, i.optional, i.notApplicable])).toEqual([
      ['a', true, false],
      ['b (optional)', true, false],
      ['c', false, true],
      ['d struck', false, true],
      ['e partly struck', false, false],
    ]);
  });

  it('reads verifier directives and reports bad ones as item problems', () => {
    const { items } = parseChecklist(
      '- [x] TLS <!-- verify: tls api.example.com min-days=30 -->\n- [ ] Bad <!-- verify: dns example.com -->\n- [ ] Note <!-- just a note -->',
    );
    expect(items[0]?.verifiers).toEqual([
      {
        type: 'verify',
        source: 'tls api.example.com min-days=30',
        spec: { kind: 'tls', host: 'api.example.com', port: 443, minDays: 30 },
      },
    ]);
    expect(items[1]?.problems).toEqual([
      'verifier "dns example.com": unknown verifier "dns"; allowed: tls, http, checks, release-tag',
    ]);
    expect(items[2]?.problems).toEqual([]);
    expect(items[2]?.text).toBe('Note');
  });

  it('uses "(no section)" before the first heading and ignores headings inside quotes', () => {
    const { items } = parseChecklist('- [ ] first\n> # quoted heading\n- [ ] second');
    expect(items.map((i) => i.section)).toEqual(['(no section)', '(no section)']);
  });

  it('refuses a body over the size limit before parsing it', () => {
    const body = 'x'.repeat(5 * 1024 * 1024);
    expect(() => parseChecklist(body)).toThrow(ChecklistTooLargeError);
    expect(() => parseChecklist(body)).toThrow(/5242880 bytes; the limit is 262144 bytes/);
  });

  it('refuses 100k "- [" lines with a size error', () => {
    expect(() => parseChecklist('- [\n'.repeat(100_000))).toThrow(
      /400000 bytes; the limit is 262144 bytes/,
    );
  });

  it('refuses more lines than the line limit even when the bytes fit', () => {
    expect(() => parseChecklist('- [ ]\n'.repeat(30_000))).toThrow(
      /30001 lines; the limit is 20000 lines/,
    );
  });

  it('parses a document at the size limit made of task items with verifiers', () => {
    const line = '- [ ] x <!-- verify: http http://h/ -->\n';
    const lines = Math.min(
      CHECKLIST_LIMITS.maxLines - 1,
      Math.floor(CHECKLIST_LIMITS.maxBytes / line.length),
    );
    const { items } = parseChecklist(line.repeat(lines));
    expect(items).toHaveLength(lines);
  });

  it('counts the seed NextEvent pre-deployment checklist: 23 items in 4 sections', async () => {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(
      new URL('../../../examples/checklists/nextevent-pre-deployment.md', import.meta.url),
      'utf8',
    );
    const { items } = parseChecklist(text);
    const sections = new Set(items.map((i) => i.section));
    expect(items).toHaveLength(23);
    expect([...sections]).toEqual([
      'Infrastructure Requirements',
      'Security Requirements',
      'Performance Requirements',
      'Monitoring and Alerting',
    ]);
  });
});
