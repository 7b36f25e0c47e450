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
    ['checks everything', 'unknown argument "everything"; expected checks [ignore=name,name]'],
    ['ping host', 'unknown verifier "ping"; allowed: tls, http, checks, release-tag'],
  ])('explains what is wrong with "%s"', (source, message) => {
    expect(parseVerifier(source)).toContain(message);
  });
});

describe('parseVerifier refuses positional words it does not use', () => {
  it.each([
    [
      'http http://127.0.0.1:19090/ 500',
      'unknown argument "500"; expected http URL [status=200-299] [timeout=10s]',
    ],
    [
      'http http://x.test/ ::error::INJ ::add-mask::zz',
      'unknown arguments "::error::INJ", "::add-mask::zz"; expected http URL',
    ],
    ['http url=http://x.test/ http://y.test/', 'unknown argument "http://y.test/"'],
    ['tls a.test b.test', 'unknown argument "b.test"; expected tls HOST[:PORT] [min-days=14]'],
    ['tls host=a.test b.test', 'unknown argument "b.test"'],
    ['tls a.test 30', 'unknown argument "30"'],
    ['checks lint', 'unknown argument "lint"; expected checks [ignore=name,name]'],
    ['release-tag v* extra', 'unknown argument "extra"; expected release-tag [pattern=GLOB]'],
    ['release-tag pattern=v* v2*', 'unknown argument "v2*"'],
  ])('refuses "%s"', (source, message) => {
    expect(parseVerifier(source)).toContain(message);
  });

  it('fails the item instead of verifying part of what it says', () => {
    expect(parseItemComment('<!-- verify: http http://127.0.0.1:19090/ 500 -->')).toEqual({
      kind: 'problem',
      message: expect.stringContaining('unknown argument "500"') as unknown,
    });
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
