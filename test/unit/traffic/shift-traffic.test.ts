import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '@cutover/kit';
import type { Weights } from '@cutover/plan';
import {
  ShiftRefused,
  ShiftReverted,
  rollbackTraffic,
  shiftTraffic,
  type Marker,
  type ShiftOptions,
} from '@cutover/traffic';
import {
  MemoryTarget,
  memoryObject,
  storyProblems,
  type MemoryObject,
  type RunReport,
} from '../../support/memory-target.js';

const START = Date.UTC(2026, 10, 22, 12);
const PLAN = [10, 25, 50, 75, 100];
const at = (candidate: number): Weights => ({ stable: 100 - candidate, candidate });
const done = (runId: string, before: number, after: number): Marker => ({
  version: 1,
  runId,
  step: after,
  before: at(before),
  after: at(after),
  state: 'done',
  at: new Date(START).toISOString(),
});
const options = (overrides: Partial<ShiftOptions> = {}): ShiftOptions => ({
  runId: 'run-2',
  planSteps: PLAN,
  force: false,
  clock: createVirtualClock(START),
  verifyTimeoutMs: 60_000,
  verifyIntervalMs: 1000,
  log: () => undefined,
  ...overrides,
});

describe('shiftTraffic: a signal at every write', () => {
  // One object is written twice (shifting, done); two objects four times.
  const cases = [1, 2].flatMap((objects) =>
    Array.from({ length: objects * 2 }, (_, write) => [write + 1, objects * 2, objects] as const),
  );

  it.each(cases)(
    'reverts and fails when the signal lands during write %i of %i (%i objects)',
    async (write, _total, count) => {
      const cancel = new AbortController();
      let writes = 0;
      const objects = Array.from({ length: count }, () =>
        memoryObject(at(10), done('run-1', 0, 10)),
      );
      const targets = objects.map(
        (object, i) =>
          new MemoryTarget(object, {
            description: `route ${i}`,
            afterWrite: () => {
              if (++writes === write) cancel.abort();
            },
          }),
      );
      const shift = shiftTraffic(targets, 25, options({ signal: cancel.signal }));
      await expect(shift).rejects.toThrow(ShiftReverted);
      await expect(shift).rejects.toThrow(/cancelled/);
      for (const object of objects) {
        expect(object.weights).toEqual(at(10));
        if (object.writes.length > 0) expect(object.marker?.state).toBe('reverted');
      }
    },
  );

  it('completes when no signal comes', async () => {
    const object = memoryObject(at(10), done('run-1', 0, 10));
    const [outcome] = await shiftTraffic([new MemoryTarget(object)], 25, options());
    expect(outcome).toMatchObject({ before: at(10), after: at(25) });
    expect(object.writes.map((w) => w.marker.state)).toEqual(['shifting', 'done']);
  });
});

describe('shiftTraffic: inconsistent weights read from the object', () => {
  it.each([
    [90, 90],
    [-10, 110],
    [110, -10],
    [10.5, 89.5],
    [Number.NaN, Number.NaN],
    [80, 10],
    [Number.POSITIVE_INFINITY, 0],
  ])('refuses stable %d / candidate %d before any write', async (stable, candidate) => {
    const object = memoryObject({ stable, candidate });
    const shift = shiftTraffic([new MemoryTarget(object)], 100, options());
    await expect(shift).rejects.toThrow(ShiftRefused);
    await expect(shift).rejects.toThrow(
      `memory route: the weights read are stable ${stable} / candidate ${candidate}; expected whole percentages from 0 to 100 that add up to 100`,
    );
    expect(object.writes).toEqual([]);
  });

  it('rolls back from inconsistent weights all the same (stable is always a safe place)', async () => {
    const object = memoryObject({ stable: 90, candidate: 90 });
    const [outcome] = await rollbackTraffic([new MemoryTarget(object)], options());
    expect(outcome?.after).toEqual(at(0));
    expect(object.weights).toEqual(at(0));
  });
});

