/**
 * Job-summary markdown built from untrusted text (issue bodies, item text). Everything that
 * came from a user goes through escapeMarkdown so it cannot inject links, images, HTML or
 * break a table.
 */

/** GitHub refuses step summaries over 1 MiB. */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024;

export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]()!|~#]/g, (char) => `\\${char}`);
}

export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

export function heading(level: 1 | 2 | 3 | 4, text: string): string {
  return `${'#'.repeat(level)} ${text}`;
}

export function details(summaryText: string, body: string): string {
  return `<details><summary>${summaryText}</summary>\n\n${body}\n\n</details>`;
}

/** Cuts at a line boundary below the byte limit and says so, instead of losing the whole summary. */
export function capSummary(markdown: string, limitBytes = SUMMARY_LIMIT_BYTES): string {
  if (Buffer.byteLength(markdown, 'utf8') <= limitBytes) return markdown;
  const notice =
    '\n\n> [!WARNING]\n> Summary truncated: it exceeded the 1 MiB job-summary limit. The full list is in the log.\n';
  const budget = limitBytes - Buffer.byteLength(notice, 'utf8');
  let kept = Buffer.from(markdown, 'utf8').subarray(0, budget).toString('utf8');
  // A cut may split a multi-byte character or a line; drop back to the last whole line.
  kept = kept.slice(0, Math.max(0, kept.lastIndexOf('\n')));
  return kept + notice;
}
