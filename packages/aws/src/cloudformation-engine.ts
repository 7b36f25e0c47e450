import type {
  ChangeSetDescription,
  ResourceChange,
  StackDescription,
  StackEngine,
  StackEvent,
  StackRequest,
} from '@cutover/stacks';
import { adviceFor, codeOf } from './advice.js';
import { cloudFormationClient, lazyClient, type AwsClientOptions } from './client-factory.js';

/** Pages of DescribeStackEvents read at most while looking for a known event (100 events a page). */
const MAX_EVENT_PAGES = 20;

/**
 * The stack engine on the real CloudFormation API (SDK v3, loaded on first use). It translates
 * and nothing more: the domain decides. Throttling and network failures are retried by the SDK
 * (standard mode); what is left is mapped by adviceFor. `calls` counts HTTP requests sent,
 * retries included, since that is what AWS rate-limits and what the bench measures.
 */
export class CloudFormationEngine implements StackEngine {
  private sent = 0;
  private readonly client = lazyClient(async () => {
    const built = await cloudFormationClient(this.options);
    // At the deserialize step, inside the retry loop: once per attempt.
    built.client.middlewareStack.add(
      (next) => (args) => {
        this.sent++;
        return next(args);
      },
      { step: 'deserialize', name: 'cutoverCountCalls' },
    );
    return built;
  });

  constructor(private readonly options: AwsClientOptions) {}

  get calls(): number {
    return this.sent;
  }

  async describeStack(name: string): Promise<StackDescription | undefined> {
    const { sdk, client } = await this.client();
    let stack;
    try {
      const answer = await client.send(new sdk.DescribeStacksCommand({ StackName: name }));
      stack = answer.Stacks?.[0];
    } catch (error) {
      // DescribeStacks answers a missing stack with ValidationError "Stack with id X does not exist".
      if (missingStack(error)) return undefined;
      throw this.advice(error, 'DescribeStacks', name);
    }
    if (stack === undefined) return undefined;
    return {
      name: stack.StackName ?? name,
      id: stack.StackId ?? '',
      status: stack.StackStatus ?? 'REVIEW_IN_PROGRESS',
      statusReason: stack.StackStatusReason,
      outputs: pairs(stack.Outputs, (o) => [o.OutputKey, o.OutputValue]),
      // ParameterValue, never ResolvedValue: an SSM-typed parameter is restored by its
      // parameter name. NoEcho ones read "****" (the rollback refuses to send that back).
      parameters: pairs(stack.Parameters, (p) => [p.ParameterKey, p.ParameterValue]),
      tags: pairs(stack.Tags, (t) => [t.Key, t.Value]),
      terminationProtection: stack.EnableTerminationProtection ?? false,
      lastUpdated: (stack.LastUpdatedTime ?? stack.CreationTime)?.toISOString(),
    };
  }

  async createChangeSet(
    request: StackRequest,
    options: { changeSetName: string; type: 'CREATE' | 'UPDATE'; clientToken: string },
  ): Promise<{ id: string }> {
    const { sdk, client } = await this.client();
    try {
      const answer = await client.send(
        new sdk.CreateChangeSetCommand({
          StackName: request.name,
          ChangeSetName: options.changeSetName,
          ChangeSetType: options.type,
          // Makes the SDK's retry of a lost answer harmless (API_CreateChangeSet ClientToken).
          ClientToken: options.clientToken,
          ...(request.templateBody === undefined ? {} : { TemplateBody: request.templateBody }),
          ...(request.templateUrl === undefined ? {} : { TemplateURL: request.templateUrl }),
          Parameters: Object.entries(request.parameters).map(([ParameterKey, ParameterValue]) => ({
            ParameterKey,
            ParameterValue,
          })),
          Tags: Object.entries(request.tags).map(([Key, Value]) => ({ Key, Value })),
          Capabilities: request.capabilities as never[],
          NotificationARNs: request.notificationArns,
          ...(request.roleArn === undefined ? {} : { RoleARN: request.roleArn }),
          ...(request.rollbackTriggers === undefined
            ? {}
            : {
                RollbackConfiguration: {
                  RollbackTriggers: request.rollbackTriggers.alarmArns.map((Arn) => ({
                    Arn,
                    Type: 'AWS::CloudWatch::Alarm',
                  })),
                  MonitoringTimeInMinutes: request.rollbackTriggers.monitoringTimeMinutes,
                },
              }),
        }),
      );
      return { id: answer.Id ?? '' };
    } catch (error) {
      throw this.advice(error, 'CreateChangeSet', request.name);
    }
  }

  async describeChangeSet(stack: string, changeSetId: string): Promise<ChangeSetDescription> {
    const { sdk, client } = await this.client();
    const changes: ResourceChange[] = [];
    let next: string | undefined;
    let answer;
    try {
      do {
        answer = await client.send(
          new sdk.DescribeChangeSetCommand({
            StackName: stack,
            ChangeSetName: changeSetId,
            ...(next === undefined ? {} : { NextToken: next }),
          }),
        );
        for (const change of answer.Changes ?? []) {
          const rc = change.ResourceChange;
          if (rc === undefined) continue;
          changes.push({
            action: (rc.Action ?? 'Dynamic') as ResourceChange['action'],
            logicalId: rc.LogicalResourceId ?? '',
            resourceType: rc.ResourceType ?? '',
            replacement: rc.Action === 'Modify' ? rc.Replacement : undefined,
          });
        }
        next = answer.NextToken;
      } while (next !== undefined);
    } catch (error) {
      throw this.advice(error, 'DescribeChangeSet', stack);
    }
    return {
      id: answer.ChangeSetId ?? changeSetId,
      status: (answer.Status ?? 'CREATE_PENDING') as ChangeSetDescription['status'],
      executionStatus: answer.ExecutionStatus,
      statusReason: answer.StatusReason,
      changes,
    };
  }

