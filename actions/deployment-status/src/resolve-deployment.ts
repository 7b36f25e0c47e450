import { ConfigError, ServiceError } from '@cutover/kit';
import {
  isFinished,
  type Deployment,
  type Deployments,
  type DeploymentStatus,
} from '@cutover/github';
import type { CutoverEvent } from './inputs.js';

export interface Resolved {
  deployment: Deployment;
  /** Its newest status before this call, when it existed already. */
  latest: DeploymentStatus | undefined;
  created: boolean;
  /** An unfinished deployment a new start replaced (to be marked inactive). */
  superseded: Deployment | undefined;
}

/**
 * The cutover's one deployment. A phased week runs as separate scheduled runs, so the id is
 * found again from GitHub, not carried on the runner: the newest deployment of this
 * environment, task and plan, while it has no final status. A start always begins a new one.
 */
export async function resolveDeployment(
  deployments: Deployments,
  request: {
    id: number | undefined;
    environment: string;
    task: string;
    plan: string;
    ref: string | undefined;
    /** false: nothing will be posted (a timeline only), so nothing is created. */
    posting: boolean;
    event: CutoverEvent | undefined;
    log: (message: string) => void;
  },
): Promise<Resolved> {
  if (request.id !== undefined) {
    const deployment = await deployments.get(request.id);
    if (deployment.environment !== request.environment)
      throw new ConfigError(
        `input 'deployment-id' is ${request.id}, a deployment to ${JSON.stringify(deployment.environment)}, but input 'environment' is ${JSON.stringify(request.environment)}`,
      );
    return {
      deployment,
      latest: await deployments.latestStatus(deployment.id),
      created: false,
      superseded: undefined,
    };
  }

  const query = { environment: request.environment, task: request.task, plan: request.plan };
  const newest = await deployments.findNewest(query);
  const latest = newest === undefined ? undefined : await deployments.latestStatus(newest.id);
  const open = newest !== undefined && !isFinished(latest?.state);

  if (!request.posting) {
    if (newest === undefined)
      throw new ConfigError(
        `no deployment to ${request.environment} (task ${request.task}${request.plan === '' ? '' : `, plan ${request.plan}`}) to show; set input 'deployment-id', or 'state' or 'event' to report one`,
      );
    return { deployment: newest, latest, created: false, superseded: undefined };
  }
  if (open && request.event !== 'start')
    return { deployment: newest, latest, created: false, superseded: undefined };

  if (request.ref === undefined || request.ref === '')
    throw new ConfigError(
      "input 'ref' is empty and GITHUB_SHA is not set: a new deployment needs the branch, tag or SHA it deploys",
    );
  const deployment = await createOnce(
    deployments,
    { ...query, ref: request.ref },
    newest,
    request.log,
  );
  return {
    deployment,
    latest: undefined,
    created: true,
    superseded: open && newest.id !== deployment.id ? newest : undefined,
  };
}

/**
 * Creating is not retried blindly: a 5xx or a timeout may hide a deployment that was made. So
 * after one, look again; a deployment newer than the one seen before is the one just created.
 */
async function createOnce(
  deployments: Deployments,
  request: { ref: string; environment: string; task: string; plan: string },
  before: Deployment | undefined,
  log: (message: string) => void,
): Promise<Deployment> {
  const description = request.plan === '' ? 'cutover' : `cutover of ${request.plan}`.slice(0, 140);
  for (let attempt = 1; ; attempt++) {
    try {
      return await deployments.create({ ...request, description });
    } catch (error) {
      if (!(error instanceof ServiceError) || attempt >= 3) throw error;
      const found = await deployments.findNewest(request);
      if (found !== undefined && (before === undefined || found.id > before.id)) {
        log(`creating the deployment failed, but it was made: deployment ${found.id}`);
        return found;
      }
      log(`creating the deployment failed (${error.message}); trying again`);
    }
  }
}
