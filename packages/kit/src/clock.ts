/** Injected time, so every wait, bake and backoff runs instantly in tests and rehearsal. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or as soon as `signal` aborts (a cancelled job stops waiting at once). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted === true) {
        resolve();
        return;
      }
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    }),
};

/** A clock whose sleep advances virtual time at once; `slept` records every wait. */
export function createVirtualClock(start = 0): Clock & { readonly slept: number[] } {
  let current = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => current,
    sleep: (ms) => {
      slept.push(ms);
      current += Math.max(0, ms);
      return Promise.resolve();
    },
  };
}
