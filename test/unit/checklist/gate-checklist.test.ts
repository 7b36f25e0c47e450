import { describe, expect, it } from 'vitest';
import { ConfigError } from '@cutover/kit';
import {
  checklistDigest,
  concludeChecklist,
  evaluateChecklist,
  gateChecklist,
  parseChecklist,
  tickVerified,
  type ChecklistDocument,
  type ChecklistProbes,
  type EditableBody,
  type GateLog,
  type GateOptions,
} from '@cutover/checklist';

const options = (overrides: Partial<GateOptions> = {}): GateOptions => ({
  source: 'issue #1',
  sections: [],
  allowedHosts: ['*'],
  tickVerified: false,
  expectedDigest: undefined,
  ref: undefined,
  ...overrides,
});

const passingProbes: ChecklistProbes = {
  tls: () => Promise.resolve({ ok: true, detail: 'valid' }),
  http: () => Promise.resolve({ ok: true, detail: 'answered 200' }),
  checks: () => Promise.resolve({ ok: true, detail: 'all green' }),
};

function recordingLog(): GateLog & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    group: (_name, body) => body(),
    info: (message) => lines.push(`info ${message}`),
    notice: (message) => lines.push(`notice ${message}`),
    warning: (message) => lines.push(`warning ${message}`),
  };
}

/** An issue body in memory; `editAfterReads` simulates someone editing it meanwhile. */
function storedBody(text: string, editAfterReads?: number): EditableBody & { text: string } {
  let reads = 0;
  const body = {
    text,
    read: () => {
      reads++;
      if (reads === editAfterReads) body.text += '\nedited';
      return Promise.resolve(body.text);
    },
    write: (next: string) => {
      body.text = next;
      return Promise.resolve();
    },
  };
  return body;
}

const issue = (text: string): ChecklistDocument => ({
  origin: 'issue #1',
  text,
  editable: { number: 1, kind: 'issue', updatedAt: '' },
});

describe('gateChecklist', () => {
  it('ticks verified items in the stored body and digests the ticked text', async () => {
    const text = '- [x] a\n- [ ] b <!-- verify: http https://ok.example/ -->\n';
    const body = storedBody(text);
    const log = recordingLog();
    const result = await gateChecklist([issue(text)], options({ tickVerified: true }), {
      probes: passingProbes,
      editableBody: () => body,
      log,
    });
    expect(body.text).toBe(text.replace('- [ ] b', '- [x] b'));
    expect(result.failure).toBeUndefined();
    expect(result.digest).toBe(checklistDigest([body.text]));
    expect(result.outputs).toMatchObject({ complete: 'true', total: '2', checked: '2' });
    expect(log.lines).toContain('notice Ticked 1 verified item in issue #1.');
  });

  it('judges release-tag items from the run ref, without any probe', async () => {
    const text = '- [x] Tagged <!-- verify: release-tag -->\n';
    const run = (ref: string) =>
      gateChecklist([{ origin: 'c.md', text, file: 'c.md' }], options({ ref }), {
        probes: passingProbes,
        editableBody: () => storedBody(''),
        log: recordingLog(),
      });
    expect((await run('refs/tags/v1.2.3')).failure).toBeUndefined();
    expect((await run('refs/heads/main')).failure).toContain(
      "ticked, but release-tag: the run's ref is refs/heads/main, not a tag",
    );
  });

  it('refuses an unknown section as a configuration error naming the input', async () => {
    await expect(
      gateChecklist([issue('## Infra\n- [x] a\n')], options({ sections: ['Infrastructure'] }), {
        probes: passingProbes,
        editableBody: () => storedBody(''),
        log: recordingLog(),
      }),
    ).rejects.toThrow(ConfigError);
  });
});

