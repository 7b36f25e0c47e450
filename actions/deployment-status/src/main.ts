import { runAction, type ActionKit } from '@cutover/action-kit';
import {
  Deployments,
  GitHubApi,
  postWebhook,
  statusDescription,
  webhookSecrets,
  type WebhookOptions,
} from '@cutover/github';
import { ConfigError } from '@cutover/kit';
import { inputs as inputSchema } from './inputs.js';
import { decideReport, defaultDescription, renderTimeline, webhookLine } from './report.js';
import { resolveDeployment } from './resolve-deployment.js';

/** Seams for tests: GitHub API retry timing, and the webhook's resolver, CA and timeout. */
export interface Dependencies {
  apiRetry?: { attempts: number; baseDelayMs: number; maxDelayMs: number };
  webhook?: WebhookOptions;
}

/** The entry point: index.ts calls it, and so does @github/local-action. */
export async function run(): Promise<void> {
  await runAction(main);
}

export async function main(kit: ActionKit, deps: Dependencies = {}): Promise<void> {
  const inputs = kit.readInputs(inputSchema);
  kit.mask(inputs.token);
  const webhookUrl = inputs['webhook-url']?.trim();
  // Masked before anything else can print it, in every spelling a library might use.
  if (webhookUrl !== undefined) for (const secret of webhookSecrets(webhookUrl)) kit.mask(secret);
  const report = decideReport(inputs.state, inputs.event);
  if (inputs.token === '')
    throw new ConfigError(
      "input 'token' is empty; pass ${{ github.token }} (with permissions: deployments: write) or another token",
    );

  const env = kit.env;
  const [owner = '', repo = ''] = (env.GITHUB_REPOSITORY ?? '').split('/');
  if (owner === '' || repo === '')
    throw new ConfigError(
      'GITHUB_REPOSITORY is not set (owner/repo): run this action in a workflow',
    );
  const api = new GitHubApi({
    token: inputs.token,
    baseUrl: env.GITHUB_API_URL ?? 'https://api.github.com',
    owner,
    repo,
    clock: kit.clock,
    log: (message) => {
      kit.warning(message);
    },
    ...(deps.apiRetry === undefined ? {} : { retry: deps.apiRetry }),
  });
  const deployments = new Deployments(api);
  const plan = inputs.plan?.trim() ?? '';

  const runUrl =
    env.GITHUB_RUN_ID === undefined
      ? undefined
      : `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${owner}/${repo}/actions/runs/${env.GITHUB_RUN_ID}`;
  const logUrl = inputs['log-url'] ?? runUrl;
  const description =
    report === undefined
      ? undefined
      : statusDescription(inputs.description ?? defaultDescription(report.state, report.event));

  let environmentUrl: string | undefined;
  try {
    const resolved = await resolveDeployment(deployments, {
      id: inputs['deployment-id'],
      environment: inputs.environment,
      task: inputs.task,
      plan,
      ref: inputs.ref ?? env.GITHUB_SHA,
      posting: report !== undefined,
      event: report?.event,
      log: (message) => {
        kit.warning(message);
      },
    });
    const { deployment } = resolved;
    kit.info(
      resolved.created
        ? `Created deployment ${deployment.id} of ${deployment.ref} to ${deployment.environment}`
        : `Deployment ${deployment.id} of ${deployment.ref} to ${deployment.environment} (last status: ${resolved.latest?.state ?? 'none'})`,
    );
    // GitHub shows the newest status's URL, so it is carried forward when a step gives none.
    environmentUrl =
      inputs['environment-url'] ??
      (resolved.latest?.environmentUrl === '' ? undefined : resolved.latest?.environmentUrl);

    if (report !== undefined && description !== undefined) {
      if (resolved.superseded !== undefined) {
        await deployments.addStatus(resolved.superseded.id, {
          state: 'inactive',
          description: `superseded by deployment ${deployment.id}: a new cutover started`,
          logUrl,
        });
        kit.info(`Marked deployment ${resolved.superseded.id}, left unfinished, inactive`);
      }
      await deployments.addStatus(deployment.id, {
        state: report.state,
        description,
        environmentUrl,
        logUrl,
      });
      kit.info(`Deployment ${deployment.id}: ${report.state}: ${description}`);
    }

    kit.setOutput('deployment-id', String(deployment.id));
    kit.setOutput('environment-url', environmentUrl ?? '');
    if (inputs.summary === 'timeline')
      await kit.appendSummary(
        renderTimeline(deployment, await deployments.statuses(deployment.id)),
      );
  } finally {
    // The chat hears of the event even when GitHub could not be told (the rollback happened).
    if (report !== undefined && description !== undefined && webhookUrl !== undefined) {
      const line = webhookLine({
        ...report,
        environment: inputs.environment,
        plan: plan === '' ? undefined : plan,
        repository: `${owner}/${repo}`,
        description,
        logUrl,
      });
      const posted = await postWebhook(webhookUrl, line, deps.webhook);
      // A chat that is down must never fail, or hold up, a cutover or its rollback.
      if (posted.ok) kit.info(`Notification sent: ${posted.detail}`);
      else kit.warning(`Notification not sent: ${posted.detail}`);
    }
  }
}
