import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny /metrics endpoint for a real Prometheus to scrape: a request counter by status code
 * whose error share can be changed while it runs (to start or end a breach).
 */
export class LiveExporter {
  errorShare = 0.01;
  private readonly requestsPerSecond = 100;
  private ok = 0;
  private errors = 0;
  private last = Date.now();
  private server: Server | undefined;
  target = '';

  async start(): Promise<this> {
    this.server = createServer((_req, res) => {
      this.advance();
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(
        [
          '# TYPE app_requests_total counter',
          `app_requests_total{code="200"} ${this.ok.toFixed(3)}`,
          `app_requests_total{code="500"} ${this.errors.toFixed(3)}`,
          '',
        ].join('\n'),
      );
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.target = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Changes the error share from now on (counters keep their history). */
  setErrorShare(share: number): void {
    this.advance();
    this.errorShare = share;
  }

  stop(): Promise<void> {
    return new Promise((resolve) =>
      this.server?.close(() => {
        resolve();
      }),
    );
  }

  private advance(): void {
    const now = Date.now();
    const requests = ((now - this.last) / 1000) * this.requestsPerSecond;
    this.errors += requests * this.errorShare;
    this.ok += requests * (1 - this.errorShare);
    this.last = now;
  }
}

export const LIVE_ERROR_RATE =
  'sum(rate(app_requests_total{code="500"}[5s])) / sum(rate(app_requests_total[5s]))';
