import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { EventEmitter } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  forbiddenAddressReason,
  literalAddress,
  probeHttpStatus,
  probeTlsCertificate,
  type ResolveFn,
} from '@cutover/probes';
import { guardConnectedSocket } from '../../packages/probes/src/guard-address.js';
import { createTlsFixture, type TlsFixture } from '../support/tls-fixtures.js';

/**
 * Probes contact hosts named in checklists that may come from an untrusted pull request: the
 * link-local / cloud-metadata guard must hold on the address actually connected to, whatever
 * the spelling, and a probe never follows a redirect.
 */
let tls: TlsFixture;
const servers: Server[] = [];
const hits = { other: 0 };

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** A resolver as DNS would answer for hostile names; real names are never looked up. */
const fakeDns: ResolveFn = (hostname, callback) => {
  const answers: Record<string, string[]> = {
    'metadata.test': ['169.254.169.254'],
    'mapped.test': ['::ffff:169.254.169.254'],
    'ecs-credentials.test': ['169.254.170.2'],
    'mixed.test': ['127.0.0.1', 'fe80::1'],
    'app.test': ['127.0.0.1'],
  };
  const found = answers[hostname];
  if (found === undefined) {
    const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
    error.code = 'ENOTFOUND';
    callback(error, []);
    return;
  }
  callback(
    null,
    found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
  );
};

beforeAll(() => {
  tls = createTlsFixture();
});
afterAll(() => Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve)))));

const METADATA_SPELLINGS = [
  '169.254.169.254',
  '[::ffff:169.254.169.254]',
  '[::ffff:a9fe:a9fe]',
  '[0:0:0:0:0:ffff:a9fe:a9fe]',
  '[::ffff:0:a9fe:a9fe]',
  '[::169.254.169.254]',
  '[64:ff9b::a9fe:a9fe]',
  '[2002:a9fe:a9fe::1]',
  '0xa9.0xfe.0xa9.0xfe',
  '0xA9FEA9FE',
  '2852039166',
  '0251.0376.0251.0376',
  '169.254.43518',
  '[fe80::1]',
  '[FE80::1%25eth0]',
  '[febf::1]',
  '[fd00:ec2::254]',
  '100.100.100.200',
  '169.254.170.2',
];

