import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Weights } from '@cutover/plan';
import {
  ConflictError,
  MARKER_KEY,
  decodeMarker,
  type Marker,
  type RouterTarget,
  type TargetState,
} from '@cutover/traffic';

/**
 * Weights in a local JSON file ({"blue": 90, "green": 10, "cutover.dev/traffic": {...}}), for
 * rehearsals and for custom routers driven by a script. The precondition is the hash of the
 * file as read; writes are atomic (write, then rename), so a reader never sees half a file.
 */
export class FileRouter implements RouterTarget {
  readonly description: string;
  readonly allOrNothing = false;

  constructor(
    private readonly path: string,
    private readonly names: { stable: string; candidate: string },
  ) {
    this.description = `file ${path}`;
  }

  read(): Promise<TargetState> {
    const text = this.text();
    if (text === undefined)
      return Promise.resolve({
        weights: { stable: 100, candidate: 0 },
        marker: undefined,
        version: 'absent',
      });
    let raw: Record<string, unknown>;
    try {
      raw = JSON.parse(text) as Record<string, unknown>;
    } catch (error) {
      return Promise.reject(
        new Error(
          `${this.path}: not a weights file (${error instanceof Error ? error.message : String(error)})`,
          { cause: error },
        ),
      );
    }
    const stable = raw[this.names.stable];
    const candidate = raw[this.names.candidate];
    if (typeof stable !== 'number' || typeof candidate !== 'number')
      return Promise.reject(
        new Error(
          `${this.path}: expected numbers for "${this.names.stable}" and "${this.names.candidate}", got ${text.slice(0, 120)}`,
        ),
      );
    const marker =
      raw[MARKER_KEY] === undefined
        ? undefined
        : decodeMarker(JSON.stringify(raw[MARKER_KEY]), this.description);
    return Promise.resolve({ weights: { stable, candidate }, marker, version: hash(text) });
  }

  write(weights: Weights, marker: Marker, version: string): Promise<void> {
    const text = this.text();
    if ((text === undefined ? 'absent' : hash(text)) !== version)
      return Promise.reject(new ConflictError(`${this.path} changed since it was read`));
    const temporary = `${this.path}.tmp-${process.pid}`;
    writeFileSync(
      temporary,
      `${JSON.stringify({ [this.names.stable]: weights.stable, [this.names.candidate]: weights.candidate, [MARKER_KEY]: marker }, null, 2)}\n`,
    );
    renameSync(temporary, this.path);
    return Promise.resolve();
  }

  readiness(): Promise<{ stable: boolean; candidate: boolean }> {
    return Promise.resolve({ stable: true, candidate: true });
  }

  effective(): Promise<{ effective: boolean; detail: string }> {
    return Promise.resolve({ effective: true, detail: 'file written' });
  }

  private text(): string | undefined {
    try {
      return readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return undefined;
      throw error;
    }
  }
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
