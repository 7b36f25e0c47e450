/**
 * An oracle for "would the GitHub runner read this output line as a workflow command?", written
 * independently of the kit's neutraliser. It models actions/runner:
 * - ProcessInvoker reads stdout and stderr with StreamReader.ReadLine (lines end at \n, \r, \r\n);
 * - ActionCommand.TryParseV2 trims leading .NET white space, then `StartsWith("::")`;
 * - ActionCommand.TryParse (legacy) looks for `IndexOf("##[")` anywhere in the line.
 * Both comparisons are culture-sensitive (ICU) in .NET, so zero-width, format and control
 * characters are ignored: `:\u200B:` starts with "::". Intl.Collator uses the same ICU root
 * collation, so it stands in for .NET here. The model is deliberately conservative: it flags a
 * line whether or not the rest of it would parse into a registered command.
 */
const collator = new Intl.Collator('en');

// Char.IsWhiteSpace: the Unicode separators plus U+0009..U+000D and U+0085.
const NET_LEADING_WHITE_SPACE =
  /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

/** The longest run of ignorable characters a test string can contain between two needle chars. */
const WINDOW = 64;

export function runnerLines(output: string): string[] {
  return output.split(/\r\n|\r|\n/);
}

function culturallyStartsWith(text: string, prefix: string): boolean {
  for (let end = 1; end <= Math.min(text.length, WINDOW); end++)
    if (collator.compare(text.slice(0, end), prefix) === 0) return true;
  return false;
}

function culturallyContains(text: string, needle: string): boolean {
  for (let start = 0; start < text.length; start++)
    if (culturallyStartsWith(text.slice(start), needle)) return true;
  return false;
}

/** True when the runner could take this single line as a `::cmd::` or `##[cmd]` command. */
export function isRunnerCommand(line: string): boolean {
  const trimmed = line.replace(NET_LEADING_WHITE_SPACE, '');
  return culturallyStartsWith(trimmed, '::') || culturallyContains(line, '##[');
}

/** Every line of the output the runner could take as a command. */
export function commandLines(output: string): string[] {
  return runnerLines(output).filter(isRunnerCommand);
}

/**
 * The name of a command line the kit itself emits through @actions/core (`::warning title=x::data`),
 * or undefined for any other command-like line.
 */
export function ownCommandName(line: string): string | undefined {
  return /^::(add-mask|debug|notice|warning|error|group|endgroup|set-output)(?: [^:]*)?::/.exec(
    line,
  )?.[1];
}
