import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checklistDigest } from '@cutover/checklist';
import { FakeGitHub, serverError, type FakeResponse } from '../support/fake-github.js';
import { runValidateChecklist } from '../support/run-main.js';
import { createTlsFixture, type TlsFixture } from '../support/tls-fixtures.js';

let github: FakeGitHub;
let health: Server;
let healthUrl = '';
let tls: TlsFixture;
let tlsPort = 0;
let tlsServer: Server;

beforeAll(async () => {
  health = createServer((req, res) => res.writeHead(req.url === '/ready' ? 200 : 503).end());
  await new Promise<void>((resolve) => health.listen(0, '127.0.0.1', resolve));
  healthUrl = `http://127.0.0.1:${(health.address() as AddressInfo).port}`;
  tls = createTlsFixture();
  tlsServer = createHttpsServer(tls.cert('shop', { days: 10, dnsNames: ['localhost'] }), (_q, r) =>
    r.end(),
  );
  await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
  tlsPort = (tlsServer.address() as AddressInfo).port;
});
afterAll(() => {
  health.close();
  tlsServer.close();
});
beforeEach(async () => {
  github = await new FakeGitHub().start();
});
afterEach(() => github.stop());

const api = () => ({ GITHUB_API_URL: github.url });
const errors = (run: Awaited<ReturnType<typeof runValidateChecklist>>) =>
  run.kit.logs.filter((l) => l.level === 'error');

