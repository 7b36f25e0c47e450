import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { ProbeResult } from './tls-certificate.js';

export interface HttpProbeOptions {
  ca?: string | Buffer;
}

/** GET the URL without following redirects and compare the status with the accepted ranges. */
export function probeHttpStatus(
  spec: { url: string; statuses: { min: number; max: number }[]; timeoutMs: number },
  options: HttpProbeOptions = {},
): Promise<ProbeResult> {
  const url = new URL(spec.url);
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
        ...(options.ca === undefined ? {} : { ca: options.ca }),
      },
      (response) => {
        const status = response.statusCode ?? 0;
        response.destroy();
        const ok = spec.statuses.some((range) => status >= range.min && status <= range.max);
        resolve({
          ok,
          detail: ok
            ? `${spec.url} answered ${status}`
            : `${spec.url} answered ${status}, expected ${expected}`,
        });
      },
    );
    req.setTimeout(spec.timeoutMs, () => {
      req.destroy(new Error(`no answer within ${spec.timeoutMs / 1000}s`));
    });
    req.once('error', (error) => {
      resolve({ ok: false, detail: `${spec.url}: ${error.message}` });
    });
    req.end();
  });
}
