import type { Clock } from '@cutover/kit';
import type { Plan } from '@cutover/plan';

export interface WorkloadStepResult {
  lines: string[];
}

/**
 * The plan's Kubernetes candidate: manifests read from the workspace, coloured, imaged and
 * applied, then awaited. The Kubernetes client loads only here, when a plan has a workload.
 */
export async function deployPlanWorkload(
  workload: NonNullable<Plan['workload']>,
  overrides: { image: string | undefined; colour: 'blue' | 'green' | undefined },
  context: {
    clock: Clock;
    signal: AbortSignal;
    read: (path: string) => Promise<string>;
    kubeconfig: string | undefined;
    log: (line: string) => void;
  },
): Promise<WorkloadStepResult> {
  const k8s = await import('@cutover/kubernetes');
  const manifests = [];
  for (const path of workload.manifests)
    manifests.push(...k8s.parseManifests(await context.read(path), path));
  const client = new k8s.KubeClient({ kubeconfig: context.kubeconfig, clock: context.clock });
  const results = await k8s.deployWorkload(client, {
    manifests,
    colour: overrides.colour ?? workload.colour ?? 'green',
    image: overrides.image ?? workload.image,
    container: workload.container,
    namespace: workload.namespace ?? 'default',
    clock: context.clock,
    timeoutMs: workload.timeoutMs,
    signal: context.signal,
    log: context.log,
  });
  return {
    lines: results.map(
      (r) =>
        `${r.kind} ${r.namespace}/${r.name}: ${r.action}${r.ready === undefined ? '' : r.ready ? ', ready' : ', not ready'} ${r.detail}`,
    ),
  };
}
