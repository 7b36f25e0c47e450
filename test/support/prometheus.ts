import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real Prometheus (Debian package) on loopback. Historical data is backfilled with
 * `promtool tsdb create-blocks-from openmetrics`; live data comes from scraping targets.
 */
export interface RunningPrometheus {
  url: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

export async function startPrometheus(
  options: { openMetrics?: string; scrapeTargets?: string[]; scrapeIntervalS?: number } = {},
): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-prometheus-'));
  const data = join(dir, 'data');
  if (options.openMetrics !== undefined) {
    writeFileSync(join(dir, 'backfill.om'), options.openMetrics);
    execFileSync(
      'promtool',
      ['tsdb', 'create-blocks-from', 'openmetrics', join(dir, 'backfill.om'), data],
      { stdio: 'pipe' },
    );
  }
  const interval = options.scrapeIntervalS ?? 15;
  const targets = options.scrapeTargets ?? [];
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      'global:',
      `  scrape_interval: ${interval}s`,
      `  evaluation_interval: ${interval}s`,
      'scrape_configs:',
      ...(targets.length === 0
        ? []
        : [
            '  - job_name: app',
            '    static_configs:',
            `      - targets: [${targets.map((t) => `'${t}'`).join(', ')}]`,
          ]),
    ].join('\n') + '\n',
  );
  const port = await freePort();
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${data}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=3650d',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  // A test or bench that dies before stop() must not leave a server behind.
  const orphan = () => child.kill('SIGKILL');
  process.once('exit', orphan);
  child.once('exit', () => process.off('exit', orphan));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`prometheus exited with ${child.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`prometheus did not become ready within 30s: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => {
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

export interface CounterSeries {
  name: string;
  labels: Record<string, string>;
  /** Increase per second as a function of time (seconds since the start). */
  ratePerSecond: (t: number) => number;
}

/** OpenMetrics text for counters sampled every `stepS` from `startS` for `durationS` (promtool input). */
export function counterOpenMetrics(
  series: CounterSeries[],
  startS: number,
  durationS: number,
  stepS: number,
): string {
  const families = new Map<string, CounterSeries[]>();
  for (const s of series) families.set(s.name, [...(families.get(s.name) ?? []), s]);
  const lines: string[] = [];
  for (const [name, members] of families) {
    // Counters are typed; histogram buckets go in untyped (histogram_quantile only needs "le").
    if (name.endsWith('_total')) lines.push(`# TYPE ${name.replace(/_total$/, '')} counter`);
    for (const member of members) {
      const labels = Object.entries(member.labels)
        .map(([k, v]) => `${k}="${v}"`)
        .join(',');
      let total = 0;
      for (let t = 0; t <= durationS; t += stepS) {
        total += member.ratePerSecond(t) * stepS;
        lines.push(`${name}{${labels}} ${total.toFixed(3)} ${startS + t}`);
      }
    }
  }
  return `${lines.join('\n')}\n# EOF\n`;
}
