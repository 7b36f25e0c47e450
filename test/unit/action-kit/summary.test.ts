import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { SUMMARY_LIMIT_BYTES, capSummary, escapeMarkdown, table } from '@cutover/kit';
import { createMemoryKit } from '@cutover/action-kit';

const render = (markdown: string) => new MarkdownIt({ html: true }).render(markdown);

describe('escapeMarkdown', () => {
  it('renders hostile text as literal text: no links, images, HTML or table breaks', () => {
    const hostile =
      '![x](http://evil/img.png) [click](http://evil) <script>alert(1)</script> a|b **bold** `code`\nnext';
    const html = render(table(['Item'], [[escapeMarkdown(hostile)]]));
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<a ');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<strong>');
    expect(html).not.toContain('<code>');
    expect(html.match(/<td>/g)).toHaveLength(1);
    expect(html).toContain('&lt;script&gt;');
  });
});

describe('capSummary', () => {
  it('leaves a summary under the limit untouched', () => {
    expect(capSummary('# hi\n')).toBe('# hi\n');
  });

  it('cuts an oversized summary at a line boundary under 1 MiB and says so', () => {
    const line = `| ${'é'.repeat(50)} |\n`;
    const capped = capSummary(line.repeat(20_000));
    expect(Buffer.byteLength(capped)).toBeLessThanOrEqual(SUMMARY_LIMIT_BYTES);
    expect(capped).toContain('Summary truncated');
    expect(
      capped
        .split('\n')
        .filter((l) => l.startsWith('|'))
        .every((l) => l === line.trimEnd()),
    ).toBe(true);
  });

  it('caps the whole step summary across several appends', async () => {
    const kit = createMemoryKit();
    await kit.appendSummary('x'.repeat(SUMMARY_LIMIT_BYTES - 10) + '\n');
    await kit.appendSummary('y\n'.repeat(100));
    expect(Buffer.byteLength(kit.summary)).toBeLessThanOrEqual(SUMMARY_LIMIT_BYTES);
  });
});

describe('memory kit', () => {
  it('masks secrets in every later log line', () => {
    const kit = createMemoryKit();
    kit.mask('s3cr3t');
    kit.info('token is s3cr3t');
    expect(kit.logs[0]?.message).toBe('token is ***');
  });
});
