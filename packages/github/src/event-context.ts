/** What the runner tells an action about the triggering event, read from its environment. */
export interface EventContext {
  owner: string;
  repo: string;
  eventName: string;
  ref: string | undefined;
  sha: string | undefined;
  runId: string | undefined;
  workspace: string;
  apiUrl: string;
  payload: EventPayload;
}

/** The fields of the event payload this toolkit reads. */
export interface EventPayload {
  issue?: { number?: number; pull_request?: unknown };
  pull_request?: { number?: number; head?: { sha?: string } };
  release?: { tag_name?: string };
}

export function readEventContext(
  env: Readonly<Record<string, string | undefined>>,
  readFile: (path: string) => string,
): EventContext {
  const [owner = '', repo = ''] = (env.GITHUB_REPOSITORY ?? '').split('/');
  let payload: EventPayload = {};
  const eventPath = env.GITHUB_EVENT_PATH;
  if (eventPath !== undefined && eventPath !== '') {
    try {
      payload = JSON.parse(readFile(eventPath)) as EventPayload;
    } catch {
      payload = {};
    }
  }
  return {
    owner,
    repo,
    eventName: env.GITHUB_EVENT_NAME ?? '',
    ref: env.GITHUB_REF,
    sha: env.GITHUB_SHA,
    runId: env.GITHUB_RUN_ID,
    workspace: env.GITHUB_WORKSPACE ?? '.',
    apiUrl: env.GITHUB_API_URL ?? 'https://api.github.com',
    payload,
  };
}

/** The commit whose checks matter: the PR head for pull-request events, else the pushed commit. */
export function commitUnderTest(context: EventContext): string | undefined {
  return context.payload.pull_request?.head?.sha ?? context.sha;
}
