import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/** What every fake API shares: listen on a free loopback port (HTTP, or HTTPS), expose its URL, close. */
export abstract class LoopbackFake {
  private server: Server | undefined;
  url = '';

  protected abstract handle(req: IncomingMessage, res: ServerResponse): Promise<unknown>;

  /** A key and certificate for "localhost" make the fake speak HTTPS. */
  protected tls(): { key: string; cert: string } | undefined {
    return undefined;
  }

  async start(): Promise<this> {
    const tls = this.tls();
    const listener = (req: IncomingMessage, res: ServerResponse) => {
      void this.handle(req, res);
    };
    this.server = tls === undefined ? createServer(listener) : createTlsServer(tls, listener);
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const port = (this.server.address() as AddressInfo).port;
    this.url = tls === undefined ? `http://127.0.0.1:${port}` : `https://localhost:${port}`;
    return this;
  }

  stop(): Promise<void> {
    // Clients keep connections alive; close them so the server can stop at once.
    this.server?.closeAllConnections();
    return new Promise((resolve) =>
      this.server?.close(() => {
        resolve();
      }),
    );
  }
}
