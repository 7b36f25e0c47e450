import type { Weights } from '@cutover/plan';
import type { Marker } from './marker.js';

/** What a router reads from one routed object. */
export interface TargetState {
  weights: Weights;
  marker: Marker | undefined;
  /** Optimistic-concurrency token (resourceVersion, ETag, file hash). */
  version: string;
}

/** The write lost a race: the object changed since it was read (the kit's error model). */
export { ConflictError } from '@cutover/kit';

/**
 * One routed object (an HTTPRoute, an Ingress, a weights file...). One file per router kind
 * implements it under packages/routers; the shift engine does the rest.
 */
export interface RouterTarget {
  readonly description: string;
  /** Routers that can only move all traffic at once (Service selector switch). */
  readonly allOrNothing: boolean;
  read(): Promise<TargetState>;
  /** Writes weights and marker in one request, only if the object is still at `version`. */
  write(weights: Weights, marker: Marker, version: string): Promise<void>;
  /** Whether each backend can take traffic (ready endpoints, healthy targets). */
  readiness(): Promise<{ stable: boolean; candidate: boolean }>;
  /** Whether the router applies the weights now (controller accepted, DNS in sync...). */
  effective(weights: Weights): Promise<{ effective: boolean; detail: string }>;
}
