import { describe, expect, it } from 'vitest';
import {
  checkReleaseTag,
  checklistDigest,
  filterSections,
  globMatch,
  hostRefusal,
  parseChecklist,
  tickItems,
} from '@cutover/checklist';

describe('tickItems', () => {
  it('ticks exactly the chosen items and nothing else', () => {
    const text = '# T\r\n- [ ] a\r\n  - [ ] b\r\n```\r\n- [ ] code\r\n```\r\n- [ ] c\r\n';
    const { items } = parseChecklist(text);
    const ticked = tickItems(
      text,
      items.filter((i) => i.text !== 'b'),
    );
    expect(ticked).toBe('# T\r\n- [x] a\r\n  - [ ] b\r\n```\r\n- [ ] code\r\n```\r\n- [x] c\r\n');
  });

  it('refuses when the text at the marker changed', () => {
    const { items } = parseChecklist('- [ ] a');
    expect(() => tickItems('- [x] a', items)).toThrow(/line 1 no longer starts with "\[ \]"/);
  });
});

describe('checklistDigest', () => {
  it('is the sha256 of a single text, and changes when any document changes', () => {
    expect(checklistDigest(['abc'])).toBe(
      'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(checklistDigest(['ab', 'c'])).not.toBe(checklistDigest(['a', 'bc']));
  });
});

describe('filterSections', () => {
  const { items, headings } = parseChecklist(
    '# Plan\n## Security\n- [ ] tls\n### Secrets\n- [ ] vault\n## Team\n- [ ] rota',
  );

  it('keeps items under a named heading, subsections included, case-insensitively', () => {
    const result = filterSections(items, headings, ['security']);
    expect(result.ok && result.items.map((i) => i.text)).toEqual(['tls', 'vault']);
  });

  it('reports names that match no heading, with the headings there are', () => {
    expect(filterSections(items, headings, ['Securty'])).toEqual({
      ok: false,
      unknown: ['Securty'],
      available: ['Plan', 'Security', 'Secrets', 'Team'],
    });
  });
});

describe('verifier guards', () => {
  it('never lets a probe reach link-local or metadata addresses', () => {
    expect(hostRefusal('169.254.169.254', ['*'])).toMatch(
      /link-local or a cloud metadata endpoint/,
    );
    expect(hostRefusal('[fd00:ec2::254]', ['*'])).toMatch(/metadata/);
  });

  it('limits probes to verify-hosts', () => {
    expect(hostRefusal('api.example.com', ['*.example.com'])).toBeUndefined();
    expect(hostRefusal('evil.test', ['*.example.com'])).toBe(
      'host evil.test is not in verify-hosts (*.example.com)',
    );
  });

  it('matches globs without crossing "/"', () => {
    expect(globMatch('release/*', 'release/1.2')).toBe(true);
    expect(globMatch('v*', 'v1/x')).toBe(false);
  });

  it('accepts only vMAJOR.MINOR.PATCH tags by default', () => {
    expect(checkReleaseTag('refs/tags/v1.2.3', 'semver').ok).toBe(true);
    expect(checkReleaseTag('refs/tags/v1.2.3-rc.1', 'semver')).toEqual({
      ok: false,
      detail: 'tag v1.2.3-rc.1 does not match vMAJOR.MINOR.PATCH',
    });
    expect(checkReleaseTag('refs/heads/main', 'semver')).toEqual({
      ok: false,
      detail: "the run's ref is refs/heads/main, not a tag",
    });
    expect(checkReleaseTag('refs/tags/release-7', 'release-*').ok).toBe(true);
  });
});