describe('the resolved-address guard', () => {
  it('classifies every spelling of link-local and metadata addresses as forbidden', () => {
    for (const host of METADATA_SPELLINGS) {
      const address = literalAddress(host.replace('%25', '%'));
      expect(address, host).toBeDefined();
      expect(forbiddenAddressReason(address ?? ''), host).toBeDefined();
    }
  });

  it('drops a connection whose remote address turns out to be forbidden', () => {
    for (const [remote, refused] of [
      ['::ffff:169.254.169.254', true],
      ['fe80::1', true],
      ['127.0.0.1', false],
    ] as const) {
      const socket = Object.assign(new EventEmitter(), {
        remoteAddress: undefined as string | undefined,
        destroyed: undefined as Error | undefined,
        destroy(error?: Error) {
          this.destroyed = error;
        },
      });
      guardConnectedSocket(socket as unknown as Socket, 'app.test');
      socket.remoteAddress = remote;
      socket.emit('connect');
      expect(socket.destroyed?.message, remote).toEqual(
        refused ? expect.stringMatching(/^refused to contact app\.test \(/) : undefined,
      );
    }
  });

  it('leaves ordinary addresses and names alone', () => {
    for (const address of ['127.0.0.1', '10.0.0.1', '::1', '::', '2001:db8::1', 'fec0::1'])
      expect(forbiddenAddressReason(address), address).toBeUndefined();
    expect(literalAddress('api.example.com')).toBeUndefined();
    expect(literalAddress('0day.example.com')).toBeUndefined();
  });
});

describe('probeHttpStatus egress', () => {
  it.each(METADATA_SPELLINGS.filter((host) => !host.includes('%')))(
    'refuses http://%s/ before sending anything',
    async (host) => {
      const result = await probeHttpStatus({
        url: `http://${host}/latest/meta-data/`,
        statuses: [{ min: 100, max: 599 }],
        timeoutMs: 300,
      });
      expect(result.ok).toBe(false);
      expect(result.detail).toMatch(/^refused to contact .*link-local or cloud metadata/);
    },
  );

  it('refuses a name that resolves to a link-local or metadata address', async () => {
    for (const name of ['metadata.test', 'mapped.test', 'ecs-credentials.test', 'mixed.test']) {
      const result = await probeHttpStatus(
        { url: `http://${name}/`, statuses: [{ min: 100, max: 599 }], timeoutMs: 300 },
        { resolve: fakeDns },
      );
      expect(result, name).toEqual({
        ok: false,
        detail: expect.stringMatching(
          new RegExp(`^refused to contact ${name.replace('.', '\\.')} \\(`),
        ) as unknown,
      });
    }
  });

  it('connects to a name that resolves to an allowed address', async () => {
    const port = await listen(
      createHttpServer((_req, res) => {
        res.writeHead(204).end();
      }),
    );
    expect(
      await probeHttpStatus(
        { url: `http://app.test:${port}/`, statuses: [{ min: 204, max: 204 }], timeoutMs: 2000 },
        { resolve: fakeDns },
      ),
    ).toEqual({ ok: true, detail: `http://app.test:${port}/ answered 204` });
  });

  it('never follows a redirect to another origin, and names where it pointed', async () => {
    const otherPort = await listen(
      createHttpServer((_req, res) => {
        hits.other++;
        res.writeHead(200).end();
      }),
    );
    const port = await listen(
      createHttpServer((_req, res) => {
        res.writeHead(302, { location: `http://ops:pw@127.0.0.1:${otherPort}/health` }).end();
      }),
    );
    const result = await probeHttpStatus({
      url: `http://127.0.0.1:${port}/health`,
      statuses: [{ min: 200, max: 299 }],
      timeoutMs: 2000,
    });
    expect(result).toEqual({
      ok: false,
      detail: `http://127.0.0.1:${port}/health answered 302 (redirect to http://***@127.0.0.1:${otherPort}/health, not followed), expected 200-299`,
    });
    expect(hits.other).toBe(0);
  });

  it('never prints credentials written in the probed URL', async () => {
    const port = await listen(
      createHttpServer((_req, res) => {
        res.writeHead(500).end();
      }),
    );
    const result = await probeHttpStatus({
      url: `http://admin:hunter2@127.0.0.1:${port}/`,
      statuses: [{ min: 200, max: 200 }],
      timeoutMs: 2000,
    });
    expect(result.detail).toBe(`http://***@127.0.0.1:${port}/ answered 500, expected 200`);
  });
});

describe('probeTlsCertificate egress', () => {
  it('refuses hosts spelled as link-local or metadata addresses', async () => {
    for (const host of [
      '0xa9.0xfe.0xa9.0xfe',
      '2852039166',
      '169.254.169.254',
      '100.100.100.200',
    ]) {
      const result = await probeTlsCertificate(
        { host, port: 443, minDays: 0 },
        { now: Date.now(), timeoutMs: 300 },
      );
      expect(result.detail, host).toMatch(/^refused to contact .*link-local or cloud metadata/);
    }
  });

  it('refuses a name that resolves to the metadata endpoint', async () => {
    const result = await probeTlsCertificate(
      { host: 'metadata.test', port: 443, minDays: 0 },
      { now: Date.now(), timeoutMs: 300, resolve: fakeDns },
    );
    expect(result).toEqual({
      ok: false,
      detail:
        'refused to contact metadata.test (169.254.169.254): link-local (cloud metadata lives there, e.g. 169.254.169.254, 169.254.170.2); verifiers never contact link-local or cloud metadata addresses',
    });
  });

  it('checks the certificate of a name that resolves to an allowed address', async () => {
    const port = await listen(
      createHttpsServer(tls.cert('app', { days: 90, dnsNames: ['app.test'] }), (_req, res) => {
        res.writeHead(200).end();
      }),
    );
    const result = await probeTlsCertificate(
      { host: 'app.test', port, minDays: 30 },
      { now: Date.now(), ca: tls.caCert, resolve: fakeDns },
    );
    expect(result.ok).toBe(true);
  });
});
