import type { Clock } from './clock.js';
import { ServiceError } from './errors.js';

export interface PollOptions {
  clock: Clock;
  /** Give up after this long; the error names `what` and the time waited. */
  timeoutMs: number;
  /** First wait between polls; grows by `backoff` up to `maxIntervalMs`. */
  intervalMs: number;
  maxIntervalMs?: number;
  backoff?: number;
  /** Spread polls of parallel waiters (0..1 of the interval); default none. */
  jitter?: number;
  random?: () => number;
  signal?: AbortSignal;
  /** What is awaited, for the timeout message: "HTTPRoute shop to accept generation 4". */
  what: string;
  /** The error to throw on timeout or cancellation instead (it can name what was last observed). */
  timeoutError?: (elapsedMs: number) => Error;
  cancelledError?: () => Error;
}

/**
 * Polls `check` until it returns a value other than undefined, with a bound and a message:
 * every wait in the toolkit goes through here, so each is bounded, named and instant under a
 * virtual clock. The returned value is the first the check produced.
 */
export async function pollUntil<T>(
  check: (attempt: number) => Promise<T | undefined>,
  options: PollOptions,
): Promise<T> {
  const started = options.clock.now();
  const random = options.random ?? Math.random;
  let interval = options.intervalMs;
  for (let attempt = 1; ; attempt++) {
    const value = await check(attempt);
    if (value !== undefined) return value;
    if (options.signal?.aborted === true)
      throw (
        options.cancelledError?.() ??
        new ServiceError(`cancelled while waiting for ${options.what}`)
      );
    const elapsed = options.clock.now() - started;
    if (elapsed >= options.timeoutMs)
      throw (
        options.timeoutError?.(elapsed) ??
        new ServiceError(
          `timed out after ${Math.round(elapsed / 1000)}s waiting for ${options.what}`,
        )
      );
    const spread = options.jitter === undefined ? 0 : (random() - 0.5) * options.jitter * interval;
    await options.clock.sleep(
      Math.max(0, Math.min(interval + spread, options.timeoutMs - elapsed)),
    );
    interval = Math.min(options.maxIntervalMs ?? interval, interval * (options.backoff ?? 1));
  }
}
