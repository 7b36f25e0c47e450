import { redactUrls } from '@cutover/kit';

/** What a pod says about why it is not ready, as plain data (no client types). */
export interface PodInfo {
  name: string;
  phase: string | undefined;
  conditions: {
    type: string;
    status: string;
    reason?: string | undefined;
    message?: string | undefined;
  }[];
  containers: ContainerInfo[];
}

export interface ContainerInfo {
  name: string;
  ready: boolean;
  restarts: number;
  waiting?: { reason: string; message?: string | undefined } | undefined;
  terminated?: { reason: string; exitCode: number; message?: string | undefined } | undefined;
  lastTerminated?: { reason: string; exitCode: number } | undefined;
}

export interface EventInfo {
  /** The object the event is about. */
  kind: string;
  name: string;
  type: string;
  reason: string;
  message: string;
  count: number;
  /** Last seen, in epoch milliseconds (0 when the event carries no time). */
  time: number;
}

/** At most this many events in a failure message: the newest say most. */
export const MAX_EVENTS = 10;
const MAX_PODS = 5;

/**
 * One line per pod that is not ready: its conditions that are not True (reason, message)
 * and each container's waiting or terminated reason (ImagePullBackOff, CrashLoopBackOff,
 * OOMKilled...). Server text is outside input: redacted, one line, bounded.
 */
export function describePods(pods: readonly PodInfo[]): string[] {
  const unready = pods.filter(
    (pod) => !pod.conditions.some((c) => c.type === 'Ready' && c.status === 'True'),
  );
  if (pods.length === 0) return ['no pods match its selector'];
  if (unready.length === 0) return [`all ${pods.length} pods ready`];
  const lines = unready.slice(0, MAX_PODS).map((pod) => {
    const parts = [
      ...pod.conditions
        .filter((c) => c.status !== 'True')
        .map(
          (c) =>
            `${c.type}=${c.status}${c.reason === undefined ? '' : ` (${c.reason}${c.message === undefined ? '' : `: ${oneLine(c.message, 120)}`})`}`,
        ),
      ...pod.containers.filter((c) => !c.ready).map(describeContainer),
    ];
    return `pod ${pod.name}${pod.phase === undefined ? '' : ` (${pod.phase})`}: ${parts.join('; ') || 'not ready'}`;
  });
  if (unready.length > MAX_PODS) lines.push(`and ${unready.length - MAX_PODS} more pods not ready`);
  return lines;
}

function describeContainer(container: ContainerInfo): string {
  const state =
    container.waiting !== undefined
      ? `waiting: ${container.waiting.reason}${container.waiting.message === undefined ? '' : ` (${oneLine(container.waiting.message, 160)})`}`
      : container.terminated !== undefined
        ? `terminated: ${container.terminated.reason}, exit code ${container.terminated.exitCode}`
        : 'not ready';
  const last =
    container.lastTerminated === undefined
      ? ''
      : `, last terminated: ${container.lastTerminated.reason} (exit code ${container.lastTerminated.exitCode})`;
  const restarts = container.restarts > 0 ? `, ${container.restarts} restarts` : '';
  return `container ${container.name} ${state}${last}${restarts}`;
}

/** The newest events first, at most MAX_EVENTS, one redacted line each. */
export function describeEvents(events: readonly EventInfo[]): string[] {
  return [...events]
    .sort((a, b) => b.time - a.time)
    .slice(0, MAX_EVENTS)
    .map(
      (e) =>
        `${e.time === 0 ? '' : `${new Date(e.time).toISOString().replace('.000Z', 'Z')} `}${e.kind} ${e.name} ${e.type} ${e.reason}: ${oneLine(e.message, 200)}${e.count > 1 ? ` (x${e.count})` : ''}`,
    );
}

/** API server text is outside input: one line, no credentials in URLs, bounded. */
export function oneLine(text: string, limit = 300): string {
  const line = redactUrls(text).replace(/\s+/g, ' ').trim();
  return line.length > limit ? `${line.slice(0, limit)}…` : line;
}
