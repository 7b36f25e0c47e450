import { describe, expect, it } from 'vitest';
import { parseItemComment, parseVerifier } from '@cutover/checklist';

describe('parseVerifier', () => {
  it.each([
    ['tls api.example.com', { kind: 'tls', host: 'api.example.com', port: 443, minDays: 14 }],
    [
      'tls host=db.internal:8443 min-days=0',
      { kind: 'tls', host: 'db.internal', port: 8443, minDays: 0 },
    ],
    [
      'http https://x.test/health',
      {
        kind: 'http',
        url: 'https://x.test/health',
        statuses: [{ min: 200, max: 299 }],
        timeoutMs: 10_000,
      },
    ],
    [
      'http url=http://x.test/ status=2xx,301 timeout=3s',
      {
        kind: 'http',
        url: 'http://x.test/',
        statuses: [
          { min: 200, max: 299 },
          { min: 301, max: 301 },
        ],
        timeoutMs: 3000,
      },
    ],
    ['checks', { kind: 'checks', ignore: [] }],
    ['checks ignore=lint,docs', { kind: 'checks', ignore: ['lint', 'docs'] }],
    ['release-tag', { kind: 'release-tag', pattern: 'semver' }],
    ['release-tag pattern=release-*', { kind: 'release-tag', pattern: 'release-*' }],
  ])('parses "%s"', (source, spec) => {
    expect(parseVerifier(source)).toEqual(spec);
  });

  it.each([
    ['tls', 'expected a host'],
    ['tls a.test min-days=-1', 'min-days must be a whole number of days from 0 to 3650, got "-1"'],
    ['tls a.test:99999', 'port must be 1-65535, got 99999'],
    ['tls a.test colour=red', 'unknown option colour; allowed: host, min-days'],
    ['http ftp://x.test/', 'expected an http or https URL, got "ftp://x.test/"'],
    ['http not-a-url', 'expected an absolute http(s) URL, got "not-a-url"'],
    [
      'http http://x.test/ status=ok',
      'status must look like 200, 2xx, 200-299 or 200,301, got "ok"',
    ],
    ['http http://x.test/ timeout=0', 'timeout must be 1-120 seconds'],
    ['checks everything', 'unexpected "everything"'],
    ['ping host', 'unknown verifier "ping"; allowed: tls, http, checks, release-tag'],
  ])('explains what is wrong with "%s"', (source, message) => {
    expect(parseVerifier(source)).toContain(message);
  });
});

describe('parseItemComment', () => {
  it('knows the markers and leaves ordinary comments alone', () => {
    expect(parseItemComment('<!-- optional -->')).toEqual({
      kind: 'directive',
      directive: { type: 'optional' },
    });
    expect(parseItemComment('<!--N/A-->')).toEqual({
      kind: 'directive',
      directive: { type: 'not-applicable' },
    });
    expect(parseItemComment('<!-- owner: @ops -->')).toEqual({ kind: 'comment' });
    expect(parseItemComment('<!-- verify: nope -->')).toEqual({
      kind: 'problem',
      message: expect.stringContaining('unknown verifier "nope"') as unknown,
    });
  });
});
