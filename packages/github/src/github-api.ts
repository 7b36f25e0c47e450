import { ConfigError, ServiceError, redactUrls, retry, type Clock } from '@cutover/kit';

/**
 * The GitHub REST calls this toolkit makes, behind retries and error messages a user can act on.
 * Octokit (with its proxy-aware fetch) is loaded only when the first call is made.
 */
export interface GitHubApiOptions {
  token: string;
  baseUrl: string;
  owner: string;
  repo: string;
  clock: Clock;
  log: (message: string) => void;
  /** Backoff tuning; the defaults suit GitHub's documented secondary-rate-limit behaviour. */
  retry?: { attempts: number; baseDelayMs: number; maxDelayMs: number };
  /**
   * Bound on each attempt (connect, headers and body); a timeout is retried like a 5xx, so a
   * call that never answers takes at most attempts × timeoutMs plus the backoff between them.
   */
  timeoutMs?: number;
}

/** GitHub answers in well under a second; 20 s × 4 attempts + backoff stays under 90 s. */
export const GITHUB_TIMEOUT_MS = 20_000;

/** An attempt that got no complete answer in time. */
export class GitHubTimeout extends ServiceError {
  override name = 'GitHubTimeout';
}

export interface IssueBody {
  body: string;
  updatedAt: string;
  isPullRequest: boolean;
}

export interface CheckRun {
  name: string;
  status: string;
  conclusion: string | null;
  detailsUrl: string | null;
  htmlUrl: string | null;
}

export interface CommitStatus {
  context: string;
  state: string;
}

/** What a call is about and which token permission it needs, for error messages. */
export interface CallDescription {
  what: string;
  permission: string;
  /**
   * False for a write that must not happen twice (creating a deployment): a 5xx or a timeout
   * may mean it happened, so only answers that say it did not (rate limits) are retried.
   */
  idempotent?: boolean;
}

type RequestFn = (
  route: string,
  params: Record<string, unknown>,
  signal: AbortSignal,
) => Promise<{ data: unknown; headers: Record<string, unknown> }>;

const MAX_PAGES = 50;

export class GitHubApi {
  private requestFn: RequestFn | undefined;

  constructor(private readonly options: GitHubApiOptions) {}

  get repository(): string {
    return `${this.options.owner}/${this.options.repo}`;
  }

  async getIssue(number: number, kind: 'issue' | 'pull request' = 'issue'): Promise<IssueBody> {
    const data = (await this.call(
      {
        what: `${kind} #${number} in ${this.repository}`,
        permission: kind === 'issue' ? 'issues: read' : 'pull-requests: read',
      },
      'GET /repos/{owner}/{repo}/issues/{issue_number}',
      { issue_number: number },
    )) as { body?: string | null; updated_at?: string; pull_request?: unknown };
    return {
      body: data.body ?? '',
      updatedAt: data.updated_at ?? '',
      isPullRequest: data.pull_request != null,
    };
  }

  async updateIssueBody(
    number: number,
    body: string,
    kind: 'issue' | 'pull request',
  ): Promise<void> {
    await this.call(
      {
        what: `${kind} #${number} in ${this.repository}`,
        permission: kind === 'issue' ? 'issues: write' : 'pull-requests: write',
      },
      'PATCH /repos/{owner}/{repo}/issues/{issue_number}',
      { issue_number: number, body },
    );
  }

  async listIssueComments(
    number: number,
    kind: 'issue' | 'pull request' = 'issue',
  ): Promise<{ id: number; body: string; author: string }[]> {
    const pages = await this.allPages<{
      id: number;
      body?: string | null;
      user?: { login?: string } | null;
    }>(
      {
        what: `comments of ${kind} #${number} in ${this.repository}`,
        permission: kind === 'issue' ? 'issues: read' : 'pull-requests: read',
      },
      'GET /repos/{owner}/{repo}/issues/{issue_number}/comments',
      { issue_number: number },
      (data) => data as never[],
    );
    return pages.map((c) => ({ id: c.id, body: c.body ?? '', author: c.user?.login ?? 'unknown' }));
  }

