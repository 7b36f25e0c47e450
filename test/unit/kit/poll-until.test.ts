import { describe, expect, it } from 'vitest';
import { ServiceError, createVirtualClock, pollUntil } from '@cutover/kit';

describe('pollUntil', () => {
  it('returns the first value the check produces, waiting the interval between checks', async () => {
    const clock = createVirtualClock(0);
    let calls = 0;
    const value = await pollUntil(() => Promise.resolve(++calls === 3 ? 'ready' : undefined), {
      clock,
      timeoutMs: 60_000,
      intervalMs: 5000,
      what: 'stack to settle',
    });
    expect(value).toBe('ready');
    expect(clock.slept).toEqual([5000, 5000]);
  });

  it('backs off to the ceiling and never sleeps past the bound', async () => {
    const clock = createVirtualClock(0);
    await expect(
      pollUntil(() => Promise.resolve(undefined), {
        clock,
        timeoutMs: 40_000,
        intervalMs: 5000,
        backoff: 2,
        maxIntervalMs: 15_000,
        what: 'stack api to finish',
      }),
    ).rejects.toThrow(new ServiceError('timed out after 40s waiting for stack api to finish'));
    expect(clock.slept).toEqual([5000, 10_000, 15_000, 10_000]);
  });

  it('throws the caller’s errors on timeout and on cancellation', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      pollUntil(() => Promise.resolve(undefined), {
        clock: createVirtualClock(0),
        timeoutMs: 1000,
        intervalMs: 100,
        what: 'x',
        signal: controller.signal,
        cancelledError: () => new Error('cancelled: observed 10%'),
      }),
    ).rejects.toThrow('cancelled: observed 10%');
    await expect(
      pollUntil(() => Promise.resolve(undefined), {
        clock: createVirtualClock(0),
        timeoutMs: 1000,
        intervalMs: 100,
        what: 'x',
        timeoutError: (elapsed) => new Error(`gave up after ${elapsed} ms`),
      }),
    ).rejects.toThrow('gave up after 1000 ms');
  });
});
