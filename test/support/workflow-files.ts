import { readFileSync } from 'node:fs';

/**
 * The runner's file commands (GITHUB_OUTPUT, GITHUB_ENV): `name=value` lines, or
 * `name<<DELIMITER`, the value's lines, then `DELIMITER` alone on a line.
 */
export function parseFileCommands(text: string, file: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').replace(/\r$/, '');
    if (line === '') continue;
    const heredoc = /^([^=]+?)<<(.+)$/.exec(line);
    const equals = line.indexOf('=');
    if (heredoc !== null && (equals === -1 || equals > line.indexOf('<<'))) {
      const [, name = '', delimiter = ''] = heredoc;
      const body: string[] = [];
      for (i++; i < lines.length && (lines[i] ?? '').replace(/\r$/, '') !== delimiter; i++)
        body.push((lines[i] ?? '').replace(/\r$/, ''));
      if (i >= lines.length)
        throw new Error(`${file}: no closing delimiter "${delimiter}" for "${name}"`);
      values[name] = body.join('\n');
      continue;
    }
    if (equals <= 0) throw new Error(`${file}: invalid line ${JSON.stringify(line)}`);
    values[line.slice(0, equals)] = line.slice(equals + 1);
  }
  return values;
}

export function readFileCommands(path: string): Record<string, string> {
  return parseFileCommands(readFileSync(path, 'utf8'), path);
}

/** Annotations a step printed (`::error title=…::message`), as the runner would show them. */
export function parseAnnotations(
  stdout: string,
): { level: 'error' | 'warning' | 'notice'; message: string }[] {
  const found: { level: 'error' | 'warning' | 'notice'; message: string }[] = [];
  for (const line of stdout.split('\n')) {
    const match = /^::(error|warning|notice)(?: [^:]*)?::(.*)$/.exec(line.trimEnd());
    if (match !== null)
      found.push({
        level: match[1] as 'error' | 'warning' | 'notice',
        message: (match[2] ?? '')
          .replaceAll('%0A', '\n')
          .replaceAll('%0D', '\r')
          .replaceAll('%25', '%'),
      });
  }
  return found;
}
