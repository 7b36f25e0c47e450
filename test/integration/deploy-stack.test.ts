import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryKit, failureMessage } from '@cutover/action-kit';
import { CloudFormationEngine, s3TemplateUploader } from '@cutover/aws';
import type { Clock } from '@cutover/kit';
import { main } from '../../actions/deploy-stack/src/main.js';
import { FakeCloudFormation } from '../support/fake-cloudformation.js';
import { FakeS3 } from '../support/fake-s3.js';

const root = join(import.meta.dirname, '../..');
const PLAN = 'examples/plans/lightning-talk-circle-blue-green.yaml';
const saved = { ...process.env };
let cfn: FakeCloudFormation;
let s3: FakeS3;

/** Real time run 100 times faster: polls of 5-15 s take 50-150 ms, the fake steps in real ms. */
function fastClock(): Clock {
  const start = Date.now();
  return {
    now: () => start + (Date.now() - start) * 100,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms / 100)),
  };
}

async function deploy(inputs: Record<string, string>, files: Record<string, string> = {}) {
  const workspace = mkdtempSync(join(tmpdir(), 'cutover-deploy-'));
  cpSync(join(root, 'examples'), join(workspace, 'examples'), { recursive: true });
  for (const [path, text] of Object.entries(files)) writeFileSync(join(workspace, path), text);
  const kit = createMemoryKit({
    inputs: { 'rollback-record': join(workspace, 'record.json'), ...inputs },
    env: { GITHUB_WORKSPACE: workspace, GITHUB_RUN_ID: '42' },
    clock: fastClock(),
  });
  let failure: string | undefined;
  try {
    await main(kit, {
      stackEngine: (region) =>
        Promise.resolve(new CloudFormationEngine({ region, endpoint: cfn.url })),
      onCancel: () => undefined,
      // S3 on loopback; CloudFormation reads the uploaded body from the URL the uploader returns.
      templateUploader: ({ bucket, region, prefix }) => {
        const upload = s3TemplateUploader({ bucket, region, prefix, endpoint: s3.url });
        return Promise.resolve(async (stack: string, body: string) => {
          const url = await upload(stack, body);
          cfn.objects.set(url, s3.objectAt(url) ?? '');
          return url;
        });
      },
    });
  } catch (error) {
    failure = failureMessage(error);
  }
  return { kit, failure, workspace };
}

beforeAll(() => {
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
});
afterAll(() => {
  process.env = saved;
});
beforeEach(async () => {
  cfn = await new FakeCloudFormation().start();
  cfn.stepMs = 3;
  s3 = await new FakeS3().start();
  s3.createBucket('ltc-templates');
});
afterEach(async () => {
  await cfn.stop();
  await s3.stop();
});

