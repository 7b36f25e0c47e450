/**
 * Credentials inside URLs (`https://user:pass@host`) must never reach a log line, an annotation,
 * an output or a summary. These helpers find them in any text so every printer can scrub.
 */

// scheme://userinfo@host: the authority ends at "/", "?", "#", whitespace or a quote, and the
// userinfo at its last "@" (a password may itself hold an unencoded "@").
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#"'<>]+)@/gi;

/** The text with the userinfo of every URL replaced by `***`. */
export function redactUrls(text: string): string {
  return text.replace(USERINFO, (_match, scheme: string) => `${scheme}***@`);
}

/**
 * The secrets inside a URL's userinfo (the whole userinfo, the password, and both decoded),
 * for masking the moment the URL is read.
 */
export function urlCredentials(text: string): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(USERINFO)) {
    const userinfo = match[2] ?? '';
    const colon = userinfo.indexOf(':');
    const parts = [userinfo, colon >= 0 ? userinfo.slice(colon + 1) : ''];
    for (const part of parts) {
      if (part === '') continue;
      found.add(part);
      try {
        found.add(decodeURIComponent(part));
      } catch {
        // Not valid percent-encoding: the raw form is already masked.
      }
    }
  }
  return [...found];
}

/**
 * The values to register as masks for one secret: the whole, and each of its lines (trimmed
 * too), because the runner masks line by line and a multi-line value is printed across lines.
 * Blank lines are skipped: masking white space would garble every log line.
 */
export function maskValues(secret: string): string[] {
  const values = new Set<string>();
  if (secret.trim() !== '') values.add(secret);
  for (const line of secret.split(/\r\n|[\n\r\u0085\u2028\u2029]/)) {
    if (line.trim() === '') continue;
    values.add(line);
    values.add(line.trim());
  }
  return [...values];
}
