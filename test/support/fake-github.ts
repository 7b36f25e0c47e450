import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackFake } from './loopback-fake.js';

/**
 * A fake of the GitHub REST API endpoints this toolkit uses, on loopback, so the real Octokit
 * client (routing, pagination headers, error classes) runs against it. Behaviour follows the
 * REST docs: 404 bodies, Link headers for pages, 403 + Retry-After for secondary rate limits.
 */
export interface FakeIssue {
  body: string;
  pullRequest?: boolean;
  updatedAt?: string;
}

export interface FakeResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Never answer ('headers'), or send the headers and part of the body, then stall ('body'). */
  hang?: 'headers' | 'body';
}

/** A deployment as "Get a deployment" returns it (the fields this toolkit reads, and a few more). */
export interface FakeDeployment {
  id: number;
  ref: string;
  sha: string;
  task: string;
  environment: string;
  payload: unknown;
  description: string | null;
  transient_environment: boolean;
  production_environment: boolean;
  created_at: string;
}

export interface FakeDeploymentStatus {
  id: number;
  state: string;
  description: string;
  environment: string;
  environment_url: string;
  log_url: string;
  target_url: string;
  created_at: string;
}

/** "Create a deployment status": state must be one of these, or the answer is 422. */
const DEPLOYMENT_STATES = [
  'error',
  'failure',
  'inactive',
  'in_progress',
  'queued',
  'pending',
  'success',
];

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  authorization: string | undefined;
}

export class FakeGitHub extends LoopbackFake {
  readonly issues = new Map<number, FakeIssue>();
  readonly comments = new Map<number, { id: number; body: string; user: string }[]>();
  readonly releases = new Map<string, { body: string; draft?: boolean }>();
  readonly checkRuns = new Map<
    string,
    { name: string; status: string; conclusion: string | null; details_url?: string }[]
  >();
  readonly statuses = new Map<string, { context: string; state: string }[]>();
  readonly requests: RecordedRequest[] = [];
  readonly deployments = new Map<number, FakeDeployment>();
  /** Per deployment, oldest first (the API lists them newest first). */
  readonly deploymentStatuses = new Map<number, FakeDeploymentStatus[]>();
  /** The time stamped on new deployments and statuses (GitHub's are whole seconds). */
  now: () => Date = () => new Date();
  private nextId = 1000;
  /** Canned responses served before the real handler, matched by "METHOD /path" prefix. */
  private readonly faults: { match: string; response: FakeResponse }[] = [];
  private readonly lostAnswers: { match: string; response: FakeResponse }[] = [];
  /** Called after a GET of an issue is served: lets a test edit the issue "concurrently". */
  onIssueRead: ((number: number, count: number) => void) | undefined;

  /** Serve these responses, in order, to the next requests matching "METHOD /path-prefix". */
  fail(match: string, ...responses: FakeResponse[]): void {
    for (const response of responses) this.faults.push({ match, response });
  }

  /**
   * Handle the next requests matching "METHOD /path-prefix" (their effects happen), then send
   * these responses instead of the real answer: a write whose answer was lost.
   */
  failAfter(match: string, ...responses: FakeResponse[]): void {
    for (const response of responses) this.lostAnswers.push({ match, response });
  }

  count(match: string): number {
    return this.requests.filter((r) => `${r.method} ${r.path}`.startsWith(match)).length;
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body: unknown = text === '' ? undefined : JSON.parse(text);
    const method = req.method ?? 'GET';
    this.requests.push({
      method,
      path: url.pathname,
      query: url.searchParams,
      body,
      authorization: req.headers.authorization,
    });

    const key = `${method} ${url.pathname}`;
    const faultIndex = this.faults.findIndex((fault) => key.startsWith(fault.match));
    if (faultIndex !== -1) {
      const [fault] = this.faults.splice(faultIndex, 1);
      if (fault !== undefined) {
        this.send(res, fault.response);
        return;
      }
    }
    const answer = this.route(method, url, body);
    const lostIndex = this.lostAnswers.findIndex((fault) => key.startsWith(fault.match));
    const [lost] = lostIndex === -1 ? [] : this.lostAnswers.splice(lostIndex, 1);
    this.send(res, lost?.response ?? answer);
  }

