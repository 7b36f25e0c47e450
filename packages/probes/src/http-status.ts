import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { redactUrls } from '@cutover/kit';
import {
  AddressRefused,
  guardConnectedSocket,
  guardedLookup,
  literalRefusal,
  type ResolveFn,
} from './guard-address.js';
import type { ProbeResult } from './tls-certificate.js';

export interface HttpProbeOptions {
  ca?: string | Buffer;
  /** Name resolution (tests inject one); the answer is checked before connecting. */
  resolve?: ResolveFn;
}

/**
 * GET the URL and compare the status with the accepted ranges. Redirects are never followed
 * (a 3xx is judged as the status it is, its target named), so a probe cannot be steered to
 * another host; link-local and metadata addresses are refused on the address connected to.
 */
export function probeHttpStatus(
  spec: { url: string; statuses: { min: number; max: number }[]; timeoutMs: number },
  options: HttpProbeOptions = {},
): Promise<ProbeResult> {
  const shown = redactUrls(spec.url);
  let url: URL;
  try {
    url = new URL(spec.url);
  } catch {
    return Promise.resolve({ ok: false, detail: `${shown}: not a valid URL` });
  }
  const refused = literalRefusal(url.hostname);
  if (refused !== undefined) return Promise.resolve({ ok: false, detail: refused });
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const expected = spec.statuses
    .map((r) => (r.min === r.max ? `${r.min}` : `${r.min}-${r.max}`))
    .join(', ');
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: 'GET',
        headers: { 'user-agent': 'cutover-actions/validate-checklist' },
        // A fresh connection each time, so every probe passes the address guard.
        agent: false,
        lookup: guardedLookup(options.resolve),
        ...(options.ca === undefined ? {} : { ca: options.ca }),
      },
      (response) => {
        const status = response.statusCode ?? 0;
        const location = response.headers.location;
        response.destroy();
        const ok = spec.statuses.some((range) => status >= range.min && status <= range.max);
        const redirect =
          status >= 300 && status < 400 && location !== undefined
            ? ` (redirect to ${redactUrls(location)}, not followed)`
            : '';
        resolve({
          ok,
          detail: ok
            ? `${shown} answered ${status}${redirect}`
            : `${shown} answered ${status}${redirect}, expected ${expected}`,
        });
      },
    );
    req.once('socket', (socket) => {
      guardConnectedSocket(socket, url.hostname);
    });
    req.setTimeout(spec.timeoutMs, () => {
      req.destroy(new Error(`no answer within ${spec.timeoutMs / 1000}s`));
    });
    req.once('error', (error) => {
      resolve({
        ok: false,
        detail:
          error instanceof AddressRefused
            ? error.message
            : `${shown}: ${redactUrls(error.message)}`,
      });
    });
    req.end();
  });
}
