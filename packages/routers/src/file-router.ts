import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { TrafficRouter, Weights } from '@cutover/plan';

/**
 * Weights in a local JSON file ({"blue": 90, "green": 10}), for rehearsals and for custom
 * routers driven by a script. Writes are atomic (write then rename), so a reader never sees
 * half a file.
 */
export class FileRouter implements TrafficRouter {
  readonly description: string;

  constructor(
    private readonly path: string,
    private readonly names: { stable: string; candidate: string },
  ) {
    this.description = `file ${path}`;
  }

  read(): Promise<Weights> {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT')
        return Promise.resolve({ stable: 100, candidate: 0 });
      throw new Error(
        `${this.path}: not a weights file (${error instanceof Error ? error.message : String(error)})`,
        { cause: error },
      );
    }
    const record = raw as Record<string, unknown>;
    const stable = record[this.names.stable];
    const candidate = record[this.names.candidate];
    if (typeof stable !== 'number' || typeof candidate !== 'number')
      throw new Error(
        `${this.path}: expected numbers for "${this.names.stable}" and "${this.names.candidate}", got ${JSON.stringify(raw)}`,
      );
    return Promise.resolve({ stable, candidate });
  }

  write(weights: Weights): Promise<void> {
    const temporary = `${this.path}.tmp-${process.pid}`;
    writeFileSync(
      temporary,
      `${JSON.stringify({ [this.names.stable]: weights.stable, [this.names.candidate]: weights.candidate })}\n`,
    );
    renameSync(temporary, this.path);
    return Promise.resolve();
  }
}
