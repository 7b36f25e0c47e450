import { isIP } from 'node:net';
import { connect } from 'node:tls';
import { plural } from '@cutover/kit';
import {
  AddressRefused,
  guardConnectedSocket,
  guardedLookup,
  literalRefusal,
  type ResolveFn,
} from './guard-address.js';

export interface TlsProbeOptions {
  now: number;
  timeoutMs?: number;
  /** Extra trusted CAs (tests); the runner's users set NODE_EXTRA_CA_CERTS instead. */
  ca?: string | Buffer;
  /** Name resolution (tests inject one); the answer is checked before connecting. */
  resolve?: ResolveFn;
}

export interface ProbeResult {
  ok: boolean;
  detail: string;
}

const DAY_MS = 86_400_000;

/** OpenSSL verification codes, in words. */
const TRUST_ERRORS: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its issuer is not a trusted CA',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its issuer is not a trusted CA',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'it is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'its chain ends in an untrusted self-signed CA',
  CERT_HAS_EXPIRED: 'it has expired',
  CERT_NOT_YET_VALID: 'it is not valid yet',
  CERT_REVOKED: 'it was revoked',
};

/**
 * Connects, checks that the chain is trusted and matches the host, and that it stays valid for
 * minDays more. Link-local and metadata addresses are refused on the address connected to.
 */
export function probeTlsCertificate(
  spec: { host: string; port: number; minDays: number },
  options: TlsProbeOptions,
): Promise<ProbeResult> {
  const target = `${spec.host}:${spec.port}`;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const refused = literalRefusal(spec.host);
  if (refused !== undefined) return Promise.resolve({ ok: false, detail: refused });
  return new Promise((resolve) => {
    const socket = connect({
      host: spec.host,
      port: spec.port,
      lookup: guardedLookup(options.resolve),
      ...(isIP(spec.host) === 0 ? { servername: spec.host } : {}),
      ...(options.ca === undefined ? {} : { ca: options.ca }),
      // Judge trust ourselves so the answer can say why, instead of a bare socket error.
      rejectUnauthorized: false,
    });
    const finish = (result: ProbeResult) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => {
      finish({
        ok: false,
        detail: `${target} did not complete a TLS handshake within ${timeoutMs / 1000}s`,
      });
    });
    guardConnectedSocket(socket, spec.host);
    socket.once('error', (error: Error) => {
      finish({
        ok: false,
        detail: error instanceof AddressRefused ? error.message : `${target}: ${error.message}`,
      });
    });
    socket.once('secureConnect', () => {
      const certificate = socket.getPeerCertificate();
      if (!socket.authorized) {
        // Typed as Error, but Node sets the OpenSSL code string (e.g. CERT_HAS_EXPIRED).
        const code = String(socket.authorizationError);
        const reason =
          code === 'ERR_TLS_CERT_ALTNAME_INVALID'
            ? `it is for ${certificate.subjectaltname || String(certificate.subject.CN)}, not ${spec.host}`
            : `${TRUST_ERRORS[code] ?? 'chain verification failed'} (${code})`;
        finish({ ok: false, detail: `certificate of ${target} is not trusted: ${reason}` });
        return;
      }
      const expires = Date.parse(certificate.valid_to);
      const daysLeft = Math.floor((expires - options.now) / DAY_MS);
      const until = new Date(expires).toISOString().slice(0, 10);
      finish(
        daysLeft >= spec.minDays
          ? {
              ok: true,
              detail: `certificate of ${target} valid until ${until} (${plural(daysLeft, 'day')} left, need ${spec.minDays})`,
            }
          : {
              ok: false,
              detail: `certificate of ${target} expires ${until}: ${plural(daysLeft, 'day')} left, need at least ${spec.minDays}`,
            },
      );
    });
  });
}