describe('deploy-stack against CloudFormation (fake on loopback, real SDK)', () => {
  it('deploys the seven Lightning Talk Circle stacks in three waves, passing outputs on', async () => {
    const { kit, failure } = await deploy({ plan: PLAN, region: 'ap-northeast-1' });
    expect(failure).toBeUndefined();
    const results = JSON.parse(kit.outputs.results ?? '[]') as { name: string; status: string }[];
    expect(results.map((r) => r.name).sort()).toEqual(
      [
        'LightningTalk-Api-prod',
        'LightningTalk-Database-prod',
        'LightningTalk-DisasterRecovery-prod',
        'LightningTalk-Monitoring-prod',
        'LightningTalk-Observability-prod',
        'LightningTalk-Security-prod',
        'LightningTalk-StaticSite-prod',
      ].sort(),
    );
    expect(kit.outputs.changed).toBe('true');
    // The API got the database's endpoint as its DatabaseHost parameter.
    const api = cfn.stack('LightningTalk-Api-prod');
    expect(api?.status).toBe('CREATE_COMPLETE');
    const outputs = JSON.parse(kit.outputs.outputs ?? '{}') as Record<
      string,
      Record<string, string>
    >;
    expect(outputs['LightningTalk-Database-prod']).toBeDefined();
    expect(kit.summary).toContain('LightningTalk-StaticSite-prod');
    // The rollback record names every stack this run created.
    const record = JSON.parse(readFileSync(kit.outputs['rollback-record'] ?? '', 'utf8')) as {
      stacks: { name: string; existed: boolean }[];
    };
    expect(record.stacks).toHaveLength(7);
    expect(record.stacks.every((s) => !s.existed)).toBe(true);
  }, 60_000);

  it('runs again with nothing to change: every change set empty, changed false', async () => {
    const first = await deploy({ plan: PLAN, region: 'ap-northeast-1' });
    expect(first.kit.outputs.changed).toBe('true');
    const { kit, failure } = await deploy({ plan: PLAN, region: 'ap-northeast-1' });
    expect(failure).toBeUndefined();
    expect(kit.outputs.changed).toBe('false');
  }, 60_000);

  it('stops scheduling when a stack rolls back, and fails naming the resource and its reason', async () => {
    cfn.failResource('LightningTalk-Api-prod', 'Cluster', 'Resource limit exceeded');
    const { kit, failure } = await deploy({ plan: PLAN, region: 'ap-northeast-1' });
    expect(failure).toMatch(/LightningTalk-Api-prod/);
    const results = JSON.parse(kit.outputs.results ?? '[]') as { name: string; status: string }[];
    const status = (name: string) => results.find((r) => r.name === name)?.status;
    expect(status('LightningTalk-Api-prod')).toBe('failed');
    // Nothing after the API started.
    expect(cfn.stack('LightningTalk-StaticSite-prod')).toBeUndefined();
    expect(cfn.stack('LightningTalk-Monitoring-prod')).toBeUndefined();
    expect(kit.logs.map((l) => l.message).join('\n')).toContain('Resource limit exceeded');
    // The failed resource is an annotation of its own, with its reason.
    expect(kit.logs).toContainEqual(
      expect.objectContaining({
        level: 'error',
        message: expect.stringContaining('Resource limit exceeded') as unknown,
      }),
    );
  }, 60_000);

  it('in plan mode shows the change sets and leaves no stack behind', async () => {
    const { kit, failure } = await deploy({
      plan: PLAN,
      region: 'ap-northeast-1',
      stacks: 'LightningTalk-Database-prod,LightningTalk-Security-prod',
      mode: 'plan',
    });
    expect(failure).toBeUndefined();
    expect(kit.summary).toContain('Add');
    expect(cfn.stack('LightningTalk-Database-prod')?.status ?? 'gone').not.toBe('CREATE_COMPLETE');
  }, 60_000);

  it('uploads a template over the inline limit to the template bucket and deploys it from there', async () => {
    const big = {
      Resources: Object.fromEntries(
        Array.from({ length: 400 }, (_, i) => [
          `Topic${i}`,
          { Type: 'AWS::SNS::Topic', Properties: { TopicName: `topic-${i}-${'x'.repeat(100)}` } },
        ]),
      ),
      Outputs: { Count: { Value: '400' } },
    };
    const body = JSON.stringify(big);
    expect(body.length).toBeGreaterThan(51_200);
    const plan = readFileSync(
      join(root, 'examples/plans/lightning-talk-circle-blue-green.yaml'),
      'utf8',
    ).replace(/^stacks:[\s\S]*$/m, 'stacks:\n  - name: Big\n    template: big.json\n');
    const { kit, failure } = await deploy(
      { plan: 'plan.yaml', region: 'ap-northeast-1', 'template-bucket': 'ltc-templates' },
      { 'plan.yaml': plan, 'big.json': body },
    );
    expect(failure).toBeUndefined();
    expect(cfn.stack('Big')?.status).toBe('CREATE_COMPLETE');
    expect([...s3.objects.keys()]).toEqual([
      expect.stringMatching(/^ltc-templates\/cutover-templates\/Big\/[0-9a-f]{64}\.template$/),
    ]);
    expect(kit.outputs.changed).toBe('true');
  }, 60_000);

  it('fails a template over the inline limit without a template bucket, naming the input', async () => {
    const body = JSON.stringify({
      Resources: { T: { Type: 'AWS::SNS::Topic', Properties: { P: 'x'.repeat(60_000) } } },
    });
    const plan = readFileSync(
      join(root, 'examples/plans/lightning-talk-circle-blue-green.yaml'),
      'utf8',
    ).replace(/^stacks:[\s\S]*$/m, 'stacks:\n  - name: Big\n    template: big.json\n');
    const { failure } = await deploy(
      { plan: 'plan.yaml', region: 'ap-northeast-1' },
      { 'plan.yaml': plan, 'big.json': body },
    );
    expect(failure).toMatch(/51,?200|template-bucket|inline/);
    expect(cfn.stack('Big')).toBeUndefined();
  });

  it('deploys the stacks of a CDK cloud assembly, the nested stage after what it depends on', async () => {
    const { kit, failure } = await deploy({
      cdk: 'examples/cdk/lightning-talk-circle/cdk.out',
      region: 'ap-northeast-1',
    });
    expect(failure).toBeUndefined();
    const results = JSON.parse(kit.outputs.results ?? '[]') as { name: string; status: string }[];
    expect(results).toHaveLength(7);
    expect(results.every((r) => r.status === 'deployed')).toBe(true);
  }, 60_000);

  it('refuses input cdk naming neither an assembly nor a CDK app', async () => {
    const { failure } = await deploy({ cdk: 'examples/cfn', region: 'ap-northeast-1' });
    expect(failure).toMatch(/input 'cdk': .* is neither a cloud assembly .* nor a CDK app/);
  });

  it('deploys only the named stacks, reading the outputs of the others as they stand', async () => {
    const foundation = await deploy({
      plan: PLAN,
      region: 'ap-northeast-1',
      stacks: 'LightningTalk-Database-prod,LightningTalk-Security-prod',
    });
    expect(foundation.failure).toBeUndefined();
    const { kit, failure } = await deploy({
      plan: PLAN,
      region: 'ap-northeast-1',
      stacks: 'LightningTalk-Api-prod',
    });
    expect(failure).toBeUndefined();
    expect(JSON.parse(kit.outputs.results ?? '[]')).toEqual([
      expect.objectContaining({ name: 'LightningTalk-Api-prod', status: 'deployed' }),
    ]);
    expect(cfn.stack('LightningTalk-Api-prod')?.status).toBe('CREATE_COMPLETE');
  }, 60_000);

  it('refuses a template outside the workspace', async () => {
    const { failure } = await deploy({ cdk: '../../etc', region: 'ap-northeast-1' });
    expect(failure).toMatch(/outside the workspace/);
  });
});
