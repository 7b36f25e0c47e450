import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A test CA and server certificates made with the system openssl, for real TLS handshakes. */
export interface TlsFixture {
  caCert: string;
  cert(name: string, options: { days: number; dnsNames: string[] }): { key: string; cert: string };
}

export function createTlsFixture(): TlsFixture {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-tls-'));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '3650',
    '-subj',
    '/CN=cutover test CA',
  );
  return {
    caCert: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    cert(name, { days, dnsNames }) {
      writeFileSync(
        join(dir, `${name}.ext`),
        `subjectAltName=${dnsNames.map((d) => `DNS:${d}`).join(',')}\n`,
      );
      openssl(
        'req',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.csr`,
        '-subj',
        `/CN=${dnsNames[0] ?? name}`,
      );
      openssl(
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        `${name}.pem`,
        '-days',
        String(days),
        '-extfile',
        `${name}.ext`,
      );
      return {
        key: readFileSync(join(dir, `${name}.key`), 'utf8'),
        cert: readFileSync(join(dir, `${name}.pem`), 'utf8'),
      };
    },
  };
}
