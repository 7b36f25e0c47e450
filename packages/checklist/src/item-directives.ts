/**
 * Directives a checklist item carries in an HTML comment, invisible when GitHub renders it:
 *
 *   <!-- optional -->                               not required for completeness
 *   <!-- n/a -->                                    not applicable (also: the whole text struck through)
 *   <!-- verify: tls api.example.com min-days=30 --> certificate valid and trusted for 30 more days
 *   <!-- verify: http https://host/health status=200 -->
 *   <!-- verify: checks ignore=lint,docs -->        every check run on the commit succeeded
 *   <!-- verify: release-tag -->                     the run's ref is a tag vMAJOR.MINOR.PATCH (or pattern=GLOB)
 *
 * Any other comment is an ordinary comment and ignored.
 */

export type VerifierSpec =
  | { kind: 'tls'; host: string; port: number; minDays: number }
  | { kind: 'http'; url: string; statuses: StatusRange[]; timeoutMs: number }
  | { kind: 'checks'; ignore: string[] }
  | { kind: 'release-tag'; pattern: string };

export interface StatusRange {
  min: number;
  max: number;
}

export type ItemDirective =
  | { type: 'optional' }
  | { type: 'not-applicable' }
  | { type: 'verify'; spec: VerifierSpec; source: string };

export type ParsedComment =
  | { kind: 'directive'; directive: ItemDirective }
  | { kind: 'problem'; message: string }
  | { kind: 'comment' };

export const VERIFIER_KINDS = ['tls', 'http', 'checks', 'release-tag'] as const;
export const DEFAULT_TLS_MIN_DAYS = 14;
export const DEFAULT_RELEASE_TAG_PATTERN = 'semver';

export function parseItemComment(html: string): ParsedComment {
  const body = html.replace(/^<!--/, '').replace(/-->$/, '').trim();
  const lower = body.toLowerCase();
  if (lower === 'optional') return { kind: 'directive', directive: { type: 'optional' } };
  if (lower === 'n/a' || lower === 'not applicable')
    return { kind: 'directive', directive: { type: 'not-applicable' } };
  const verify = /^verify\s*:\s*(.*)$/is.exec(body);
  if (verify === null) return { kind: 'comment' };
  // One line: the source is echoed in logs and annotations, and a comment may span lines.
  const source = (verify[1] ?? '').replace(/[\s\u0085]+/g, ' ').trim();
  const result = parseVerifier(source);
  return typeof result === 'string'
    ? { kind: 'problem', message: `verifier "${source}": ${result}` }
    : { kind: 'directive', directive: { type: 'verify', spec: result, source } };
}

