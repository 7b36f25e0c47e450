export { judgeChecks } from './check-runs.js';
export {
  type EventContext,
  type EventPayload,
  commitUnderTest,
  readEventContext,
} from './event-context.js';
export {
  type CheckRun,
  type CommitStatus,
  type GitHubApiOptions,
  type IssueBody,
  GITHUB_TIMEOUT_MS,
  GitHubApi,
  GitHubTimeout,
  classifyGitHubError,
} from './github-api.js';
