import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import {
  forbiddenAddressReason,
  guardedLookup,
  literalAddress,
  type ResolveFn,
} from '@cutover/probes';

/**
 * A Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat, Discord's /slack
 * endpoint): POST {"text": "..."}. The URL is the secret (whoever holds it can post), so it is
 * never printed: messages name the host only, and anything echoing it is scrubbed. Delivery is
 * best effort: the caller turns a failed post into a warning, never a failed cutover.
 */

export const WEBHOOK_TIMEOUT_MS = 10_000;
/** Enough of an error answer to explain it ("no_service", "invalid_payload"). */
const ANSWER_LIMIT = 2048;

export interface WebhookResult {
  ok: boolean;
  detail: string;
}

export interface WebhookOptions {
  timeoutMs?: number;
  /** Name resolution (tests inject one); every address is checked before connecting. */
  resolve?: ResolveFn;
  ca?: string | Buffer;
}

function isLoopback(address: string): boolean {
  return /^127\./.test(address) || address === '::1' || /^::ffff:127\./i.test(address);
}

/**
 * Why the URL cannot be used, without quoting it. http:// is accepted only to a loopback
 * address (a local relay): anywhere else the secret path would cross the network in clear.
 */
export function webhookUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'is not a valid URL (value not shown: it is a secret)';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return `must start with https://, got a ${url.protocol} URL`;
  if (url.username !== '' || url.password !== '')
    return 'must not contain credentials (user:password@); the URL itself is the secret';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const literal = literalAddress(host);
  if (
    url.protocol === 'http:' &&
    !(host === 'localhost' || (literal !== undefined && isLoopback(literal)))
  )
    return `must use https:// (http:// only to a loopback address), got http:// to ${url.host}`;
  const reason = literal === undefined ? undefined : forbiddenAddressReason(literal);
  if (reason !== undefined) return `points at ${literal ?? host}: ${reason}; never contacted`;
  return undefined;
}

/**
 * The values to mask: the URL as given and as normalised, and its path and query (the token),
 * in case a library prints a part of it. Short paths ("/") are not secrets and are left alone.
 */
export function webhookSecrets(text: string): string[] {
  const secrets = new Set([text.trim()]);
  try {
    const url = new URL(text.trim());
    secrets.add(url.href);
    const path = `${url.pathname}${url.search}`;
    if (path.length >= 8) secrets.add(path);
  } catch {
    // Not a URL: refused before use; the raw value is masked.
  }
  return [...secrets].filter((secret) => secret !== '');
}

/** POSTs {"text": text}; never throws, never follows a redirect, gives up after the timeout. */
export function postWebhook(
  target: string,
  text: string,
  options: WebhookOptions = {},
): Promise<WebhookResult> {
  const problem = webhookUrlProblem(target);
  const secrets = webhookSecrets(target);
  const scrub = (message: string) =>
    secrets.reduce((scrubbed, secret) => scrubbed.split(secret).join('***'), message);
  if (problem !== undefined)
    return Promise.resolve({ ok: false, detail: `webhook URL ${problem}` });
  const url = new URL(target.trim());
  const name = `webhook at ${url.host}`;
  const timeoutMs = options.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  const body = JSON.stringify({ text });
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: WebhookResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ok: result.ok, detail: scrub(result.detail) });
    };
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'cutover-actions/deployment-status',
        },
        // A fresh connection each time, so every post passes the address guard.
        agent: false,
        lookup: guardedLookup(options.resolve),
        ...(options.ca === undefined ? {} : { ca: options.ca }),
      },
      (response) => {
        const status = response.statusCode ?? 0;
        let answer = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          if (answer.length < ANSWER_LIMIT) answer += chunk;
          else response.destroy();
        });
        const done = () => {
          const said = answer.replace(/\s+/g, ' ').trim().slice(0, 200);
          if (status >= 200 && status < 300)
            finish({ ok: true, detail: `${name} answered ${status}` });
          else if (status >= 300 && status < 400)
            finish({ ok: false, detail: `${name} answered ${status} (redirect not followed)` });
          else
            finish({
              ok: false,
              detail: `${name} answered ${status}${said === '' ? '' : `: ${said}`}`,
            });
        };
        response.once('end', done);
        response.once('close', done);
      },
    );
    req.once('socket', (socket: Socket) => {
      guardSocket(socket, url.protocol === 'http:', (reason) => {
        req.destroy(new Error(reason));
      });
    });
    // The deadline covers connect, send and the whole answer.
    const timer = setTimeout(() => {
      req.destroy(new Error(`no answer within ${timeoutMs / 1000}s`));
    }, timeoutMs);
    req.once('error', (error) => {
      finish({ ok: false, detail: `${name}: ${error.message}` });
    });
    req.end(body);
  });
}

/** Checks the address actually connected to (the lookup guard does not see literal hosts). */
function guardSocket(
  socket: Socket,
  loopbackOnly: boolean,
  refuse: (reason: string) => void,
): void {
  const check = () => {
    const address = socket.remoteAddress;
    if (address === undefined) return;
    const reason = forbiddenAddressReason(address);
    if (reason !== undefined) refuse(`refused to contact ${address}: ${reason}`);
    else if (loopbackOnly && !isLoopback(address))
      refuse(`refused to send the webhook over http:// to ${address}, not a loopback address`);
  };
  if (socket.remoteAddress !== undefined) check();
  else socket.once('connect', check);
}