/** Returns the spec, or a message saying what is wrong and what is allowed. */
export function parseVerifier(source: string): VerifierSpec | string {
  const [kind = '', ...words] = source.split(/\s+/).filter((w) => w !== '');
  const positional = words.filter((w) => !w.includes('='));
  const named = new Map<string, string>();
  for (const word of words.filter((w) => w.includes('='))) {
    const at = word.indexOf('=');
    named.set(word.slice(0, at).toLowerCase(), word.slice(at + 1));
  }
  const unknown = (allowed: string[]) => {
    const extra = [...named.keys()].filter((key) => !allowed.includes(key));
    return extra.length > 0
      ? `unknown option ${extra.join(', ')}; allowed: ${allowed.join(', ') || 'none'}`
      : undefined;
  };
  // Each kind takes at most one positional word, and none when its key=value form is used: a
  // word it would ignore ("http URL 500") must fail the item, not pass it on the default.
  const extraWords = (key: string | undefined, usage: string) => {
    const used = key !== undefined && !named.has(key) ? 1 : 0;
    const extra = positional.slice(used);
    return extra.length > 0
      ? `unknown ${extra.length === 1 ? 'argument' : 'arguments'} ${extra.map((w) => `"${w}"`).join(', ')}; expected ${usage}`
      : undefined;
  };

  switch (kind.toLowerCase()) {
    case 'tls': {
      const extra = extraWords('host', `tls HOST[:PORT] [min-days=${DEFAULT_TLS_MIN_DAYS}]`);
      if (extra !== undefined) return extra;
      const target = named.get('host') ?? positional[0];
      if (target === undefined) return 'expected a host, like "tls api.example.com min-days=30"';
      const parsed = /^([A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(target);
      if (parsed === null) return `expected a host name with an optional :port, got "${target}"`;
      const port = parsed[2] === undefined ? 443 : Number(parsed[2]);
      if (port < 1 || port > 65535) return `port must be 1-65535, got ${port}`;
      const minDays = named.has('min-days') ? Number(named.get('min-days')) : DEFAULT_TLS_MIN_DAYS;
      if (!Number.isInteger(minDays) || minDays < 0 || minDays > 3650)
        return `min-days must be a whole number of days from 0 to 3650, got "${named.get('min-days') ?? ''}"`;
      return unknown(['host', 'min-days']) ?? { kind: 'tls', host: parsed[1] ?? '', port, minDays };
    }
    case 'http': {
      const extra = extraWords('url', 'http URL [status=200-299] [timeout=10s]');
      if (extra !== undefined) return extra;
      const url = named.get('url') ?? positional[0];
      if (url === undefined)
        return 'expected a URL, like "http https://example.com/health status=200"';
      let parsedUrl: URL;
      try {
        parsedUrl = new URL(url);
      } catch {
        return `expected an absolute http(s) URL, got "${url}"`;
      }
      if (parsedUrl.protocol !== 'http:' && parsedUrl.protocol !== 'https:')
        return `expected an http or https URL, got "${url}"`;
      const statuses = parseStatuses(named.get('status') ?? '200-299');
      if (typeof statuses === 'string') return statuses;
      const timeout = named.get('timeout') ?? '10';
      const timeoutSeconds = Number(timeout.replace(/s$/, ''));
      if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0 || timeoutSeconds > 120)
        return `timeout must be 1-120 seconds, like "timeout=10s", got "${timeout}"`;
      return (
        unknown(['url', 'status', 'timeout']) ?? {
          kind: 'http',
          url,
          statuses,
          timeoutMs: timeoutSeconds * 1000,
        }
      );
    }
    case 'checks': {
      const extra = extraWords(undefined, 'checks [ignore=name,name]');
      if (extra !== undefined) return extra;
      const ignore = (named.get('ignore') ?? '').split(',').filter((name) => name !== '');
      return unknown(['ignore']) ?? { kind: 'checks', ignore };
    }
    case 'release-tag': {
      const extra = extraWords('pattern', 'release-tag [pattern=GLOB]');
      if (extra !== undefined) return extra;
      const pattern = named.get('pattern') ?? positional[0] ?? DEFAULT_RELEASE_TAG_PATTERN;
      return unknown(['pattern']) ?? { kind: 'release-tag', pattern };
    }
    default:
      return `unknown verifier "${kind}"; allowed: ${VERIFIER_KINDS.join(', ')}`;
  }
}

/** "200", "2xx", "200-299", "200,204,301" */
function parseStatuses(text: string): StatusRange[] | string {
  const ranges: StatusRange[] = [];
  for (const part of text.split(',')) {
    const single = /^([1-5])(\d\d|xx)$/i.exec(part);
    const range = /^(\d{3})-(\d{3})$/.exec(part);
    if (single !== null) {
      const wildcard = single[2]?.toLowerCase() === 'xx';
      const base = Number(single[1]) * 100;
      ranges.push(
        wildcard ? { min: base, max: base + 99 } : { min: Number(part), max: Number(part) },
      );
    } else if (range !== null && Number(range[1]) <= Number(range[2])) {
      ranges.push({ min: Number(range[1]), max: Number(range[2]) });
    } else {
      return `status must look like 200, 2xx, 200-299 or 200,301, got "${text}"`;
    }
  }
  return ranges;
}
