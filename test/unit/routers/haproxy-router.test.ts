import { describe, expect, it } from 'vitest';
import { ConfigError } from '@cutover/kit';
import { shareOf, weightsFor } from '@cutover/plan';
import { checkRouterSettings } from '@cutover/routers';
import { parseSocket, serverWeights } from '../../../packages/routers/src/haproxy-router.js';

const valid = {
  kind: 'haproxy',
  socket: '/run/haproxy/admin.sock',
  backend: 'app',
  stable: 'blue',
  candidate: ['green-1', 'green-2'],
  map: '/etc/haproxy/cutover.map',
};

describe('haproxy router settings', () => {
  it('accepts a unix socket or a loopback address, and one server or a list per colour', () => {
    const checked = checkRouterSettings(valid);
    expect(checked).toMatchObject({
      ok: true,
      value: { stable: ['blue'], candidate: ['green-1', 'green-2'] },
    });
    for (const socket of ['127.0.0.1:9999', '127.10.0.1:1', '[::1]:65535'])
      expect(checkRouterSettings({ ...valid, socket })).toMatchObject({ ok: true });
  });

  it('refuses any other host, a name to resolve or a bad port, naming the key', () => {
    const what =
      'expected a unix socket path like "/run/haproxy/admin.sock" or a loopback address like "127.0.0.1:9999" (the runtime API has no authentication: reach another host through a tunnel)';
    for (const socket of [
      '10.0.0.5:9999',
      'haproxy.internal:9999',
      'localhost:9999',
      '127.0.0.1',
      '127.0.0.1:0',
      '127.0.0.1:65536',
      '127.0.0.256:80',
      '[::2]:80',
      '169.254.169.254:80',
      'run/admin.sock',
      '/run/a.sock; set weight app/blue 0',
    ])
      expect(checkRouterSettings({ ...valid, socket })).toEqual({
        ok: false,
        errors: [`router.socket: ${what}, got ${JSON.stringify(socket)}`],
      });
  });

  it('refuses names that could carry another command, and lists every problem', () => {
    const result = checkRouterSettings({
      ...valid,
      backend: 'app; shutdown sessions',
      stable: ['blue', 'blue'],
      map: '/etc/haproxy/cutover map',
      weights: 3,
    });
    expect(result).toEqual({
      ok: false,
      errors: [
        'router.backend: expected an HAProxy backend name like "app" (letters, digits, - _ . :), got "app; shutdown sessions"',
        'router.stable: expected a server name of the backend like "blue", got ["blue","blue"]',
        'router.map: expected the map file holding the marker, as the HAProxy configuration names it, like "/etc/haproxy/cutover.map", got "/etc/haproxy/cutover map"',
        'router.weights: unknown setting; allowed: kind, socket, backend, stable, candidate, map',
      ],
    });
    expect(checkRouterSettings({ ...valid, candidate: 7 })).toEqual({
      ok: false,
      errors: [
        'router.candidate: expected a server name of the backend like "green" (letters, digits, - _ . :), or a list of them, got 7',
      ],
    });
    const { map: _map, ...withoutMap } = valid;
    expect(checkRouterSettings(withoutMap)).toEqual({
      ok: false,
      errors: [
        'router.map: expected the map file holding the marker, as the HAProxy configuration names it, like "/etc/haproxy/cutover.map", got nothing',
      ],
    });
  });

  it('refuses a server in both colours', () => {
    expect(checkRouterSettings({ ...valid, stable: ['blue', 'green-2'] })).toEqual({
      ok: false,
      errors: [
        'router.candidate: a server cannot be both stable and candidate, got ["green-1","green-2"]',
      ],
    });
  });

  it('parses where to connect, and refuses the rest with a ConfigError', () => {
    expect(parseSocket('/run/haproxy/admin.sock')).toEqual({ path: '/run/haproxy/admin.sock' });
    expect(parseSocket('127.0.0.1:9999')).toEqual({ host: '127.0.0.1', port: 9999 });
    expect(parseSocket('[::1]:9999')).toEqual({ host: '::1', port: 9999 });
    expect(() => parseSocket('192.168.1.1:9999')).toThrow(ConfigError);
  });
});

describe('serverWeights', () => {
  const names = (colour: string, n: number) =>
    Array.from({ length: n }, (_, i) => `${colour}-${i}`);

  it('gives weights within 0-256 whose colour totals read back as exactly the share asked for', () => {
    for (const [ns, nc] of [
      ...Array.from({ length: 36 }, (_, i) => [1 + (i % 6), 1 + Math.floor(i / 6)] as const),
      [20, 3] as const,
      [1, 40] as const,
    ])
      for (let share = 0; share <= 100; share++) {
        const [stable, candidate] = [names('blue', ns), names('green', nc)];
        const w = serverWeights(weightsFor(share), stable, candidate);
        expect([...w.keys()]).toEqual([...stable, ...candidate]);
        for (const value of w.values()) {
          expect(Number.isInteger(value)).toBe(true);
          expect(value).toBeGreaterThanOrEqual(0);
          expect(value).toBeLessThanOrEqual(256);
        }
        const total = (servers: string[]) => servers.reduce((sum, s) => sum + (w.get(s) ?? 0), 0);
        // Exactly proportional, not just equal after rounding to whole percent.
        expect(total(stable) * share).toBe(total(candidate) * (100 - share));
        expect(shareOf(total(stable), total(candidate), 'test')).toEqual(weightsFor(share));
      }
  });

  it('keeps the percentages as they are for equal fleets, and spreads the rest evenly', () => {
    expect(serverWeights({ stable: 90, candidate: 10 }, ['blue'], ['green'])).toEqual(
      new Map([
        ['blue', 90],
        ['green', 10],
      ]),
    );
    expect([
      ...serverWeights({ stable: 90, candidate: 10 }, ['b1', 'b2'], ['g1']).values(),
    ]).toEqual([90, 90, 20]);
    expect([
      ...serverWeights({ stable: 99, candidate: 1 }, ['b1'], ['g1', 'g2', 'g3', 'g4']).values(),
    ]).toEqual([198, 1, 1, 0, 0]);
  });
});
