import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '@cutover/kit';
import { FileRouter } from '@cutover/routers';
import { MARKER_KEY, shiftTraffic, type ShiftOptions } from '@cutover/traffic';
import { storyProblems, type RunReport } from '../support/memory-target.js';

const NAMES = { stable: 'blue', candidate: 'green' };
const fileRouterModule = fileURLToPath(
  new URL('../../packages/routers/src/file-router.ts', import.meta.url),
);
const trafficModule = fileURLToPath(
  new URL('../../packages/traffic/src/index.ts', import.meta.url),
);
const options = (runId: string): ShiftOptions => ({
  runId,
  planSteps: undefined,
  force: false,
  clock: createVirtualClock(Date.UTC(2026, 10, 22)),
  verifyTimeoutMs: 10_000,
  verifyIntervalMs: 1000,
  log: () => undefined,
});
const workspace = () => mkdtempSync(join(tmpdir(), 'cutover-file-router-'));
/** The pid of a process that has exited (and so cannot hold anything). */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid;
const lockOf = (path: string, holder: { pid: number; at: number; runId?: string }) =>
  writeFileSync(
    `${path}.lock`,
    JSON.stringify({
      pid: holder.pid,
      host: hostname(),
      runId: holder.runId ?? 'other',
      at: holder.at,
    }),
  );

/**
 * One Node process: waits for the go file, then shifts the file to each of `weights` in turn
 * and prints what every shift reported.
 */
const CHILD = `
import { existsSync } from 'node:fs';
import { systemClock } from '@cutover/kit';
const { shiftTraffic } = await import(process.env.TRAFFIC);
const { FileRouter } = await import(process.env.FILE_ROUTER);
const [path, go, name, list] = process.argv.slice(1);
process.stdout.write('ready\\n');
while (!existsSync(go)) await new Promise((resolve) => setTimeout(resolve, 2));
const reports = [];
for (const weight of list.split(',').map(Number)) {
  const runId = name + '-' + weight;
  try {
    const [outcome] = await shiftTraffic([new FileRouter(path, { stable: 'blue', candidate: 'green' })], weight, {
      runId, planSteps: undefined, force: false, clock: systemClock,
      verifyTimeoutMs: 20000, verifyIntervalMs: 20, log: () => undefined,
    });
    reports.push({ runId, ok: true, before: outcome.before, after: outcome.after });
  } catch (error) {
    reports.push({ runId, ok: false, error: error.name + ': ' + error.message });
  }
}
process.stdout.write(JSON.stringify(reports) + '\\n');
`;

/**
 * One Node process hammering the router's compare-and-swap: read, write with the version read,
 * again and again; prints every write that succeeded with the version it was based on.
 */
const CAS_CHILD = `
import { existsSync } from 'node:fs';
const { FileRouter } = await import(process.env.FILE_ROUTER);
const [path, go, name, count] = process.argv.slice(1);
process.stdout.write('ready\\n');
while (!existsSync(go)) await new Promise((resolve) => setTimeout(resolve, 2));
const router = new FileRouter(path, { stable: 'blue', candidate: 'green' });
const won = [];
for (let i = 0; i < Number(count); i++) {
  const { version } = await router.read();
  const marker = { version: 1, runId: name + '-' + i, step: 10, before: { stable: 100, candidate: 0 },
    after: { stable: 90, candidate: 10 }, state: 'done', at: new Date().toISOString() };
  try {
    await router.write({ stable: 90, candidate: 10 }, marker, version);
    won.push({ runId: marker.runId, from: version, ok: true });
  } catch (error) {
    if (error.name !== 'ConflictError') throw error;
  }
}
process.stdout.write(JSON.stringify(won) + '\\n');
`;

function child(args: string[], script = CHILD) {
  const process_ = spawn(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script, ...args],
    {
      env: { FILE_ROUTER: fileRouterModule, TRAFFIC: trafficModule, ...process.env },
      cwd: process.cwd(),
    },
  );
  let stdout = '';
  let stderr = '';
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  process_.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.includes('ready\n')) markReady();
  });
  process_.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<RunReport[]>((resolve, reject) => {
    process_.on('close', (code) => {
      const last = stdout.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !last.startsWith('['))
        reject(new Error(`child exited ${code}: ${stderr.slice(0, 2000)}`));
      else resolve(JSON.parse(last) as RunReport[]);
    });
  });
  return { ready, done };
}

