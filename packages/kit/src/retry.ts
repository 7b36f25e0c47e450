import type { Clock } from './clock.js';

export interface RetryDecision {
  retry: boolean;
  /** A server-given wait (Retry-After), used instead of the backoff when present. */
  afterMs?: number;
}

export interface RetryOptions {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  clock: Clock;
  classify(error: unknown): RetryDecision;
  /** Injectable for deterministic tests; defaults to Math.random. */
  random?: () => number;
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
}

/** Retries with "full jitter" exponential backoff; a server's Retry-After wins, capped by maxDelayMs. */
export async function retry<T>(
  operation: (attempt: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      const decision = options.classify(error);
      if (!decision.retry || attempt >= options.attempts) throw error;
      const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
      const delayMs =
        decision.afterMs === undefined
          ? Math.round(random() * ceiling)
          : Math.min(decision.afterMs, options.maxDelayMs);
      options.onRetry?.({ attempt, delayMs, error });
      await options.clock.sleep(delayMs);
    }
  }
}
