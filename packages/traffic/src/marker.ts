import { ConfigError } from '@cutover/kit';

/** The gate verdict that justified a move, as recorded on the target. */
export interface RecordedVerdict {
  status: 'pass' | 'fail' | 'inconclusive';
  /** Omitted in the compact AWS form, which has no room for prose. */
  reason?: string;
  at: string;
}

/**
 * The state marker a shift records on the routed object itself (an annotation or tag), so any
 * later run, or `rollback`, works from what the target says rather than from runner memory.
 * It is written in the same request as the weights, so the two never disagree. Fields added
 * after the first release are optional: markers written before them still decode.
 */
export interface Marker {
  version: 1;
  runId: string;
  /**
   * Candidate weight this shift moved to (0 for a rollback). The key predates the inputs'
   * `step` (a plan step number) and keeps its meaning so that older markers read the same.
   */
  step: number;
  before: { stable: number; candidate: number };
  after: { stable: number; candidate: number };
  /** shifting: written, not yet verified; done: verified; reverted / rolled-back: put back. */
  state: 'shifting' | 'done' | 'reverted' | 'rolled-back';
  at: string;
  /** planHash() of the plan that drove the move; absent without a plan. */
  planHash?: string;
  /** When traffic started flowing at `after` (the bake's start); absent while shifting. */
  stepStartedAt?: string;
  /** The last gate verdict that justified a move. */
  verdict?: RecordedVerdict;
  /** A human's hold (shift-traffic `step: pause`): no forward move until resumed or rolled back. */
  paused?: PauseRecord;
}

/** Who paused the cutover, when and why. Moves leave it in place; only resume or rollback clear it. */
export interface PauseRecord {
  at: string;
  /** The pausing run's id; on AWS cut to the room the compact form has left (absent if none). */
  by?: string;
  /** Untrusted text, bounded; omitted in the compact AWS form. */
  reason?: string;
}

export const MARKER_KEY = 'cutover.dev/traffic';

/** A Route 53 TXT string holds 255 characters, an ELB tag value 256: the compact form fits. */
export const COMPACT_MARKER_LIMIT = 255;
export const RUN_ID_PATTERN = /^[A-Za-z0-9_.:/=+@-]{1,64}$/;
const REASON_LIMIT = 300;
/** Hex characters of a plan hash (48 bits: a changed plan, not an adversary, is the concern). */
export const PLAN_HASH_LENGTH = 12;

/** The run id is recorded on every target, so it must fit in the smallest marker (AWS). */
export function checkRunId(runId: string): string {
  if (!RUN_ID_PATTERN.test(runId))
    throw new ConfigError(
      `input 'run-id': ${JSON.stringify(runId.length > 80 ? `${runId.slice(0, 80)}…` : runId)} (${runId.length} characters) is not a run id; expected 1 to 64 characters of A-Z a-z 0-9 _ . : / = + @ - (the marker must fit in a Route 53 TXT string of ${COMPACT_MARKER_LIMIT} characters)`,
    );
  return runId;
}

const STATES: readonly Marker['state'][] = ['shifting', 'done', 'reverted', 'rolled-back'];
const STATUSES: readonly RecordedVerdict['status'][] = ['pass', 'fail', 'inconclusive'];

const bounded = (text: string) =>
  text.length <= REASON_LIMIT ? text : `${text.slice(0, REASON_LIMIT - 1)}…`;

export function encodeMarker(marker: Marker): string {
  const { verdict, paused } = marker;
  return JSON.stringify({
    ...marker,
    ...(verdict?.reason === undefined
      ? {}
      : { verdict: { ...verdict, reason: bounded(verdict.reason) } }),
    ...(paused?.reason === undefined
      ? {}
      : { paused: { ...paused, reason: bounded(paused.reason) } }),
  });
}

const isWeights = (w: unknown) =>
  typeof w === 'object' &&
  w !== null &&
  typeof (w as Record<string, unknown>).stable === 'number' &&
  typeof (w as Record<string, unknown>).candidate === 'number';

const isVerdict = (v: unknown): v is RecordedVerdict => {
  if (typeof v !== 'object' || v === null) return false;
  const { status, reason, at } = v as Record<string, unknown>;
  return (
    STATUSES.includes(status as RecordedVerdict['status']) &&
    (reason === undefined || typeof reason === 'string') &&
    typeof at === 'string'
  );
};

const isPause = (v: unknown): v is PauseRecord => {
  if (typeof v !== 'object' || v === null) return false;
  const { at, by, reason } = v as Record<string, unknown>;
  return (
    typeof at === 'string' &&
    (by === undefined || typeof by === 'string') &&
    (reason === undefined || typeof reason === 'string')
  );
};

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
  if (
    m.version !== 1 ||
    typeof m.runId !== 'string' ||
    typeof m.step !== 'number' ||
    !isWeights(m.before) ||
    !isWeights(m.after) ||
    !STATES.includes(m.state as Marker['state']) ||
    typeof m.at !== 'string' ||
    (m.planHash !== undefined && typeof m.planHash !== 'string') ||
    (m.stepStartedAt !== undefined && typeof m.stepStartedAt !== 'string') ||
    (m.verdict !== undefined && !isVerdict(m.verdict)) ||
    (m.paused !== undefined && !isPause(m.paused))
  )
    throw new Error(
      `${where}: the ${MARKER_KEY} marker is not one this tool wrote: ${text.slice(0, 120)}`,
    );
  return m as Marker;
}

