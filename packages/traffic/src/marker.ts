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
