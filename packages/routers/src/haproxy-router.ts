import { createConnection } from 'node:net';
import { ConfigError, ConflictError, ServiceError, v } from '@cutover/kit';
import { shareOf, type Weights } from '@cutover/plan';
import {
  decodeMarkerCompact,
  encodeMarkerCompact,
  type Marker,
  type RouterTarget,
  type TargetState,
} from '@cutover/traffic';
import {
  kindOf,
  list,
  settingsObject,
  show,
  text,
  type RouterDefinition,
} from './router-settings.js';

export interface HaproxySettings {
  /** A unix socket path, or a loopback `host:port` (`127.0.0.1:9999`, `[::1]:9999`). */
  socket: string;
  backend: string;
  /** Server names of each colour in `backend`; a colour's share is spread evenly over them. */
  stable: readonly string[];
  candidate: readonly string[];
  /** The map file holding the marker, named as the HAProxy configuration names it. */
  map: string;
}

export interface HaproxyRouterOptions {
  /** Deadline of one runtime API exchange (connect, send, answer). Default 5 s. */
  timeoutMs?: number;
}

/** HAProxy caps a server weight at 256 (`set weight`). */
const MAX_WEIGHT = 256;
/** A runtime API answer larger than this is not one of ours. */
const ANSWER_LIMIT = 1 << 20;

interface ServerState {
  name: string;
  /** srv_uweight: the weight set at run time (`set weight`). */
  weight: number;
  /** srv_op_state 2: running (health checks pass, or none). */
  running: boolean;
  /** srv_admin_state 0: neither maintenance nor drain. */
  admitted: boolean;
}

interface Snapshot {
  nextVersion: number;
  entries: [key: string, value: string][];
  servers: ServerState[];
}

/**
 * HAProxy through its runtime API (the stats socket, `level admin`): both colours are servers
 * of one backend, and a colour's share is the sum of its servers' weights (`set weight`, read
 * back with `show servers state`), applied at once, with no reload.
 *
 * The marker (compact form) is the value of the key `<backend>` in a map file the
 * configuration loads (any `map(<file>)` reference will do). Writes are a compare-and-swap
 * built on HAProxy's map versions: `prepare map` hands out each version number once, so of
 * the writers that read the same `next_ver` exactly one gets `next_ver + 1`; the others get a
 * later number and stop with a ConflictError before changing anything. The winner copies the
 * map's other entries into its version, adds the marker, `commit map`s it (atomic) and only
 * then sets the weights, so the marker never claims less than may have happened. A hand-made
 * `set weight` or `set map` is seen by the re-read just before `prepare map`; one landing in
 * the few milliseconds between that re-read and the write is not (HAProxy has no conditional
 * `set weight`); the shift's read-back catches it.
 *
 * Across a reload the runtime state is kept only if saved first: weights with
 * `server-state-file` + `load-server-state-from-file` (dump `show servers state` to the file
 * before reloading), the marker by writing `show map <file>` back to the map file. Without
 * that, the new process starts from the configured weights and the map file's marker
 * (docs/routers/haproxy.md).
 *
 * The runtime API has no authentication, so the router talks only to a unix socket or a
 * loopback address: a plan can never point it at another host (reach a remote HAProxy
 * through a tunnel). Every name sent is checked against HAProxy's own character set, so no
 * setting can add a command.
 */
export class HaproxyRouter implements RouterTarget {
  readonly description: string;
  readonly allOrNothing = false;
  private readonly timeoutMs: number;
  private readonly address: { path: string } | { host: string; port: number };

  constructor(
    private readonly settings: HaproxySettings,
    options: HaproxyRouterOptions = {},
  ) {
    this.description = `HAProxy backend ${settings.backend} at ${settings.socket}`;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.address = parseSocket(settings.socket);
  }

  async read(): Promise<TargetState> {
    const snapshot = await this.snapshot();
    const totals = this.totals(snapshot.servers);
    if (totals.stable + totals.candidate === 0)
      throw new ConfigError(
        `${this.description}: every server of both colours has weight 0, so the backend routes no traffic; set the stable servers' weights by hand (set weight ${this.settings.backend}/<server> 100)`,
      );
    const markerText = snapshot.entries.find(([key]) => key === this.settings.backend)?.[1];
    return {
      weights: shareOf(totals.stable, totals.candidate, this.description),
      marker: decodeMarkerCompact(markerText, this.description),
      version: versionOf(snapshot, this.settings.backend),
    };
  }

