import type { StackEvent } from './stack-engine.js';

/** An operation runs on the stack: nothing else may start on it until it ends. */
export function isBusy(status: string): boolean {
  return status.endsWith('_IN_PROGRESS') && status !== 'REVIEW_IN_PROGRESS';
}

/** The operation has ended (the stack's status no longer moves by itself). */
export function isTerminal(status: string): boolean {
  return !status.endsWith('_IN_PROGRESS');
}

/** The states a deployment ends well in. */
export function isSuccess(status: string): boolean {
  return (
    status === 'CREATE_COMPLETE' || status === 'UPDATE_COMPLETE' || status === 'IMPORT_COMPLETE'
  );
}

/** The first sign of failure: CloudFormation started undoing the operation. */
export function isRollingBack(status: string): boolean {
  return status.endsWith('ROLLBACK_IN_PROGRESS');
}

/** CreateChangeSet's answer when the template and parameters change nothing. */
export function isEmptyChangeSet(reason: string | undefined): boolean {
  return (
    reason !== undefined &&
    /didn'?t contain changes|No updates are to be performed|does not contain changes/i.test(reason)
  );
}

export interface ResourceFailure {
  logicalId: string;
  resourceType: string;
  status: string;
  reason: string;
}

/** Failed resources among events (oldest first), once per logical id, the first reason kept. */
export function resourceFailures(events: readonly StackEvent[]): ResourceFailure[] {
  const found = new Map<string, ResourceFailure>();
  for (const event of events) {
    if (event.isStack || !event.status.endsWith('_FAILED') || found.has(event.logicalId)) continue;
    found.set(event.logicalId, {
      logicalId: event.logicalId,
      resourceType: event.resourceType,
      status: event.status,
      reason: event.reason ?? 'no reason given',
    });
  }
  return [...found.values()];
}

export function describeFailures(failures: readonly ResourceFailure[]): string {
  return failures
    .map(
      (failure) =>
        `${failure.logicalId} (${failure.resourceType}) ${failure.status}: ${failure.reason}`,
    )
    .join('; ');
}