describe('validate-checklist with a file source', () => {
  const file =
    '# Go-live\n## Infra\n- [x] Cluster\n- [ ] Database\n## Security\n- [ ] TLS <!-- verify: tls localhost -->\n- [ ] WAF (optional)\n';

  it('fails, lists every missing item by section and annotates the file and line', async () => {
    const run = await runValidateChecklist({
      inputs: { path: 'go-live.md' },
      files: { 'go-live.md': file },
    });
    expect(run.failure).toContain(
      'checklist in go-live.md is incomplete: 2 items block the cutover (1 of 3 required done)',
    );
    expect(run.failure).toMatch(
      /Infra:\n\s+- Database \(go-live.md, line 4\): not ticked\n\s+Security:\n\s+- TLS \(go-live.md, line 6\)/,
    );
    expect(run.kit.outputs).toMatchObject({
      complete: 'false',
      total: '3',
      checked: '1',
      source: 'go-live.md',
      digest: checklistDigest([file]),
    });
    expect(JSON.parse(run.kit.outputs.missing ?? '')).toEqual([
      { section: 'Infra', text: 'Database', line: 4, origin: 'go-live.md', reason: 'not ticked' },
      { section: 'Security', text: 'TLS', line: 6, origin: 'go-live.md', reason: 'not ticked' },
    ]);
    expect(errors(run).map((e) => e.target)).toEqual([
      { title: 'Checklist item blocks the cutover', file: 'go-live.md', startLine: 4 },
      { title: 'Checklist item blocks the cutover', file: 'go-live.md', startLine: 6 },
    ]);
    expect(run.kit.summary).toContain('### Infra (1/2)');
    expect(run.kit.summary).toContain('| 4 | Database | ❌ missing | not ticked |');
  });

  it('passes when every required item is ticked and its verifiers pass', async () => {
    const text = `## Ops\n- [x] Monitoring ready <!-- verify: http ${healthUrl}/ready -->\n- [x] Runbook\n- [ ] WAF <!-- optional -->\n`;
    const run = await runValidateChecklist({ inputs: { path: 'c.md' }, files: { 'c.md': text } });
    expect(run.failure).toBeUndefined();
    expect(run.kit.outputs).toMatchObject({
      complete: 'true',
      total: '2',
      checked: '2',
      missing: '[]',
    });
    expect(run.kit.summary).toContain('✅ Checklist complete: 2 of 2 required items');
  });

  it('fails, never "complete", when an unticked look-alike or hidden box sits next to a ticked item', async () => {
    const hostile = [
      '- [\u2800] braille blank',
      '- 〚 〛 white square brackets',
      '- ▢ rounded square',
      '- ok\u2028- [ ] after a line separator',
    ];
    for (const line of hostile) {
      const run = await runValidateChecklist({
        inputs: { path: 'c.md' },
        files: { 'c.md': `## Ops\n- [x] Runbook\n${line}\n` },
      });
      expect(run.kit.outputs.complete).toBe('false');
      expect(run.failure).toMatch(/1 item blocks the cutover/);
    }
  });

  it('fails an item whose verifier has words it would ignore, without probing', async () => {
    const text = `- [x] Monitoring ready <!-- verify: http ${healthUrl}/ready 500 -->\n`;
    const run = await runValidateChecklist({ inputs: { path: 'c.md' }, files: { 'c.md': text } });
    expect(run.kit.outputs.complete).toBe('false');
    expect(run.failure).toContain('unknown argument "500"');
  });

  it('fails a ticked item whose verifier fails: the certificate expires in 10 days, 30 required', async () => {
    const text = `- [x] SSL certificates valid <!-- verify: tls localhost:${tlsPort} min-days=30 -->\n`;
    const run = await runValidateChecklist({
      inputs: { path: 'c.md' },
      files: { 'c.md': text },
      deps: { probeCa: tls.caCert },
    });
    expect(run.failure).toMatch(
      /SSL certificates valid .*ticked, but tls: certificate of localhost:\d+ expires .*: (9|10) days left, need at least 30/,
    );
  });

  it('fails a ticked item whose health endpoint answers 503', async () => {
    const text = `- [x] Prometheus ready <!-- verify: http ${healthUrl}/down status=200 -->\n`;
    const run = await runValidateChecklist({ inputs: { path: 'c.md' }, files: { 'c.md': text } });
    expect(run.failure).toContain(`ticked, but http: ${healthUrl}/down answered 503, expected 200`);
  });

  it('refuses probes to hosts outside verify-hosts', async () => {
    const text = `- [x] Ready <!-- verify: http ${healthUrl}/ready -->\n`;
    const run = await runValidateChecklist({
      inputs: { path: 'c.md', 'verify-hosts': '*.example.com' },
      files: { 'c.md': text },
    });
    expect(run.failure).toContain('host 127.0.0.1 is not in verify-hosts (*.example.com)');
  });

  it('gates only the named sections and refuses an unknown section name', async () => {
    const ok = await runValidateChecklist({
      inputs: { path: 'c.md', sections: 'Infra' },
      files: { 'c.md': '## Infra\n- [x] a\n## Later\n- [ ] b\n' },
    });
    expect(ok.failure).toBeUndefined();
    const bad = await runValidateChecklist({
      inputs: { path: 'c.md', sections: 'Infrastructure' },
      files: { 'c.md': '## Infra\n- [x] a\n' },
    });
    expect(bad.failure).toBe(
      `input 'sections': no heading named "Infrastructure" in c.md; headings: "Infra"`,
    );
  });

  it('fails on a missing file, naming the input and the path', async () => {
    const run = await runValidateChecklist({ inputs: { path: 'nope.md' } });
    expect(run.failure).toBe(
      `input 'path': cannot read "nope.md" (no such file; did the workflow check out the repository?)`,
    );
  });

  it('refuses tick-verified for a file', async () => {
    const run = await runValidateChecklist({
      inputs: { path: 'c.md', 'tick-verified': 'true' },
      files: { 'c.md': '- [x] a' },
    });
    expect(run.failure).toBe(
      "input 'tick-verified' is true, but only issue and pull-request bodies can be ticked; the source is file",
    );
  });

  it('never passes a file without task items', async () => {
    const run = await runValidateChecklist({
      inputs: { path: 'c.md' },
      files: { 'c.md': '# Plan\n\nJust prose.\n```\n- [x] fenced\n```\n' },
    });
    expect(run.failure).toBe(
      'no task list items ("- [ ] ...") found in c.md; an empty checklist never passes',
    );
  });

  it('fails when the checklist changed since an approved digest', async () => {
    const run = await runValidateChecklist({
      inputs: { path: 'c.md', 'expected-digest': 'sha256:00' },
      files: { 'c.md': '- [x] a' },
    });
    expect(run.failure).toMatch(
      /input 'expected-digest': the checklist in c.md changed since it was approved: digest is sha256:[0-9a-f]{64}, expected sha256:00/,
    );
  });

  it('escapes markdown and HTML from item text in the summary', async () => {
    const run = await runValidateChecklist({
      inputs: { path: 'c.md' },
      files: {
        'c.md': '## <img src=x onerror=alert(1)>\n- [ ] [phish](http://evil) | cell <b>x</b>\n',
      },
    });
    expect(run.kit.summary).not.toContain('<img');
    expect(run.kit.summary).not.toContain('](http://evil)');
    expect(run.kit.summary).toContain('| 2 | phish \\| cell &lt;b&gt;x&lt;/b&gt; | ❌ missing |');
  });
});

