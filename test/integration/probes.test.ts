import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeHttpStatus, probeTlsCertificate } from '@cutover/probes';
import { createTlsFixture, type TlsFixture } from '../support/tls-fixtures.js';

let tls: TlsFixture;
const servers: Server[] = [];
const DAY = 86_400_000;

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}
const httpsServer = (certificate: { key: string; cert: string }, status = 200) =>
  listen(
    createHttpsServer(certificate, (_req, res) => {
      res.writeHead(status).end();
    }),
  );

beforeAll(() => {
  tls = createTlsFixture();
});
afterAll(() => Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve)))));

describe('probeTlsCertificate against a real TLS server', () => {
  it('passes a trusted certificate valid long enough, reporting the days left', async () => {
    const port = await httpsServer(tls.cert('long', { days: 90, dnsNames: ['localhost'] }));
    const result = await probeTlsCertificate(
      { host: 'localhost', port, minDays: 30 },
      { now: Date.now(), ca: tls.caCert },
    );
    expect(result.ok).toBe(true);
    expect(result.detail).toMatch(/valid until \d{4}-\d\d-\d\d \((89|90) days left, need 30\)/);
  });

  it('fails a certificate that expires within min-days', async () => {
    const port = await httpsServer(tls.cert('short', { days: 5, dnsNames: ['localhost'] }));
    const result = await probeTlsCertificate(
      { host: 'localhost', port, minDays: 30 },
      { now: Date.now(), ca: tls.caCert },
    );
    expect(result).toEqual({
      ok: false,
      detail: expect.stringMatching(/expires .*: [45] days left, need at least 30/) as unknown,
    });
  });

  it('fails a certificate that has already expired (clock moved past it)', async () => {
    const port = await httpsServer(tls.cert('expiring', { days: 2, dnsNames: ['localhost'] }));
    const result = await probeTlsCertificate(
      { host: 'localhost', port, minDays: 0 },
      { now: Date.now() + 10 * DAY, ca: tls.caCert },
    );
    expect(result.ok).toBe(false);
  });

  it('fails a certificate from an untrusted issuer', async () => {
    const port = await httpsServer(tls.cert('untrusted', { days: 90, dnsNames: ['localhost'] }));
    const result = await probeTlsCertificate(
      { host: 'localhost', port, minDays: 0 },
      { now: Date.now() },
    );
    expect(result).toEqual({
      ok: false,
      detail: expect.stringMatching(
        /not trusted: its issuer is not a trusted CA \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)/,
      ) as unknown,
    });
  });

  it('fails a certificate for another host name', async () => {
    const port = await httpsServer(tls.cert('other', { days: 90, dnsNames: ['shop.example.com'] }));
    const result = await probeTlsCertificate(
      { host: 'localhost', port, minDays: 0 },
      { now: Date.now(), ca: tls.caCert },
    );
    expect(result).toEqual({
      ok: false,
      detail: expect.stringMatching(
        /not trusted: it is for DNS:shop\.example\.com, not localhost/,
      ) as unknown,
    });
  });

  it('fails when nothing listens', async () => {
    const closed = await listen(createHttpServer());
    servers.pop()?.close();
    const result = await probeTlsCertificate(
      { host: '127.0.0.1', port: closed, minDays: 0 },
      { now: Date.now() },
    );
    expect(result).toEqual({
      ok: false,
      detail: expect.stringContaining('ECONNREFUSED') as unknown,
    });
  });

  it('fails with a bound when the server never completes the handshake', async () => {
    const port = await listen(createHttpServer()); // speaks HTTP only, never answers the ClientHello
    const result = await probeTlsCertificate(
      { host: '127.0.0.1', port, minDays: 0 },
      { now: Date.now(), timeoutMs: 300 },
    );
    expect(result.ok).toBe(false);
  });
});

describe('probeHttpStatus against real HTTP(S) servers', () => {
  it('passes an expected status and fails another, without following redirects', async () => {
    const port = await listen(
      createHttpServer((req, res) => {
        if (req.url === '/moved') res.writeHead(301, { location: '/health' }).end();
        else res.writeHead(req.url === '/health' ? 200 : 503).end();
      }),
    );
    const base = `http://127.0.0.1:${port}`;
    expect(
      await probeHttpStatus({
        url: `${base}/health`,
        statuses: [{ min: 200, max: 299 }],
        timeoutMs: 2000,
      }),
    ).toEqual({ ok: true, detail: `${base}/health answered 200` });
    expect(
      await probeHttpStatus({
        url: `${base}/ready`,
        statuses: [{ min: 200, max: 200 }],
        timeoutMs: 2000,
      }),
    ).toEqual({ ok: false, detail: `${base}/ready answered 503, expected 200` });
    expect(
      (
        await probeHttpStatus({
          url: `${base}/moved`,
          statuses: [{ min: 200, max: 200 }],
          timeoutMs: 2000,
        })
      ).detail,
    ).toContain('answered 301');
  });

  it('checks HTTPS with the given trust', async () => {
    const port = await httpsServer(tls.cert('web', { days: 90, dnsNames: ['localhost'] }), 204);
    const url = `https://localhost:${port}/`;
    expect(
      (
        await probeHttpStatus(
          { url, statuses: [{ min: 204, max: 204 }], timeoutMs: 2000 },
          { ca: tls.caCert },
        )
      ).ok,
    ).toBe(true);
    expect(
      (await probeHttpStatus({ url, statuses: [{ min: 204, max: 204 }], timeoutMs: 2000 })).ok,
    ).toBe(false);
  });

  it('fails after the timeout when the server hangs', async () => {
    const port = await listen(
      createHttpServer(() => {
        /* never answers */
      }),
    );
    const result = await probeHttpStatus({
      url: `http://127.0.0.1:${port}/`,
      statuses: [{ min: 200, max: 200 }],
      timeoutMs: 200,
    });
    expect(result).toEqual({
      ok: false,
      detail: `http://127.0.0.1:${port}/: no answer within 0.2s`,
    });
  });
});
