import { startHaproxy, type RunningHaproxy } from '../haproxy.js';
import { startPrometheus, type RunningPrometheus } from '../prometheus.js';
import { startLoad, type LoadOptions, type RunningLoad } from './load.js';
import { startService, type RunningService } from './service.js';

/**
 * The end-to-end scene on one machine: the blue and green builds of the service (processes),
 * a real HAProxy in front of them (blue 100, green 0, health checks), a real Prometheus
 * scraping both every second, and a load generator on demand. stop() ends every process it
 * started, also after a failed start.
 */
export interface Scene {
  blue: RunningService;
  green: RunningService;
  haproxy: RunningHaproxy;
  prometheus: RunningPrometheus;
  /** The plan's `router:` for this HAProxy. */
  router: {
    kind: 'haproxy';
    socket: string;
    backend: string;
    stable: string;
    candidate: string;
    map: string;
  };
  /** Load through HAProxy; stopped by stop() if still running. */
  load(options: Omit<LoadOptions, 'url'>): RunningLoad;
  /** An instant PromQL query's samples. */
  query(promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  stop(): Promise<void>;
}

export async function startScene(
  options: { app?: string; scrapeIntervalS?: number } = {},
): Promise<Scene> {
  const stops: (() => Promise<void>)[] = [];
  const loads: RunningLoad[] = [];
  const stop = async () => {
    for (const load of loads.splice(0)) await load.stop().catch(() => undefined);
    // Every process is stopped even if one of them fails to.
    const results = await Promise.allSettled(
      stops
        .splice(0)
        .reverse()
        .map((s) => s()),
    );
    const failed = results.find((r) => r.status === 'rejected');
    if (failed?.status === 'rejected') throw failed.reason;
  };
  try {
    const [blue, green] = await Promise.all([
      startService('blue', options.app === undefined ? {} : { app: options.app }),
      startService('green', options.app === undefined ? {} : { app: options.app }),
    ]);
    stops.push(
      () => blue.stop(),
      () => green.stop(),
    );
    const haproxy = await startHaproxy({
      servers: [
        { name: 'blue', address: blue.address, weight: 100, check: true },
        { name: 'green', address: green.address, weight: 0, check: true },
      ],
    });
    stops.push(() => haproxy.stop());
    const prometheus = await startPrometheus({
      scrapeTargets: [blue.address, green.address],
      scrapeIntervalS: options.scrapeIntervalS ?? 1,
    });
    stops.push(() => prometheus.stop());
    return {
      blue,
      green,
      haproxy,
      prometheus,
      router: {
        kind: 'haproxy',
        socket: haproxy.socketPath,
        backend: haproxy.backend,
        stable: 'blue',
        candidate: 'green',
        map: haproxy.mapPath,
      },
      load(loadOptions) {
        const load = startLoad({ ...loadOptions, url: haproxy.url });
        loads.push(load);
        return load;
      },
      async query(promql) {
        const response = await fetch(
          `${prometheus.url}/api/v1/query?query=${encodeURIComponent(promql)}`,
        );
        const body = (await response.json()) as {
          status: string;
          data?: { result: { metric: Record<string, string>; value: [number, string] }[] };
          error?: string;
        };
        if (body.status !== 'success' || body.data === undefined)
          throw new Error(`prometheus refused ${promql}: ${body.error ?? response.status}`);
        return body.data.result;
      },
      stop,
    };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}
