import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, ConflictError, ServiceError, systemClock } from '@cutover/kit';
import { createTargets } from '@cutover/routers';
import {
  decodeMarkerCompact,
  shiftTraffic,
  type Marker,
  type ShiftOptions,
} from '@cutover/traffic';
import { HaproxyRouter, type HaproxySettings } from '../../packages/routers/src/haproxy-router.js';
import { freePort } from '../support/prometheus.js';
import { startHaproxy, type HaproxyServer, type RunningHaproxy } from '../support/haproxy.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function haproxy(
  servers: HaproxyServer[] = [
    { name: 'blue', address: '127.0.0.1:9', weight: 100 },
    { name: 'green', address: '127.0.0.1:9', weight: 0 },
  ],
  extra: { map?: string; global?: string[]; balance?: string } = {},
): Promise<RunningHaproxy> {
  const running = await startHaproxy({ servers, ...extra });
  cleanups.push(() => running.stop());
  return running;
}

const settings = (
  h: RunningHaproxy,
  overrides: Partial<HaproxySettings> = {},
): HaproxySettings => ({
  socket: h.socketPath,
  backend: 'app',
  stable: ['blue'],
  candidate: ['green'],
  map: h.mapPath,
  ...overrides,
});

const options = (overrides: Partial<ShiftOptions> = {}): ShiftOptions => ({
  runId: 'lb-1',
  planSteps: undefined,
  force: false,
  clock: systemClock,
  verifyTimeoutMs: 5000,
  verifyIntervalMs: 20,
  log: () => undefined,
  ...overrides,
});

/** `set weight` values as HAProxy reports them (`get weight`: "90 (initial 100)"). */
async function weight(h: RunningHaproxy, server: string): Promise<number> {
  return Number((await h.command(`get weight app/${server}`)).split(' ')[0]);
}

async function markerOf(h: RunningHaproxy): Promise<Marker | undefined> {
  const line = (await h.command(`show map ${h.mapPath}`)).split('\n').find((l) => / app /.test(l));
  return decodeMarkerCompact(line?.replace(/^0x[0-9a-f]+ app /, ''), 'map');
}

const marker = (after: number, runId = 'lb-1'): Marker => ({
  version: 1,
  runId,
  step: after,
  before: { stable: 100, candidate: 0 },
  after: { stable: 100 - after, candidate: after },
  state: 'shifting',
  at: new Date().toISOString(),
});

