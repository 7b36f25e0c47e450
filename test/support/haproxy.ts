import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './prometheus.js';

/**
 * A real HAProxy (Debian package) on loopback: one HTTP frontend, one backend whose servers
 * are the colours, the runtime API on a unix socket and on a loopback TCP port (both `level
 * admin`), a map file for the cutover marker, and server-state-file wiring so a reload can
 * keep the runtime weights. Run as the test's own process; killed when the test process exits.
 */
export interface HaproxyServer {
  name: string;
  /** host:port */
  address: string;
  weight: number;
  /** HTTP health check on GET /healthz every 200 ms. */
  check?: boolean;
}

export interface HaproxyOptions {
  backend?: string;
  servers: HaproxyServer[];
  /** Initial map file content (`key value` lines). */
  map?: string;
  balance?: string;
  /** Extra lines for the global section (e.g. a `level operator` socket). */
  global?: string[];
}

export interface RunningHaproxy {
  dir: string;
  /** http://127.0.0.1:port */
  url: string;
  socketPath: string;
  /** 127.0.0.1:port of the TCP runtime API. */
  apiAddress: string;
  mapPath: string;
  backend: string;
  pid(): number;
  /** One runtime API exchange over the unix socket. */
  command(line: string): Promise<string>;
  /**
   * A reload (`haproxy -sf <old pid>`): with `saveState`, first dumps `show servers state` to
   * the server-state-file and the marker map back to its file, as docs/routers/haproxy.md says.
   */
  reload(options: { saveState: boolean }): Promise<void>;
  stop(): Promise<void>;
}

export function haproxyBinary(): string {
  for (const candidate of ['/usr/sbin/haproxy', '/usr/bin/haproxy'])
    if (existsSync(candidate)) return candidate;
  try {
    return execFileSync('sh', ['-c', 'command -v haproxy'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('haproxy is not installed: run bash scripts/install-system-deps.sh');
  }
}

export function runtimeCommand(socket: string, line: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const colon = socket.lastIndexOf(':');
    const connection = socket.startsWith('/')
      ? createConnection({ path: socket })
      : createConnection({ host: socket.slice(0, colon), port: Number(socket.slice(colon + 1)) });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      connection.destroy();
      reject(new Error(`no answer to ${line} within ${timeoutMs} ms`));
    }, timeoutMs);
    connection.on('connect', () => connection.end(`${line}\n`));
    connection.on('data', (chunk: Buffer) => chunks.push(chunk));
    connection.on('end', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    connection.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

export async function startHaproxy(options: HaproxyOptions): Promise<RunningHaproxy> {
  const binary = haproxyBinary();
  const dir = mkdtempSync(join(tmpdir(), 'cutover-haproxy-'));
  const backend = options.backend ?? 'app';
  const socketPath = join(dir, 'admin.sock');
  const mapPath = join(dir, 'cutover.map');
  const statePath = join(dir, 'server-state');
  const configPath = join(dir, 'haproxy.cfg');
  const [port, apiPort] = [await freePort(), await freePort()];
  writeFileSync(mapPath, options.map ?? '');
  const checked = options.servers.some((s) => s.check === true);
  writeFileSync(
    configPath,
    [
      'global',
      `  stats socket ${socketPath} mode 600 level admin`,
      `  stats socket ipv4@127.0.0.1:${apiPort} level admin`,
      `  server-state-file ${statePath}`,
      ...(options.global ?? []).map((line) => `  ${line}`),
      'defaults',
      '  mode http',
      '  timeout connect 2s',
      '  timeout client 30s',
      '  timeout server 30s',
      '  option http-keep-alive',
      '  load-server-state-from-file global',
      'frontend web',
      `  bind 127.0.0.1:${port}`,
      // Only so that HAProxy loads the map holding the marker; the variable is not used.
      `  http-request set-var(txn.cutover) str(${backend}),map(${mapPath},none)`,
      `  default_backend ${backend}`,
      `backend ${backend}`,
      `  balance ${options.balance ?? 'roundrobin'}`,
      ...(checked ? ['  option httpchk GET /healthz'] : []),
      ...options.servers.map(
        (s) =>
          `  server ${s.name} ${s.address} weight ${s.weight}${s.check === true ? ' check inter 200ms fall 2 rise 1' : ''}`,
      ),
      '',
    ].join('\n'),
  );
  let child = launch(binary, configPath, []);
  await ready(child, socketPath);
  const command = (line: string) => runtimeCommand(socketPath, line);
  return {
    dir,
    url: `http://127.0.0.1:${port}`,
    socketPath,
    apiAddress: `127.0.0.1:${apiPort}`,
    mapPath,
    backend,
    pid: () => child.pid ?? 0,
    command,
    async reload({ saveState }) {
      if (saveState) {
        writeFileSync(statePath, await command('show servers state'));
        const entries = (await command(`show map ${mapPath}`))
          .split('\n')
          .map((line) => /^0x[0-9a-f]+ (.*)$/.exec(line)?.[1])
          .filter((line): line is string => line !== undefined);
        writeFileSync(mapPath, entries.map((line) => `${line}\n`).join(''));
      } else rmSync(statePath, { force: true });
      const old = child;
      const exited = new Promise((resolve) => old.once('exit', resolve));
      // The new process binds beside the old one, then tells it to finish (-sf).
      child = launch(binary, configPath, ['-sf', String(old.pid)]);
      await exited;
      await ready(child, socketPath);
    },
    stop: async () => {
      await stop(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function launch(binary: string, config: string, extra: string[]): ChildProcess {
  const child = spawn(binary, ['-db', '-f', config, ...extra], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  Object.defineProperty(child, 'log', { get: () => stderr });
  // A test that dies before stop() must not leave a load balancer behind.
  const orphan = () => child.kill('SIGKILL');
  process.once('exit', orphan);
  child.once('exit', () => process.off('exit', orphan));
  return child;
}

async function ready(child: ChildProcess, socketPath: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(
        `haproxy exited with ${child.exitCode}: ${(child as unknown as { log: string }).log}`,
      );
    try {
      if ((await runtimeCommand(socketPath, 'show info', 1000)).includes(`Pid: ${child.pid}`))
        return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(
        `haproxy did not answer on ${socketPath} within 10s: ${(child as unknown as { log: string }).log}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
