import { createHash } from 'node:crypto';
import type { Plan } from '@cutover/plan';
import { PLAN_HASH_LENGTH } from './marker.js';

/** JSON with keys sorted at every level: the same plan always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(',')}]`;
  if (typeof value === 'object' && value !== null)
    return `{${Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map(
        (key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`,
      )
      .join(',')}}`;
  // JSON.stringify gives undefined for what JSON cannot hold (functions): null, as in arrays.
  const text = JSON.stringify(value) as string | undefined;
  return text ?? 'null';
}

/**
 * A short sha-256 of the validated plan, recorded in the marker by every move, so a later run
 * can tell that the plan changed under a cutover in progress. Pure (hashing only): computed
 * where the plan is loaded and passed to the controller.
 */
export function planHash(plan: Plan): string {
  return createHash('sha256').update(canonicalJson(plan)).digest('hex').slice(0, PLAN_HASH_LENGTH);
}
