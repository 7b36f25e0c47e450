import { describe, expect, it } from 'vitest';
import type { CutoverState } from '@cutover/traffic';
import {
  cleanReason,
  judgeTargets,
  renderRollbackSummary,
  type Phase,
} from '../../../actions/rollback/src/phases.js';
import { notInterrupted } from '../../../actions/rollback/src/traffic-phase.js';

const phase = (
  name: Phase['phase'],
  durationMs: number,
  status: Phase['status'] = 'done',
): Phase => ({
  phase: name,
  status,
  durationMs,
  detail: '',
});

describe('judgeTargets', () => {
  it('holds traffic to traffic-timeout and the put-back phases to max-time-to-stable', () => {
    const phases = [
      phase('traffic', 90_000),
      phase('stacks', 600_000),
      phase('stable-check', 600_000),
    ];
    expect(judgeTargets(phases, { trafficMs: 120_000, fullMs: 900_000 }).met).toBe(true);
    expect(judgeTargets(phases, { trafficMs: 60_000, fullMs: 900_000 }).met).toBe(false);
    const slow = judgeTargets([...phases, phase('workload', 300_000)], {
      trafficMs: 120_000,
      fullMs: 900_000,
    });
    expect(slow.met).toBe(false);
    expect(slow.lines[1]).toContain('16m30s (target max-time-to-stable 15m): missed');
    expect(
      judgeTargets([phase('traffic', 1000, 'failed')], { trafficMs: 120_000, fullMs: undefined })
        .met,
    ).toBe(false);
  });
});

describe('cleanReason', () => {
  it('makes untrusted text one bounded line without control or invisible characters', () => {
    expect(cleanReason('p95 high\n::error::pwned\u200b\u202e')).toBe('p95 high ::error::pwned');
    expect(cleanReason('x'.repeat(400))?.length).toBe(300);
    expect(cleanReason(' \n ')).toBeUndefined();
  });

  it('is escaped in the summary', () => {
    const summary = renderRollbackSummary({
      runId: '1-1',
      reason: cleanReason('<img src=x> [link](http://evil) | cell'),
      rolledBack: true,
      weights: { stable: 100, candidate: 0 },
      phases: [phase('traffic', 800)],
      stableHealth: 'skipped',
      targets: { met: true, lines: [] },
      details: [],
    });
    expect(summary).toContain('&lt;img src=x&gt; \\[link\\]\\(http://evil\\) \\| cell');
  });
});

describe('notInterrupted', () => {
  const state = (marker: Partial<NonNullable<CutoverState['marker']>> | undefined): CutoverState =>
    ({
      object: 'route',
      weights: { stable: 50, candidate: 50 },
      marker:
        marker === undefined
          ? undefined
          : {
              version: 1,
              runId: '5-1',
              step: 50,
              before: { stable: 90, candidate: 10 },
              after: { stable: 50, candidate: 50 },
              state: 'done',
              at: '2026-01-01T00:00:00Z',
              ...marker,
            },
    }) as CutoverState;
  const now = Date.parse('2026-01-01T00:10:00Z');

  it('rolls back a shift never finished, or the last move of the interrupted run', () => {
    expect(notInterrupted(state({ state: 'shifting' }), '5-1', now)).toBeUndefined();
    expect(
      notInterrupted(state({ state: 'shifting' }), undefined, now + 2 * 3_600_000),
    ).toBeUndefined();
    expect(notInterrupted(state({}), '5-1', now)).toBeUndefined();
  });

  it('leaves a finished move, a rollback, and a fresh shift of a live run alone', () => {
    expect(notInterrupted(state({}), '4-1', now)).toContain('was finished');
    expect(notInterrupted(state({ state: 'rolled-back' }), '5-1', now)).toContain('already rolled');
    expect(notInterrupted(state({ state: 'shifting' }), '4-1', now)).toContain('at work');
    expect(notInterrupted(state(undefined), '5-1', now)).toContain('no cutover marker');
  });
});
