import { describe, expect, it } from 'vitest';
import { parsePlan, type Plan } from '@cutover/plan';
import type { Marker } from '@cutover/traffic';
import {
  renderStatusMarkdown,
  renderStatusText,
  statusView,
} from '../../../packages/cli/src/status.js';

const parsed = parsePlan(
  `version: 1
name: p
strategy: phased
target: { kind: kubernetes, name: api }
router: { kind: file, path: w.json, stable: blue, candidate: green }
metrics: { provider: prometheus, url: http://prometheus:9090 }
steps:
  - { weight: 10, bake: 1h, gates: [] }
  - { weight: 100, bake: 1h, gates: [] }
gates: {}
rollback: { on-inconclusive: hold, max-hold: 1h, traffic-timeout: 2m }
`,
  'p.yaml',
);
if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
const plan: Plan = parsed.plan;
const names = { stable: 'blue', candidate: 'green' };
const marker = (fields: Partial<Marker> = {}): Marker => ({
  version: 1,
  runId: '9-1',
  step: 10,
  before: { stable: 100, candidate: 0 },
  after: { stable: 90, candidate: 10 },
  state: 'done',
  at: '2026-11-20T10:00:00.000Z',
  ...fields,
});
const now = Date.parse('2026-11-20T12:30:00.000Z');
const view = (m: Marker) =>
  statusView(
    plan,
    [{ object: 'file w.json', weights: { stable: 90, candidate: 10 }, marker: m }],
    now,
  );

describe('cutover status: a paused cutover', () => {
  const paused = marker({
    paused: { at: '2026-11-20T11:00:00.000Z', by: '12-1', reason: 'incident\u001b[2J #42' },
  });

  it('says who paused, when, why (made plain) and how to resume', () => {
    expect(view(paused).cutover?.paused).toEqual({
      at: '2026-11-20T11:00:00.000Z',
      by: '12-1',
      reason: 'incident\u001b[2J #42',
    });
    const text = renderStatusText(plan, view(paused), names);
    expect(text).toContain(
      'PAUSED by run 12-1 at 2026-11-20T11:00:00.000Z (incident�[2J #42): next and promote are refused until resumed (shift-traffic step: resume); rollback still works',
    );
    expect(text).not.toContain('\u001b');
  });

  it('marks the markdown heading and body', () => {
    const markdown = renderStatusMarkdown(plan, view(paused), names);
    expect(markdown).toContain('step 1 of 2 \\(10% to the candidate\\), done, paused');
    expect(markdown).toContain('**PAUSED by run 12-1 at 2026-11-20T11:00:00.000Z');
  });

  it('says nothing of a pause when there is none (an older marker)', () => {
    expect(view(marker()).cutover?.paused).toBeNull();
    expect(renderStatusText(plan, view(marker()), names)).not.toContain('PAUSED');
    expect(renderStatusMarkdown(plan, view(marker()), names)).not.toContain('paused');
  });
});
