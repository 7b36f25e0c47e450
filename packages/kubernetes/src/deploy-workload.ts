import {
  GateFailure,
  ServiceError,
  errorMessage,
  plural,
  pollUntil,
  type Clock,
} from '@cutover/kit';
import { type KubeClient, type KubeObject, describe } from './kube-client.js';
import { type EventInfo, MAX_EVENTS, describeEvents, describePods } from './pod-diagnostics.js';
import { type RolloutStatus, rolloutOf } from './rollout-status.js';
import { type Colour, inNamespace, prepareCandidate, refOfManifest } from './workload-manifests.js';

/** The field manager deploy-stack applies under: the fields it sets are its own. */
export const FIELD_MANAGER = 'cutover-deploy-stack';

export interface DeployWorkloadOptions {
  /** Parsed manifests (parseManifests), applied in this order. */
  manifests: readonly KubeObject[];
  /** The candidate's colour, labelled as cutover.dev/colour (see prepareCandidate). */
  colour: Colour;
  /** The candidate's image; manifests' images unchanged when undefined. */
  image?: string | undefined;
  /** The container to set the image on; without it, the manifests must hold exactly one. */
  container?: string | undefined;
  /** For manifests that name no namespace (cluster-scoped kinds excepted). */
  namespace: string;
  fieldManager?: string | undefined;
  clock: Clock;
  /** Bound on waiting for every Deployment's rollout; default 15 minutes (above the default 600 s progress deadline, so the controller's verdict usually comes first). */
  timeoutMs?: number | undefined;
  /** First wait between rollout polls (default 2 s), backing off to 10 s with jitter. */
  intervalMs?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Progress lines for the log. */
  log?: ((line: string) => void) | undefined;
}

export interface WorkloadResult {
  kind: string;
  namespace: string;
  name: string;
  action: 'created' | 'configured' | 'unchanged';
  /** Whether its rollout completed; undefined for kinds whose readiness is not awaited (all but Deployments). */
  ready: boolean | undefined;
  /** One line: the rollout's state, or "applied". */
  detail: string;
  /** For a Deployment that did not become ready: pod conditions, then recent events (newest first). */
  diagnostics: string[];
}

/** A Deployment did not become ready (progress deadline exceeded, or the wait's bound). */
export class WorkloadNotReady extends GateFailure {
  override name = 'WorkloadNotReady';
  constructor(
    message: string,
    readonly results: WorkloadResult[],
  ) {
    super(message);
  }
}

/** The job was cancelled: `results` says what was applied and what was still rolling out. */
export class WorkloadCancelled extends ServiceError {
  override name = 'WorkloadCancelled';
  constructor(
    message: string,
    readonly results: WorkloadResult[],
  ) {
    super(message);
  }
}

/**
 * Applies the candidate's manifests by server-side apply under one field manager (colour
 * labelled, image set), then waits for every Deployment's rollout. A Deployment whose
 * progress deadline passes fails the wait at once; one still rolling out at the bound fails
 * it too. Either way the failure lists, per Deployment not ready, its pods' conditions and
 * container states and the recent events of the Deployment and its pods.
 */
export async function deployWorkload(
  client: KubeClient,
  options: DeployWorkloadOptions,
): Promise<WorkloadResult[]> {
  const log = options.log ?? (() => undefined);
  const placed = options.manifests.map((object) => inNamespace(object, options.namespace));
  const results: WorkloadResult[] = [];
  const cancelled = (doing: string) => {
    const pending = placed.slice(results.length).map((o) => describe(refOfManifest(o)));
    return new WorkloadCancelled(
      `cancelled ${doing}; applied ${results.length} of ${plural(placed.length, 'object')}${pending.length === 0 ? '' : `, not applied: ${pending.join(', ')}`}`,
      results,
    );
  };
  const aborted = () => options.signal?.aborted === true;
  if (aborted()) throw cancelled('before applying');

  const existing = new Map<string, KubeObject>();
  for (const object of placed) {
    const ref = refOfManifest(object);
    const live = await client.find(ref);
    if (live !== undefined) existing.set(describe(ref), live);
  }
  const prepared = prepareCandidate(placed, {
    colour: options.colour,
    image: options.image,
    container: options.container,
    existing: (ref) => existing.get(describe(ref)),
  });

  for (const object of prepared) {
    if (aborted()) throw cancelled('while applying');
    const ref = refOfManifest(object);
    const before = existing.get(describe(ref));
    const after = await client.apply(object, options.fieldManager ?? FIELD_MANAGER);
    const action =
      before === undefined
        ? 'created'
        : before.metadata?.resourceVersion === after.metadata?.resourceVersion
          ? 'unchanged'
          : 'configured';
    log(`${describe(ref)} ${action}`);
    results.push({
      kind: ref.kind,
      namespace: ref.namespace,
      name: ref.name,
      action,
      ready: undefined,
      detail: 'applied',
      diagnostics: [],
    });
  }

  await awaitRollouts(client, options, results, log);
  return results;
}