describe('validate-checklist with hostile or unusual checklists', () => {
  const lineBreak = /\r\n|[\n\r\u0085\u2028\u2029]/;
  const commandLines = (text: string) =>
    text.split(lineBreak).filter((line) => line.trimStart().startsWith('::'));

  it('reads a lone CR as a line ending: "- [x] a\\r- [ ] c" is 1 of 2, annotated on line 3', async () => {
    const run = await runValidateChecklist({
      inputs: { path: 'c.md' },
      files: { 'c.md': '## Go\r- [x] a\r- [ ] c\r' },
    });
    expect(run.kit.outputs).toMatchObject({ complete: 'false', total: '2', checked: '1' });
    expect(run.failure).toContain('- c (c.md, line 3): not ticked');
    expect(errors(run).map((e) => e.target?.startLine)).toEqual([3]);
  });

  it('fails on a look-alike checkbox and annotates its line instead of skipping it', async () => {
    const run = await runValidateChecklist({
      inputs: { path: 'c.md' },
      files: { 'c.md': '## Go\n- [x] Cluster\n- ［ ］ Database\n- [x] Cache\u202e\n' },
    });
    expect(run.kit.outputs).toMatchObject({ complete: 'false', total: '3', checked: '1' });
    expect(run.failure).toMatch(
      /Database \(c\.md, line 3\): looks like a task item but is not one/,
    );
    expect(run.failure).toMatch(/Cache\{U\+202E\} \(c\.md, line 4\): contains invisible U\+202E/);
    expect(errors(run).map((e) => e.target?.startLine)).toEqual([3, 4]);
    expect(run.kit.summary).toContain('❌ not a real checkbox');
    expect(JSON.stringify(run.kit.logs)).not.toContain('\u202e');
  });

  it('keeps hostile checklist text off the start of every log line, annotation and summary line', async () => {
    const hostile = [
      '# ::error::heading',
      '- [x] Probe <!-- verify: http https://127.0.0.1:1/',
      '::error::pwned',
      '::add-mask::x -->',
      '- [ ] Bad <!-- verify: dns',
      '::stop-commands::token -->',
      '- [ ] Text',
      '  ::warning::continued',
      '',
    ].join('\n');
    const run = await runValidateChecklist({
      inputs: { path: 'c.md', 'verify-hosts': 'nothing.example' },
      files: { 'c.md': hostile },
    });
    expect(run.failure).toBeDefined();
    for (const entry of run.kit.logs) {
      expect(commandLines(entry.message)).toEqual([]);
      expect(commandLines(entry.target?.title ?? '')).toEqual([]);
      // Checklist text is always folded onto one line, so it can never start a line.
      if (/pwned|stop-commands|continued|heading/.test(entry.message))
        expect(entry.message).not.toMatch(lineBreak);
    }
    expect(run.kit.logs.some((l) => l.message.includes('::error::pwned ::add-mask::x'))).toBe(true);
    expect(commandLines(run.failure ?? '')).toEqual([]);
    expect(commandLines(run.kit.summary)).toEqual([]);
    expect(commandLines(run.kit.outputs.missing ?? '')).toEqual([]);
  });

  it('refuses a path outside the workspace, relative or absolute, naming the input', async () => {
    const up = await runValidateChecklist({ inputs: { path: '../outside.md' } });
    expect(up.failure).toMatch(
      /^input 'path': "\.\.\/outside\.md" resolves to .*outside\.md, outside the workspace .*; expected a path inside it$/,
    );
    const absolute = await runValidateChecklist({ inputs: { path: '/etc/hostname' } });
    expect(absolute.failure).toMatch(
      /^input 'path': "\/etc\/hostname" resolves to \/etc\/hostname, outside the workspace/,
    );
    expect(up.kit.outputs).toEqual({});
  });

  it('refuses a checklist that is a symbolic link to a file outside the workspace', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'cutover-ws-link-'));
    const outside = mkdtempSync(join(tmpdir(), 'cutover-outside-'));
    writeFileSync(join(outside, 'secret.md'), '- [x] secret\n');
    symlinkSync(join(outside, 'secret.md'), join(workspace, 'c.md'));
    mkdirSync(join(workspace, 'docs'));
    writeFileSync(join(workspace, 'docs', 'real.md'), '- [x] inside\n');
    symlinkSync(join(workspace, 'docs', 'real.md'), join(workspace, 'inside-link.md'));
    const run = await runValidateChecklist({
      inputs: { path: 'c.md' },
      env: { GITHUB_WORKSPACE: workspace },
    });
    expect(run.failure).toMatch(
      /^input 'path': "c\.md" is a symbolic link to .*secret\.md, outside the workspace .*; expected a file inside it$/,
    );
    expect(JSON.stringify(run.kit.logs)).not.toContain('secret');
    const inside = await runValidateChecklist({
      inputs: { path: 'inside-link.md' },
      env: { GITHUB_WORKSPACE: workspace },
    });
    expect(inside.failure).toBeUndefined();
  });
});