  async write(weights: Weights, marker: Marker, version: string): Promise<void> {
    const current = await this.snapshot();
    if (versionOf(current, this.settings.backend) !== version)
      throw new ConflictError(`${this.description} changed since it was read`);
    const perServer = serverWeights(weights, this.settings.stable, this.settings.candidate);
    const map = this.settings.map;
    // Checked first: an operator-level socket would take the marker and refuse the weights.
    const level = (await this.command('show cli level')).trim();
    if (level !== 'admin')
      throw new ConfigError(
        `${this.description}: the stats socket is "level ${level}"; setting weights needs "level admin" (stats socket ... level admin)`,
      );
    const prepared = /New version created: (\d+)/.exec(await this.command(`prepare map ${map}`));
    const next = Number(prepared?.[1] ?? Number.NaN);
    if (prepared === null) throw this.refused(`prepare map ${map}`, 'no version number');
    if (next !== current.nextVersion + 1) {
      // Another writer prepared a version since this one read: it owns the next state.
      await this.command(`clear map @${next} ${map}`).catch(() => undefined);
      throw new ConflictError(
        `${this.description}: another writer is changing ${map} (version ${next - 1} prepared since the read at ${current.nextVersion})`,
      );
    }
    const entries = [
      ...current.entries.filter(([key]) => key !== this.settings.backend),
      [this.settings.backend, encodeMarkerCompact(marker)] as [string, string],
    ];
    for (const [key, value] of entries)
      await this.expectSilence(`add map @${next} ${map} ${escape(key)} ${escape(value)}`);
    const committed = await this.command(`commit map @${next} ${map}`);
    if (/out of range/i.test(committed))
      throw new ConflictError(
        `${this.description}: another writer committed ${map} first (${committed.trim()})`,
      );
    if (committed.trim() !== '') throw this.refused(`commit map @${next} ${map}`, committed);
    // Only the weights that change: HAProxy's round robin re-queues a server on every
    // `set weight`, even to the same value, which skews the split for a moment (a marker-only
    // write, such as marking a shift done, must not move traffic). All in one exchange, which
    // HAProxy runs back to back.
    const changes = [...perServer].filter(
      ([server, w]) => current.servers.find((s) => s.name === server)?.weight !== w,
    );
    if (changes.length > 0)
      await this.expectSilence(
        changes
          .map(([server, w]) => `set weight ${this.settings.backend}/${server} ${w}`)
          .join('; '),
      );
  }

  async readiness(): Promise<{ stable: boolean; candidate: boolean }> {
    const servers = await this.servers();
    const ready = (names: readonly string[]) =>
      servers.some((s) => names.includes(s.name) && s.running && s.admitted);
    return { stable: ready(this.settings.stable), candidate: ready(this.settings.candidate) };
  }

  async effective(weights: Weights): Promise<{ effective: boolean; detail: string }> {
    const servers = await this.servers();
    const totals = this.totals(servers);
    const listed = servers
      .filter((s) => [...this.settings.stable, ...this.settings.candidate].includes(s.name))
      .map((s) => `${s.name} ${s.weight}`)
      .join(', ');
    const share =
      totals.stable + totals.candidate === 0
        ? undefined
        : shareOf(totals.stable, totals.candidate, this.description);
    return share?.stable === weights.stable && share.candidate === weights.candidate
      ? { effective: true, detail: `runtime weights read back: ${listed}` }
      : { effective: false, detail: `runtime weights are ${listed}` };
  }

  /** `next_ver`, the map's entries and the backend's servers, in that order. */
  private async snapshot(): Promise<Snapshot> {
    const nextVersion = await this.nextVersion();
    const entries = await this.entries();
    const servers = await this.servers();
    return { nextVersion, entries, servers };
  }

  private async nextVersion(): Promise<number> {
    const answer = await this.command('show map');
    const line = answer
      .split('\n')
      .find((l) => new RegExp(`^\\d+ \\(${escapeRegExp(this.settings.map)}\\) `).test(l));
    const found = line === undefined ? undefined : /next_ver=(\d+)/.exec(line)?.[1];
    if (found === undefined) {
      const loaded = [...answer.matchAll(/^\d+ \((.*?)\) /gm)].map((m) => m[1]);
      throw new ConfigError(
        `${this.description}: router.map ${show(this.settings.map)} is not a map this HAProxy loaded (loaded: ${loaded.join(', ') || 'none'}); reference it in the configuration, e.g. http-request set-var(txn.cutover) str(${this.settings.backend}),map(${this.settings.map},none)`,
      );
    }
    return Number(found);
  }

