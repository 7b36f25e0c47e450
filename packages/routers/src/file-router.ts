import { createHash, randomUUID } from 'node:crypto';
import {
  readFileSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
  mkdirSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { ConfigError, ConflictError, ServiceError, systemClock, type Clock } from '@cutover/kit';
import { formatDuration, type Weights } from '@cutover/plan';
import {
  MARKER_KEY,
  decodeMarker,
  type Marker,
  type RouterTarget,
  type TargetState,
} from '@cutover/traffic';
import { kindOf, settingsObject, text, type RouterDefinition } from './router-settings.js';

export interface FileRouterOptions {
  /** How long a write waits for another writer's lock before it fails. Default 30 s. */
  lockTimeoutMs?: number;
  /**
   * A lock or temporary file older than this is abandoned, whoever wrote it (a pid reused
   * after a kill looks alive). Writes hold the lock for milliseconds. Default 60 s.
   */
  abandonedAfterMs?: number;
  /** Physical time by default: the lock is shared with other processes. */
  clock?: Clock;
}

interface LockHolder {
  /** The lock file's text, compared before breaking it, so only that very lock is removed. */
  raw: string;
  pid: number | undefined;
  host: string | undefined;
  runId: string | undefined;
  at: number;
}

/**
 * Weights in a local JSON file ({"blue": 90, "green": 10, "cutover.dev/traffic": {...}}), for
 * rehearsals and for custom routers driven by a script. The precondition is the hash of the
 * file as read. A write is one atomic step for every process using this router: it holds
 * `<file>.lock` (created exclusively, holding pid, host, run id and time) while it compares the
 * hash and renames a complete temporary file over the weights, so readers never see half a
 * file and two writers can never both succeed from the same version.
 */
export class FileRouter implements RouterTarget {
  readonly description: string;
  readonly allOrNothing = false;
  private readonly lockPath: string;
  private readonly lockTimeoutMs: number;
  private readonly abandonedAfterMs: number;
  private readonly clock: Clock;
  private swept = false;

  constructor(
    private readonly path: string,
    private readonly names: { stable: string; candidate: string },
    options: FileRouterOptions = {},
  ) {
    this.description = `file ${path}`;
    this.lockPath = `${path}.lock`;
    this.lockTimeoutMs = options.lockTimeoutMs ?? 30_000;
    this.abandonedAfterMs = options.abandonedAfterMs ?? 60_000;
    this.clock = options.clock ?? systemClock;
  }

  read(): Promise<TargetState> {
    if (!this.swept) this.sweep();
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
        new ConfigError(
          `${this.path}: not a weights file (${error instanceof Error ? error.message : String(error)})`,
          { cause: error },
        ),
      );
    }
    const stable = raw[this.names.stable];
    const candidate = raw[this.names.candidate];
    if (typeof stable !== 'number' || typeof candidate !== 'number')
      return Promise.reject(
        new ConfigError(
          `${this.path}: expected numbers for "${this.names.stable}" and "${this.names.candidate}", got ${text.slice(0, 120)}`,
        ),
      );
    const marker =
      raw[MARKER_KEY] === undefined
        ? undefined
        : decodeMarker(JSON.stringify(raw[MARKER_KEY]), this.description);
    return Promise.resolve({ weights: { stable, candidate }, marker, version: hash(text) });
  }

  async write(weights: Weights, marker: Marker, version: string): Promise<void> {
    // The first shift creates the file, and its folder (a plan's ".cutover/weights.json").
    mkdirSync(dirname(this.path), { recursive: true });
    const release = await this.lock(marker.runId);
    try {
      this.sweep();
      const text = this.text();
      if ((text === undefined ? 'absent' : hash(text)) !== version)
        throw new ConflictError(`${this.path} changed since it was read`);
      const temporary = `${this.path}.tmp-${process.pid}`;
      writeFileSync(
        temporary,
        `${JSON.stringify({ [this.names.stable]: weights.stable, [this.names.candidate]: weights.candidate, [MARKER_KEY]: marker }, null, 2)}\n`,
      );
      renameSync(temporary, this.path);
    } finally {
      release();
    }
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

  /** Takes the lock, waiting up to lockTimeoutMs; returns its release. */
  private async lock(runId: string): Promise<() => void> {
    const token = randomUUID();
    const started = this.clock.now();
    for (let delay = 1; ; delay = Math.min(delay * 2, 16)) {
      try {
        writeFileSync(
          this.lockPath,
          JSON.stringify({
            pid: process.pid,
            host: hostname(),
            runId,
            at: this.clock.now(),
            token,
          }),
          { flag: 'wx' },
        );
        return () => {
          // Only our own lock: if it was broken as abandoned, it belongs to someone else now.
          if (this.readLock(this.lockPath)?.raw.includes(token) === true)
            unlinkQuietly(this.lockPath);
        };
      } catch (error) {
        if ((error as { code?: string }).code !== 'EEXIST') throw error;
      }
      const holder = this.readLock(this.lockPath);
      if (holder === undefined) continue; // released meanwhile
      if (this.abandoned(holder)) {
        this.breakLock(holder);
        continue;
      }
      const waited = this.clock.now() - started;
      if (waited >= this.lockTimeoutMs)
        throw new ServiceError(
          `${this.path} is locked by run ${holder.runId ?? '?'} (pid ${holder.pid ?? '?'} on ${holder.host ?? '?'}, since ${new Date(holder.at).toISOString()}); waited ${formatDuration(waited)} for it. Delete ${this.lockPath} if no run is writing`,
        );
      await this.clock.sleep(delay + Math.random() * delay);
    }
  }

  private readLock(path: string): LockHolder | undefined {
    let raw: string;
    let modified: number;
    try {
      raw = readFileSync(path, 'utf8');
      modified = statSync(path).mtimeMs;
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return undefined;
      throw error;
    }
    let fields: { pid?: unknown; host?: unknown; runId?: unknown; at?: unknown } = {};
    try {
      fields = JSON.parse(raw) as typeof fields;
    } catch {
      // Empty or torn: a writer killed between creating and filling it; judged by age.
    }
    return {
      raw,
      pid: typeof fields.pid === 'number' ? fields.pid : undefined,
      host: typeof fields.host === 'string' ? fields.host : undefined,
      runId: typeof fields.runId === 'string' ? fields.runId : undefined,
      at: typeof fields.at === 'number' ? fields.at : modified,
    };
  }

  /** A dead holder on this machine, or any holder older than the bound. */
  private abandoned(holder: LockHolder): boolean {
    if (this.clock.now() - holder.at > this.abandonedAfterMs) return true;
    return holder.pid !== undefined && holder.host === hostname() && !alive(holder.pid);
  }

  /**
   * Removes an abandoned lock. Breakers take `<file>.lock.break` exclusively, so between
   * checking that the lock is still the abandoned one and removing it nobody else can remove
   * it and a fresh lock cannot take its place (its owner is dead and only breakers unlink).
   */
  private breakLock(holder: LockHolder): void {
    const breaker = `${this.lockPath}.break`;
    try {
      writeFileSync(
        breaker,
        JSON.stringify({ pid: process.pid, host: hostname(), at: this.clock.now() }),
        {
          flag: 'wx',
        },
      );
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') throw error;
      const other = this.readLock(breaker);
      if (other !== undefined && this.abandoned(other)) unlinkQuietly(breaker);
      return;
    }
    try {
      if (this.readLock(this.lockPath)?.raw === holder.raw) unlinkQuietly(this.lockPath);
    } finally {
      unlinkQuietly(breaker);
    }
  }

  /**
   * Removes `<file>.tmp-PID` files a killed writer left: those of a process that is no longer
   * alive, and any older than the bound. A live writer's fresh file is left alone.
   */
  private sweep(): void {
    this.swept = true;
    const directory = dirname(this.path);
    const prefix = `${basename(this.path)}.tmp-`;
    let names: string[];
    try {
      names = readdirSync(directory);
    } catch {
      return;
    }
    for (const name of names) {
      if (!name.startsWith(prefix) || !/^\d+$/.test(name.slice(prefix.length))) continue;
      const path = join(directory, name);
      const pid = Number(name.slice(prefix.length));
      try {
        const old = this.clock.now() - statSync(path).mtimeMs > this.abandonedAfterMs;
        if (old || !alive(pid)) unlinkQuietly(path);
      } catch {
        // Renamed or removed meanwhile.
      }
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is just not ours to signal.
    return (error as { code?: string }).code === 'EPERM';
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT') throw error;
  }
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

export interface FileSettings {
  kind: 'file';
  path: string;
  stable: string;
  candidate: string;
}

const key = text('a JSON key like "blue"', undefined, 256);

export const fileRouter: RouterDefinition<FileSettings> = {
  kind: 'file',
  summary: 'a local JSON weights file (rehearsals, script-driven routers), written under a lock',
  settings: settingsObject({
    kind: kindOf('file'),
    path: text('a file path like ".cutover/weights.json"'),
    stable: key,
    candidate: key,
  }),
  create: (settings, context) => [
    new FileRouter(context.resolvePath(settings.path), {
      stable: settings.stable,
      candidate: settings.candidate,
    }),
  ],
};