describe('validate-checklist with GitHub sources', () => {
  it('reads an issue, ticks verified items in its body and passes', async () => {
    const body = `## Go\r\n- [x] Approved\r\n- [ ] Monitoring ready <!-- verify: http ${healthUrl}/ready -->\r\n`;
    github.issues.set(12, { body });
    const run = await runValidateChecklist({
      inputs: { 'issue-number': '12', 'tick-verified': 'true', 'github-token': 'ghs_secret' },
      env: api(),
    });
    expect(run.failure).toBeUndefined();
    const ticked = body.replace('- [ ] Monitoring', '- [x] Monitoring');
    expect(github.issues.get(12)?.body).toBe(ticked);
    expect(run.kit.outputs).toMatchObject({
      complete: 'true',
      checked: '2',
      digest: checklistDigest([ticked]),
      source: 'issue #12',
    });
    expect(run.kit.masked).toContain('ghs_secret');
    expect(run.kit.summary).toContain('✅ verified, ticked');
  });

  it('does not tick when the issue was edited during verification, and fails closed', async () => {
    github.issues.set(12, { body: `- [ ] Ready <!-- verify: http ${healthUrl}/ready -->\n` });
    github.onIssueRead = (number, reads) => {
      if (reads === 1) github.issues.set(number, { body: '- [ ] Ready (edited)\n' });
    };
    const run = await runValidateChecklist({
      inputs: { 'issue-number': '12', 'tick-verified': 'true' },
      env: api(),
    });
    expect(github.count('PATCH')).toBe(0);
    expect(
      run.kit.logs.some(
        (l) =>
          l.level === 'warning' && l.message.includes('was edited while it was being verified'),
      ),
    ).toBe(true);
    expect(run.failure).toContain('Ready (issue #12, line 1): not ticked (its verifier passes');
  });

  it('takes the pull request from the event and reads every page of its comments', async () => {
    github.issues.set(40, { body: '## Release\n- [x] Notes written\n', pullRequest: true });
    github.comments.set(40, [
      ...Array.from({ length: 120 }, (_, i) => ({ id: i + 1, body: 'LGTM', user: 'dev' })),
      { id: 500, body: '## Sign-off\n- [ ] SRE approves\n', user: 'sre' },
    ]);
    const run = await runValidateChecklist({
      inputs: { 'include-comments': 'true' },
      env: api(),
      event: {
        name: 'pull_request',
        payload: { pull_request: { number: 40, head: { sha: 'abc' } } },
      },
    });
    expect(run.failure).toContain(
      'SRE approves (pull request #40 comment 500 by @sre, line 2): not ticked',
    );
    expect(run.kit.outputs.total).toBe('2');
  });

  it('reads the release body on a tag push and verifies the tag and the commit checks', async () => {
    github.releases.set('v2.0.0', {
      body: '- [x] Tagged <!-- verify: release-tag -->\n- [x] CI green <!-- verify: checks -->\n',
    });
    github.checkRuns.set('c0ffee', [
      { name: 'test', status: 'completed', conclusion: 'success' },
      {
        name: 'deploy',
        status: 'in_progress',
        conclusion: null,
        details_url: 'https://github.com/acme/shop/actions/runs/77/job/1',
      },
    ]);
    const run = await runValidateChecklist({
      inputs: {},
      env: {
        ...api(),
        GITHUB_REF: 'refs/tags/v2.0.0',
        GITHUB_SHA: 'c0ffee',
        GITHUB_RUN_ID: '77',
        GITHUB_EVENT_NAME: 'push',
      },
    });
    expect(run.failure).toBeUndefined();
    expect(run.kit.outputs.source).toBe('release v2.0.0');
  });

  it('fails the checks claim when a check failed', async () => {
    github.issues.set(1, { body: '- [x] CI green <!-- verify: checks -->\n' });
    github.checkRuns.set('c0ffee', [{ name: 'test', status: 'completed', conclusion: 'failure' }]);
    const run = await runValidateChecklist({
      inputs: { 'issue-number': '1' },
      env: { ...api(), GITHUB_SHA: 'c0ffee' },
    });
    expect(run.failure).toContain(
      'ticked, but checks: 1 of 1 check on c0ffee not successful: test: failure',
    );
  });

  it('names the issue and the permission on 404 and writes nothing', async () => {
    const run = await runValidateChecklist({
      inputs: { 'issue-number': '999', 'tick-verified': 'true' },
      env: api(),
    });
    expect(run.failure).toBe(
      "issue #999 in acme/shop was not found (HTTP 404). Check the number or tag; for a private repository the token also needs 'issues: read'.",
    );
    expect(github.count('PATCH')).toBe(0);
    expect(run.kit.outputs).toEqual({});
  });

  const forbidden: FakeResponse = {
    status: 403,
    body: { message: 'Resource not accessible by integration' },
  };

  it('reports a 403 or 404 on every read of the source as a configuration error naming the object and the permission', async () => {
    github.issues.set(21, { body: '- [x] a\n' });
    github.fail('GET /repos/acme/shop/issues/7', forbidden);
    github.fail('GET /repos/acme/shop/releases/tags/v8.0.0', forbidden);
    github.fail('GET /repos/acme/shop/issues/21/comments', forbidden);
    github.issues.set(22, { body: '- [x] a\n' });
    github.fail('GET /repos/acme/shop/issues/22/comments', forbidden);
    const cases: [
      Record<string, string>,
      { name: string; payload: unknown } | undefined,
      RegExp,
    ][] = [
      [
        { 'issue-number': '7' },
        undefined,
        /^issue #7 in acme\/shop: forbidden \(HTTP 403: Resource not accessible by integration.*\)\. Grant the workflow 'permissions: issues: read'\.$/,
      ],
      [
        {},
        { name: 'pull_request', payload: { pull_request: { number: 41 } } },
        /^pull request #41 in acme\/shop was not found \(HTTP 404\)\. .*the token also needs 'pull-requests: read'\.$/,
      ],
      [
        { 'release-tag': 'v9.0.0' },
        undefined,
        /^release for tag v9\.0\.0 in acme\/shop was not found \(HTTP 404\)\. .*the token also needs 'contents: read'\.$/,
      ],
      [
        { 'release-tag': 'v8.0.0' },
        undefined,
        /^release for tag v8\.0\.0 in acme\/shop: forbidden \(HTTP 403: .*\)\. Grant the workflow 'permissions: contents: read'\.$/,
      ],
      [
        { 'issue-number': '21', 'include-comments': 'true' },
        undefined,
        /^comments of issue #21 in acme\/shop: forbidden \(HTTP 403: .*\)\. Grant the workflow 'permissions: issues: read'\.$/,
      ],
      [
        { 'include-comments': 'true' },
        { name: 'pull_request', payload: { pull_request: { number: 22 } } },
        /^comments of pull request #22 in acme\/shop: forbidden \(HTTP 403: .*\)\. Grant the workflow 'permissions: pull-requests: read'\.$/,
      ],
    ];
    for (const [inputs, event, message] of cases) {
      const run = await runValidateChecklist({
        inputs,
        env: api(),
        ...(event === undefined ? {} : { event }),
      });
      expect(run.failure).toMatch(message);
      expect(run.kit.outputs).toEqual({});
    }
  });

  it('names the write permission when ticking is forbidden, and reports nothing as ticked', async () => {
    github.issues.set(12, { body: `- [ ] Ready <!-- verify: http ${healthUrl}/ready -->\n` });
    github.fail('PATCH /repos/acme/shop/issues/12', forbidden);
    const run = await runValidateChecklist({
      inputs: { 'issue-number': '12', 'tick-verified': 'true' },
      env: api(),
    });
    expect(run.failure).toMatch(
      /^issue #12 in acme\/shop: forbidden \(HTTP 403: .*\)\. Grant the workflow 'permissions: issues: write'\.$/,
    );
    expect(github.issues.get(12)?.body).toContain('- [ ] Ready');
  });

  it('retries 5xx and then fails closed', async () => {
    github.fail(
      'GET /repos/acme/shop/issues/5',
      serverError(502),
      serverError(502),
      serverError(502),
    );
    const run = await runValidateChecklist({ inputs: { 'issue-number': '5' }, env: api() });
    expect(run.failure).toMatch(
      /issue #5 in acme\/shop: GitHub API kept failing \(502: .*\) after 3 attempts; failing closed/,
    );
    expect(github.count('GET /repos/acme/shop/issues/5')).toBe(3);
  });

  it('refuses a 5 MB issue body with a size error', async () => {
    github.issues.set(9, { body: '- [ ] x\n'.repeat(655_360) });
    const run = await runValidateChecklist({ inputs: { 'issue-number': '9' }, env: api() });
    expect(run.failure).toBe(
      'issue #9: checklist is 5242880 bytes; the limit is 262144 bytes (256 KiB); refusing to parse it',
    );
  });

  it('explains that reading an issue needs a token', async () => {
    const run = await runValidateChecklist({
      inputs: { 'issue-number': '3', 'github-token': '' },
      env: api(),
    });
    expect(run.failure).toBe(
      "input 'github-token' is empty, but reading issue #3 needs the GitHub API; pass ${{ github.token }} or a token with read access",
    );
    expect(github.requests).toEqual([]);
  });

  it('explains what auto could not find', async () => {
    const run = await runValidateChecklist({
      inputs: {},
      event: { name: 'schedule', payload: {} },
    });
    expect(run.failure).toContain("input 'source' is auto, but nothing names a checklist");
    expect(run.failure).toContain('(this run: schedule)');
  });
});