  /** The map's entries: `show map <file>` prints `<pointer> <key> <value>` per line. */
  private async entries(): Promise<[string, string][]> {
    const answer = await this.command(`show map ${this.settings.map}`);
    return answer
      .split('\n')
      .map((line) => /^0x[0-9a-f]+ (\S+)(?: (.*))?$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1] ?? '', m[2] ?? '']);
  }

  private async servers(): Promise<ServerState[]> {
    const { backend } = this.settings;
    const answer = await this.command(`show servers state ${backend}`);
    if (/can't find backend/i.test(answer))
      throw new ConfigError(
        `${this.description}: router.backend ${show(backend)} is not a backend of this HAProxy`,
      );
    const lines = answer.split('\n');
    const header = lines
      .find((l) => l.startsWith('# be_id'))
      ?.slice(2)
      .split(' ');
    if (lines[0] !== '1' || header === undefined)
      throw this.refused(`show servers state ${backend}`, answer);
    const column = (name: string) => header.indexOf(name);
    const [name, op, admin, weight] = [
      column('srv_name'),
      column('srv_op_state'),
      column('srv_admin_state'),
      column('srv_uweight'),
    ];
    const servers = lines
      .filter((l) => /^\d/.test(l) && l.includes(' '))
      .map((l) => l.split(' '))
      .map((f) => ({
        name: f[name] ?? '',
        weight: Number(f[weight]),
        running: f[op] === '2',
        admitted: f[admin] === '0',
      }));
    const named = new Set(servers.map((s) => s.name));
    const missing = (key: 'stable' | 'candidate') =>
      this.settings[key].filter((s) => !named.has(s)).map((s) => `router.${key} ${show(s)}`);
    const absent = [...missing('stable'), ...missing('candidate')];
    if (absent.length > 0)
      throw new ConfigError(
        `${this.description}: ${absent.join(', ')} ${absent.length === 1 ? 'is not a server' : 'are not servers'} of backend ${backend} (servers: ${[...named].join(', ') || 'none'})`,
      );
    return servers;
  }

  private totals(servers: ServerState[]): { stable: number; candidate: number } {
    const sum = (names: readonly string[]) =>
      servers.filter((s) => names.includes(s.name)).reduce((total, s) => total + s.weight, 0);
    return { stable: sum(this.settings.stable), candidate: sum(this.settings.candidate) };
  }

  /** A command whose success is an empty answer (`set weight`, `add map`). */
  private async expectSilence(command: string): Promise<void> {
    const answer = await this.command(command);
    if (answer.trim() !== '') throw this.refused(command, answer);
  }

  private refused(command: string, answer: string): Error {
    const said = answer.trim().split('\n').slice(0, 3).join(' ').slice(0, 200);
    const name = command.split(' ').slice(0, 2).join(' ');
    if (/permission denied/i.test(said))
      return new ConfigError(
        `${this.description}: HAProxy refused "${name}" (${said}); the stats socket must be declared with "level admin"`,
      );
    if (/static LB algorithm/i.test(said))
      return new ConfigError(
        `${this.description}: HAProxy refused "${name}": ${said} (use a dynamic balance algorithm such as roundrobin or leastconn)`,
      );
    if (/no such server|unknown map|can't find/i.test(said))
      return new ConfigError(`${this.description}: HAProxy refused "${name}": ${said}`);
    return new ServiceError(`${this.description}: HAProxy answered "${name}" with: ${said}`);
  }

  /** One exchange in the runtime API's non-interactive mode: a line out, the answer until EOF. */
  private command(line: string): Promise<string> {
    const { socket } = this.settings;
    const name = line.split(' ').slice(0, 2).join(' ');
    return new Promise((resolve, reject) => {
      const connection = createConnection(this.address);
      const chunks: Buffer[] = [];
      let size = 0;
      let settled = false;
      const finish = (error: Error | undefined, answer?: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        connection.destroy();
        if (error === undefined) resolve(answer ?? '');
        else reject(error);
      };
      const deadline = setTimeout(() => {
        finish(
          new ServiceError(
            `${this.description}: no answer to "${name}" within ${this.timeoutMs} ms from the HAProxy runtime API`,
          ),
        );
      }, this.timeoutMs);
      connection.on('connect', () => connection.end(`${line}\n`));
      connection.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > ANSWER_LIMIT)
          finish(
            new ServiceError(
              `${this.description}: the answer to "${name}" exceeds ${ANSWER_LIMIT} bytes; not an HAProxy runtime API`,
            ),
          );
        else chunks.push(chunk);
      });
      connection.on('end', () => {
        const answer = Buffer.concat(chunks).toString('utf8');
        // Every command answers at least a newline; nothing at all is a closed socket.
        if (answer === '')
          finish(
            new ServiceError(
              `${this.description}: the HAProxy runtime API closed the connection without answering "${name}"`,
            ),
          );
        else finish(undefined, answer);
      });
      connection.on('error', (error: NodeJS.ErrnoException) => {
        finish(
          new ServiceError(
            `${this.description}: cannot reach the HAProxy runtime API at ${socket} (${error.code ?? error.message})`,
            { cause: error },
          ),
        );
      });
    });
  }
}

