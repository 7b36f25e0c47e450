import { createRequire } from 'node:module';

/**
 * A steady load from a real load generator (autocannon) on loopback, bounded in time and in
 * count, that counts every failed request: a status other than 2xx, a connection error, a
 * reset or a timeout. Responses are counted per colour from the service's `x-colour` header
 * (HAProxy passes it through), so the split can be compared with the weights.
 */
export interface LoadOptions {
  url: string;
  /** Upper bound on the run's length. */
  durationS: number;
  /** Upper bound on the number of requests. */
  maxRequests: number;
  /** Requests per second over all connections. Default 200. */
  ratePerS?: number;
  connections?: number;
  /** Per-request deadline; a request over it counts as failed. Default 5 s. */
  timeoutS?: number;
}

export interface LoadCounts {
  /** Responses received, whatever their status. */
  responses: number;
  /** Non-2xx responses + connection errors + timeouts. */
  failed: number;
  byColour: Record<string, number>;
  byStatus: Record<string, number>;
  errors: string[];
}

export interface RunningLoad {
  /** The counts so far (a copy). */
  counts(): LoadCounts;
  /** Resolves when a bound is reached or stop() is called. */
  done: Promise<LoadCounts>;
  stop(): Promise<LoadCounts>;
}

interface AutocannonInstance {
  on(event: 'reqError', listener: (error: Error) => void): void;
  stop(): void;
}
type Autocannon = (
  options: Record<string, unknown>,
  callback: (error: Error | null, result: unknown) => void,
) => AutocannonInstance;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export function startLoad(options: LoadOptions): RunningLoad {
  const counts: LoadCounts = { responses: 0, failed: 0, byColour: {}, byStatus: {}, errors: [] };
  const connections = options.connections ?? 10;
  let finish: (counts: LoadCounts) => void = () => undefined;
  let fail: (error: Error) => void = () => undefined;
  const done = new Promise<LoadCounts>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const instance = autocannon(
    {
      url: options.url,
      connections,
      duration: options.durationS,
      maxOverallRequests: Math.max(options.maxRequests, connections),
      overallRate: options.ratePerS ?? 200,
      timeout: options.timeoutS ?? 5,
      requests: [
        {
          method: 'GET',
          path: '/',
          onResponse: (
            status: number,
            _body: unknown,
            _context: unknown,
            headers: Record<string, string>,
          ) => {
            counts.responses++;
            counts.byStatus[status] = (counts.byStatus[status] ?? 0) + 1;
            const colour = headers['x-colour'] ?? 'none';
            counts.byColour[colour] = (counts.byColour[colour] ?? 0) + 1;
            if (status < 200 || status > 299) counts.failed++;
          },
        },
      ],
    },
    (error) => {
      if (error === null) finish(snapshot());
      else fail(error);
    },
  );
  instance.on('reqError', (error) => {
    counts.failed++;
    if (counts.errors.length < 20) counts.errors.push(error.message);
  });
  const snapshot = (): LoadCounts => ({
    ...counts,
    byColour: { ...counts.byColour },
    byStatus: { ...counts.byStatus },
    errors: [...counts.errors],
  });
  return {
    counts: snapshot,
    done,
    stop: () => {
      instance.stop();
      return done;
    },
  };
}

/** Counts between two snapshots. */
export function difference(later: LoadCounts, earlier: LoadCounts): LoadCounts {
  const minus = (a: Record<string, number>, b: Record<string, number>) =>
    Object.fromEntries(
      Object.entries(a)
        .map(([key, value]) => [key, value - (b[key] ?? 0)] as const)
        .filter(([, value]) => value !== 0),
    );
  return {
    responses: later.responses - earlier.responses,
    failed: later.failed - earlier.failed,
    byColour: minus(later.byColour, earlier.byColour),
    byStatus: minus(later.byStatus, earlier.byStatus),
    errors: later.errors.slice(earlier.errors.length),
  };
}
