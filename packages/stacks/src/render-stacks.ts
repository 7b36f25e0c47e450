import { escapeMarkdown, heading, table } from '@cutover/kit';
import type { StackResult } from './deploy-stacks.js';
import type { ResourceChange, StackEvent } from './stack-engine.js';

/** "1m 05s", "42s": stack durations as people read them. */
export function formatStackDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  const minutes = Math.floor(total / 60);
  const rest = total % 60;
  return minutes === 0 ? `${rest}s` : `${minutes}m ${String(rest).padStart(2, '0')}s`;
}

/** The change set of one stack as a markdown table (action, logical id, type, replacement). */
export function renderChangeSet(stack: string, changes: readonly ResourceChange[]): string {
  const title = heading(3, `Change set: ${escapeMarkdown(stack)}`);
  if (changes.length === 0) return `${title}\n\nNo changes.`;
  return `${title}\n\n${table(
    ['Action', 'Logical id', 'Type', 'Replacement'],
    changes.map((change) => [
      escapeMarkdown(change.action),
      escapeMarkdown(change.logicalId),
      escapeMarkdown(change.resourceType),
      change.replacement === undefined ? '' : escapeMarkdown(change.replacement),
    ]),
  )}`;
}

/** The per-stack result table (status, duration, changed, reason). */
export function renderStackResults(results: readonly StackResult[]): string {
  return `${heading(3, 'Stacks')}\n\n${table(
    ['Stack', 'Status', 'Duration', 'Changed', 'Reason'],
    results.map((result) => [
      escapeMarkdown(result.name),
      result.stackStatus === undefined
        ? result.status
        : `${result.status} (${escapeMarkdown(result.stackStatus)})`,
      result.status === 'skipped' ? '' : formatStackDuration(result.durationMs),
      result.changed ? 'yes' : 'no',
      escapeMarkdown(result.reason ?? ''),
    ]),
  )}`;
}

/** One plain line per stack event; failed resources carry their reason. */
export function describeStackEvent(stack: string, event: StackEvent): string {
  const what = event.isStack
    ? `stack ${stack}`
    : `${stack}/${event.logicalId} (${event.resourceType})`;
  return `${what}: ${event.status}${event.reason === undefined || event.reason === '' ? '' : `: ${event.reason}`}`;
}

/** Whether an event is worth an error annotation: a resource (or the stack) that failed. */
export function isFailureEvent(event: StackEvent): boolean {
  return event.status.endsWith('_FAILED');
}

/** One plain line per change, for the log. */
export function describeChange(stack: string, change: ResourceChange): string {
  const replacement =
    change.replacement === undefined ? '' : ` (replacement: ${change.replacement})`;
  return `${stack}: ${change.action} ${change.logicalId} ${change.resourceType}${replacement}`;
}
