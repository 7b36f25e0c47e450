import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { postWebhook, webhookSecrets, webhookUrlProblem } from '@cutover/github';
import { FakeWebhook } from '../../support/fake-webhook.js';
import { createTlsFixture } from '../../support/tls-fixtures.js';

let hook: FakeWebhook;
beforeEach(async () => {
  hook = await new FakeWebhook().start();
});
afterEach(() => hook.stop());

describe('postWebhook', () => {
  it('posts {"text": …} as JSON and reports the answer without the URL', async () => {
    const result = await postWebhook(hook.hookUrl, '⏩ step · 25%');
    expect(result).toEqual({
      ok: true,
      detail: `webhook at ${new URL(hook.url).host} answered 200`,
    });
    expect(hook.received).toEqual([
      {
        path: hook.path,
        contentType: 'application/json; charset=utf-8',
        body: { text: '⏩ step · 25%' },
      },
    ]);
  });

  it('posts over https, verifying the certificate against the trusted CA', async () => {
    const tls = createTlsFixture();
    const bodies: string[] = [];
    const server = createServer(
      tls.cert('hooks', { days: 30, dnsNames: ['localhost'] }),
      (req, res) => {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString()));
        req.on('end', () => {
          bodies.push(body);
          res.end('ok');
        });
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const url = `https://localhost:${port}/services/T/B/tls`;
      expect(await postWebhook(url, 'tls', { ca: tls.caCert })).toEqual({
        ok: true,
        detail: `webhook at localhost:${port} answered 200`,
      });
      expect(bodies).toEqual(['{"text":"tls"}']);
      const untrusted = await postWebhook(url, 'tls');
      expect(untrusted.ok).toBe(false);
      expect(untrusted.detail).toMatch(/certificate/);
      expect(bodies).toHaveLength(1);
    } finally {
      server.close();
    }
  });

  it('reports an error answer with its reason, scrubbing the secret if echoed', async () => {
    hook.answer({ status: 403, body: `invalid_token for ${hook.hookUrl} (${hook.path})` });
    const result = await postWebhook(hook.hookUrl, 'x');
    expect(result.ok).toBe(false);
    expect(result.detail).toBe(
      `webhook at ${new URL(hook.url).host} answered 403: invalid_token for *** (***)`,
    );
    expect(result.detail).not.toContain('s3cr3t');
  });

  it('follows no redirect', async () => {
    hook.answer({ status: 302, headers: { location: 'http://127.0.0.1:1/elsewhere' } });
    const result = await postWebhook(hook.hookUrl, 'x');
    expect(result.ok).toBe(false);
    expect(result.detail).toMatch(/answered 302 \(redirect not followed\)$/);
    expect(hook.received).toHaveLength(1);
  });

  it('gives up after its timeout, never hanging the cutover', async () => {
    hook.answer({ status: 200, hang: true });
    const result = await postWebhook(hook.hookUrl, 'x', { timeoutMs: 200 });
    expect(result.ok).toBe(false);
    expect(result.detail).toMatch(/no answer within 0\.2s$/);
  });

  it('reports a refused connection without the path', async () => {
    const url = hook.hookUrl;
    await hook.stop();
    const result = await postWebhook(url, 'x');
    expect(result.ok).toBe(false);
    expect(result.detail).toMatch(/ECONNREFUSED/);
    expect(result.detail).not.toContain('s3cr3t');
    hook = await new FakeWebhook().start();
  });
});

describe('the webhook address guard', () => {
  it.each([
    ['https://169.254.169.254/hook', /link-local/],
    ['https://[::ffff:169.254.169.254]/hook', /link-local/],
    ['https://0xa9.0xfe.0xa9.0xfe/hook', /link-local/],
    ['https://[fd00:ec2::254]/hook', /AWS IPv6 metadata/],
    ['https://100.100.100.200/hook', /Alibaba/],
    [
      'http://hooks.example.com/services/x',
      /must use https:\/\/ \(http:\/\/ only to a loopback address\)/,
    ],
    ['ftp://hooks.example.com/x', /must start with https:\/\//],
    ['https://user:pw@hooks.example.com/x', /must not contain credentials/],
    ['not a url /services/secret', /is not a valid URL \(value not shown/],
  ])('refuses %s before sending anything', async (url, reason) => {
    expect(webhookUrlProblem(url)).toMatch(reason);
    const result = await postWebhook(url, 'x');
    expect(result.ok).toBe(false);
    expect(result.detail).not.toContain('/services/');
  });

  it('refuses a name that resolves to a metadata address, on the resolved address', async () => {
    const result = await postWebhook('https://hooks.internal.example/services/abc', 'x', {
      resolve: (_host, callback) => {
        callback(null, [{ address: '169.254.169.254', family: 4 }]);
      },
    });
    expect(result.ok).toBe(false);
    expect(result.detail).toMatch(/169\.254\.169\.254.*link-local/);
  });

  it('allows https anywhere and http to loopback', () => {
    expect(webhookUrlProblem('https://hooks.slack.com/services/T/B/x')).toBeUndefined();
    expect(webhookUrlProblem('http://127.0.0.1:8080/hook')).toBeUndefined();
    expect(webhookUrlProblem('http://[::1]:8080/hook')).toBeUndefined();
    expect(webhookUrlProblem('http://localhost:8080/hook')).toBeUndefined();
  });

  it('names every spelling of the secret to mask, but never a bare "/"', () => {
    expect(webhookSecrets(' https://hooks.slack.com/services/T/B/x?a=1 ')).toEqual([
      'https://hooks.slack.com/services/T/B/x?a=1',
      '/services/T/B/x?a=1',
    ]);
    expect(webhookSecrets('https://HOOKS.example.com')).toEqual([
      'https://HOOKS.example.com',
      'https://hooks.example.com/',
    ]);
  });
});