  private route(method: string, url: URL, body: unknown): FakeResponse {
    const parts = url.pathname.split('/').filter(Boolean); // repos, owner, repo, ...
    if (parts[0] !== 'repos' || parts.length < 4) return notFound();
    const rest = parts.slice(3);
    const page = Number(url.searchParams.get('page') ?? '1');
    const perPage = Number(url.searchParams.get('per_page') ?? '30');

    if (rest[0] === 'issues' && rest.length === 2) {
      const number = Number(rest[1]);
      const issue = this.issues.get(number);
      if (issue === undefined) return notFound();
      if (method === 'PATCH') {
        const update = body as { body?: string };
        if (update.body !== undefined) issue.body = update.body;
        issue.updatedAt = new Date().toISOString();
      } else {
        const reads = this.count(`GET /repos/${parts[1] ?? ''}/${parts[2] ?? ''}/issues/${number}`);
        queueMicrotask(() => this.onIssueRead?.(number, reads));
      }
      return {
        status: 200,
        body: {
          number,
          body: issue.body,
          updated_at: issue.updatedAt ?? '2026-01-01T00:00:00Z',
          ...(issue.pullRequest === true
            ? { pull_request: { url: `${this.url}/pulls/${number}` } }
            : {}),
        },
      };
    }
    if (rest[0] === 'issues' && rest[2] === 'comments' && method === 'GET') {
      const all = (this.comments.get(Number(rest[1])) ?? []).map((c) => ({
        id: c.id,
        body: c.body,
        user: { login: c.user },
      }));
      return this.paged(url, all, page, perPage, (items) => items);
    }
    if (rest[0] === 'releases' && rest[1] === 'tags' && rest[2] !== undefined) {
      const release = this.releases.get(decodeURIComponent(rest[2]));
      return release === undefined
        ? notFound()
        : {
            status: 200,
            body: { tag_name: rest[2], body: release.body, draft: release.draft ?? false },
          };
    }
    if (rest[0] === 'deployments') return this.deploymentRoute(method, url, rest, body);
    if (rest[0] === 'commits' && rest[2] === 'check-runs') {
      const all = this.checkRuns.get(rest[1] ?? '') ?? [];
      return this.paged(url, all, page, perPage, (items) => ({
        total_count: all.length,
        check_runs: items,
      }));
    }
    if (rest[0] === 'commits' && rest[2] === 'status') {
      const statuses = this.statuses.get(rest[1] ?? '') ?? [];
      const state =
        statuses.length === 0
          ? 'pending'
          : statuses.every((s) => s.state === 'success')
            ? 'success'
            : statuses.some((s) => s.state === 'failure' || s.state === 'error')
              ? 'failure'
              : 'pending';
      return { status: 200, body: { state, statuses, total_count: statuses.length } };
    }
    return notFound();
  }

