/**
 * Terminal output: aligned columns instead of markdown tables, and text from outside (plan
 * names, run ids, provider errors) stripped of control characters so it cannot move the
 * cursor, recolour the terminal or fake a line.
 */

/** Replaces control characters (ANSI escapes, carriage returns, newlines) with a visible mark. */
export function plain(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '�');
}

/** Columns padded to their widest cell, two spaces apart, indented by two; no trailing spaces. */
export function columns(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [headers, ...rows].map((row) => row.map(plain));
  const widths = headers.map((_, i) => Math.max(...all.map((row) => width(row[i] ?? ''))));
  return all
    .map((row) =>
      `  ${row.map((cell, i) => cell + ' '.repeat((widths[i] ?? 0) - width(cell))).join('  ')}`.trimEnd(),
    )
    .join('\n');
}

/** Display width, one column per code point (the cells here are ASCII, arrows and ·). */
function width(text: string): number {
  return Array.from(text).length;
}
