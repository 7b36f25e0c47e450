import type { ActionKit } from '@cutover/action-kit';
import { errorMessage, type Clock } from '@cutover/kit';
import type { RetireClient, RetireResult } from '@cutover/kubernetes';
import type { Plan } from '@cutover/plan';
import type { Phase } from './phases.js';

/**
 * The plan's candidate workload scaled to 0 or deleted. The Kubernetes adapter loads only here,
 * when the scope includes the workload.
 */
export async function workloadPhase(
  kit: ActionKit,
  workload: Plan['workload'],
  options: {
    mode: 'scale-down' | 'delete';
    colour: 'blue' | 'green' | undefined;
    read: (path: string) => Promise<string>;
    client: (options: { kubeconfig: string | undefined; clock: Clock }) => Promise<RetireClient>;
  },
): Promise<{ phase: Phase; changed: boolean; error?: Error }> {
  const started = kit.clock.now();
  const phase = (status: Phase['status'], detail: string): Phase => ({
    phase: 'workload',
    status,
    durationMs: kit.clock.now() - started,
    detail,
  });
  if (workload === undefined)
    return { changed: false, phase: phase('skipped', 'the plan has no workload: section') };
  try {
    const results = await kit.group(
      `Workload: ${options.mode} the ${options.colour ?? workload.colour ?? 'green'} candidate`,
      async () => {
        const k8s = await import('@cutover/kubernetes');
        const manifests = [];
        for (const path of workload.manifests)
          manifests.push(...k8s.parseManifests(await options.read(path), path));
        return k8s.retireWorkload(
          await options.client({ kubeconfig: kit.env.KUBECONFIG, clock: kit.clock }),
          {
            manifests,
            colour: options.colour ?? workload.colour ?? 'green',
            namespace: workload.namespace ?? 'default',
            mode: options.mode,
            log: (line) => kit.info(line),
          },
        );
      },
    );
    const changed = results.some((r) => r.action === 'scaled-down' || r.action === 'deleted');
    const refused = results.filter((r) => r.action === 'refused');
    for (const r of refused)
      kit.warning(`${r.kind} ${r.namespace}/${r.name} ${r.detail}`, {
        title: 'rollback: workload',
      });
    return {
      changed,
      phase: phase(
        changed ? 'done' : 'nothing',
        results.length === 0
          ? 'no workload object to retire in the manifests'
          : results.map(line).join('; '),
      ),
    };
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    return { changed: false, error: failure, phase: phase('failed', errorMessage(error)) };
  }
}

const line = (r: RetireResult) => `${r.kind} ${r.namespace}/${r.name}: ${r.detail}`;
