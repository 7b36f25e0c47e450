import { ServiceError } from '@cutover/kit';
import type { GitHubApi } from './github-api.js';

/**
 * GitHub deployments and deployment statuses: one deployment per cutover, one status per event.
 * REST reference: "Create a deployment" (POST /repos/{owner}/{repo}/deployments), "List
 * deployments", "Create a deployment status" and "List deployment statuses"
 * (https://docs.github.com/en/rest/deployments/deployments,
 * https://docs.github.com/en/rest/deployments/statuses).
 */

/** Every state "Create a deployment status" accepts; anything else is a 422. */
export const DEPLOYMENT_STATES = [
  'error',
  'failure',
  'inactive',
  'in_progress',
  'queued',
  'pending',
  'success',
] as const;
export type DeploymentState = (typeof DEPLOYMENT_STATES)[number];

/** A status in one of these ends the cutover its deployment stands for. */
const FINISHED: readonly string[] = ['success', 'failure', 'error', 'inactive'];

/** Who made a deployment: only ours (this marker in the payload) are ever picked up again. */
export const PAYLOAD_TOOL = 'cutover-actions';

export interface Deployment {
  id: number;
  ref: string;
  sha: string;
  environment: string;
  task: string;
  /** The plan named in the payload when this toolkit created it ('' for none). */
  plan: string | undefined;
  createdAt: string;
}

export interface DeploymentStatus {
  id: number;
  state: string;
  description: string;
  environmentUrl: string;
  logUrl: string;
  createdAt: string;
}

export function isFinished(state: string | undefined): boolean {
  return state !== undefined && FINISHED.includes(state);
}

interface RawDeployment {
  id: number;
  ref?: string;
  sha?: string;
  environment?: string;
  task?: string;
  payload?: unknown;
  created_at?: string;
}

interface RawStatus {
  id: number;
  state: string;
  description?: string | null;
  environment_url?: string | null;
  log_url?: string | null;
  target_url?: string | null;
  created_at?: string;
}

/** How many deployments of the environment are searched for the cutover's (newest first). */
const SEARCH_PAGES = 3;

export class Deployments {
  constructor(private readonly api: GitHubApi) {}

  /**
   * The newest deployment this toolkit made for the environment, task and plan, or undefined.
   * "List deployments" answers newest first and filters by environment and task server-side;
   * the plan lives in the payload, so it is matched here, on at most SEARCH_PAGES pages.
   */
  async findNewest(query: {
    environment: string;
    task: string;
    plan: string;
  }): Promise<Deployment | undefined> {
    const description = {
      what: `deployments to ${query.environment} in ${this.api.repository}`,
      permission: 'deployments: read',
    };
    for (let page = 1; page <= SEARCH_PAGES; page++) {
      const { data, headers } = await this.api.callRaw(
        description,
        'GET /repos/{owner}/{repo}/deployments',
        { environment: query.environment, task: query.task, per_page: 100, page },
      );
      const items = (data as RawDeployment[]).map(toDeployment);
      const match = items.find((d) => d.plan === query.plan);
      if (match !== undefined) return match;
      const link = typeof headers.link === 'string' ? headers.link : '';
      if (!link.includes('rel="next"') || items.length === 0) return undefined;
    }
    return undefined;
  }

  async get(id: number): Promise<Deployment> {
    const data = await this.api.call(
      { what: `deployment ${id} in ${this.api.repository}`, permission: 'deployments: read' },
      'GET /repos/{owner}/{repo}/deployments/{deployment_id}',
      { deployment_id: id },
    );
    return toDeployment(data as RawDeployment);
  }

