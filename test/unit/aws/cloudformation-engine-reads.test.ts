import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudFormationEngine } from '@cutover/aws';

const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/Network/aaaa';
const NESTED_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/Network-Network-1X/bbbb';
let server: Server;
let url: string;
const saved = { ...process.env };

const wrap = (action: string, body: string) =>
  `<${action}Response xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><${action}Result>${body}</${action}Result><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></${action}Response>`;

const event = (id: string, logical: string, physical: string, type: string, status: string) =>
  `<member><StackId>${STACK_ID}</StackId><EventId>${id}</EventId><StackName>Network</StackName><LogicalResourceId>${logical}</LogicalResourceId><PhysicalResourceId>${physical}</PhysicalResourceId><ResourceType>${type}</ResourceType><Timestamp>2026-01-01T00:00:0${id}Z</Timestamp><ResourceStatus>${status}</ResourceStatus><ClientRequestToken>tok</ClientRequestToken></member>`;

beforeAll(async () => {
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const action = new URLSearchParams(body).get('Action') ?? '';
      res.setHeader('content-type', 'text/xml');
      if (action === 'DescribeStackEvents')
        // Newest first: the parent is still CREATE_IN_PROGRESS; its nested stack resource
        // (logical id "Network", same as the parent's name: legal, and what a hand-written
        // template may well call it) has just completed.
        return res.end(
          wrap(
            action,
            `<StackEvents>${event('3', 'Network', NESTED_ID, 'AWS::CloudFormation::Stack', 'CREATE_COMPLETE')}${event('2', 'Network', NESTED_ID, 'AWS::CloudFormation::Stack', 'CREATE_IN_PROGRESS')}${event('1', 'Network', STACK_ID, 'AWS::CloudFormation::Stack', 'CREATE_IN_PROGRESS')}</StackEvents>`,
          ),
        );
      if (action === 'DescribeStacks')
        return res.end(
          wrap(
            action,
            `<Stacks><member><StackId>${STACK_ID}</StackId><StackName>Network</StackName><StackStatus>UPDATE_COMPLETE</StackStatus><CreationTime>2026-01-01T00:00:00Z</CreationTime><Parameters>` +
              `<member><ParameterKey>AmiId</ParameterKey><ParameterValue>/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64</ParameterValue><ResolvedValue>ami-0abcdef1234567890</ResolvedValue></member>` +
              `<member><ParameterKey>DbPassword</ParameterKey><ParameterValue>****</ParameterValue></member>` +
              `</Parameters></member></Stacks>`,
          ),
        );
      res.statusCode = 400;
      res.end(
        '<ErrorResponse><Error><Code>InvalidAction</Code><Message>no</Message></Error></ErrorResponse>',
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  process.env = saved;
  await new Promise((resolve) => server.close(resolve));
});

describe('CloudFormationEngine reading what CloudFormation shows', () => {
  // D: isStack is `type === Stack && (physical === StackId || logical === StackName)`.
  it('does not take a nested stack resource named like its parent for the parent itself', async () => {
    const engine = new CloudFormationEngine({ region: 'us-east-1', endpoint: url });
    const events = await engine.stackEvents('Network', undefined);
    const own = events.filter((e) => e.isStack).map((e) => e.status);
    // Only the parent's own CREATE_IN_PROGRESS; the nested stack's CREATE_COMPLETE would end the
    // wait as "deployed" while the parent is still being created (and may yet roll back).
    expect(own).toEqual(['CREATE_IN_PROGRESS']);
  });

  // F: the rollback record takes describeStack().parameters, i.e. ResolvedValue ?? ParameterValue.
  it('keeps an SSM-typed parameter as its parameter name, not its resolved value', async () => {
    const engine = new CloudFormationEngine({ region: 'us-east-1', endpoint: url });
    const stack = await engine.describeStack('Network');
    expect(stack?.parameters.AmiId).toBe(
      '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
    );
  });

  it('records a NoEcho parameter as the mask CloudFormation shows, which the rollback refuses to send back', async () => {
    const engine = new CloudFormationEngine({ region: 'us-east-1', endpoint: url });
    const stack = await engine.describeStack('Network');
    // Never a value of our own making: restore-stacks refuses "****" (see restore-stacks.test).
    expect(stack?.parameters.DbPassword).toBe('****');
  });
});
