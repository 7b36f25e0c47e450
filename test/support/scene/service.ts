import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Counter, Histogram, Registry } from 'prom-client';

/**
 * The scene's small HTTP service, in a blue and a green build: each colour is its own process
 * (this file, run by Node 24 with its types stripped), answering `GET /` with its colour in
 * the `x-colour` header, `/healthz` for HAProxy's checks and `/metrics` for Prometheus, with
 * the seed's series:
 *   http_requests_total{app, track, code}
 *   http_request_duration_seconds_bucket{app, track, le}
 *   db_connection_attempts_total{app, track, result}
 * Faults are switched at run time with `POST /_fault` (loopback only): a share of requests
 * answered 500, added latency that can rise with time, a share of failed database attempts.
 * Error and database faults are deterministic (every 1/rate-th request), so counts are exact.
 */
export interface Fault {
  /** Share of requests answered 500 (0-1). */
  errorRate?: number;
  /** Latency added to every request, in milliseconds, from when the fault is set… */
  latencyMs?: number;
  /** …rising by this many milliseconds per second since then. */
  latencyRiseMsPerS?: number;
  /** Share of database connection attempts that fail (0-1); the request still succeeds. */
  dbFailureRate?: number;
}

export interface RunningService {
  colour: string;
  /** host:port */
  address: string;
  url: string;
  pid: number;
  setFault(fault: Fault): Promise<void>;
  stop(): Promise<void>;
}

const SELF = fileURLToPath(import.meta.url);

/** Starts one colour's build as a child process on a free loopback port. */
export async function startService(
  colour: string,
  options: { app?: string } = {},
): Promise<RunningService> {
  const child: ChildProcess = spawn(process.execPath, [SELF], {
    env: { ...process.env, SCENE_COLOUR: colour, SCENE_APP: options.app ?? 'nextevent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const orphan = () => child.kill('SIGKILL');
  process.once('exit', orphan);
  child.once('exit', () => process.off('exit', orphan));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const address = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the ${colour} service did not start within 10 s: ${stderr}`));
    }, 10_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const found = /listening on (\S+)/.exec(stdout);
      if (found?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the ${colour} service exited with ${code}: ${stderr}`));
    });
  });
  const url = `http://${address}`;
  return {
    colour,
    address,
    url,
    pid: child.pid ?? 0,
    async setFault(fault) {
      const response = await fetch(`${url}/_fault`, {
        method: 'POST',
        body: JSON.stringify(fault),
      });
      if (!response.ok) throw new Error(`${colour} refused the fault: ${await response.text()}`);
    },
    stop: () =>
      child.exitCode !== null || child.signalCode !== null
        ? Promise.resolve()
        : new Promise((resolve) => {
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
  };
}

/** The service itself, when this file is the process's entry point. */
function serve(colour: string, app: string): void {
  const registry = new Registry();
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'Requests answered, by colour and status code',
    labelNames: ['app', 'track', 'code'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Request latency',
    labelNames: ['app', 'track'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const db = new Counter({
    name: 'db_connection_attempts_total',
    help: 'Database connection attempts, by result',
    labelNames: ['app', 'track', 'result'],
    registers: [registry],
  });
  let fault: Fault = {};
  let faultSince = Date.now();
  // Deterministic shares: a request fails when the running sum of the rate crosses a whole number.
  let errorDebt = 0;
  let dbDebt = 0;
  const due = (debt: number, rate: number | undefined): [boolean, number] => {
    const next = debt + (rate ?? 0);
    return next >= 1 ? [true, next - 1] : [false, next];
  };

  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      response.end('ok');
      return;
    }
    if (path === '/metrics') {
      void registry.metrics().then((text) => {
        response.setHeader('content-type', registry.contentType);
        response.end(text);
      });
      return;
    }
    if (path === '/_fault' && request.method === 'POST') {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        try {
          fault = JSON.parse(body) as Fault;
          faultSince = Date.now();
          errorDebt = 0;
          dbDebt = 0;
          response.end('ok');
        } catch (error) {
          response.statusCode = 400;
          response.end(String(error));
        }
      });
      return;
    }
    const started = process.hrtime.bigint();
    const [dbFailed, nextDb] = due(dbDebt, fault.dbFailureRate);
    dbDebt = nextDb;
    db.inc({ app, track: colour, result: dbFailed ? 'failure' : 'success' });
    const [failed, nextError] = due(errorDebt, fault.errorRate);
    errorDebt = nextError;
    const delay =
      (fault.latencyMs ?? 0) + ((fault.latencyRiseMsPerS ?? 0) * (Date.now() - faultSince)) / 1000;
    const answer = () => {
      const code = failed ? 500 : 200;
      response.statusCode = code;
      response.setHeader('x-colour', colour);
      response.end(failed ? `${colour}: injected error\n` : `${colour}\n`);
      requests.inc({ app, track: colour, code: String(code) });
      duration.observe({ app, track: colour }, Number(process.hrtime.bigint() - started) / 1e9);
    };
    if (delay > 0) setTimeout(answer, delay);
    else answer();
  };

  const server = createServer(handle);
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    const bound = server.address();
    const port = typeof bound === 'object' && bound !== null ? bound.port : 0;
    process.stdout.write(`listening on 127.0.0.1:${port}\n`);
  });
  const stop = () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  // The scene that started this process is gone: so is the service.
  process.stdout.on('error', stop);
}

if (process.argv[1] === SELF)
  serve(process.env.SCENE_COLOUR ?? 'blue', process.env.SCENE_APP ?? 'nextevent');
