import { parse } from 'yaml';
import type { MetricsSource, Series } from '@cutover/gates';
import { ConfigError, ProviderUnavailable, settingsObject, v } from '@cutover/kit';
import { parseDuration, type MetricQuery } from '@cutover/plan';
import { type MetricsProvider, durationSetting, nonEmptyText } from './provider.js';

/**
 * Recorded samples, for rehearsals and backtests. A file maps a series key (a query string,
 * or a gate name when used through a rehearsal) to entries with times relative to `base`:
 *
 *   error-rate:
 *     - { from: 0s, to: 2d2h, value: 0.01 }          # constant
 *     - { from: 2d2h, to: 2d2h10m, ramp: [0.01, 0.09] } # linear
 *     - { at: 2d2h10m, value: 0.09 }                 # holds until the next entry
 *     - { from: 2d3h, to: 2d4h, no-data: true }      # a gap
 *     - { from: 2d4h, to: 2d5h, error: "503" }       # the provider fails
 */
type Entry =
  | { kind: 'segment'; from: number; to: number; start: number; end: number }
  | { kind: 'gap'; from: number; to: number }
  | { kind: 'error'; from: number; to: number; message: string };

export type RecordedSeries = Record<string, Entry[]>;

export function parseRecordedSeries(text: string, fileName: string): RecordedSeries {
  const raw = parse(text) as unknown;
  if (typeof raw !== 'object' || raw === null)
    throw new Error(`${fileName}: expected a mapping of series name to entries`);
  const series: RecordedSeries = {};
  for (const [key, list] of Object.entries(raw as Record<string, unknown>)) {
    if (!Array.isArray(list)) throw new Error(`${fileName}: ${key}: expected a list of entries`);
    const entries: Entry[] = list.map((item: unknown, index) =>
      entry(item, `${fileName}: ${key}[${index}]`),
    );
    // "at" entries hold until the next entry starts.
    entries.sort((a, b) => a.from - b.from);
    entries.forEach((e, i) => {
      if (e.to === Number.POSITIVE_INFINITY && entries[i + 1] !== undefined)
        e.to = entries[i + 1]?.from ?? e.to;
    });
    series[key] = entries;
  }
  return series;
}

function entry(item: unknown, path: string): Entry {
  const e = item as Record<string, unknown>;
  const time = (name: string) => {
    const value = e[name];
    const ms =
      typeof value === 'string'
        ? parseDuration(value)
        : typeof value === 'number' && Number.isFinite(value)
          ? value * 1000
          : undefined;
    if (ms === undefined)
      throw new Error(
        `${path}.${name}: expected a duration like "2d3h", got ${JSON.stringify(value)}`,
      );
    return ms;
  };
  const number = (value: unknown, name: string) => {
    // YAML's .nan and .inf are numbers too; a recorded gap is written `no-data: true`.
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw new Error(
        `${path}.${name}: expected a finite number, got ${typeof value === 'number' ? String(value) : JSON.stringify(value)}; write a gap as { from, to, no-data: true }`,
      );
    return value;
  };
  if ('at' in e) {
    const at = time('at');
    const value = number(e.value, 'value');
    return { kind: 'segment', from: at, to: Number.POSITIVE_INFINITY, start: value, end: value };
  }
  const from = time('from');
  const to = time('to');
  if (to <= from) throw new Error(`${path}: "to" must be after "from"`);
  if (e['no-data'] === true) return { kind: 'gap', from, to };
  if (typeof e.error === 'string') return { kind: 'error', from, to, message: e.error };
  if (Array.isArray(e.ramp))
    return {
      kind: 'segment',
      from,
      to,
      start: number(e.ramp[0], 'ramp[0]'),
      end: number(e.ramp[1], 'ramp[1]'),
    };
  const value = number(e.value, 'value');
  return { kind: 'segment', from, to, start: value, end: value };
}

export class FileSource implements MetricsSource {
  readonly name = 'recorded samples';

  /** `base` is the absolute time (epoch ms) that offset 0 stands for. */
  constructor(
    private readonly series: RecordedSeries,
    private readonly base: number,
  ) {}

  instant(query: MetricQuery, at: number): Promise<Series[]> {
    return Promise.resolve(this.sample(query, [at]));
  }

  range(query: MetricQuery, from: number, to: number, stepMs: number): Promise<Series[]> {
    const times: number[] = [];
    for (let t = from; t <= to; t += stepMs) times.push(t);
    return Promise.resolve(this.sample(query, times));
  }

  private sample(query: MetricQuery, times: number[]): Series[] {
    const entries = this.series[typeof query === 'string' ? query.trim() : JSON.stringify(query)];
    if (entries === undefined) return [];
    const points: [number, number][] = [];
    for (const t of times) {
      const offset = t - this.base;
      const found = entries.find((e) => offset >= e.from && offset < e.to);
      if (found === undefined || found.kind === 'gap') continue;
      if (found.kind === 'error')
        throw new ProviderUnavailable(`recorded provider error: ${found.message}`);
      const span = found.to === Number.POSITIVE_INFINITY ? 1 : found.to - found.from;
      const value = found.start + ((found.end - found.start) * (offset - found.from)) / span;
      if (Number.isFinite(value)) points.push([t, value]);
    }
    return points.length === 0 ? [] : [{ labels: {}, points }];
  }
}

const fileSettings = settingsObject({
  path: nonEmptyText('the path of a recorded-samples file'),
  /** Offsets in the file count from here, or from the start of the window judged. */
  start: v.optional(
    v.pipe(
      v.string(
        (issue) => `expected an ISO 8601 time like "2026-06-01T00:00:00Z", got ${issue.received}`,
      ),
      v.check(
        (text) => !Number.isNaN(Date.parse(text)),
        (issue) => `expected an ISO 8601 time like "2026-06-01T00:00:00Z", got ${issue.received}`,
      ),
    ),
  ),
  timeout: v.optional(durationSetting),
});

/** Recorded samples (rehearsals, backtests, tests); any query is a series key. */
export const fileProvider: MetricsProvider<v.InferOutput<typeof fileSettings>> = {
  kind: 'file',
  summary: 'recorded samples from a YAML file (path, start)',
  settings: fileSettings,
  create(settings, context) {
    const base = settings.start === undefined ? context.recordedBase : Date.parse(settings.start);
    let text: string;
    try {
      text = context.readFile(settings.path);
    } catch (error) {
      throw new ConfigError(
        `metrics.path: cannot read "${settings.path}" (${(error as { code?: string }).code ?? String(error)})`,
      );
    }
    let series: RecordedSeries;
    try {
      series = parseRecordedSeries(text, settings.path);
    } catch (error) {
      // A malformed recording is the user's to fix, not a bug.
      throw new ConfigError(
        `metrics.path: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    return new FileSource(series, base);
  },
};
