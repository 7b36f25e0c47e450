import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeGitHub } from '../support/fake-github.js';
import { createTlsFixture } from '../support/tls-fixtures.js';

/** The committed bundle, run as the runner runs it: node24, INPUT_* env, output and summary files. */
const bundle = fileURLToPath(new URL('../../dist/validate-checklist/index.js', import.meta.url));

interface BundleRun {
  code: number | null;
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
}

async function runBundle(env: Record<string, string>): Promise<BundleRun> {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-e2e-'));
  const outputFile = join(dir, 'output');
  const summaryFile = join(dir, 'summary.md');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const child = spawn(process.execPath, [bundle], {
    env: {
      PATH: process.env.PATH ?? '',
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_WORKSPACE: dir,
      ...env,
    },
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const outputs: Record<string, string> = {};
  for (const match of readFileSync(outputFile, 'utf8').matchAll(
    /^([\w-]+)<<(.+)\n([\s\S]*?)\n\2$/gm,
  ))
    outputs[match[1] ?? ''] = match[3] ?? '';
  return { code, stdout, outputs, summary: readFileSync(summaryFile, 'utf8') };
}

let github: FakeGitHub;
let site: Server;
let caFile = '';
let sitePort = 0;

beforeAll(async () => {
  github = await new FakeGitHub().start();
  const tls = createTlsFixture();
  caFile = join(mkdtempSync(join(tmpdir(), 'cutover-ca-')), 'ca.pem');
  writeFileSync(caFile, tls.caCert);
  site = createServer(tls.cert('site', { days: 60, dnsNames: ['localhost'] }), (_req, res) =>
    res.end('ok'),
  );
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  sitePort = (site.address() as AddressInfo).port;
});
afterAll(async () => {
  site.close();
  await github.stop();
});

describe('the validate-checklist bundle', () => {
  it('fails fast, with exit code 1 and an error naming the problem, when nothing names a checklist', async () => {
    const run = await runBundle({});
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("::error::input 'source' is auto, but nothing names a checklist");
  });

  it('rejects a bad input before any API call', async () => {
    const run = await runBundle({ 'INPUT_ISSUE-NUMBER': 'twelve', GITHUB_API_URL: github.url });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      `::error::input 'issue-number': expected a whole number, got "twelve"`,
    );
    expect(github.requests).toHaveLength(0);
  });

  it('reads an issue through the real Octokit, verifies TLS with the runner CA setting, ticks and passes', async () => {
    github.issues.set(8, {
      body: `## Security\n- [ ] TLS valid <!-- verify: tls localhost:${sitePort} min-days=30 -->\n- [x] Secrets in place\n`,
    });
    const run = await runBundle({
      'INPUT_ISSUE-NUMBER': '8',
      'INPUT_TICK-VERIFIED': 'true',
      'INPUT_GITHUB-TOKEN': 'ghs_e2e_token',
      GITHUB_API_URL: github.url,
      GITHUB_REPOSITORY: 'acme/shop',
      NODE_EXTRA_CA_CERTS: caFile,
    });
    expect(run.stdout).toContain('::add-mask::ghs_e2e_token');
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({
      complete: 'true',
      total: '2',
      checked: '2',
      source: 'issue #8',
    });
    expect(github.issues.get(8)?.body).toContain('- [x] TLS valid');
    expect(run.summary).toContain('## ✅ Checklist complete: 2 of 2 required items');
  });

  it('fails an incomplete checklist file with annotations on its lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cutover-ws-'));
    writeFileSync(join(dir, 'go-live.md'), '## Team\n- [x] Rota\n- [ ] Comms plan\n');
    const run = await runBundle({ INPUT_PATH: 'go-live.md', GITHUB_WORKSPACE: dir });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      '::error title=Checklist item blocks the cutover,file=go-live.md,line=3::[Team] Comms plan: not ticked',
    );
    expect(run.outputs.complete).toBe('false');
  });

  it('annotates the right line of a CR-only checklist and flags a look-alike box', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cutover-ws-'));
    writeFileSync(join(dir, 'go-live.md'), '## Team\r- [x] Rota\r- ［ ］ Comms plan\r');
    const run = await runBundle({ INPUT_PATH: 'go-live.md', GITHUB_WORKSPACE: dir });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      '::error title=Checklist item blocks the cutover,file=go-live.md,line=3::[Team] ［ ］ Comms plan: looks like a task item but is not one',
    );
    expect(run.outputs.complete).toBe('false');
  });

  it('prints no workflow command from a hostile checklist', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cutover-ws-'));
    writeFileSync(
      join(dir, 'c.md'),
      [
        '# ::warning::heading',
        '- [x] Probe <!-- verify: http https://127.0.0.1:1/',
        '::add-mask::secret',
        '::stop-commands::token -->',
        '- [ ] Bad <!-- verify: dns',
        '::error::pwned -->',
        '',
      ].join('\n'),
    );
    const run = await runBundle({
      INPUT_PATH: 'c.md',
      'INPUT_VERIFY-HOSTS': 'nothing.example',
      GITHUB_WORKSPACE: dir,
    });
    expect(run.code).toBe(1);
    const commands = run.stdout
      .split(/\r\n|[\n\r]/)
      .filter((line) => line.trimStart().startsWith('::'))
      .map((line) => /^::([\w-]+)/.exec(line.trimStart())?.[1]);
    expect(new Set(commands)).toEqual(new Set(['group', 'endgroup', 'error']));
    expect(run.stdout).not.toMatch(/^\s*::(error|warning)::(pwned|heading)/m);
    expect(run.stdout).toContain('::add-mask::secret ::stop-commands::token');
  });
});
