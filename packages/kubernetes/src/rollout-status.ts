import type { KubeObject } from './kube-client.js';

/** Where a Deployment's rollout stands; `done` and `failed` are final, anything else is progress. */
export interface RolloutStatus {
  state: 'progressing' | 'done' | 'failed';
  generation: number;
  observedGeneration: number;
  /** spec.replicas (1 when unset, as the API defaults it). */
  desired: number;
  /** status.replicas: old and new pods together while a rollout runs. */
  replicas: number;
  updated: number;
  ready: number;
  available: number;
  /** One line for logs and timeout messages: what is awaited or why it failed. */
  detail: string;
}

interface DeploymentSpec {
  replicas?: number;
  progressDeadlineSeconds?: number;
}
interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
}

/**
 * The rules of `kubectl rollout status`: the controller must have observed the current
 * generation; a Progressing condition with reason ProgressDeadlineExceeded is a failure (the
 * controller gave up after spec.progressDeadlineSeconds); otherwise done once every desired
 * replica is updated and available and no old replica is left.
 */
export function rolloutOf(object: KubeObject, description: string): RolloutStatus {
  const spec = (object.spec ?? {}) as DeploymentSpec;
  const status = (object.status ?? {}) as DeploymentStatus;
  const counts = {
    generation: object.metadata?.generation ?? 0,
    observedGeneration: status.observedGeneration ?? 0,
    desired: spec.replicas ?? 1,
    replicas: status.replicas ?? 0,
    updated: status.updatedReplicas ?? 0,
    ready: status.readyReplicas ?? 0,
    available: status.availableReplicas ?? 0,
  };
  const progress = (detail: string): RolloutStatus => ({ state: 'progressing', ...counts, detail });
  if (counts.observedGeneration < counts.generation)
    return progress(
      `${description}: waiting for the controller to observe generation ${counts.generation} (observed ${counts.observedGeneration})`,
    );
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded')
    return {
      state: 'failed',
      ...counts,
      detail: `${description}: exceeded its progress deadline (${spec.progressDeadlineSeconds ?? 600}s) with ${counts.updated} of ${counts.desired} replicas updated, ${counts.available} available${progressing.message === undefined ? '' : `: ${progressing.message.replace(/\s+/g, ' ').slice(0, 200)}`}`,
    };
  if (counts.updated < counts.desired)
    return progress(`${description}: ${counts.updated} of ${counts.desired} replicas updated`);
  if (counts.replicas > counts.updated)
    return progress(
      `${description}: ${counts.replicas - counts.updated} old replicas pending termination`,
    );
  if (counts.available < counts.updated)
    return progress(
      `${description}: ${counts.available} of ${counts.updated} updated replicas available`,
    );
  return {
    state: 'done',
    ...counts,
    detail: `${description}: rolled out, ${counts.available} of ${counts.desired} replicas available at generation ${counts.generation}`,
  };
}
