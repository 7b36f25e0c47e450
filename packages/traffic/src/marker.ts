/**
 * The state marker a shift records on the routed object itself (an annotation or tag), so any
 * later run, or `rollback`, works from what the target says rather than from runner memory.
 * It is written in the same request as the weights, so the two never disagree.
 */
export interface Marker {
  version: 1;
  runId: string;
  /** Candidate weight of the plan step this shift moved to (0 for a rollback). */
  step: number;
  before: { stable: number; candidate: number };
  after: { stable: number; candidate: number };
  /** shifting: written, not yet verified; done: verified; reverted / rolled-back: put back. */
  state: 'shifting' | 'done' | 'reverted' | 'rolled-back';
  at: string;
}

export const MARKER_KEY = 'cutover.dev/traffic';

export function encodeMarker(marker: Marker): string {
  return JSON.stringify(marker);
}

/** Undefined for no marker; throws on a marker that is present but unreadable (never guess). */
export function decodeMarker(text: string | undefined, where: string): Marker | undefined {
  if (text === undefined || text === '') return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`${where}: the ${MARKER_KEY} marker is not JSON: ${text.slice(0, 80)}`);
  }
  const m = raw as Partial<Marker>;
  const weightsOk = (w: unknown) =>
    typeof w === 'object' &&
    w !== null &&
    typeof (w as Record<string, unknown>).stable === 'number' &&
    typeof (w as Record<string, unknown>).candidate === 'number';
  if (
    m.version !== 1 ||
    typeof m.runId !== 'string' ||
    typeof m.step !== 'number' ||
    !weightsOk(m.before) ||
    !weightsOk(m.after) ||
    !['shifting', 'done', 'reverted', 'rolled-back'].includes(m.state ?? '') ||
    typeof m.at !== 'string'
  )
    throw new Error(
      `${where}: the ${MARKER_KEY} marker is not one this tool wrote: ${text.slice(0, 120)}`,
    );
  return m as Marker;
}

/**
 * The marker as a string AWS accepts where JSON is not allowed (ELB tag values: letters,
 * digits, spaces and _ . : / = + - @; Route 53 TXT strings): space-separated key=value pairs.
 *   v1 run=777-1 step=10 before=100/0 after=90/10 state=shifting at=2026-11-22T04:38:57.000Z
 */
export function encodeMarkerCompact(marker: Marker): string {
  const pair = (w: { stable: number; candidate: number }) => `${w.stable}/${w.candidate}`;
  return `v1 run=${marker.runId.replace(/[^A-Za-z0-9_.:/=+\-@]/g, '_')} step=${marker.step} before=${pair(marker.before)} after=${pair(marker.after)} state=${marker.state} at=${marker.at}`;
}

export function decodeMarkerCompact(text: string | undefined, where: string): Marker | undefined {
  if (text === undefined || text === '') return undefined;
  const fields = Object.fromEntries(
    text
      .split(' ')
      .slice(1)
      .map((part) => [part.slice(0, part.indexOf('=')), part.slice(part.indexOf('=') + 1)]),
  );
  const pair = (value: string | undefined) => {
    const [stable, candidate] = (value ?? '').split('/').map(Number);
    return stable === undefined ||
      candidate === undefined ||
      Number.isNaN(stable) ||
      Number.isNaN(candidate)
      ? undefined
      : { stable, candidate };
  };
  const before = pair(fields.before);
  const after = pair(fields.after);
  const state = fields.state as Marker['state'] | undefined;
  if (
    !text.startsWith('v1 ') ||
    fields.run === undefined ||
    before === undefined ||
    after === undefined ||
    !['shifting', 'done', 'reverted', 'rolled-back'].includes(state ?? '') ||
    fields.at === undefined ||
    Number.isNaN(Number(fields.step))
  )
    throw new Error(
      `${where}: the cutover marker is not one this tool wrote: ${text.slice(0, 120)}`,
    );
  return {
    version: 1,
    runId: fields.run,
    step: Number(fields.step),
    before,
    after,
    state: state ?? 'done',
    at: fields.at,
  };
}
