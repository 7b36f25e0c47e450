import { ConfigError } from '@cutover/kit';
import type { RecordedVerdict } from './marker.js';

const STATUSES = ['pass', 'fail', 'inconclusive'] as const;
type Status = (typeof STATUSES)[number];
const isStatus = (value: unknown): value is Status => STATUSES.includes(value as Status);

/**
 * shift-traffic's `verdict` input, recorded in the marker as the verdict that justified the
 * move: gate-metrics' `verdict` output (a status word), its `results` output (JSON, one entry
 * per rule; critical rules decide as they do in the gate), or {status, reason}.
 */
export function parseVerdictInput(
  text: string | undefined,
  now: number,
): RecordedVerdict | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const at = new Date(now).toISOString();
  const word = text.trim();
  if (isStatus(word)) return { status: word, at };
  let raw: unknown;
  try {
    raw = JSON.parse(word);
  } catch {
    raw = undefined;
  }
  if (isStatus(raw)) return { status: raw, at };
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    const { status, reason } = raw as Record<string, unknown>;
    if (isStatus(status)) return { status, ...(typeof reason === 'string' ? { reason } : {}), at };
  }
  if (Array.isArray(raw) && raw.length > 0) {
    const entries = raw as unknown[];
    const isRule = (r: unknown): r is Record<string, unknown> =>
      typeof r === 'object' && r !== null && isStatus((r as Record<string, unknown>).status);
    if (entries.every(isRule)) {
      const rules = entries;
      const critical = rules.filter((r) => r.severity !== 'warning');
      const status: Status = critical.some((r) => r.status === 'fail')
        ? 'fail'
        : critical.some((r) => r.status === 'inconclusive')
          ? 'inconclusive'
          : 'pass';
      const named = (status === 'pass' ? critical : critical.filter((r) => r.status === status))
        .map(
          (r) =>
            `${typeof r.rule === 'string' ? r.rule : '?'}: ${typeof r.reason === 'string' ? r.reason : String(r.status)}`,
        )
        .join('; ');
      return { status, ...(named === '' ? {} : { reason: named }), at };
    }
  }
  throw new ConfigError(
    `input 'verdict': expected pass, fail or inconclusive, or the JSON of gate-metrics' 'verdict' or 'results' output, got ${JSON.stringify(word.slice(0, 80))}`,
  );
}
