/**
 * Text bound for the runner's log must never be read as a workflow command. The runner
 * (actions/runner ActionCommand.TryParseV2 / TryParse) reads every stdout and stderr line
 * (split at \n, \r or \r\n) and takes it as a command when, after trimming leading white space,
 * it starts with "::", or when it contains the legacy "##[" anywhere. Both checks are
 * culture-sensitive .NET comparisons (ICU), which ignore zero-width, format and control
 * characters, so ":\u200B:error::" and "#\u200B#[" count too.
 *
 * Every line that could be a command is rewritten: its invisible characters are dropped (they
 * only serve to hide), each "##[" becomes "## [", and a line that still starts with "::" is led
 * by "> ". Every other line is left byte for byte. Stateless per line, so unlike a
 * `::stop-commands::` wrapper it survives a crash mid-message, interleaved stderr and the log
 * viewer's own "##[group]" markers, and a test can assert on the exact text.
 */

// Lines as the runner splits them, plus NEL and the Unicode separators, which some viewers break on.
const LINE_BREAK = /(\r\n|[\n\r\u0085\u2028\u2029])/;
// Everything ICU ignores in a comparison: controls (but tab), format characters, default ignorables.
const INVISIBLE = /(?!\t)[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;
// JS \s covers .NET Char.IsWhiteSpace except U+0085, which INVISIBLE removes first.
const LEADING_SPACE = /^\s+/u;

export const INERT_LEAD = '> ';

function skeleton(line: string): string {
  return line.replace(INVISIBLE, '').replace(LEADING_SPACE, '');
}

/** True when the runner could read this single line as a `::command::` or `##[command]`. */
export function isCommandLike(line: string): boolean {
  const visible = skeleton(line);
  return visible.startsWith('::') || visible.includes('##[');
}

function inert(line: string): string {
  const visible = line.replace(INVISIBLE, '').replaceAll('##[', '## [');
  return skeleton(visible).startsWith('::') ? `${INERT_LEAD}${visible}` : visible;
}

/** The text with every line the runner could take as a command made inert. */
export function neutraliseCommands(text: string): string {
  const parts = text.split(LINE_BREAK);
  // split() with a capture group puts the line breaks at odd indexes.
  for (let index = 0; index < parts.length; index += 2) {
    const line = parts[index] ?? '';
    if (isCommandLike(line)) parts[index] = inert(line);
  }
  return parts.join('');
}