  /**
   * Deployments and their statuses, as the REST reference describes them
   * (https://docs.github.com/en/rest/deployments/deployments, .../deployments/statuses):
   * lists newest first and paged; 201 on create; 404 for an unknown deployment; 409 when
   * required_contexts (default: every context) is not all success; 422 for a missing ref, an
   * unknown state or a description over 140 characters. A success status makes earlier
   * successful non-transient, non-production deployments of the environment inactive
   * (auto_inactive, default true).
   */
  private deploymentRoute(method: string, url: URL, rest: string[], body: unknown): FakeResponse {
    const page = Number(url.searchParams.get('page') ?? '1');
    const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? '30'));
    const stamp = () =>
      this.now()
        .toISOString()
        .replace(/\.\d+Z$/, 'Z');
    if (rest.length === 1 && method === 'GET') {
      const filters = ['sha', 'ref', 'task', 'environment'] as const;
      const all = [...this.deployments.values()]
        .filter((d) =>
          filters.every((key) => {
            const wanted = url.searchParams.get(key);
            return wanted === null || d[key] === wanted;
          }),
        )
        .sort((a, b) => b.id - a.id);
      return this.paged(url, all, page, perPage, (items) => items);
    }
    if (rest.length === 1 && method === 'POST') {
      const request = (body ?? {}) as {
        ref?: unknown;
        task?: string;
        environment?: string;
        payload?: unknown;
        description?: string | null;
        required_contexts?: string[];
        transient_environment?: boolean;
        production_environment?: boolean;
      };
      if (typeof request.ref !== 'string' || request.ref === '')
        return validationFailed('Deployment', 'ref', 'missing_field');
      const sha = /^[0-9a-f]{40}$/.test(request.ref)
        ? request.ref
        : createHash('sha1').update(request.ref).digest('hex');
      const contexts = this.statuses.get(request.ref) ?? [];
      const required = request.required_contexts ?? contexts.map((c) => c.context);
      const failing = required.filter(
        (context) => contexts.find((c) => c.context === context)?.state !== 'success',
      );
      if (failing.length > 0)
        return {
          status: 409,
          body: {
            message: `Conflict: Commit status checks failed for ${request.ref}.`,
            errors: [{ contexts: failing.map((context) => ({ context, state: 'pending' })) }],
          },
        };
      const environment = request.environment ?? 'production';
      const deployment: FakeDeployment = {
        id: this.nextId++,
        ref: request.ref,
        sha,
        task: request.task ?? 'deploy',
        environment,
        payload: request.payload ?? {},
        description: request.description ?? '',
        transient_environment: request.transient_environment ?? false,
        production_environment: request.production_environment ?? environment === 'production',
        created_at: stamp(),
      };
      this.deployments.set(deployment.id, deployment);
      return { status: 201, body: deployment };
    }
    const deployment = this.deployments.get(Number(rest[1]));
    if (deployment === undefined) return notFound();
    if (rest.length === 2 && method === 'GET') return { status: 200, body: deployment };
    if (rest.length !== 3 || rest[2] !== 'statuses') return notFound();
    const statuses = this.deploymentStatuses.get(deployment.id) ?? [];
    if (method === 'GET')
      return this.paged(url, [...statuses].reverse(), page, perPage, (items) => items);
    if (method !== 'POST') return notFound();
    const request = (body ?? {}) as {
      state?: unknown;
      description?: string;
      environment_url?: string;
      log_url?: string;
      target_url?: string;
      auto_inactive?: boolean;
    };
    if (typeof request.state !== 'string' || !DEPLOYMENT_STATES.includes(request.state))
      return validationFailed('DeploymentStatus', 'state', 'invalid');
    // GitHub counts characters (code points), not UTF-16 units.
    if (Array.from(request.description ?? '').length > 140)
      return validationFailed(
        'DeploymentStatus',
        'description',
        'custom',
        'description is too long (maximum is 140 characters)',
      );
    const status: FakeDeploymentStatus = {
      id: this.nextId++,
      state: request.state,
      description: request.description ?? '',
      environment: deployment.environment,
      environment_url: request.environment_url ?? '',
      log_url: request.log_url ?? request.target_url ?? '',
      target_url: request.log_url ?? request.target_url ?? '',
      created_at: stamp(),
    };
    this.deploymentStatuses.set(deployment.id, [...statuses, status]);
    if (status.state === 'success' && request.auto_inactive !== false)
      for (const other of this.deployments.values()) {
        const latest = this.deploymentStatuses.get(other.id)?.at(-1);
        if (
          other.id < deployment.id &&
          other.environment === deployment.environment &&
          !other.transient_environment &&
          !other.production_environment &&
          latest?.state === 'success'
        )
          this.deploymentStatuses.get(other.id)?.push({
            ...latest,
            id: this.nextId++,
            state: 'inactive',
            description: '',
            created_at: stamp(),
          });
      }
    return { status: 201, body: status };
  }

  private paged<T>(
    url: URL,
    all: T[],
    page: number,
    perPage: number,
    wrap: (items: T[]) => unknown,
  ): FakeResponse {
    const items = all.slice((page - 1) * perPage, page * perPage);
    const headers: Record<string, string> = {};
    if (page * perPage < all.length) {
      const next = new URL(url);
      next.searchParams.set('page', String(page + 1));
      headers.link = `<${next.toString()}>; rel="next"`;
    }
    return { status: 200, body: wrap(items), headers };
  }

  private send(res: ServerResponse, response: FakeResponse): void {
    // A hung response stays open until the client gives up or the fake stops.
    if (response.hang === 'headers') return;
    if (response.hang === 'body') {
      res.writeHead(response.status, { 'content-type': 'application/json; charset=utf-8' });
      res.write(JSON.stringify(response.body ?? {}).slice(0, -1));
      return;
    }
    res.writeHead(response.status, {
      'content-type': 'application/json; charset=utf-8',
      ...response.headers,
    });
    res.end(response.body === undefined ? '' : JSON.stringify(response.body));
  }
}

function validationFailed(
  resource: string,
  field: string,
  code: string,
  message?: string,
): FakeResponse {
  return {
    status: 422,
    body: {
      message: 'Validation Failed',
      errors: [{ resource, field, code, ...(message === undefined ? {} : { message }) }],
      documentation_url:
        'https://docs.github.com/rest/deployments/statuses#create-a-deployment-status',
    },
  };
}

function notFound(): FakeResponse {
  return {
    status: 404,
    body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' },
  };
}

export const secondaryRateLimit = (retryAfterSeconds: number): FakeResponse => ({
  status: 403,
  headers: { 'retry-after': String(retryAfterSeconds) },
  body: {
    message:
      'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
  },
});

/** A response that never comes (`'headers'`) or whose body never ends (`'body'`). */
export const hanging = (hang: 'headers' | 'body' = 'headers'): FakeResponse => ({
  status: 200,
  body: { number: 1, body: 'never finished' },
  hang,
});

export const serverError = (status = 502): FakeResponse => ({
  status,
  body: { message: 'Server Error' },
});
