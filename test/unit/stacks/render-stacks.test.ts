import { describe, expect, it } from 'vitest';
import {
  describeStackEvent,
  renderChangeSet,
  renderStackResults,
  type StackResult,
} from '@cutover/stacks';

const result = (fields: Partial<StackResult>): StackResult => ({
  name: 'Api',
  status: 'deployed',
  durationMs: 65_000,
  changed: true,
  reason: undefined,
  outputs: {},
  changes: [],
  stackStatus: 'UPDATE_COMPLETE',
  failures: [],
  error: undefined,
  ...fields,
});

describe('rendering stacks', () => {
  it('renders a change set as a table, escaping what came from the API', () => {
    expect(
      renderChangeSet('Api', [
        {
          action: 'Modify',
          logicalId: 'Fn|x',
          resourceType: 'AWS::Lambda::Function',
          replacement: 'True',
        },
        {
          action: 'Add',
          logicalId: 'Topic',
          resourceType: 'AWS::SNS::Topic',
          replacement: undefined,
        },
      ]),
    ).toBe(
      [
        '### Change set: Api',
        '',
        '| Action | Logical id | Type | Replacement |',
        '| --- | --- | --- | --- |',
        '| Modify | Fn\\|x | AWS::Lambda::Function | True |',
        '| Add | Topic | AWS::SNS::Topic |  |',
      ].join('\n'),
    );
    expect(renderChangeSet('Api', [])).toBe('### Change set: Api\n\nNo changes.');
  });

  it('renders the per-stack results with status, duration, changed and reason', () => {
    expect(
      renderStackResults([
        result({}),
        result({
          name: 'Web',
          status: 'failed',
          changed: true,
          stackStatus: 'UPDATE_ROLLBACK_COMPLETE',
          reason: 'Fn <bad>',
        }),
        result({
          name: 'Ops',
          status: 'skipped',
          changed: false,
          stackStatus: undefined,
          reason: 'not started: Web failed',
        }),
      ]),
    ).toBe(
      [
        '### Stacks',
        '',
        '| Stack | Status | Duration | Changed | Reason |',
        '| --- | --- | --- | --- | --- |',
        '| Api | deployed (UPDATE\\_COMPLETE) | 1m 05s | yes |  |',
        '| Web | failed (UPDATE\\_ROLLBACK\\_COMPLETE) | 1m 05s | yes | Fn &lt;bad&gt; |',
        '| Ops | skipped |  | no | not started: Web failed |',
      ].join('\n'),
    );
  });

  it('describes events in one line with the failure reason', () => {
    expect(
      describeStackEvent('Api', {
        id: '1',
        timestamp: '',
        logicalId: 'Fn',
        resourceType: 'AWS::Lambda::Function',
        status: 'UPDATE_FAILED',
        reason: 'Resource handler returned message: "denied"',
        isStack: false,
        clientRequestToken: undefined,
      }),
    ).toBe(
      'Api/Fn (AWS::Lambda::Function): UPDATE_FAILED: Resource handler returned message: "denied"',
    );
  });
});
