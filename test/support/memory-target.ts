import type { Weights } from '@cutover/plan';
import { ConflictError, type Marker, type RouterTarget, type TargetState } from '@cutover/traffic';

/** What one routed object holds; several MemoryTargets may share one (several runs, one object). */
export interface MemoryObject {
  weights: Weights;
  marker: Marker | undefined;
  version: number;
  /** Every successful write, in order. */
  writes: { weights: Weights; marker: Marker }[];
}

export function memoryObject(weights: Weights, marker?: Marker): MemoryObject {
  return { weights: { ...weights }, marker, version: 1, writes: [] };
}

export interface MemoryTargetOptions {
  description?: string;
  allOrNothing?: boolean;
  ready?: { stable: boolean; candidate: boolean };
  /** Called after each successful write (a signal landing while a write is in flight). */
  afterWrite?: (write: { weights: Weights; marker: Marker }) => void | Promise<void>;
  /** Called before each write is applied (another run slipping in between read and write). */
  beforeWrite?: () => void | Promise<void>;
  /** Awaited before every operation, to interleave concurrent runs. */
  pause?: () => Promise<void>;
}

/**
 * An in-memory RouterTarget with the contract every router has: read returns a version, and a
 * write with a stale version is a ConflictError. The router applies writes at once.
 */
export class MemoryTarget implements RouterTarget {
  readonly description: string;
  readonly allOrNothing: boolean;

  constructor(
    readonly object: MemoryObject,
    private readonly options: MemoryTargetOptions = {},
  ) {
    this.description = options.description ?? 'memory route';
    this.allOrNothing = options.allOrNothing ?? false;
  }

  async read(): Promise<TargetState> {
    await this.options.pause?.();
    return {
      weights: { ...this.object.weights },
      marker: this.object.marker === undefined ? undefined : structuredClone(this.object.marker),
      version: String(this.object.version),
    };
  }

  async write(weights: Weights, marker: Marker, version: string): Promise<void> {
    await this.options.pause?.();
    await this.options.beforeWrite?.();
    if (version !== String(this.object.version))
      throw new ConflictError(`${this.description} changed since version ${version}`);
    this.object.weights = { ...weights };
    this.object.marker = structuredClone(marker);
    this.object.version++;
    const write = { weights: { ...weights }, marker: structuredClone(marker) };
    this.object.writes.push(write);
    await this.options.afterWrite?.(write);
  }

  async readiness(): Promise<{ stable: boolean; candidate: boolean }> {
    await this.options.pause?.();
    return this.options.ready ?? { stable: true, candidate: true };
  }

  effective(): Promise<{ effective: boolean; detail: string }> {
    return Promise.resolve({ effective: true, detail: 'applied' });
  }
}

/** What one run of a concurrent shift reported. */
export interface RunReport {
  runId: string;
  ok: boolean;
  before?: Weights | undefined;
  after?: Weights | undefined;
  error?: string;
}

/**
 * Every reason the reports and the object's final state are not one serial story: the runs
 * that reported success, ordered by their `before`, must chain from the initial weights to the
 * final ones (each starting where the previous one ended), and the final marker must be the
 * last successful run's (or a failed run's revert to those same weights). Assumes every run
 * asked for a different, non-initial weight.
 */
export function storyProblems(
  initial: Weights,
  reports: readonly RunReport[],
  final: { weights: Weights; marker: Marker | undefined },
): string[] {
  const problems: string[] = [];
  const pending = reports.filter((r) => r.ok);
  let current = initial.candidate;
  let last: RunReport | undefined;
  while (pending.length > 0) {
    const next = pending.filter((r) => r.before?.candidate === current);
    if (next.length !== 1) {
      problems.push(
        `${next.length} successful runs started from ${current}% (${next.map((r) => r.runId).join(', ') || 'none'}); unchained: ${pending.map((r) => `${r.runId} ${r.before?.candidate}→${r.after?.candidate}`).join(', ')}`,
      );
      break;
    }
    const [only] = next as [RunReport];
    last = only;
    pending.splice(pending.indexOf(only), 1);
    current = only.after?.candidate ?? Number.NaN;
  }
  if (final.weights.candidate !== current)
    problems.push(`the object ends at ${final.weights.candidate}%, the story at ${current}%`);
  if (last !== undefined) {
    const m = final.marker;
    const doneByLast =
      m?.state === 'done' &&
      m.runId === last.runId &&
      m.before.candidate === last.before?.candidate;
    const revertedToLast =
      m?.state === 'reverted' &&
      m.after.candidate === current &&
      reports.some((r) => !r.ok && r.runId === m.runId);
    if (!doneByLast && !revertedToLast)
      problems.push(
        `the final marker ${JSON.stringify(m)} is not the last successful run's (${last.runId})`,
      );
  }
  return problems;
}