describe('tickVerified', () => {
  const text = '- [ ] b <!-- verify: http https://ok.example/ -->\n';
  const { items } = parseChecklist(text);
  const outcomes = new Map(
    items.map((item) => [item, [{ source: 'http https://ok.example/', ok: true, detail: '200' }]]),
  );

  it('writes nothing when the body was edited while it was verified', async () => {
    const body = storedBody(text, 1);
    const result = await tickVerified({ document: issue(text), items }, outcomes, body);
    expect(result.ticked).toEqual([]);
    expect(body.text).toBe(`${text}\nedited`);
    expect(result.text).toBe(text);
    expect('warning' in result && result.warning).toMatch(/was edited while it was being verified/);
    expect('warning' in result && result.warning).toContain('not ticking 1 verified item. Re-run');
  });

  it('counts nothing as ticked when the body changed right after the write', async () => {
    const body = storedBody(text, 2);
    const result = await tickVerified({ document: issue(text), items }, outcomes, body);
    expect(result.ticked).toEqual([]);
    expect(result.text).toBe(text);
    expect('warning' in result && result.warning).toMatch(/the ticks may be lost/);
  });
});

describe('concludeChecklist', () => {
  const conclude = (text: string, documents: ChecklistDocument[], expectedDigest?: string) => {
    const { items } = parseChecklist(text);
    const verdict = evaluateChecklist(
      items.map((item) => ({ item, origin: 'c.md', outcomes: [], tickedByTool: false })),
    );
    return concludeChecklist({
      verdict,
      digest: 'sha256:ab',
      documents,
      source: 'c.md',
      filtered: false,
      expectedDigest,
    });
  };

  it('lists at most 50 annotations on the file and line, then one saying how many more', () => {
    const result = conclude('## S\n' + '- [ ] x\n'.repeat(52), [
      { origin: 'c.md', text: '', file: 'c.md' },
    ]);
    expect(result.annotations).toHaveLength(51);
    expect(result.annotations[0]).toEqual({
      message: '[S] x: not ticked',
      target: { title: 'Checklist item blocks the cutover', file: 'c.md', startLine: 2 },
    });
    expect(result.annotations[50]).toEqual({
      message: '2 more blocking items in c.md; see the job summary',
    });
  });

  it('names the origin and line in the message when the document is not a file', () => {
    const result = conclude('- [ ] x\n', [{ origin: 'c.md', text: '' }]);
    expect(result.annotations).toEqual([
      {
        message: 'c.md line 1: [(no section)] x: not ticked',
        target: { title: 'Checklist item blocks the cutover' },
      },
    ]);
  });

  it('writes counts in the singular and the plural correctly', () => {
    const one = conclude('## S\n- [ ] x\n', []);
    expect(one.failure).toContain('1 item blocks the cutover (0 of 1 required done)');
    expect(one.summary).toContain('1 item blocks the cutover (0 of 1 required done)');
    const two = conclude('## S\n- [ ] x\n- [ ] y\n- [x] z\n', []);
    expect(two.failure).toContain('2 items block the cutover (1 of 3 required done)');
    expect(two.summary).toContain('2 items block the cutover (1 of 3 required done)');
    const done = conclude('- [x] x\n', []);
    expect(done.message).toBe('Checklist complete: 1 of 1 required item done (sha256:ab).');
    expect(done.summary).toContain('Checklist complete: 1 of 1 required item');
    expect(done.summary).not.toContain('required items');
    const many = conclude('## S\n' + '- [ ] x\n'.repeat(51), [
      { origin: 'c.md', text: '', file: 'c.md' },
    ]);
    expect(many.annotations.at(-1)?.message).toBe(
      '1 more blocking item in c.md; see the job summary',
    );
    for (const text of [one.failure, one.summary, done.message, many.annotations.at(-1)?.message])
      expect(text).not.toMatch(/\(s\)/);
  });

  it('fails a complete checklist whose digest is not the approved one', () => {
    const result = conclude('- [x] x\n', [], 'sha256:00');
    expect(result.verdict.complete).toBe(true);
    expect(result.failure).toBe(
      "input 'expected-digest': the checklist in c.md changed since it was approved: digest is sha256:ab, expected sha256:00",
    );
  });
});
