import { describe, expect, it } from 'vitest';
import { ConfigError } from '@cutover/kit';
import {
  COMPACT_MARKER_LIMIT,
  checkRunId,
  decodeMarker,
  decodeMarkerCompact,
  encodeMarker,
  encodeMarkerCompact,
  rollbackTraffic,
  type Marker,
} from '@cutover/traffic';
import { createVirtualClock } from '@cutover/kit';
import { MemoryTarget, memoryObject } from '../../support/memory-target.js';

const worst: Marker = {
  version: 1,
  runId: 'r'.repeat(64),
  step: 33.33,
  before: { stable: 66.67, candidate: 33.33 },
  after: { stable: 66.67, candidate: 33.33 },
  state: 'rolled-back',
  at: '2026-11-22T04:38:57.123Z',
  planHash: 'abcdef012345',
  stepStartedAt: '2026-11-22T04:38:57.123Z',
  verdict: { status: 'inconclusive', reason: 'x'.repeat(1000), at: '2026-11-22T04:38:57.123Z' },
};

describe('markers', () => {
  it(`keeps the worst-case compact marker within ${COMPACT_MARKER_LIMIT} characters (a Route 53 TXT string)`, () => {
    const text = encodeMarkerCompact(worst);
    expect(text.length).toBeLessThanOrEqual(COMPACT_MARKER_LIMIT);
    expect(decodeMarkerCompact(text, 'tag')).toMatchObject({
      runId: worst.runId,
      planHash: 'abcdef012345',
      stepStartedAt: '2026-11-22T04:38:57Z',
      verdict: { status: 'inconclusive', at: '2026-11-22T04:38:57Z' },
    });
  });

  it('round-trips the new fields in the JSON marker, the reason bounded', () => {
    const decoded = decodeMarker(encodeMarker(worst), 'annotation');
    expect(decoded).toMatchObject({ planHash: 'abcdef012345', stepStartedAt: worst.stepStartedAt });
    expect(decoded?.verdict?.reason?.length).toBe(300);
  });

  it('still decodes markers written before the new fields', () => {
    const old = {
      version: 1,
      runId: '777-1',
      step: 10,
      before: { stable: 100, candidate: 0 },
      after: { stable: 90, candidate: 10 },
      state: 'done',
      at: '2026-11-22T04:38:57.000Z',
    };
    expect(decodeMarker(JSON.stringify(old), 'x')).toEqual(old);
    expect(
      decodeMarkerCompact(
        'v1 run=777-1 step=10 before=100/0 after=90/10 state=done at=2026-11-22T04:38:57.000Z',
        'x',
      ),
    ).toEqual(old);
  });

  it.each([
    ['', 0],
    ['r'.repeat(65), 65],
    ['run id', 6],
    ['rün', 3],
  ])('refuses run-id %j, naming the input, the value and the limit', (runId, length) => {
    expect(() => checkRunId(runId)).toThrow(ConfigError);
    expect(() => checkRunId(runId)).toThrow(
      `input 'run-id': ${JSON.stringify(runId)} (${length} characters) is not a run id; expected 1 to 64 characters of A-Z a-z 0-9 _ . : / = + @ -`,
    );
  });

  it('refuses a too-long run id before any write, rollback included', async () => {
    const object = memoryObject({ stable: 50, candidate: 50 });
    await expect(
      rollbackTraffic([new MemoryTarget(object)], {
        runId: 'x'.repeat(300),
        clock: createVirtualClock(0),
        verifyTimeoutMs: 1000,
        verifyIntervalMs: 100,
        log: () => undefined,
      }),
    ).rejects.toThrow("input 'run-id'");
    expect(object.writes).toEqual([]);
  });
});
