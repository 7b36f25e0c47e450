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

  const LONG_PAUSE = {
    at: '2026-11-23T09:00:00.000Z',
    by: 'p'.repeat(64),
    reason: 'y'.repeat(1000),
  };
  // A pausable marker at its longest: done or reverted (a pause is refused while shifting and
  // after a rollback), whole weights (a shift refuses others), 64-character run ids.
  const longestPausable: Marker = {
    ...worst,
    step: 50,
    before: { stable: 100, candidate: 0 },
    after: { stable: 50, candidate: 50 },
    state: 'reverted',
    verdict: { status: 'inconclusive', at: '2026-11-22T04:38:57Z' },
    paused: LONG_PAUSE,
  };

  it('round-trips a pause in the compact form: when, and who as far as room allows', () => {
    const typical: Marker = {
      ...longestPausable,
      runId: '12345678901-1',
      paused: { at: '2026-11-23T09:00:00.000Z', by: '12345678902-1', reason: 'why' },
    };
    const text = encodeMarkerCompact(typical);
    expect(text).toMatch(/ paused=1795424400@12345678902-1$/);
    expect(decodeMarkerCompact(text, 'txt')).toEqual({
      ...typical,
      at: '2026-11-22T04:38:57Z',
      stepStartedAt: '2026-11-22T04:38:57Z',
      paused: { at: '2026-11-23T09:00:00Z', by: '12345678902-1' },
    });
  });

  it(`keeps the longest pausable marker within ${COMPACT_MARKER_LIMIT} characters, the verdict kept`, () => {
    const text = encodeMarkerCompact(longestPausable);
    expect(text.length).toBeLessThanOrEqual(COMPACT_MARKER_LIMIT);
    const decoded = decodeMarkerCompact(text, 'txt');
    expect(decoded?.verdict).toEqual(longestPausable.verdict);
    expect(decoded?.paused?.at).toBe('2026-11-23T09:00:00Z');
    // The pausing run's id gets the room left: a prefix, never a different id.
    expect('p'.repeat(64).startsWith(decoded?.paused?.by ?? 'x')).toBe(true);
  });

  it('never drops a pause for room: the worst case leaves out the verdict instead', () => {
    const text = encodeMarkerCompact({ ...worst, paused: LONG_PAUSE });
    expect(text.length).toBeLessThanOrEqual(COMPACT_MARKER_LIMIT);
    const decoded = decodeMarkerCompact(text, 'txt');
    expect(decoded?.paused?.at).toBe('2026-11-23T09:00:00Z');
    expect(decoded?.verdict).toBeUndefined();
    expect(decoded?.runId).toBe(worst.runId);
  });

  it('round-trips a pause in the JSON marker, its reason bounded', () => {
    const decoded = decodeMarker(encodeMarker(longestPausable), 'annotation');
    expect(decoded?.paused).toMatchObject({ at: '2026-11-23T09:00:00.000Z', by: 'p'.repeat(64) });
    expect(decoded?.paused?.reason?.length).toBe(300);
  });

  it('reads markers without a pause as not paused, and refuses a malformed one', () => {
    expect(decodeMarker(encodeMarker(worst), 'x')?.paused).toBeUndefined();
    expect(() =>
      decodeMarker(JSON.stringify({ ...worst, paused: { by: 'x' } }), 'annotation'),
    ).toThrow('annotation: the cutover.dev/traffic marker is not one this tool wrote');
    expect(() =>
      decodeMarkerCompact(
        'v1 run=777-1 step=10 before=100/0 after=90/10 state=done at=2026-11-22T04:38:57Z paused=soon@x',
        'txt',
      ),
    ).toThrow('txt: the cutover marker is not one this tool wrote');
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