  async getReleaseByTag(tag: string): Promise<{ body: string; draft: boolean }> {
    const data = (await this.call(
      { what: `release for tag ${tag} in ${this.repository}`, permission: 'contents: read' },
      'GET /repos/{owner}/{repo}/releases/tags/{tag}',
      { tag },
    )) as { body?: string | null; draft?: boolean };
    return { body: data.body ?? '', draft: data.draft === true };
  }

  async listCheckRuns(ref: string): Promise<CheckRun[]> {
    const runs = await this.allPages<{
      name: string;
      status: string;
      conclusion: string | null;
      details_url?: string | null;
      html_url?: string | null;
    }>(
      { what: `check runs of ${ref} in ${this.repository}`, permission: 'checks: read' },
      'GET /repos/{owner}/{repo}/commits/{ref}/check-runs',
      { ref },
      (data) => (data as { check_runs: never[] }).check_runs,
    );
    return runs.map((r) => ({
      name: r.name,
      status: r.status,
      conclusion: r.conclusion,
      detailsUrl: r.details_url ?? null,
      htmlUrl: r.html_url ?? null,
    }));
  }

  async getCombinedStatus(ref: string): Promise<{ state: string; statuses: CommitStatus[] }> {
    const data = (await this.call(
      { what: `commit statuses of ${ref} in ${this.repository}`, permission: 'statuses: read' },
      'GET /repos/{owner}/{repo}/commits/{ref}/status',
      { ref, per_page: 100 },
    )) as { state: string; statuses: { context: string; state: string }[] };
    return {
      state: data.state,
      statuses: data.statuses.map((s) => ({ context: s.context, state: s.state })),
    };
  }

  /** Every page of a list endpoint (the endpoint modules, e.g. deployments.ts, use these). */
  async allPages<T>(
    description: CallDescription,
    route: string,
    params: Record<string, unknown>,
    extract: (data: unknown) => T[],
  ): Promise<T[]> {
    const all: T[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      const { data, headers } = await this.callRaw(description, route, {
        ...params,
        per_page: 100,
        page,
      });
      const items = extract(data);
      all.push(...items);
      const link = typeof headers.link === 'string' ? headers.link : '';
      if (!link.includes('rel="next"') || items.length === 0) return all;
    }
    throw new ServiceError(
      `${description.what}: more than ${MAX_PAGES * 100} entries; refusing to read further`,
    );
  }

  async call(
    description: CallDescription,
    route: string,
    params: Record<string, unknown>,
  ): Promise<unknown> {
    return (await this.callRaw(description, route, params)).data;
  }

  async callRaw(
    description: CallDescription,
    route: string,
    params: Record<string, unknown>,
  ): Promise<{ data: unknown; headers: Record<string, unknown> }> {
    const request = await this.request();
    const tuning = this.options.retry ?? { attempts: 4, baseDelayMs: 1000, maxDelayMs: 60_000 };
    const timeoutMs = this.options.timeoutMs ?? GITHUB_TIMEOUT_MS;
    const all: Record<string, unknown> = {
      owner: this.options.owner,
      repo: this.options.repo,
      ...params,
    };
    const endpoint = route.replace(/\{(\w+)\}/g, (name, key: string) =>
      key in all ? encodeURIComponent(String(all[key])) : name,
    );
    let attempts = 0;
    try {
      return await retry(
        (attempt) => {
          attempts = attempt;
          return withTimeout((signal) => request(route, all, signal), timeoutMs, endpoint);
        },
        {
          ...tuning,
          clock: this.options.clock,
          classify: (error) => {
            const decision = classifyGitHubError(
              error,
              this.options.clock.now(),
              tuning.maxDelayMs,
            );
            return description.idempotent === false && !isRateLimited(error)
              ? { retry: false }
              : decision;
          },
          onRetry: ({ attempt, delayMs, error }) => {
            this.options.log(
              `GitHub API: ${description.what} failed (${error instanceof GitHubTimeout ? `no answer within ${timeoutMs / 1000}s` : (statusOf(error) ?? 'network')}), attempt ${attempt}; retrying in ${(delayMs / 1000).toFixed(1)}s`,
            );
          },
        },
      );
    } catch (error) {
      throw translateGitHubError(error, description, attempts);
    }
  }