/** Times in the compact form drop their milliseconds: room is short. */
const compactTime = (iso: string) => iso.replace(/\.\d+Z$/, 'Z');
/** Weights a router normalised from relative values may be fractional: two decimals at most. */
const compactNumber = (n: number) => String(Math.round(n * 100) / 100);

/** Run ids in the compact form: the characters an ELB tag value allows. */
const compactId = (id: string) => id.replace(/[^A-Za-z0-9_.:/=+\-@]/g, '_').slice(0, 64);

/**
 * The marker as a string AWS accepts where JSON is not allowed (ELB tag values: letters,
 * digits, spaces and _ . : / = + - @; Route 53 TXT strings): space-separated key=value pairs,
 * at most COMPACT_MARKER_LIMIT characters (the verdict's and the pause's reasons are left out).
 *   v1 run=777-1 step=10 before=100/0 after=90/10 state=done at=2026-11-22T04:38:57Z
 *   plan=3f2a9c0d1e4b since=2026-11-22T04:38:57Z verdict=pass@2026-11-22T04:30:00Z
 *   paused=1795322400@780-1
 * `paused` was added later, so older readers ignore it rather than fail; its time is in Unix
 * seconds (10 characters, not 20) so that it fits beside a 64-character run id. Room is made
 * in order of importance: the pause itself always fits; a verdict that would not fit beside it
 * is left out (it only informs status views); the pausing run's id gets what room is left.
 */
export function encodeMarkerCompact(marker: Marker): string {
  const pair = (w: { stable: number; candidate: number }) =>
    `${compactNumber(w.stable)}/${compactNumber(w.candidate)}`;
  const parts = [
    'v1',
    `run=${compactId(marker.runId)}`,
    `step=${compactNumber(marker.step)}`,
    `before=${pair(marker.before)}`,
    `after=${pair(marker.after)}`,
    `state=${marker.state}`,
    `at=${compactTime(marker.at)}`,
  ];
  if (marker.planHash !== undefined)
    parts.push(`plan=${marker.planHash.replace(/[^A-Za-z0-9]/g, '').slice(0, PLAN_HASH_LENGTH)}`);
  if (marker.stepStartedAt !== undefined) parts.push(`since=${compactTime(marker.stepStartedAt)}`);
  const verdict =
    marker.verdict === undefined
      ? undefined
      : `verdict=${marker.verdict.status}@${compactTime(marker.verdict.at)}`;
  if (marker.paused === undefined)
    return [...parts, ...(verdict === undefined ? [] : [verdict])].join(' ');
  // Clamped to year 9999 so that the decoder can always turn it back into a date.
  const seconds = Math.min(Math.floor(Date.parse(marker.paused.at) / 1000), 253_402_300_799);
  const pause = `paused=${Number.isFinite(seconds) && seconds >= 0 ? seconds : 0}`;
  const withVerdict = [...parts, ...(verdict === undefined ? [] : [verdict]), pause].join(' ');
  const text =
    withVerdict.length <= COMPACT_MARKER_LIMIT ? withVerdict : [...parts, pause].join(' ');
  const room = COMPACT_MARKER_LIMIT - text.length - 1;
  const by = marker.paused.by === undefined ? '' : compactId(marker.paused.by).slice(0, room);
  return by === '' ? text : `${text}@${by}`;
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
  const verdictAt = fields.verdict?.indexOf('@') ?? -1;
  const verdict =
    fields.verdict === undefined
      ? undefined
      : {
          status: fields.verdict.slice(0, verdictAt) as RecordedVerdict['status'],
          at: fields.verdict.slice(verdictAt + 1),
        };
  const pausedAt = fields.paused?.indexOf('@') ?? -1;
  const pausedSeconds = pausedAt < 0 ? fields.paused : fields.paused?.slice(0, pausedAt);
  const pausedBy = pausedAt < 0 ? undefined : fields.paused?.slice(pausedAt + 1);
  if (
    !text.startsWith('v1 ') ||
    (fields.paused !== undefined && !/^\d{1,12}$/.test(pausedSeconds ?? '')) ||
    fields.run === undefined ||
    before === undefined ||
    after === undefined ||
    !STATES.includes(state as Marker['state']) ||
    fields.at === undefined ||
    Number.isNaN(Number(fields.step)) ||
    (verdict !== undefined && (verdictAt < 0 || !isVerdict(verdict)))
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
    ...(fields.plan === undefined ? {} : { planHash: fields.plan }),
    ...(fields.since === undefined ? {} : { stepStartedAt: fields.since }),
    ...(verdict === undefined ? {} : { verdict }),
    ...(pausedSeconds === undefined
      ? {}
      : {
          paused: {
            at: compactTime(new Date(Number(pausedSeconds) * 1000).toISOString()),
            ...(pausedBy === undefined || pausedBy === '' ? {} : { by: pausedBy }),
          },
        }),
  };
}