describe('the file router under concurrent shifts', () => {
  it('6 Node processes shifting one file: exactly one story is true', async () => {
    const dir = workspace();
    const path = join(dir, 'weights.json');
    const go = join(dir, 'go');
    writeFileSync(path, JSON.stringify({ blue: 100, green: 0 }));
    const rounds = 3;
    // Six processes on two cores already interleave every step; more only cost start-up time.
    const runs = 6;
    const children = Array.from({ length: runs }, (_, i) =>
      child([
        path,
        go,
        `p${i + 1}`,
        Array.from({ length: rounds }, (_, r) => 1 + i + runs * r).join(','),
      ]),
    );
    await Promise.all(children.map((c) => c.ready));
    writeFileSync(go, '');
    const reports = (await Promise.all(children.map((c) => c.done))).flat();

    const final = await new FileRouter(path, NAMES).read();
    expect(storyProblems({ stable: 100, candidate: 0 }, reports, final)).toEqual([]);
    expect(reports.filter((r) => r.ok).length).toBeGreaterThan(0);
    for (const failed of reports.filter((r) => !r.ok))
      expect(failed.error).toMatch(/^(ShiftRefused|ShiftReverted): /);
    expect(readdirSync(dir).sort()).toEqual(['go', 'weights.json']);
  }, 180_000);
});

describe('the file router compare-and-swap', () => {
  it('never lets two writes succeed from the same version (6 processes)', async () => {
    const dir = workspace();
    const path = join(dir, 'weights.json');
    const go = join(dir, 'go');
    writeFileSync(path, JSON.stringify({ blue: 100, green: 0 }));
    const children = Array.from({ length: 6 }, (_, i) =>
      child([path, go, `p${i + 1}`, '40'], CAS_CHILD),
    );
    await Promise.all(children.map((c) => c.ready));
    writeFileSync(go, '');
    const won = (await Promise.all(children.map((c) => c.done))).flat() as unknown as {
      runId: string;
      from: string;
    }[];
    const byVersion = new Map<string, string[]>();
    for (const w of won) byVersion.set(w.from, [...(byVersion.get(w.from) ?? []), w.runId]);
    const lost = [...byVersion.values()].filter((runs) => runs.length > 1);
    expect(lost, 'writes that succeeded from the same version').toEqual([]);
    // The last successful write is the one the file holds.
    const final = await new FileRouter(path, NAMES).read();
    expect(byVersion.has(final.version)).toBe(false);
    expect(won.map((w) => w.runId)).toContain(final.marker?.runId);
  }, 180_000);
});

describe('the file router lock', () => {
  it('breaks a lock left by a process that died', async () => {
    const path = join(workspace(), 'weights.json');
    lockOf(path, { pid: deadPid(), at: Date.now() });
    const [outcome] = await shiftTraffic([new FileRouter(path, NAMES)], 10, options('run-1'));
    expect(outcome?.after).toEqual({ stable: 90, candidate: 10 });
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('breaks a lock older than the bound, even with a live pid (pids are reused)', async () => {
    const path = join(workspace(), 'weights.json');
    lockOf(path, { pid: process.ppid, at: Date.now() - 2 * 60 * 60 * 1000 });
    await shiftTraffic([new FileRouter(path, NAMES)], 10, options('run-1'));
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('waits for a live holder, then fails naming it and leaves the file alone', async () => {
    const path = join(workspace(), 'weights.json');
    writeFileSync(path, JSON.stringify({ blue: 100, green: 0 }));
    lockOf(path, { pid: process.ppid, at: Date.now(), runId: 'holder-1' });
    const router = new FileRouter(path, NAMES, { lockTimeoutMs: 300 });
    const shift = shiftTraffic([router], 10, options('run-1'));
    await expect(shift).rejects.toThrow(/is locked by run holder-1 \(pid \d+/);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ blue: 100, green: 0 });
    expect(existsSync(`${path}.lock`)).toBe(true);
  });
});

describe('the file router after a kill', () => {
  it('removes stray temporary files of dead processes and old ones, keeps a live writer’s', async () => {
    const dir = workspace();
    const path = join(dir, 'weights.json');
    writeFileSync(path, JSON.stringify({ blue: 100, green: 0 }));
    const dead = `weights.json.tmp-${deadPid()}`;
    const old = 'weights.json.tmp-1'; // init: alive, but the file is hours old
    const live = `weights.json.tmp-${process.ppid}`;
    for (const name of [dead, old, live]) writeFileSync(join(dir, name), '{"half":');
    const hoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    utimesSync(join(dir, old), hoursAgo, hoursAgo);

    await shiftTraffic([new FileRouter(path, NAMES)], 10, options('run-1'));
    expect(readdirSync(dir).sort()).toEqual([live, 'weights.json'].sort());
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({
      blue: 90,
      green: 10,
      [MARKER_KEY]: { state: 'done' },
    });
  });
});

describe('the first shift', () => {
  it('creates the weights file and its folder, as a plan naming .cutover/weights.json expects', async () => {
    const dir = workspace();
    const path = join(dir, '.cutover', 'nested', 'weights.json');
    const router = new FileRouter(path, NAMES);
    await shiftTraffic([router], 10, { ...options('first'), planSteps: [10, 100] });
    const state = await router.read();
    expect(state.weights).toEqual({ stable: 90, candidate: 10 });
    expect(state.marker?.state).toBe('done');
  });
});
