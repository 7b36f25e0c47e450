import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackFake } from './loopback-fake.js';

/**
 * A Slack-compatible incoming webhook on loopback. Slack answers 200 "ok", and on errors a
 * status with a plain-text reason ("no_service", "invalid_payload"); it wants
 * {"text": "..."} as JSON. Only posts to `path` are accepted (the secret part of the URL).
 */
export interface WebhookAnswer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
  /** Never answer. */
  hang?: boolean;
}

export class FakeWebhook extends LoopbackFake {
  readonly received: { path: string; contentType: string | undefined; body: unknown }[] = [];
  private readonly answers: WebhookAnswer[] = [];

  constructor(readonly path = '/services/T0001/B0002/s3cr3tT0k3nXYZ') {
    super();
  }

  get hookUrl(): string {
    return `${this.url}${this.path}`;
  }

  /** Serve these answers, in order, to the next posts. */
  answer(...answers: WebhookAnswer[]): void {
    this.answers.push(...answers);
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Recorded as text: the test sees what was sent.
    }
    const path = req.url ?? '/';
    this.received.push({ path, contentType: req.headers['content-type'], body });
    const answer =
      this.answers.shift() ??
      (req.method !== 'POST' || path !== this.path
        ? { status: 404, body: 'no_service' }
        : typeof (body as { text?: unknown } | null)?.text !== 'string'
          ? { status: 400, body: 'invalid_payload' }
          : { status: 200, body: 'ok' });
    if (answer.hang === true) return;
    res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
    res.end(answer.body ?? '');
  }
}
