import { describe, expect, it } from 'vitest';
import { evaluateChecklist, parseChecklist, type VerifierOutcome } from '@cutover/checklist';

function evaluate(
  markdown: string,
  outcomes: Record<string, VerifierOutcome[]> = {},
  tickedByTool: string[] = [],
) {
  return evaluateChecklist(
    parseChecklist(markdown).items.map((item) => ({
      item,
      origin: 'doc',
      outcomes: outcomes[item.text] ?? [],
      tickedByTool: tickedByTool.includes(item.text),
    })),
  );
}
const pass = (source: string): VerifierOutcome => ({ source, ok: true, detail: 'fine' });
const fail = (source: string): VerifierOutcome => ({ source, ok: false, detail: 'expired' });

describe('evaluateChecklist', () => {
  it('is complete when every required item is ticked', () => {
    const verdict = evaluate(
      '## A\n- [x] one\n- [x] two\n- [ ] three <!-- optional -->\n- [ ] four <!-- n/a -->',
    );
    expect(verdict).toMatchObject({ complete: true, total: 2, checked: 2, missing: [] });
  });

  it('lists every unticked required item with section and line', () => {
    const verdict = evaluate('## A\n- [x] one\n- [ ] two\n## B\n- [ ] three');
    expect(verdict.complete).toBe(false);
    expect(verdict.missing).toEqual([
      { section: 'A', text: 'two', line: 3, origin: 'doc', reason: 'not ticked' },
      { section: 'B', text: 'three', line: 5, origin: 'doc', reason: 'not ticked' },
    ]);
  });

  it('fails a ticked item whose verifier fails: a claim must be true', () => {
    const md = '- [x] TLS valid <!-- verify: tls a.test -->';
    const verdict = evaluate(md, { 'TLS valid': [fail('tls a.test')] });
    expect(verdict.complete).toBe(false);
    expect(verdict.results[0]?.status).toBe('false-claim');
    expect(verdict.missing[0]?.reason).toBe('ticked, but tls: expired');
  });

  it('fails a ticked optional item whose verifier fails', () => {
    const verdict = evaluate('- [x] x <!-- optional --> <!-- verify: tls a.test -->', {
      x: [fail('tls a.test')],
    });
    expect(verdict.complete).toBe(false);
  });

  it('fails a ticked item whose verifier never ran (never "skipped = passed")', () => {
    const verdict = evaluate('- [x] x <!-- verify: tls a.test -->');
    expect(verdict.results[0]?.status).toBe('false-claim');
    expect(verdict.complete).toBe(false);
  });

  it('counts an unticked item the tool verified and ticked', () => {
    const verdict = evaluate('- [ ] x <!-- verify: tls a.test -->', { x: [pass('tls a.test')] }, [
      'x',
    ]);
    expect(verdict).toMatchObject({ complete: true, total: 1, checked: 1 });
    expect(verdict.results[0]?.status).toBe('verified');
  });

  it('keeps an unticked item missing even when its verifier passes, and says how to fix it', () => {
    const verdict = evaluate('- [ ] x <!-- verify: tls a.test -->', { x: [pass('tls a.test')] });
    expect(verdict.missing[0]?.reason).toBe(
      'not ticked (its verifier passes: tick it, or set tick-verified: true)',
    );
  });

  it('fails items with a directive it cannot understand, even when optional', () => {
    const verdict = evaluate('- [x] x <!-- optional --> <!-- verify: tls -->');
    expect(verdict.results[0]?.status).toBe('invalid');
    expect(verdict.complete).toBe(false);
  });

  it('never calls an empty or all-n/a checklist complete', () => {
    expect(evaluate('# Nothing here').complete).toBe(false);
    expect(evaluate('- [ ] x <!-- n/a -->').complete).toBe(false);
  });

  it('is complete when only optional items remain unticked', () => {
    expect(evaluate('- [ ] x (optional)')).toMatchObject({ complete: true, total: 0, checked: 0 });
  });
});
