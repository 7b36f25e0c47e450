/**
 * What the stack domain needs from CloudFormation, as data. The domain (this package) decides;
 * an adapter (packages/aws/src/cloudformation-engine.ts, on the real SDK) implements this
 * interface and nothing else. Names and states follow the CloudFormation API reference.
 */

/** CloudFormation stack statuses (API reference: Stack.StackStatus). */
export type StackStatus =
  | 'CREATE_IN_PROGRESS'
  | 'CREATE_FAILED'
  | 'CREATE_COMPLETE'
  | 'ROLLBACK_IN_PROGRESS'
  | 'ROLLBACK_FAILED'
  | 'ROLLBACK_COMPLETE'
  | 'DELETE_IN_PROGRESS'
  | 'DELETE_FAILED'
  | 'DELETE_COMPLETE'
  | 'UPDATE_IN_PROGRESS'
  | 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS'
  | 'UPDATE_COMPLETE'
  | 'UPDATE_FAILED'
  | 'UPDATE_ROLLBACK_IN_PROGRESS'
  | 'UPDATE_ROLLBACK_FAILED'
  | 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS'
  | 'UPDATE_ROLLBACK_COMPLETE'
  | 'REVIEW_IN_PROGRESS'
  | 'IMPORT_IN_PROGRESS'
  | 'IMPORT_COMPLETE'
  | 'IMPORT_ROLLBACK_IN_PROGRESS'
  | 'IMPORT_ROLLBACK_FAILED'
  | 'IMPORT_ROLLBACK_COMPLETE';

export interface StackDescription {
  name: string;
  id: string;
  status: StackStatus;
  statusReason: string | undefined;
  outputs: Record<string, string>;
  parameters: Record<string, string>;
  tags: Record<string, string>;
  terminationProtection: boolean;
  lastUpdated: string | undefined;
}

export interface StackEvent {
  id: string;
  timestamp: string;
  logicalId: string;
  resourceType: string;
  status: string;
  reason: string | undefined;
  /** Events of the stack itself carry its status: polling events alone tells where it stands. */
  isStack: boolean;
  /**
   * The ClientRequestToken of the operation that caused the event (ExecuteChangeSet,
   * ContinueUpdateRollback, ...; rollbacks carry the token of the operation they undo), so the
   * first poll after an operation keeps only its own events. undefined when the API gave none.
   */
  clientRequestToken: string | undefined;
}

export interface ResourceChange {
  action: 'Add' | 'Modify' | 'Remove' | 'Import' | 'Dynamic';
  logicalId: string;
  resourceType: string;
  /** 'True' | 'False' | 'Conditional' from the API; undefined when not a Modify. */
  replacement: string | undefined;
}

export interface ChangeSetDescription {
  id: string;
  status:
    'CREATE_PENDING' | 'CREATE_IN_PROGRESS' | 'CREATE_COMPLETE' | 'DELETE_COMPLETE' | 'FAILED';
  executionStatus: string | undefined;
  statusReason: string | undefined;
  changes: ResourceChange[];
}

/** Everything one stack deployment sends (CreateChangeSet's parameters). */
export interface StackRequest {
  name: string;
  /** Exactly one of templateBody / templateUrl. */
  templateBody?: string;
  templateUrl?: string;
  parameters: Record<string, string>;
  tags: Record<string, string>;
  capabilities: string[];
  roleArn?: string;
  notificationArns: string[];
  rollbackTriggers: { alarmArns: string[]; monitoringTimeMinutes: number } | undefined;
  terminationProtection: boolean | undefined;
}

export interface StackEngine {
  /** undefined when the stack does not exist (ValidationError "does not exist"). */
  describeStack(name: string): Promise<StackDescription | undefined>;
  createChangeSet(
    request: StackRequest,
    options: { changeSetName: string; type: 'CREATE' | 'UPDATE'; clientToken: string },
  ): Promise<{ id: string }>;
  describeChangeSet(stack: string, changeSetId: string): Promise<ChangeSetDescription>;
  executeChangeSet(stack: string, changeSetId: string, clientToken: string): Promise<void>;
  deleteChangeSet(stack: string, changeSetId: string): Promise<void>;
  /** Newest first, as DescribeStackEvents returns them; `after` stops at a known event id. */
  stackEvents(name: string, after: string | undefined): Promise<StackEvent[]>;
  deleteStack(name: string, clientToken: string): Promise<void>;
  cancelUpdate(name: string, clientToken: string): Promise<void>;
  continueUpdateRollback(name: string, skipResources: string[], clientToken: string): Promise<void>;
  updateTerminationProtection(name: string, enabled: boolean): Promise<void>;
  /** The template and parameters a stack runs now, for the rollback record. */
  currentTemplate(name: string): Promise<string>;
  /** Count of API calls made, for the bench. */
  readonly calls: number;
}
