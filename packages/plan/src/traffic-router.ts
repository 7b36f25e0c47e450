/** Traffic split between the stable (blue) and candidate (green) backends, in percent. */
export interface Weights {
  stable: number;
  candidate: number;
}

/** Pure: the weights for a candidate share, with the error a user needs for a bad one. */
export function weightsFor(candidate: number): Weights {
  if (!Number.isFinite(candidate) || candidate < 0 || candidate > 100)
    throw new Error(`candidate weight must be a percentage from 0 to 100, got ${candidate}`);
  return { stable: 100 - candidate, candidate };
}
