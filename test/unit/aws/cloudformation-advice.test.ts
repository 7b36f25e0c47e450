import { describe, expect, it } from 'vitest';
import { adviceFor } from '@cutover/aws';
import { ConfigError, ConflictError } from '@cutover/kit';

const call = {
  service: 'cloudformation',
  action: 'CreateChangeSet',
  resource: 'arn:aws:cloudformation:ap-northeast-1:*:stack/LightningTalkApi/*',
};
/** An error shaped as the AWS SDK v3 throws CloudFormation's query-protocol errors. */
const sdkError = (name: string, message: string, status = 400) =>
  Object.assign(new Error(message), {
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: status },
  });

describe('CloudFormation error advice', () => {
  it('reports a stack whose state forbids the operation as a conflict to re-read, whatever the state', () => {
    for (const error of [
      sdkError(
        'ValidationError',
        'Stack:arn:aws:cloudformation:ap-northeast-1:123456789012:stack/LightningTalkApi/1 is in UPDATE_IN_PROGRESS state and can not be updated.',
      ),
      sdkError(
        'ValidationError',
        'Stack:arn:x is in ROLLBACK_COMPLETE state and can not be updated.',
      ),
      sdkError(
        'InvalidChangeSetStatusException',
        'ChangeSet [arn:x] cannot be executed in its current status of [CREATE_PENDING]',
      ),
      sdkError('AlreadyExistsException', 'Stack [LightningTalkApi] already exists'),
      sdkError('OperationInProgressException', 'Another operation is in progress'),
    ]) {
      const advice = adviceFor(error, call);
      expect(advice, error.message).toBeInstanceOf(ConflictError);
      expect(advice.message).toContain(
        'CreateChangeSet on arn:aws:cloudformation:ap-northeast-1:*:stack/LightningTalkApi/*',
      );
    }
  });

  it('reports a stack or change set that does not exist as not found', () => {
    for (const error of [
      sdkError('ValidationError', 'Stack with id LightningTalkApi does not exist'),
      sdkError('ChangeSetNotFoundException', 'ChangeSet [cutover-1] does not exist', 404),
    ]) {
      const advice = adviceFor(error, call);
      expect(advice).toBeInstanceOf(ConfigError);
      expect(advice.message).toContain(`not found (${error.name})`);
    }
  });

  it('says what to change for missing capabilities, a reused token and a quota', () => {
    const cases: [string, string][] = [
      ['InsufficientCapabilitiesException', 'CAPABILITY_NAMED_IAM'],
      ['TokenAlreadyExistsException', 'each operation needs its own token'],
      ['LimitExceededException', 'quota'],
    ];
    for (const [code, hint] of cases) {
      const advice = adviceFor(sdkError(code, 'AWS says no'), call);
      expect(advice).toBeInstanceOf(ConfigError);
      expect(advice.message).toContain(`refused by AWS (${code}); `);
      expect(advice.message).toContain(hint);
    }
  });

  it('keeps other validation errors as refusals naming the call', () => {
    const advice = adviceFor(
      sdkError('ValidationError', 'Parameters: [Colour] must have values'),
      call,
    );
    expect(advice).toBeInstanceOf(ConfigError);
    expect(advice.message).toContain(
      'refused by AWS (ValidationError): Parameters: [Colour] must have values',
    );
  });
});
