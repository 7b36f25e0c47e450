import {
  breakMentions,
  chatText,
  type Deployment,
  type DeploymentState,
  type DeploymentStatus,
} from '@cutover/github';
import { ConfigError, escapeMarkdown, heading, table } from '@cutover/kit';
import { STATES_FOR_EVENT, type CutoverEvent } from './inputs.js';

/**
 * A rollback is "failure", not "inactive": the candidate did not make it, and GitHub documents
 * inactive for a deployment that is no longer live (a transient environment shown as
 * destroyed). failure also leaves auto_inactive alone, so the stable deployment that is live
 * again stays the environment's active one.
 */
const DEFAULT_STATE: Record<CutoverEvent, DeploymentState> = {
  start: 'in_progress',
  step: 'in_progress',
  done: 'success',
  rollback: 'failure',
  fail: 'failure',
};

const DEFAULT_DESCRIPTION: Record<CutoverEvent, string> = {
  start: 'cutover started',
  step: 'cutover step',
  done: 'cutover complete',
  rollback: 'rolled back to stable',
  fail: 'cutover failed',
};

/** What this call reports: a status (state and event), or nothing (a timeline only). */
export function decideReport(
  state: DeploymentState | undefined,
  event: CutoverEvent | undefined,
): { state: DeploymentState; event: CutoverEvent | undefined } | undefined {
  if (event === undefined) return state === undefined ? undefined : { state, event };
  const allowed = STATES_FOR_EVENT[event];
  if (state !== undefined && !allowed.includes(state))
    throw new ConfigError(
      `input 'state' is ${state}, but event ${event} is reported as ${allowed.join(' or ')}; leave state empty for ${DEFAULT_STATE[event]}`,
    );
  return { state: state ?? DEFAULT_STATE[event], event };
}

export function defaultDescription(
  state: DeploymentState,
  event: CutoverEvent | undefined,
): string {
  return event === undefined ? state.replace('_', ' ') : DEFAULT_DESCRIPTION[event];
}

const EVENT_LABEL: Record<CutoverEvent, string> = {
  start: '▶️ started',
  step: '⏩ step',
  rollback: '⏪ rolled back',
  done: '✅ done',
  fail: '❌ failed',
};

/** One chat line per event; every part is caller or gate text, so each is escaped. */
export function webhookLine(report: {
  state: DeploymentState;
  event: CutoverEvent | undefined;
  environment: string;
  plan: string | undefined;
  repository: string;
  description: string;
  logUrl: string | undefined;
}): string {
  const label = report.event === undefined ? report.state : EVENT_LABEL[report.event];
  const what =
    report.plan === undefined ? report.repository : `${report.repository} ${report.plan}`;
  return [
    `${label} · cutover of ${chatText(what)} to ${chatText(report.environment)}`,
    chatText(report.description),
    ...(report.logUrl === undefined ? [] : [chatText(report.logUrl)]),
  ].join(' · ');
}

/** Summary text from GitHub or a caller: no markdown, HTML or mentions get through. */
const cell = (text: string) => breakMentions(escapeMarkdown(text));

/** "2026-01-01T10:00:00Z" → "2026-01-01 10:00:00Z". */
const shownTime = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');

/** The job-summary timeline of a deployment: every status, from every job and run, oldest first. */
export function renderTimeline(deployment: Deployment, statuses: DeploymentStatus[]): string {
  const title = heading(
    3,
    `Deployment ${deployment.id} to ${cell(deployment.environment)}: ${statuses.at(-1)?.state ?? 'no status yet'}`,
  );
  const about = [
    `${cell(deployment.ref)} (${cell(deployment.sha.slice(0, 7))})`,
    `task ${cell(deployment.task)}`,
    ...(deployment.plan === undefined || deployment.plan === ''
      ? []
      : [`plan ${cell(deployment.plan)}`]),
    `created ${cell(shownTime(deployment.createdAt))}`,
  ].join(' · ');
  const rows = statuses.map((status) => [
    cell(shownTime(status.createdAt)),
    cell(status.state),
    cell(status.description),
  ]);
  return `${title}\n\n${about}\n\n${
    rows.length === 0 ? '_No statuses yet._' : table(['time (UTC)', 'state', 'description'], rows)
  }\n`;
}
