import { describe, expect, it } from 'vitest';
import { parseStackSpecs, stackWaves } from '@cutover/stacks';

const errorsOf = (raw: unknown) => {
  const result = parseStackSpecs(raw);
  return result.ok ? [] : result.errors;
};

describe('parseStackSpecs', () => {
  it('reads a list of stacks with every setting', () => {
    const result = parseStackSpecs([
      {
        name: 'Database',
        template: 'cdk.out/Database.template.json',
        'termination-protection': true,
      },
      {
        name: 'Api',
        template: 'https://bucket.s3.amazonaws.com/api.json',
        parameters: { Port: 8080, Debug: false, DbUrl: { stack: 'Database', output: 'Url' } },
        'parameters-file': 'params/api.json',
        tags: { app: 'ltc' },
        capabilities: ['CAPABILITY_IAM', 'CAPABILITY_IAM'],
        'role-arn': 'arn:aws:iam::123456789012:role/cfn',
        'rollback-triggers': {
          alarms: ['arn:aws:cloudwatch:ap-northeast-1:123456789012:alarm:api-5xx'],
          'monitoring-time': '15m',
        },
        'notification-arns': ['arn:aws:sns:ap-northeast-1:123456789012:deploys'],
        'depends-on': ['Database'],
      },
    ]);
    expect(result).toEqual({
      ok: true,
      specs: [
        expect.objectContaining({ name: 'Database', terminationProtection: true, dependsOn: [] }),
        {
          name: 'Api',
          template: 'https://bucket.s3.amazonaws.com/api.json',
          parameters: { Port: '8080', Debug: 'false', DbUrl: { stack: 'Database', output: 'Url' } },
          parametersFile: 'params/api.json',
          tags: { app: 'ltc' },
          capabilities: ['CAPABILITY_IAM'],
          roleArn: 'arn:aws:iam::123456789012:role/cfn',
          terminationProtection: undefined, // not said: the stack keeps its setting
          rollbackTriggers: {
            alarmArns: ['arn:aws:cloudwatch:ap-northeast-1:123456789012:alarm:api-5xx'],
            monitoringTimeMinutes: 15,
          },
          notificationArns: ['arn:aws:sns:ap-northeast-1:123456789012:deploys'],
          dependsOn: ['Database'],
        },
      ],
    });
  });

  it('reads a mapping of stack name to stack', () => {
    const result = parseStackSpecs({
      Database: { template: 'db.json' },
      Api: { template: 'api.json', 'depends-on': ['Database'] },
    });
    expect(result.ok && result.specs.map((s) => [s.name, s.dependsOn])).toEqual([
      ['Database', []],
      ['Api', ['Database']],
    ]);
  });

  it('reports every problem at once, each with its path', () => {
    expect(
      errorsOf([
        {
          name: 'Database',
          template: 'ftp://host/db.json',
          capabilities: ['CAPABILITY_RESOURCE_POLICY'],
          colour: 'blue',
        },
        {
          name: '9lives',
          template: 'x.json',
          'rollback-triggers': { alarms: ['not-an-arn'], 'monitoring-time': '181m' },
        },
        { template: 'x.json' },
      ]),
    ).toEqual([
      'stacks[0].template: expected a file path or an https URL of a template in S3, got "ftp://host/db.json" (CloudFormation reads templates from https S3 URLs only)',
      'stacks[0].capabilities.0: expected one of CAPABILITY_IAM, CAPABILITY_NAMED_IAM, CAPABILITY_AUTO_EXPAND, got "CAPABILITY_RESOURCE_POLICY"',
      'stacks[0].colour: unknown key; allowed: name, template, parameters, parameters-file, tags, capabilities, role-arn, termination-protection, rollback-triggers, notification-arns, depends-on',
      'stacks[1].name: expected a stack name like "Database" (a letter, then letters, digits or "-", at most 128), got "9lives"',
      'stacks[1].rollback-triggers.alarms.0: expected CloudWatch alarm ARN like "arn:aws:…", got "not-an-arn"',
      'stacks[1].rollback-triggers.monitoring-time: expected a duration in whole minutes from 0m to 180m (CloudFormation\'s limit), got "181m"',
      'stacks[2].name: expected a stack name (text), got undefined',
    ]);
  });

  it('accepts a monitoring time up to 180 minutes in any unit', () => {
    const minutes = (time: unknown) => {
      const result = parseStackSpecs([
        {
          name: 'A',
          template: 'a.json',
          'rollback-triggers': { alarms: [], 'monitoring-time': time },
        },
      ]);
      return result.ok ? result.specs[0]?.rollbackTriggers?.monitoringTimeMinutes : result.errors;
    };
    expect(minutes('3h')).toBe(180);
    expect(minutes('1h30m')).toBe(90);
    expect(minutes('120s')).toBe(2);
    expect(minutes(10)).toBe(10);
    expect(minutes('90s')).toEqual([expect.stringContaining('whole minutes')]);
    expect(minutes('3h1m')).toEqual([expect.stringContaining('got "3h1m"')]);
  });

  it('refuses unknown dependencies and duplicate names', () => {
    expect(
      errorsOf([
        { name: 'Api', template: 'a.json', 'depends-on': ['Databse'] },
        { name: 'Api', template: 'b.json' },
      ]),
    ).toEqual([
      'stacks[1]: the stack name "Api" is used twice (first at stacks[0])',
      'stacks[0].depends-on: unknown stack "Databse"; stacks: Api',
    ]);
  });

  it('names a dependency cycle', () => {
    expect(
      errorsOf({
        A: { template: 'a.json', 'depends-on': ['B'] },
        B: { template: 'b.json', 'depends-on': ['C'] },
        C: { template: 'c.json', 'depends-on': ['A'] },
      }),
    ).toEqual([
      'stacks.A.depends-on: dependency cycle A -> B -> C -> A; stacks cannot wait for each other',
    ]);
    expect(errorsOf({ A: { template: 'a.json', 'depends-on': ['A'] } })).toEqual([
      'stacks.A.depends-on: the stack A depends on itself',
    ]);
  });

  it('refuses an output taken from a stack that is not a dependency', () => {
    const errors = errorsOf([
      { name: 'Database', template: 'd.json' },
      { name: 'Api', template: 'a.json', 'depends-on': ['Database'] },
      {
        name: 'Site',
        template: 's.json',
        'depends-on': ['Api'],
        parameters: {
          Transitive: { stack: 'Database', output: 'Url' },
          Sibling: { stack: 'Monitoring', output: 'Topic' },
          Nobody: { stack: 'Ghost', output: 'X' },
        },
      },
      { name: 'Monitoring', template: 'm.json' },
    ]);
    expect(errors).toEqual([
      'stacks[2].parameters.Sibling: takes output Topic of stack Monitoring, which is not among its dependencies; add Monitoring to depends-on so it deploys first',
      'stacks[2].parameters.Nobody: takes an output of unknown stack "Ghost"; stacks: Database, Api, Site, Monitoring',
    ]);
  });

  it('refuses something that is no list or mapping, and an empty section', () => {
    expect(errorsOf('Database')).toEqual([
      'stacks: expected a list of stacks [{name, template, …}] or a mapping of stack name to stack, got string',
    ]);
    expect(errorsOf([])).toEqual(['stacks: expected at least one stack']);
  });

  it('groups stacks in waves', () => {
    const result = parseStackSpecs([
      { name: 'Database', template: 'x' },
      { name: 'Security', template: 'x' },
      { name: 'Api', template: 'x', 'depends-on': ['Database', 'Security'] },
      { name: 'StaticSite', template: 'x', 'depends-on': ['Api'] },
      { name: 'Monitoring', template: 'x', 'depends-on': ['StaticSite'] },
    ]);
    expect(result.ok && stackWaves(result.specs)).toEqual([
      ['Database', 'Security'],
      ['Api'],
      ['StaticSite'],
      ['Monitoring'],
    ]);
  });
});
