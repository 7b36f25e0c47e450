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
  type CallDescription,
  type GitHubApiOptions,
  type IssueBody,
  GITHUB_TIMEOUT_MS,
  GitHubApi,
  GitHubTimeout,
  classifyGitHubError,
} from './github-api.js';
export {
  DEPLOYMENT_STATES,
  type Deployment,
  type DeploymentState,
  type DeploymentStatus,
  Deployments,
  PAYLOAD_TOOL,
  isFinished,
} from './deployments.js';
export {
  DESCRIPTION_LIMIT,
  breakMentions,
  chatText,
  oneLine,
  statusDescription,
  truncateGraphemes,
} from './deployment-text.js';
export {
  WEBHOOK_TIMEOUT_MS,
  type WebhookOptions,
  type WebhookResult,
  postWebhook,
  webhookSecrets,
  webhookUrlProblem,
} from './webhook.js';
