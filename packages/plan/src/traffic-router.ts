/** Traffic split between the stable (blue) and candidate (green) backends, in percent. */
export interface Weights {
  stable: number;
  candidate: number;
}

/**
 * Pure: the weights for a candidate share. It does not validate: the shift rules refuse bad
 * values with a message naming the object, so NaN and out-of-range values pass through to them.
 */
export function weightsFor(candidate: number): Weights {
  return { stable: 100 - candidate, candidate };
}

/** Pure: the candidate's share, in whole percent, of two router weights (0-100, 0-999, 0-255...). */
export function shareOf(stable: number, candidate: number, where: string): Weights {
  const total = stable + candidate;
  if (total === 0) throw new Error(`${where}: both backends have weight 0; no traffic is routed`);
  return weightsFor(Math.round((candidate / total) * 100));
}
