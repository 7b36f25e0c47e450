import { describe, expect, it } from 'vitest';
import { redactUrls, urlCredentials } from '@cutover/kit';

describe('URL credentials', () => {
  it('replaces the userinfo of every URL in a text', () => {
    expect(
      redactUrls('GET http://alice:s3cret@prom:9090/api failed; retry https://bob@h/ later'),
    ).toBe('GET http://***@prom:9090/api failed; retry https://***@h/ later');
  });

  it('hides a password that itself holds an unencoded "@"', () => {
    expect(redactUrls('http://u:p@ss@host/x')).toBe('http://***@host/x');
    expect(urlCredentials('http://u:p@ss@host/x')).toContain('p@ss');
  });

  it('leaves e-mail addresses and URLs without credentials alone', () => {
    const text = 'mail ops@example.com about http://host/a?x=1#y and https://h/p@q';
    expect(redactUrls(text)).toBe(text);
    expect(urlCredentials(text)).toEqual([]);
  });

  it('returns the password raw and percent-decoded, for masking', () => {
    expect(urlCredentials('https://user:p%40ss%21@h')).toEqual(
      expect.arrayContaining(['user:p%40ss%21', 'p%40ss%21', 'p@ss!']),
    );
  });
});
