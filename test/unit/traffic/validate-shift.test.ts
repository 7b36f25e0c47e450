import { describe, expect, it } from 'vitest';
import {
  STALE_SHIFT_MS,
  decodeMarker,
  shiftRefusals,
  type Marker,
  type ShiftRequest,
} from '@cutover/traffic';

const NOW = Date.UTC(2026, 10, 22, 12);
const request = (overrides: Partial<ShiftRequest> = {}): ShiftRequest => ({
  desired: { stable: 75, candidate: 25 },
  runId: 'run-2',
  planSteps: [10, 25, 50, 75, 100],
  force: false,
  ready: { stable: true, candidate: true },
  allOrNothing: false,
  now: NOW,
  ...overrides,
});
const at10 = { stable: 90, candidate: 10 };
const shifting = (runId: string, ageMs: number): Marker => ({
  version: 1,
  runId,
  step: 25,
  before: at10,
  after: { stable: 75, candidate: 25 },
  state: 'shifting',
  at: new Date(NOW - ageMs).toISOString(),
});

describe('shiftRefusals', () => {
  it('allows the next step of the plan', () => {
    expect(shiftRefusals(at10, undefined, request(), 'route')).toEqual([]);
  });

  it.each([
    [
      { stable: 50, candidate: 50 },
      'moving 10% → 50% skips step 25% of the plan; shift one step at a time',
    ],
    [
      { stable: 70, candidate: 30 },
      'candidate weight 30 is no step of the plan (10, 25, 50, 75, 100)',
    ],
    [
      { stable: 100, candidate: 0 },
      'moving back 10% → 0% is a rollback: run the rollback action (scope: traffic) with the same plan, or abort through the cutover workflow',
    ],
    [
      { stable: 101, candidate: -1 },
      'stable weight must be a whole percentage from 0 to 100, got 101',
    ],
    [
      { stable: 80, candidate: 10.5 },
      'candidate weight must be a whole percentage from 0 to 100, got 10.5',
    ],
    [{ stable: 80, candidate: 25 }, 'weights must add up to 100, got 80 + 25'],
  ])('refuses %j', (desired, message) => {
    expect(shiftRefusals(at10, undefined, request({ desired }), 'route')).toContain(message);
  });

  it('refuses traffic to a backend without ready endpoints', () => {
    expect(
      shiftRefusals(
        at10,
        undefined,
        request({ ready: { stable: true, candidate: false } }),
        'route',
      ),
    ).toEqual(['route: the candidate has no ready endpoints; refusing to send it 25%']);
    expect(
      shiftRefusals(
        at10,
        undefined,
        request({ ready: { stable: false, candidate: true } }),
        'route',
      ),
    ).toEqual(['route: stable has no ready endpoints; refusing to send it 75%']);
  });

  it('refuses partial weights on an all-or-nothing router', () => {
    expect(
      shiftRefusals(at10, undefined, request({ allOrNothing: true, planSteps: undefined }), 'svc'),
    ).toEqual(['svc switches all traffic at once: candidate weight 0 or 100, got 25']);
  });

  it('refuses while another run is shifting, calls an old marker stale, and lets force or the same run through', () => {
    expect(shiftRefusals(at10, shifting('run-1', 60_000), request(), 'route')[0]).toMatch(
      /^route: run run-1 is shifting 10% → 25% since .*; refusing to interleave \(set force to override\)$/,
    );
    expect(
      shiftRefusals(at10, shifting('run-1', STALE_SHIFT_MS + 1), request(), 'route')[0],
    ).toContain('(stale: probably killed; roll back (run the rollback action (scope: traffic)');
    expect(
      shiftRefusals(at10, shifting('run-1', 60_000), request({ force: true }), 'route'),
    ).toEqual([]);
    expect(shiftRefusals(at10, shifting('run-2', 60_000), request(), 'route')).toEqual([]);
  });

  it('refuses current weights that are no consistent state instead of stepping from them', () => {
    expect(
      shiftRefusals(
        { stable: 90, candidate: 90 },
        undefined,
        request({ desired: { stable: 0, candidate: 100 } }),
        'route',
      ),
    ).toEqual([
      'route: the weights read are stable 90 / candidate 90; expected whole percentages from 0 to 100 that add up to 100 (no shift writes these: fix the object by hand, e.g. all traffic on stable)',
    ]);
  });

  it('accepts any weight without a plan', () => {
    expect(
      shiftRefusals(
        at10,
        undefined,
        request({ planSteps: undefined, desired: { stable: 63, candidate: 37 } }),
        'route',
      ),
    ).toEqual([]);
  });
});

describe('decodeMarker', () => {
  it('round-trips a marker and refuses one it did not write', () => {
    const marker = shifting('run-1', 0);
    expect(decodeMarker(JSON.stringify(marker), 'route')).toEqual(marker);
    expect(decodeMarker(undefined, 'route')).toBeUndefined();
    expect(() => decodeMarker('{oops', 'route')).toThrow(
      'route: the cutover.dev/traffic marker is not JSON: {oops',
    );
    expect(() => decodeMarker('{"version":2}', 'route')).toThrow(
      'route: the cutover.dev/traffic marker is not one this tool wrote',
    );
  });
});