async function awaitRollouts(
  client: KubeClient,
  options: DeployWorkloadOptions,
  results: WorkloadResult[],
  log: (line: string) => void,
): Promise<void> {
  const deployments = results.filter((r) => r.kind === 'Deployment');
  if (deployments.length === 0) return;
  const live = new Map<WorkloadResult, { object: KubeObject; status: RolloutStatus }>();
  const pending = () => deployments.filter((r) => r.ready === undefined);
  const timeoutMs = options.timeoutMs ?? 900_000;
  const timedOut = new Error('rollout wait timed out');

  let outcome: 'done' | 'failed';
  try {
    outcome = await pollUntil(
      async () => {
        for (const result of pending()) {
          const ref = {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            namespace: result.namespace,
            name: result.name,
          };
          const object = await client.get(ref);
          const status = rolloutOf(object, describe(ref));
          if (status.detail !== live.get(result)?.status.detail) log(status.detail);
          live.set(result, { object, status });
          result.detail = status.detail;
          if (status.state === 'done') result.ready = true;
          if (status.state === 'failed') result.ready = false;
        }
        if (deployments.some((r) => r.ready === false)) return 'failed';
        return pending().length === 0 ? 'done' : undefined;
      },
      {
        clock: abortable(options.clock, options.signal),
        timeoutMs,
        intervalMs: options.intervalMs ?? 2000,
        maxIntervalMs: 10_000,
        backoff: 1.5,
        jitter: 0.2,
        what: `${plural(deployments.length, 'Deployment')} to roll out`,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        timeoutError: () => timedOut,
        cancelledError: () =>
          new WorkloadCancelled(
            `cancelled while waiting for rollouts; still rolling out: ${pending()
              .map((r) => r.detail)
              .join('; ')}`,
            results,
          ),
      },
    );
  } catch (error) {
    if (error !== timedOut) throw error;
    outcome = 'failed';
    for (const result of pending()) {
      result.ready = false;
      const what = `${result.kind} ${result.namespace}/${result.name}: `;
      const where = result.detail.startsWith(what)
        ? result.detail.slice(what.length)
        : result.detail;
      result.detail = `${what}not ready after ${Math.round(timeoutMs / 1000)}s: ${where}`;
    }
  }
  if (outcome === 'done') return;

  // The verdict is in: explain every Deployment not ready (still rolling ones are not failed yet).
  const failed = deployments.filter((r) => r.ready === false);
  for (const result of failed) {
    const object = live.get(result)?.object;
    result.diagnostics = await diagnose(client, result, object);
  }
  throw new WorkloadNotReady(
    [
      `${failed.length} of ${plural(deployments.length, 'Deployment')} did not become ready:`,
      ...failed.flatMap((r) => [r.detail, ...r.diagnostics.map((line) => `  ${line}`)]),
    ].join('\n'),
    results,
  );
}

/** Pod conditions and recent events; a listing that fails says so instead of hiding the verdict. */
async function diagnose(
  client: KubeClient,
  result: WorkloadResult,
  object: KubeObject | undefined,
): Promise<string[]> {
  const lines: string[] = [];
  const selector = labelSelectorOf((object?.spec as { selector?: unknown } | undefined)?.selector);
  const unready: string[] = [];
  if (selector === undefined) lines.push('pods: the Deployment has no selector');
  else
    try {
      const pods = await client.listPods(result.namespace, selector);
      lines.push(...describePods(pods));
      unready.push(
        ...pods
          .filter((p) => !p.conditions.some((c) => c.type === 'Ready' && c.status === 'True'))
          .map((p) => p.name)
          .slice(0, 5),
      );
    } catch (error) {
      lines.push(`pods: ${errorMessage(error)}`);
    }
  const events: EventInfo[] = [];
  for (const involved of [
    { kind: 'Deployment', name: result.name },
    ...unready.map((name) => ({ kind: 'Pod', name })),
  ])
    try {
      events.push(...(await client.listEvents(result.namespace, involved)));
    } catch (error) {
      lines.push(`events: ${errorMessage(error)}`);
      break;
    }
  if (events.length > 0)
    lines.push(
      `recent events (newest first, at most ${MAX_EVENTS}):`,
      ...describeEvents(events).map((line) => `- ${line}`),
    );
  return lines;
}

/** A selector as the API's labelSelector parameter spells it (matchLabels and matchExpressions). */
export function labelSelectorOf(selector: unknown): string | undefined {
  if (typeof selector !== 'object' || selector === null) return undefined;
  const { matchLabels, matchExpressions } = selector as {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
  };
  const parts = [
    ...Object.entries(matchLabels ?? {}).map(([key, value]) => `${key}=${value}`),
    ...(matchExpressions ?? []).map((e) => {
      const values = `(${(e.values ?? []).join(',')})`;
      if (e.operator === 'In') return `${e.key} in ${values}`;
      if (e.operator === 'NotIn') return `${e.key} notin ${values}`;
      if (e.operator === 'DoesNotExist') return `!${e.key}`;
      return e.key;
    }),
  ];
  return parts.length === 0 ? undefined : parts.join(',');
}

/** The clock's sleep, cut short by the signal: a cancelled job stops waiting at once. */
function abortable(clock: Clock, signal: AbortSignal | undefined): Clock {
  if (signal === undefined) return clock;
  return {
    now: () => clock.now(),
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        if (signal.aborted) {
          resolve();
          return;
        }
        const stop = () => resolve();
        signal.addEventListener('abort', stop, { once: true });
        void clock.sleep(ms).then(() => {
          signal.removeEventListener('abort', stop);
          resolve();
        });
      }),
  };
}