  private async request(): Promise<RequestFn> {
    if (this.requestFn === undefined) {
      const { getOctokit } = await import('@actions/github');
      const octokit = getOctokit(this.options.token, { baseUrl: this.options.baseUrl });
      this.requestFn = (route, params, signal) =>
        octokit.request(route, { ...params, request: { signal } }) as never;
    }
    return this.requestFn;
  }
}

/**
 * Runs one attempt with a deadline that covers the whole exchange (Octokit reads the body after
 * fetch resolves, so the race, not only the abort signal, decides), then frees the socket.
 */
async function withTimeout<T>(
  run: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number,
  endpoint: string,
): Promise<T> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const error = new GitHubTimeout(`${endpoint} did not answer within ${timeoutMs / 1000}s`);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  try {
    return await Promise.race([run(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

function headersOf(error: unknown): Record<string, string | undefined> {
  return (
    (error as { response?: { headers?: Record<string, string | undefined> } } | null)?.response
      ?.headers ?? {}
  );
}

function isRateLimited(error: unknown): boolean {
  const status = statusOf(error);
  const message = error instanceof Error ? error.message : '';
  const headers = headersOf(error);
  return (
    status === 429 ||
    (status === 403 &&
      (/rate limit|abuse/i.test(message) ||
        headers['retry-after'] !== undefined ||
        headers['x-ratelimit-remaining'] === '0'))
  );
}

/**
 * 5xx, network failures and rate limits are worth retrying; Retry-After (secondary limits) or
 * x-ratelimit-reset (primary) say how long. A wait longer than we are willing to sleep fails now.
 */
export function classifyGitHubError(
  error: unknown,
  now: number,
  maxDelayMs: number,
): { retry: boolean; afterMs?: number } {
  const status = statusOf(error);
  if (isRateLimited(error)) {
    const headers = headersOf(error);
    const retryAfter = Number(headers['retry-after']);
    const reset = Number(headers['x-ratelimit-reset']);
    const afterMs =
      Number.isFinite(retryAfter) && headers['retry-after'] !== undefined
        ? retryAfter * 1000
        : headers['x-ratelimit-remaining'] === '0' && Number.isFinite(reset)
          ? Math.max(0, reset * 1000 - now)
          : 60_000; // GitHub: with no header, wait at least a minute after a secondary limit.
    return afterMs > maxDelayMs ? { retry: false } : { retry: true, afterMs };
  }
  return { retry: status === undefined || status >= 500 };
}

function translateGitHubError(
  error: unknown,
  description: CallDescription,
  attempts: number,
): Error {
  const status = statusOf(error);
  const message = redactUrls(error instanceof Error ? error.message : String(error));
  if (error instanceof GitHubTimeout)
    return new ServiceError(
      `${description.what}: GitHub API timed out (${message}) after ${attempts} ${attempts === 1 ? 'attempt' : 'attempts'}; failing closed.`,
    );
  if (status === 404)
    return new ConfigError(
      `${description.what} was not found (HTTP 404). Check the number or tag; for a private repository the token also needs '${description.permission}'.`,
    );
  if (status === 401)
    return new ConfigError(
      `${description.what}: the token was refused (HTTP 401); check input 'github-token'.`,
    );
  if (status === 403 && !isRateLimited(error))
    return new ConfigError(
      `${description.what}: forbidden (HTTP 403: ${message}). Grant the workflow 'permissions: ${description.permission}'.`,
    );
  if (status === 409)
    return new ConfigError(
      `${description.what}: GitHub refused it as a conflict (HTTP 409: ${message}).`,
    );
  if (status === 422)
    return new ConfigError(
      `${description.what}: GitHub refused the request (HTTP 422: ${message}).`,
    );
  return new ServiceError(
    `${description.what}: GitHub API kept failing (${status ?? 'network error'}: ${message}) after ${attempts} ${attempts === 1 ? 'attempt' : 'attempts'}; failing closed.`,
  );
}