/** The version a write must still find: `next_ver`, the marker and every listed server's weight. */
function versionOf(snapshot: Snapshot, backend: string): string {
  return JSON.stringify([
    snapshot.nextVersion,
    snapshot.entries.find(([key]) => key === backend)?.[1] ?? null,
    snapshot.servers.map((s) => [s.name, s.weight]),
  ]);
}

/**
 * Pure: a weight (0-256) for every server such that the colours' totals stand exactly in the
 * ratio asked for: stable% × k to candidate% × k. k is the colours' largest server count, so
 * equal fleets take the percentages as they are (90 and 10 each), as far as 256 per server
 * allows; a total is spread as evenly as integers can (2 over 4 servers: 1, 1, 0, 0).
 */
export function serverWeights(
  share: Weights,
  stable: readonly string[],
  candidate: readonly string[],
): Map<string, number> {
  const room = (percent: number, servers: number) =>
    percent === 0 ? Infinity : Math.floor((MAX_WEIGHT * servers) / percent);
  const k = Math.min(
    Math.max(stable.length, candidate.length),
    room(share.stable, stable.length),
    room(share.candidate, candidate.length),
  );
  const weights = new Map<string, number>();
  for (const [servers, percent] of [
    [stable, share.stable],
    [candidate, share.candidate],
  ] as const) {
    const total = percent * k;
    servers.forEach((server, i) => {
      weights.set(
        server,
        Math.floor(total / servers.length) + (i < total % servers.length ? 1 : 0),
      );
    });
  }
  return weights;
}

/** The runtime API splits arguments on spaces and commands on `;`; a backslash escapes both. */
function escape(value: string): string {
  return value.replace(/[\\ \t;]/g, (c) => `\\${c}`);
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const OCTET = '(25[0-5]|2[0-4]\\d|1?\\d?\\d)';
const PORT = '([1-9]\\d{0,3}|[1-5]\\d{4}|6[0-4]\\d{3}|65[0-4]\\d{2}|655[0-2]\\d|6553[0-5])';
/** A unix socket path, or 127.x.x.x / [::1] with a port; names are never resolved. */
const SOCKET = new RegExp(`^(/[^\\s\\0;]{1,511}|127(\\.${OCTET}){3}:${PORT}|\\[::1\\]:${PORT})$`);

/** Where to connect; throws a ConfigError for anything but a unix socket or loopback. */
export function parseSocket(socket: string): { path: string } | { host: string; port: number } {
  if (!SOCKET.test(socket))
    throw new ConfigError(
      `router.socket: ${show(socket)} is not a unix socket path or a loopback address with a port`,
    );
  if (socket.startsWith('/')) return { path: socket };
  const colon = socket.lastIndexOf(':');
  return {
    host: socket.slice(0, colon).replace(/^\[|\]$/g, ''),
    port: Number(socket.slice(colon + 1)),
  };
}

/** HAProxy's own rule for proxy and server names: letters, digits, - _ . : */
const NAME = /^[A-Za-z0-9_.:-]{1,64}$/;
const serverName = text(
  'an HAProxy server name like "blue-1" (letters, digits, - _ . :)',
  NAME,
  64,
);
const servers = (what: string) => {
  const message = (issue: { input: unknown }) =>
    `expected ${what} (letters, digits, - _ . :), or a list of them, got ${show(issue.input)}`;
  return v.pipe(
    v.union([serverName, list(serverName, what)], message),
    v.transform((value): readonly string[] => (typeof value === 'string' ? [value] : value)),
  );
};

export const haproxyRouter: RouterDefinition<{
  kind: 'haproxy';
  socket: string;
  backend: string;
  stable: readonly string[];
  candidate: readonly string[];
  map: string;
}> = {
  kind: 'haproxy',
  summary:
    'HAProxy server weights in one backend through the runtime API (no reload), marker in a map entry',
  settings: v.pipe(
    settingsObject({
      kind: kindOf('haproxy'),
      socket: text(
        'a unix socket path like "/run/haproxy/admin.sock" or a loopback address like "127.0.0.1:9999" (the runtime API has no authentication: reach another host through a tunnel)',
        SOCKET,
        512,
      ),
      backend: text('an HAProxy backend name like "app" (letters, digits, - _ . :)', NAME, 64),
      stable: servers('a server name of the backend like "blue"'),
      candidate: servers('a server name of the backend like "green"'),
      map: text(
        'the map file holding the marker, as the HAProxy configuration names it, like "/etc/haproxy/cutover.map"',
        /^[A-Za-z0-9_./@+-]{1,512}$/,
        512,
      ),
    }),
    v.forward(
      v.check(
        (s) => !s.stable.some((name) => s.candidate.includes(name)),
        (issue) =>
          `a server cannot be both stable and candidate, got ${show((issue.input as { candidate: unknown }).candidate)}`,
      ),
      ['candidate'],
    ),
  ),
  create: (settings) => [new HaproxyRouter(settings)],
};