/** An HTTP server answering with its colour, for traffic that must follow the weights. */
async function colour(name: string): Promise<string> {
  const port = await freePort();
  const server: Server = createHttpServer((_request, response) => {
    response.setHeader('x-colour', name);
    response.end(name);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `127.0.0.1:${port}`;
}

async function colours(url: string, count: number): Promise<Record<string, number>> {
  const seen: Record<string, number> = {};
  for (let i = 0; i < count; i++) {
    const response = await fetch(url);
    const name = response.headers.get('x-colour') ?? `status ${response.status}`;
    seen[name] = (seen[name] ?? 0) + 1;
    await response.arrayBuffer();
  }
  return seen;
}

describe('HAProxy router (real haproxy, runtime API)', () => {
  it('shifts through the plan steps without a reload, reads the weights back and keeps the marker in the map', async () => {
    const h = await haproxy(
      [
        { name: 'blue', address: await colour('blue'), weight: 100 },
        { name: 'green', address: await colour('green'), weight: 0 },
      ],
      { map: 'other-backend v1 kept as it was\n' },
    );
    const pid = h.pid();
    const { targets } = createTargets(
      {
        kind: 'haproxy',
        socket: h.socketPath,
        backend: 'app',
        stable: 'blue',
        candidate: 'green',
        map: h.mapPath,
      },
      { clock: systemClock, resolvePath: (p) => p },
    );
    expect(targets.map((t) => t.description)).toEqual([`HAProxy backend app at ${h.socketPath}`]);
    for (const step of [10, 50]) {
      const [outcome] = await shiftTraffic(targets, step, options({ planSteps: [10, 50, 100] }));
      expect(outcome?.detail).toMatch(/runtime weights read back: blue \d+, green \d+/);
    }
    expect([await weight(h, 'blue'), await weight(h, 'green')]).toEqual([50, 50]);
    expect(await markerOf(h)).toMatchObject({
      runId: 'lb-1',
      state: 'done',
      before: { stable: 90, candidate: 10 },
      after: { stable: 50, candidate: 50 },
    });
    await shiftTraffic(targets, 100, options({ planSteps: [10, 50, 100] }));
    expect([await weight(h, 'blue'), await weight(h, 'green')]).toEqual([0, 100]);
    expect(await colours(h.url, 20)).toEqual({ green: 20 });
    // The same process all along, and the map's other entry survived every versioned commit.
    expect(h.pid()).toBe(pid);
    expect(await h.command(`show map ${h.mapPath}`)).toMatch(/other-backend v1 kept as it was/);
    const state = await targets[0]?.read();
    expect(state?.weights).toEqual({ stable: 0, candidate: 100 });
    expect(state?.marker?.state).toBe('done');
  });

  it('spreads a colour over its servers and talks over a loopback TCP address too', async () => {
    const h = await haproxy([
      { name: 'blue-1', address: '127.0.0.1:9', weight: 100 },
      { name: 'blue-2', address: '127.0.0.1:9', weight: 100 },
      { name: 'green-1', address: '127.0.0.1:9', weight: 0 },
    ]);
    const router = new HaproxyRouter(
      settings(h, { socket: h.apiAddress, stable: ['blue-1', 'blue-2'], candidate: ['green-1'] }),
    );
    await shiftTraffic([router], 10, options());
    // 2 × 90 : 20 is exactly 90 : 10.
    expect(await Promise.all(['blue-1', 'blue-2', 'green-1'].map((s) => weight(h, s)))).toEqual([
      90, 90, 20,
    ]);
    expect((await router.read()).weights).toEqual({ stable: 90, candidate: 10 });
  });

  it('lets exactly one of two writers from the same read win; the other gets a ConflictError and changed nothing', async () => {
    const h = await haproxy();
    for (let round = 1; round <= 8; round++) {
      const [a, b] = [new HaproxyRouter(settings(h)), new HaproxyRouter(settings(h))];
      const [stateA, stateB] = await Promise.all([a.read(), b.read()]);
      expect(stateA.version).toBe(stateB.version);
      const results = await Promise.allSettled([
        a.write({ stable: 90, candidate: 10 }, marker(10, `a-${round}`), stateA.version),
        b.write({ stable: 80, candidate: 20 }, marker(20, `b-${round}`), stateB.version),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
      // What HAProxy holds is the winner's weights and marker, never a mix.
      const winner = results[0].status === 'fulfilled' ? 'a' : 'b';
      const after = (await a.read()).marker;
      expect(after?.runId).toBe(`${winner}-${round}`);
      expect([await weight(h, 'blue'), await weight(h, 'green')]).toEqual(
        winner === 'a' ? [90, 10] : [80, 20],
      );
    }
  });

  it('refuses a write after a hand-made set weight or set map since the read', async () => {
    const h = await haproxy();
    const router = new HaproxyRouter(settings(h));
    let state = await router.read();
    await h.command('set weight app/green 5');
    await expect(
      router.write({ stable: 90, candidate: 10 }, marker(10), state.version),
    ).rejects.toThrow(ConflictError);
    expect(await weight(h, 'green')).toBe(5);
    state = await router.read();
    await h.command(`add map ${h.mapPath} app v1\\ run=hand`);
    await expect(
      router.write({ stable: 90, candidate: 10 }, marker(10), state.version),
    ).rejects.toThrow(/changed since it was read/);
    // The shift engine re-reads after a conflict and decides again: here, the hand-written
    // marker is no marker this tool wrote, so nothing moves.
    await expect(shiftTraffic([router], 10, options())).rejects.toThrow(/not one this tool wrote/);
    expect(await weight(h, 'green')).toBe(5);
  });

  it('keeps weights and marker across a reload when the state is saved first, and loses both when it is not', async () => {
    const h = await haproxy();
    const router = new HaproxyRouter(settings(h));
    await shiftTraffic([router], 25, options());
    const before = h.pid();
    await h.reload({ saveState: false });
    expect(h.pid()).not.toBe(before);
    // A plain reload starts from the configuration: weights 100/0 and the map file (empty).
    expect(await router.read()).toMatchObject({
      weights: { stable: 100, candidate: 0 },
      marker: undefined,
    });

    await shiftTraffic([router], 25, options({ runId: 'lb-2' }));
    const read = await router.read();
    await h.reload({ saveState: true });
    const after = await router.read();
    expect(after.weights).toEqual({ stable: 75, candidate: 25 });
    expect(after.marker).toEqual(read.marker);
    expect([await weight(h, 'blue'), await weight(h, 'green')]).toEqual([75, 25]);
    // The map's version counter restarts with the process: a read from before the reload is stale.
    await expect(
      router.write({ stable: 50, candidate: 50 }, marker(50), read.version),
    ).rejects.toThrow(ConflictError);
    await shiftTraffic([router], 50, options({ runId: 'lb-2' }));
    expect((await router.read()).weights).toEqual({ stable: 50, candidate: 50 });
  });

  it('reports readiness from the health checks and admin state', async () => {
    const h = await haproxy([
      { name: 'blue', address: await colour('blue'), weight: 100, check: true },
      { name: 'green', address: `127.0.0.1:${await freePort()}`, weight: 0, check: true },
    ]);
    const router = new HaproxyRouter(settings(h));
    for (
      let i = 0;
      i < 100 && JSON.stringify(await router.readiness()) !== '{"stable":true,"candidate":false}';
      i++
    )
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await router.readiness()).toEqual({ stable: true, candidate: false });
    await h.command('set server app/blue state maint');
    expect(await router.readiness()).toEqual({ stable: false, candidate: false });
    await expect(shiftTraffic([router], 10, options())).rejects.toThrow(
      /ready|readiness|endpoints|healthy/i,
    );
  });

  it('names the setting HAProxy does not know: backend, server, map; and a socket below level admin', async () => {
    const operatorPort = await freePort();
    const h = await haproxy(undefined, {
      global: [`stats socket ipv4@127.0.0.1:${operatorPort} level operator`],
    });
    const fails = async (overrides: Partial<HaproxySettings>, message: RegExp) => {
      const error = await new HaproxyRouter(settings(h, overrides)).read().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect(String(error)).toMatch(message);
    };
    await fails({ backend: 'shop' }, /router\.backend "shop" is not a backend of this HAProxy/);
    await fails(
      { candidate: ['green', 'teal'] },
      /router\.candidate "teal" is not a server of backend app \(servers: blue, green\)/,
    );
    await fails(
      { map: join(h.dir, 'nope.map') },
      /router\.map ".*nope\.map" is not a map this HAProxy loaded \(loaded: .*cutover\.map\)/,
    );
    const operator = new HaproxyRouter(settings(h, { socket: `127.0.0.1:${operatorPort}` }));
    const state = await operator.read();
    await expect(
      operator.write({ stable: 90, candidate: 10 }, marker(10), state.version),
    ).rejects.toThrow(/"level operator"; setting weights needs "level admin"/);
    expect(await markerOf(h)).toBeUndefined();
  });

  it('names a static balance algorithm, which cannot take weights at run time', async () => {
    const h = await haproxy(undefined, { balance: 'static-rr' });
    const router = new HaproxyRouter(settings(h));
    const state = await router.read();
    const error = await router
      .write({ stable: 90, candidate: 10 }, marker(10), state.version)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(String(error)).toMatch(/static LB algorithm.*roundrobin or leastconn/);
  });
});

describe('HAProxy router: a runtime API that does not answer', () => {
  async function peer(behaviour: (socket: Socket) => void): Promise<string> {
    const port = await freePort();
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      behaviour(socket);
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          server.close(() => resolve());
        }),
    );
    return `127.0.0.1:${port}`;
  }
  const router = (socket: string) =>
    new HaproxyRouter(
      {
        socket,
        backend: 'app',
        stable: ['blue'],
        candidate: ['green'],
        map: '/etc/haproxy/cutover.map',
      },
      { timeoutMs: 300 },
    );

  it('gives up on a stalled socket at the deadline with a provider error', async () => {
    const address = await peer(() => undefined); // accepts, reads, never answers
    const error = await router(address)
      .read()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceError);
    expect(String(error)).toMatch(
      /no answer to "show map" within 300 ms from the HAProxy runtime API/,
    );
  });

  it('calls a socket closed without an answer, or nothing listening, a provider error', async () => {
    const closed = await peer((socket) => socket.end());
    await expect(router(closed).read()).rejects.toThrow(
      /closed the connection without answering "show map"/,
    );
    const error = await router(`127.0.0.1:${await freePort()}`)
      .readiness()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceError);
    expect(String(error)).toMatch(
      /cannot reach the HAProxy runtime API at 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/,
    );
    await expect(router('/nonexistent/admin.sock').read()).rejects.toThrow(/\(ENOENT\)/);
  });

  it('refuses anything but a unix socket or loopback before connecting', () => {
    for (const socket of [
      '10.0.0.5:9999',
      'localhost:9999',
      '127.0.0.1',
      '[::2]:9999',
      '127.0.0.1:70000',
    ])
      expect(() => router(socket)).toThrow(ConfigError);
  });
});
