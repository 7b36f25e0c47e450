/** Injected time, so every wait, bake and backoff runs instantly in tests and rehearsal. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
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
