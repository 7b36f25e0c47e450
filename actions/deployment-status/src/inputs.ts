import { DEPLOYMENT_STATES, type DeploymentState } from '@cutover/github';
import { input, InputParseError, type InputField } from '@cutover/kit';

/** The events a cutover reports; each has the deployment states that can stand for it. */
export const EVENTS = ['start', 'step', 'rollback', 'done', 'fail'] as const;
export type CutoverEvent = (typeof EVENTS)[number];

/** An optional choice: empty is undefined, anything else must be one of the choices. */
function optionalChoice<const C extends readonly string[]>(
  description: string,
  choices: C,
): InputField<C[number] | undefined> {
  return {
    description,
    parse: (raw) => {
      const value = raw.trim();
      if (value === '') return undefined;
      if (!choices.includes(value))
        throw new InputParseError(`expected one of ${choices.join(', ')} (or nothing)`);
      return value;
    },
  };
}

/** An optional http(s) URL without credentials (GitHub shows it as a link). */
function optionalUrl(description: string): InputField<string | undefined> {
  return {
    description,
    parse: (raw) => {
      const value = raw.trim();
      if (value === '') return undefined;
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        throw new InputParseError('expected an http:// or https:// URL');
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:')
        throw new InputParseError('expected an http:// or https:// URL');
      if (url.username !== '' || url.password !== '')
        throw new InputParseError('expected a URL without credentials (it is shown to everyone)');
      return value;
    },
  };
}

/** The action's inputs; a contract test keeps this and action.yml identical. */
export const inputs = {
  environment: input.string('GitHub environment the cutover deploys to, e.g. production.', {
    required: true,
  }),
  plan: input.optionalString(
    "Plan file of the cutover (not read): recorded in a new deployment's payload, so later runs find the same deployment again.",
  ),
  'deployment-id': input.optionalInteger(
    "Deployment to report on (an earlier step's deployment-id output). Empty: the newest unfinished deployment of this environment, task and plan, else a new one; event start always makes a new one.",
    { min: 1, max: Number.MAX_SAFE_INTEGER },
  ),
  ref: input.optionalString(
    "Branch, tag or SHA a new deployment is for; default the run's commit (GITHUB_SHA).",
  ),
  state: optionalChoice(
    'Deployment status to add: queued, pending, in_progress, success, failure, error or inactive; default from event (start and step: in_progress, done: success, rollback and fail: failure). Neither state nor event: add nothing (a timeline only).',
    DEPLOYMENT_STATES,
  ),
  event: optionalChoice(
    'What happened: start, step, rollback, done or fail; names the webhook message and sets the default state and description.',
    EVENTS,
  ),
  description: input.optionalString(
    'What the status says, e.g. "25% — gates passed: error 0.8%, p95 143 ms"; one line, cut to 140 characters (the API limit) between graphemes.',
  ),
  'environment-url': optionalUrl(
    "URL of the environment, shown on the deployment; default the deployment's last one.",
  ),
  'log-url': optionalUrl("URL of the status's log; default this workflow run."),
  task: input.string('Deployment task, to tell cutover deployments from other deployments.', {
    default: 'deploy:cutover',
  }),
  'webhook-url': input.optionalString(
    'Slack-compatible incoming webhook (a secret): one line per event is posted as {"text": …}. https only (http only to loopback); a failed post is a warning.',
  ),
  summary: input.choice(
    "timeline: append the deployment's statuses, from every job and run, to the job summary.",
    ['none', 'timeline'],
    { default: 'none' },
  ),
  token: input.string('Token for the GitHub API (permissions: deployments: write).', {
    default: '${{ github.token }}',
  }),
};

export type Inputs = { [K in keyof typeof inputs]: ReturnType<(typeof inputs)[K]['parse']> };

/** The deployment states each event may report. */
export const STATES_FOR_EVENT: Record<CutoverEvent, readonly DeploymentState[]> = {
  start: ['queued', 'pending', 'in_progress'],
  step: ['queued', 'pending', 'in_progress'],
  done: ['success'],
  rollback: ['failure', 'error', 'inactive'],
  fail: ['failure', 'error'],
};
