import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '@cutover/kit';
import { createTargets } from '@cutover/routers';
import { shiftTraffic, type ShiftOptions } from '@cutover/traffic';
import { difference, type LoadCounts } from '../support/scene/load.js';
import { startScene, type Scene } from '../support/scene/scene.js';

let scene: Scene;
beforeAll(async () => {
  scene = await startScene();
});
afterAll(async () => {
  await scene.stop();
});

const CONNECTIONS = 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(
  what: string,
  read: () => Promise<T>,
  ok: (value: T) => boolean,
): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`${what}: still ${JSON.stringify(value)} after 15 s`);
    await sleep(200);
  }
}

const options = (): ShiftOptions => ({
  runId: 'scene-1',
  planSteps: [10, 50, 100],
  force: false,
  clock: systemClock,
  verifyTimeoutMs: 5000,
  verifyIntervalMs: 50,
  log: () => undefined,
});

describe('the scene: blue and green behind a real HAProxy, scraped by a real Prometheus, under load', () => {
  it(
    'shifts weights while the load runs with no failed request, and the per-colour counts follow the weights',
    { timeout: 90_000 },
    async () => {
      const { targets } = createTargets(scene.router, {
        clock: systemClock,
        resolvePath: (p) => p,
      });
      const [router] = targets;
      if (router === undefined) throw new Error('no target');
      await until(
        'health checks',
        () => router.readiness(),
        (r) => r.stable && r.candidate,
      );

      const load = scene.load({
        durationS: 60,
        maxRequests: 50_000,
        ratePerS: 300,
        connections: CONNECTIONS,
      });
      const windows: { step: number; counts: LoadCounts }[] = [];
      let before = load.counts();
      await sleep(1500);
      windows.push({ step: 0, counts: difference(load.counts(), before) });
      for (const step of [10, 50, 100]) {
        await shiftTraffic(targets, step, options());
        // HAProxy's round robin applies a new weight over its next sweep (about the sum of the
        // weights in picks), so the split is measured once that has passed.
        await sleep(1000);
        before = load.counts();
        await sleep(2000);
        windows.push({ step, counts: difference(load.counts(), before) });
      }
      const total = await load.stop();

      expect(total.failed, JSON.stringify(total)).toBe(0);
      expect(total.byStatus).toEqual({ 200: total.responses });
      for (const { step, counts } of windows) {
        expect(counts.responses, `step ${step}`).toBeGreaterThan(200);
        const green = ((counts.byColour.green ?? 0) / counts.responses) * 100;
        expect(Math.abs(green - step), `green got ${green.toFixed(1)}% at ${step}%`).toBeLessThan(
          5,
        );
      }
      expect((await router.read()).weights).toEqual({ stable: 0, candidate: 100 });
      expect(await scene.haproxy.command('get weight app/green')).toMatch(/^100 /);

      // Prometheus sees both colours, and the responses the load counted for each: the
      // services count a response when they send it, so requests in flight when the load
      // stopped (at most one per connection) are served but not counted by the load.
      const perColour = (
        samples: { metric: Record<string, string>; value: [number, string] }[],
      ): Record<string, number> =>
        Object.fromEntries(samples.map((s) => [s.metric.track ?? '', Number(s.value[1])]));
      const inFlight = (served: number | undefined, counted: number | undefined) =>
        served !== undefined &&
        served - (counted ?? 0) >= 0 &&
        served - (counted ?? 0) <= CONNECTIONS;
      const seen = await until(
        `Prometheus totals (the load counted ${JSON.stringify(total.byColour)})`,
        async () =>
          perColour(await scene.query('sum by (track) (http_requests_total{app="nextevent"})')),
        (value) =>
          inFlight(value.blue, total.byColour.blue) && inFlight(value.green, total.byColour.green),
      );
      expect(seen.blue).toBeGreaterThan(0);
      expect(seen.green).toBeGreaterThan(0);
    },
  );
});
