import { describe, expect, it } from 'vitest';
import { createVirtualClock, retry } from '@cutover/kit';

describe('retry', () => {
  it('retries retryable failures with jittered exponential backoff, then succeeds', async () => {
    const clock = createVirtualClock();
    let calls = 0;
    const result = await retry(
      () => (++calls < 3 ? Promise.reject(new Error('502')) : Promise.resolve('ok')),
      {
        attempts: 5,
        baseDelayMs: 1000,
        maxDelayMs: 30_000,
        clock,
        classify: () => ({ retry: true }),
        random: () => 0.5,
      },
    );
    expect(result).toBe('ok');
    expect(clock.slept).toEqual([500, 1000]);
  });

  it('gives up after the attempt limit with the last error', async () => {
    const clock = createVirtualClock();
    let calls = 0;
    await expect(
      retry(() => Promise.reject(new Error(`fail ${++calls}`)), {
        attempts: 3,
        baseDelayMs: 10,
        maxDelayMs: 100,
        clock,
        classify: () => ({ retry: true }),
      }),
    ).rejects.toThrow('fail 3');
    expect(calls).toBe(3);
  });

  it('does not retry what the classifier refuses', async () => {
    let calls = 0;
    await expect(
      retry(() => Promise.reject(new Error(`bad request ${++calls}`)), {
        attempts: 5,
        baseDelayMs: 10,
        maxDelayMs: 100,
        clock: createVirtualClock(),
        classify: () => ({ retry: false }),
      }),
    ).rejects.toThrow('bad request 1');
  });

  it('waits what the server asked (Retry-After), capped by the maximum delay', async () => {
    const clock = createVirtualClock();
    let calls = 0;
    await retry(() => (++calls < 3 ? Promise.reject(new Error('429')) : Promise.resolve(1)), {
      attempts: 5,
      baseDelayMs: 10,
      maxDelayMs: 5000,
      clock,
      classify: () => ({ retry: true, afterMs: calls === 1 ? 2000 : 90_000 }),
    });
    expect(clock.slept).toEqual([2000, 5000]);
  });

  it('never waits longer than the cap even after many attempts', async () => {
    const clock = createVirtualClock();
    await expect(
      retry(() => Promise.reject(new Error('x')), {
        attempts: 12,
        baseDelayMs: 1000,
        maxDelayMs: 4000,
        clock,
        classify: () => ({ retry: true }),
        random: () => 0.999,
      }),
    ).rejects.toThrow('x');
    expect(Math.max(...clock.slept)).toBeLessThanOrEqual(4000);
    expect(clock.slept).toHaveLength(11);
  });
});