  async executeChangeSet(stack: string, changeSetId: string, clientToken: string): Promise<void> {
    const { sdk, client } = await this.client();
    try {
      await client.send(
        new sdk.ExecuteChangeSetCommand({
          StackName: stack,
          ChangeSetName: changeSetId,
          ClientRequestToken: clientToken,
        }),
      );
    } catch (error) {
      throw this.advice(error, 'ExecuteChangeSet', stack);
    }
  }

  async deleteChangeSet(stack: string, changeSetId: string): Promise<void> {
    const { sdk, client } = await this.client();
    try {
      await client.send(
        new sdk.DeleteChangeSetCommand({ StackName: stack, ChangeSetName: changeSetId }),
      );
    } catch (error) {
      throw this.advice(error, 'DeleteChangeSet', stack);
    }
  }

  /**
   * Newest first. Without `after`, the newest page only (one call: enough to learn where the
   * stack stands and which event is the latest). With `after`, pages are followed until that
   * event (excluded), at most MAX_EVENT_PAGES of them.
   */
  async stackEvents(name: string, after: string | undefined): Promise<StackEvent[]> {
    const { sdk, client } = await this.client();
    const events: StackEvent[] = [];
    let next: string | undefined;
    try {
      for (let page = 0; page < MAX_EVENT_PAGES; page++) {
        const answer = await client.send(
          new sdk.DescribeStackEventsCommand({
            StackName: name,
            ...(next === undefined ? {} : { NextToken: next }),
          }),
        );
        for (const e of answer.StackEvents ?? []) {
          if (after !== undefined && e.EventId === after) return events;
          events.push({
            id: e.EventId ?? '',
            timestamp: e.Timestamp?.toISOString() ?? '',
            logicalId: e.LogicalResourceId ?? '',
            resourceType: e.ResourceType ?? '',
            status: e.ResourceStatus ?? '',
            reason: e.ResourceStatusReason,
            clientRequestToken: e.ClientRequestToken,
            // The stack's own events carry its id as the physical id; a nested stack resource
            // has the same type and may share the logical name, but its own stack's id.
            isStack:
              e.ResourceType === 'AWS::CloudFormation::Stack' &&
              (e.PhysicalResourceId
                ? e.PhysicalResourceId === e.StackId
                : e.LogicalResourceId === e.StackName),
          });
        }
        next = answer.NextToken;
        if (after === undefined || next === undefined) return events;
      }
    } catch (error) {
      throw this.advice(error, 'DescribeStackEvents', name);
    }
    return events;
  }

  async deleteStack(name: string, clientToken: string): Promise<void> {
    const { sdk, client } = await this.client();
    try {
      await client.send(
        new sdk.DeleteStackCommand({ StackName: name, ClientRequestToken: clientToken }),
      );
    } catch (error) {
      throw this.advice(error, 'DeleteStack', name);
    }
  }

  async cancelUpdate(name: string, clientToken: string): Promise<void> {
    const { sdk, client } = await this.client();
    try {
      await client.send(
        new sdk.CancelUpdateStackCommand({ StackName: name, ClientRequestToken: clientToken }),
      );
    } catch (error) {
      throw this.advice(error, 'CancelUpdateStack', name);
    }
  }

  async continueUpdateRollback(
    name: string,
    skipResources: string[],
    clientToken: string,
  ): Promise<void> {
    const { sdk, client } = await this.client();
    try {
      await client.send(
        new sdk.ContinueUpdateRollbackCommand({
          StackName: name,
          ResourcesToSkip: skipResources,
          ClientRequestToken: clientToken,
        }),
      );
    } catch (error) {
      throw this.advice(error, 'ContinueUpdateRollback', name);
    }
  }

  async updateTerminationProtection(name: string, enabled: boolean): Promise<void> {
    const { sdk, client } = await this.client();
    try {
      await client.send(
        new sdk.UpdateTerminationProtectionCommand({
          StackName: name,
          EnableTerminationProtection: enabled,
        }),
      );
    } catch (error) {
      throw this.advice(error, 'UpdateTerminationProtection', name);
    }
  }

  async currentTemplate(name: string): Promise<string> {
    const { sdk, client } = await this.client();
    try {
      const answer = await client.send(
        new sdk.GetTemplateCommand({ StackName: name, TemplateStage: 'Original' }),
      );
      return answer.TemplateBody ?? '';
    } catch (error) {
      throw this.advice(error, 'GetTemplate', name);
    }
  }

  private advice(error: unknown, action: string, stack: string): Error {
    // The resource as an IAM policy names a stack: its ARN, any account, any stack id.
    const resource = stack.startsWith('arn:')
      ? stack
      : `arn:aws:cloudformation:${this.options.region}:*:stack/${stack}/*`;
    return adviceFor(error, { service: 'cloudformation', action, resource });
  }
}

/** ValidationError "Stack with id X does not exist" (API_DescribeStacks). */
function missingStack(error: unknown): boolean {
  return (
    codeOf(error) === 'ValidationError' &&
    /does not exist/.test(error instanceof Error ? error.message : '')
  );
}

function pairs<T>(
  items: T[] | undefined,
  entry: (item: T) => [string | undefined, string | undefined],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items ?? []) {
    const [key, value] = entry(item);
    if (key !== undefined) out[key] = value ?? '';
  }
  return out;
}
