import { describe, expect, it } from 'vitest';
import {
  DESCRIPTION_LIMIT,
  breakMentions,
  chatText,
  oneLine,
  statusDescription,
  truncateGraphemes,
} from '@cutover/github';

const codePoints = (text: string) => Array.from(text).length;

describe('status descriptions', () => {
  it('keep a short description as it is', () => {
    expect(statusDescription('25% — gates passed: error 0.8%, p95 143 ms')).toBe(
      '25% — gates passed: error 0.8%, p95 143 ms',
    );
  });

  it('cut a long one to the 140 characters the API allows, with an ellipsis', () => {
    const cut = statusDescription(`step 3: ${'x'.repeat(300)}`);
    expect(codePoints(cut)).toBe(DESCRIPTION_LIMIT);
    expect(cut.endsWith('x…')).toBe(true);
  });

  it('never split a grapheme: family emoji, flags and combining accents stay whole', () => {
    const family = '👨‍👩‍👧‍👦'; // 7 code points, one grapheme
    const cut = truncateGraphemes(`${'a'.repeat(135)}${family}tail`, 140);
    expect(cut).toBe(`${'a'.repeat(135)}…`);
    const flags = truncateGraphemes('🇯🇵'.repeat(80), 140);
    expect(codePoints(flags)).toBeLessThanOrEqual(140);
    expect(flags).toBe(`${'🇯🇵'.repeat(69)}…`);
    const accents = truncateGraphemes('e\u0301'.repeat(100), 140);
    expect(accents).toBe(`${'e\u0301'.repeat(69)}…`);
  });

  it('make one line of control characters, line breaks and bidi overrides', () => {
    expect(oneLine('gate\nfailed\r\n\u202eevil\u0007 now')).toBe('gate failed evil now');
    expect(statusDescription('  a\n\n b  ')).toBe('a b');
  });
});

describe('mentions and chat text', () => {
  it('break @mentions with a word joiner, leaving e-mail-like text readable', () => {
    expect(breakMentions('ping @octocat and @acme/sre')).toBe(
      'ping @\u2060octocat and @\u2060acme/sre',
    );
    expect(breakMentions('a @ b')).toBe('a @ b');
  });

  it('escape what Slack parses as links and mentions', () => {
    expect(chatText('<!channel> <https://evil.example|click> & @here')).toBe(
      '&lt;!channel&gt; &lt;https://evil.example|click&gt; &amp; @\u2060here',
    );
  });
});