  /**
   * Creates the cutover's deployment. auto_merge false: a cutover deploys the ref it was given,
   * never a merge commit; required_contexts []: the checklist and gates decide, not commit
   * statuses (which would fail with 409 while this very run is in progress).
   * Not retried on a 5xx or timeout (it may have been created); the caller looks again instead.
   */
  async create(request: {
    ref: string;
    environment: string;
    task: string;
    plan: string;
    description: string;
  }): Promise<Deployment> {
    const data = await this.api.call(
      {
        what: `creating a deployment of ${request.ref} to ${request.environment} in ${this.api.repository}`,
        permission: 'deployments: write',
        idempotent: false,
      },
      'POST /repos/{owner}/{repo}/deployments',
      {
        ref: request.ref,
        environment: request.environment,
        task: request.task,
        auto_merge: false,
        required_contexts: [],
        payload: { tool: PAYLOAD_TOOL, plan: request.plan },
        description: request.description,
      },
    );
    // 202 means GitHub merged the default branch in instead (auto_merge); it never should here.
    if (typeof (data as { id?: unknown }).id !== 'number')
      throw new ServiceError(
        `creating a deployment of ${request.ref}: GitHub answered without a deployment (${JSON.stringify(data).slice(0, 200)})`,
      );
    return toDeployment(data as RawDeployment);
  }

  /**
   * Adds a status. auto_inactive stays GitHub's default (true): a success makes the
   * environment's earlier successful deployments inactive, which is what a finished cutover is.
   */
  async addStatus(
    id: number,
    status: {
      state: DeploymentState;
      description: string;
      environmentUrl?: string | undefined;
      logUrl?: string | undefined;
    },
  ): Promise<DeploymentStatus> {
    const data = await this.api.call(
      {
        what: `status '${status.state}' of deployment ${id} in ${this.api.repository}`,
        permission: 'deployments: write',
      },
      'POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
      {
        deployment_id: id,
        state: status.state,
        description: status.description,
        ...(status.environmentUrl === undefined ? {} : { environment_url: status.environmentUrl }),
        ...(status.logUrl === undefined ? {} : { log_url: status.logUrl }),
      },
    );
    return toStatus(data as RawStatus);
  }

  /** The newest status (the list is newest first), or undefined when there is none yet. */
  async latestStatus(id: number): Promise<DeploymentStatus | undefined> {
    const data = await this.api.call(
      statusesDescription(id, this.api.repository),
      'GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
      { deployment_id: id, per_page: 1 },
    );
    const first = (data as RawStatus[])[0];
    return first === undefined ? undefined : toStatus(first);
  }

  /** Every status, oldest first (the API lists newest first; ids grow, timestamps are per second). */
  async statuses(id: number): Promise<DeploymentStatus[]> {
    const all = await this.api.allPages<RawStatus>(
      statusesDescription(id, this.api.repository),
      'GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
      { deployment_id: id },
      (data) => data as RawStatus[],
    );
    return all.map(toStatus).sort((a, b) => a.id - b.id);
  }
}

function statusesDescription(id: number, repository: string) {
  return { what: `statuses of deployment ${id} in ${repository}`, permission: 'deployments: read' };
}

/** The payload comes back as the object it was created with, or as a string from other tools. */
function planOf(payload: unknown): string | undefined {
  let value = payload;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return undefined;
    }
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { tool, plan } = value as { tool?: unknown; plan?: unknown };
  return tool === PAYLOAD_TOOL && typeof plan === 'string' ? plan : undefined;
}

function toDeployment(raw: RawDeployment): Deployment {
  return {
    id: raw.id,
    ref: raw.ref ?? '',
    sha: raw.sha ?? '',
    environment: raw.environment ?? '',
    task: raw.task ?? '',
    plan: planOf(raw.payload),
    createdAt: raw.created_at ?? '',
  };
}

function toStatus(raw: RawStatus): DeploymentStatus {
  return {
    id: raw.id,
    state: raw.state,
    description: raw.description ?? '',
    environmentUrl: raw.environment_url ?? '',
    logUrl: raw.log_url ?? raw.target_url ?? '',
    createdAt: raw.created_at ?? '',
  };
}