describe('shiftTraffic: a conflict re-reads and re-checks', () => {
  /** A target on `object` whose first write lets `meanwhile` run first. */
  const racing = (object: MemoryObject, meanwhile: () => Promise<unknown>) => {
    let first = true;
    return new MemoryTarget(object, {
      beforeWrite: async () => {
        if (!first) return;
        first = false;
        await meanwhile();
      },
    });
  };

  it('reports and records the weights it actually moved from', async () => {
    const object = memoryObject(at(0));
    const other = shiftTraffic([new MemoryTarget(object)], 10, options({ runId: 'run-1' }));
    const [outcome] = await shiftTraffic(
      [racing(object, () => other)],
      25,
      options({ planSteps: undefined }),
    );
    expect(outcome).toMatchObject({ before: at(10), after: at(25) });
    expect(object.marker).toMatchObject({ runId: 'run-2', state: 'done', before: at(10) });
  });

  it('refuses when the object moved so that the shift now skips a step', async () => {
    const object = memoryObject(at(10), done('run-1', 0, 10));
    const shift = shiftTraffic(
      [racing(object, () => rollbackTraffic([new MemoryTarget(object)], options({ runId: 'rb' })))],
      25,
      options(),
    );
    await expect(shift).rejects.toThrow(ShiftRefused);
    await expect(shift).rejects.toThrow('moving 0% → 25% skips step 10% of the plan');
    expect(object.weights).toEqual(at(0));
    expect(object.writes.filter((w) => w.marker.runId === 'run-2')).toEqual([]);
  });

  it('refuses, writing nothing, when another run started shifting meanwhile', async () => {
    const object = memoryObject(at(10), done('run-1', 0, 10));
    const shift = shiftTraffic(
      [
        racing(object, () => {
          object.marker = { ...done('run-3', 10, 25), state: 'shifting' };
          object.weights = at(25);
          object.version++;
          return Promise.resolve();
        }),
      ],
      25,
      options(),
    );
    await expect(shift).rejects.toThrow(ShiftRefused);
    await expect(shift).rejects.toThrow('run run-3 is shifting 10% → 25%');
    expect(object.writes).toEqual([]);
  });

  it('writes nothing when another run reached the same weights meanwhile', async () => {
    const object = memoryObject(at(0));
    const other = shiftTraffic([new MemoryTarget(object)], 10, options({ runId: 'run-1' }));
    const [outcome] = await shiftTraffic([racing(object, () => other)], 10, options());
    expect(outcome).toMatchObject({
      before: at(10),
      after: at(10),
      detail: 'already at the desired weights',
    });
    expect(object.marker).toMatchObject({ runId: 'run-1', state: 'done', before: at(0) });
  });

  it('tells one story when 12 runs race on one object (many interleavings)', async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const random = mulberry32(seed);
      const pause = async () => {
        for (let i = Math.floor(random() * 6); i > 0; i--) await Promise.resolve();
      };
      const object = memoryObject(at(0));
      const reports = await Promise.all(
        Array.from({ length: 12 }, async (_, i): Promise<RunReport> => {
          const runId = `run-${i + 1}`;
          try {
            const [outcome] = await shiftTraffic(
              [new MemoryTarget(object, { pause })],
              i + 1,
              options({ runId, planSteps: undefined }),
            );
            return { runId, ok: true, before: outcome?.before, after: outcome?.after };
          } catch (error) {
            expect(error instanceof ShiftRefused || error instanceof ShiftReverted).toBe(true);
            return { runId, ok: false, error: String(error) };
          }
        }),
      );
      expect(storyProblems(at(0), reports, object), `seed ${seed}`).toEqual([]);
      // Every shift started from the weights the object held just before it.
      let current = at(0);
      for (const write of object.writes) {
        if (write.marker.state === 'shifting')
          expect(write.marker.before, `seed ${seed}`).toEqual(current);
        current = write.weights;
      }
    }
  });
});

describe('shiftTraffic: a rerun of the same run', () => {
  const interrupted: Marker = { ...done('run-2', 10, 25), state: 'shifting' };

  it('keeps the marker’s original before (the true stable state)', async () => {
    const object = memoryObject(at(25), interrupted);
    const [outcome] = await shiftTraffic([new MemoryTarget(object)], 25, options());
    expect(outcome).toMatchObject({ before: at(10), after: at(25) });
    expect(object.marker).toMatchObject({ state: 'done', before: at(10), after: at(25) });
  });

  it('reverts to the original before when cancelled', async () => {
    const cancel = new AbortController();
    const object = memoryObject(at(25), interrupted);
    const target = new MemoryTarget(object, { afterWrite: () => cancel.abort() });
    await expect(shiftTraffic([target], 25, options({ signal: cancel.signal }))).rejects.toThrow(
      ShiftReverted,
    );
    expect(object.weights).toEqual(at(10));
    expect(object.marker?.state).toBe('reverted');
  });
});

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
