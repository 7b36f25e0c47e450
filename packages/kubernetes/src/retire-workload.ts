import { errorMessage } from '@cutover/kit';
import { type KubeObject, type ObjectRef, describe } from './kube-client.js';
import { COLOUR_LABEL, type Colour, inNamespace, refOfManifest } from './workload-manifests.js';

/** Kinds whose pods a replica count runs: scaling them to 0 stops the candidate serving. */
const SCALABLE = new Set(['Deployment', 'StatefulSet', 'ReplicaSet']);

/** The calls retiring needs; KubeClient is one; `delete` returns false when it was already gone. */
export interface RetireClient {
  find(ref: ObjectRef): Promise<KubeObject | undefined>;
  mergePatch(ref: ObjectRef, body: Record<string, unknown>): Promise<KubeObject>;
  delete(ref: ObjectRef): Promise<boolean>;
}

export interface RetireOptions {
  /** The candidate's manifests as deploy-stack applied them (parseManifests). */
  manifests: readonly KubeObject[];
  colour: Colour;
  /** For manifests that name no namespace. */
  namespace: string;
  /** scale-down: replicas 0 on Deployments, StatefulSets, ReplicaSets; delete: every object, last first. */
  mode: 'scale-down' | 'delete';
  log?: ((line: string) => void) | undefined;
}

export interface RetireResult {
  kind: string;
  namespace: string;
  name: string;
  action: 'scaled-down' | 'deleted' | 'unchanged' | 'absent' | 'refused';
  detail: string;
}

/**
 * Takes the candidate out of service after traffic has left it: scales its workloads to 0
 * (kept for a look at what went wrong, and quick to bring back) or deletes every object its
 * manifests define, last first. Only objects that carry the candidate's colour label are
 * touched: a live object of the other colour (stable's) or without the label is refused, so a
 * manifest that names stable's objects by mistake cannot take stable down. Idempotent: an
 * object already at 0 replicas or already gone is reported, not an error.
 */
export async function retireWorkload(
  client: RetireClient,
  options: RetireOptions,
): Promise<RetireResult[]> {
  const log = options.log ?? (() => undefined);
  const placed = options.manifests.map((object) => inNamespace(object, options.namespace));
  const chosen =
    options.mode === 'delete'
      ? placed.toReversed()
      : placed.filter((object) => SCALABLE.has(object.kind ?? ''));
  const results: RetireResult[] = [];
  for (const object of chosen) {
    const ref = refOfManifest(object);
    const result = (action: RetireResult['action'], detail: string): RetireResult => ({
      kind: ref.kind,
      namespace: ref.namespace,
      name: ref.name,
      action,
      detail,
    });
    const live = await client.find(ref);
    if (live === undefined) {
      results.push(result('absent', 'not found: nothing to do'));
      continue;
    }
    const colour = live.metadata?.labels?.[COLOUR_LABEL];
    if (colour !== options.colour) {
      results.push(
        result(
          'refused',
          `carries ${colour === undefined ? `no ${COLOUR_LABEL} label` : `${COLOUR_LABEL}=${colour}`}, not the candidate's ${options.colour}: left alone`,
        ),
      );
      log(`${describe(ref)}: not the ${options.colour} candidate, left alone`);
      continue;
    }
    if (options.mode === 'delete') {
      const removed = await client.delete(ref);
      results.push(result(removed ? 'deleted' : 'absent', removed ? 'deleted' : 'already gone'));
      log(`${describe(ref)}: ${removed ? 'deleted' : 'already gone'}`);
      continue;
    }
    const replicas = (live.spec as { replicas?: unknown } | undefined)?.replicas;
    if (replicas === 0) {
      results.push(result('unchanged', 'already at 0 replicas'));
      continue;
    }
    try {
      // A merge patch with the object's version: a concurrent change is re-read, not overwritten.
      await client.mergePatch(ref, {
        metadata: { resourceVersion: live.metadata?.resourceVersion },
        spec: { replicas: 0 },
      });
    } catch (error) {
      const again = await client.find(ref);
      const now = (again?.spec as { replicas?: unknown } | undefined)?.replicas;
      if (again === undefined || now === 0) {
        results.push(
          result('unchanged', `already retired by another run (${errorMessage(error)})`),
        );
        continue;
      }
      await client.mergePatch(ref, {
        metadata: { resourceVersion: again.metadata?.resourceVersion },
        spec: { replicas: 0 },
      });
    }
    const was = typeof replicas === 'number' ? replicas : 1;
    results.push(result('scaled-down', `replicas ${was} → 0`));
    log(`${describe(ref)}: replicas ${was} → 0`);
  }
  return results;
}
