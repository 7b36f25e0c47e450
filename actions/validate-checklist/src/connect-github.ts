import { ConfigError, type Clock } from '@cutover/kit';
import type { EditableBody } from '@cutover/checklist';
import { GitHubApi, type EventContext } from '@cutover/github';

export interface GitHubConnection {
  token: string;
  event: EventContext;
  /** Retries are timed on its clock and reported as warnings. */
  kit: { clock: Clock; warning(message: string): void };
  /** What needs the API, for the message when the token is empty, e.g. "issue #12". */
  purpose: string;
  retry?: { attempts: number; baseDelayMs: number; maxDelayMs: number } | undefined;
}

/**
 * The GitHub API, created on first use: a file checklist without GitHub verifiers never needs a
 * token. An empty token is the caller's configuration, refused when the API is first needed.
 */
export function connectGitHub(connection: GitHubConnection): () => Promise<GitHubApi> {
  let api: GitHubApi | undefined;
  return () => {
    if (connection.token === '')
      return Promise.reject(
        new ConfigError(
          `input 'github-token' is empty, but reading ${connection.purpose} needs the GitHub API; pass \${{ github.token }} or a token with read access`,
        ),
      );
    api ??= new GitHubApi({
      token: connection.token,
      baseUrl: connection.event.apiUrl,
      owner: connection.event.owner,
      repo: connection.event.repo,
      clock: connection.kit.clock,
      log: (message) => {
        connection.kit.warning(message);
      },
      ...(connection.retry === undefined ? {} : { retry: connection.retry }),
    });
    return Promise.resolve(api);
  };
}

/** The body of an issue or pull request, read and written through the API, for ticking. */
export function issueBody(
  github: () => Promise<GitHubApi>,
  target: { number: number; kind: 'issue' | 'pull request' },
): EditableBody {
  return {
    read: async () => (await (await github()).getIssue(target.number, target.kind)).body,
    write: async (text) => (await github()).updateIssueBody(target.number, text, target.kind),
  };
}
