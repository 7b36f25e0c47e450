import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AwsServiceError,
  CloudFormationEngine,
  s3TemplateUploader,
  templateUrl,
} from '@cutover/aws';
import { type Clock, ConfigError } from '@cutover/kit';
import { INLINE_TEMPLATE_LIMIT_BYTES, type StackSpec, deployStacks } from '@cutover/stacks';
import { FakeCloudFormation } from '../support/fake-cloudformation.js';
import { FakeS3 } from '../support/fake-s3.js';

let s3: FakeS3;
const saved = { ...process.env };
const BUCKET = 'cutover-templates-123456789012';
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** A JSON template over the inline limit: one bucket and a long description. */
const bigTemplate = (bucketName: string) =>
  JSON.stringify({
    Description: 'x'.repeat(INLINE_TEMPLATE_LIMIT_BYTES),
    Resources: {
      Assets: { Type: 'AWS::S3::Bucket', Properties: { BucketName: bucketName } },
    },
    Outputs: { AssetsBucket: { Value: bucketName } },
  });

/** What a thrown promise rejected with, for assertions on its class and message. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection, got a result');
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
  s3 = await new FakeS3().start();
  s3.createBucket(BUCKET);
});
afterEach(async () => {
  await s3.stop();
});

const uploader = (overrides: { bucket?: string; prefix?: string; owner?: string } = {}) =>
  s3TemplateUploader({
    bucket: overrides.bucket ?? BUCKET,
    region: 'ap-northeast-1',
    prefix: overrides.prefix,
    endpoint: s3.url,
    expectedBucketOwner: overrides.owner,
  });

describe('S3 template store on the real SDK against a fake S3', () => {
  it('puts the body under <prefix>/<stack>/<sha256>.template and returns the URL to read it at', async () => {
    const body = bigTemplate('assets');
    const url = await uploader({ prefix: 'cutover/templates/' })('LightningTalk-Api-prod', body);
    const key = `cutover/templates/LightningTalk-Api-prod/${sha256(body)}.template`;
    expect(url).toBe(`${s3.url}/${BUCKET}/${key}`);
    expect(s3.objects.get(`${BUCKET}/${key}`)).toBe(body);
    expect(s3.objectAt(url)).toBe(body);
    const put = s3.requests.find((r) => r.method === 'PUT');
    // Path style on an endpoint, and S3 told the checksum to verify the stored body against.
    expect(put?.path).toBe(`/${BUCKET}/${key}`);
    expect(put?.headers['x-amz-checksum-sha256']).toBe(
      createHash('sha256').update(body).digest('base64'),
    );
  });

  it('writes the same key for the same body, from a retry or a fresh run, and a new one for a new body', async () => {
    const upload = uploader();
    const first = await upload('Api', '{"Resources":{}}');
    expect(await upload('Api', '{"Resources":{}}')).toBe(first);
    expect(await uploader()('Api', '{"Resources":{}}')).toBe(first);
    const changed = await upload('Api', '{"Resources":{"A":{"Type":"AWS::SNS::Topic"}}}');
    expect(changed).not.toBe(first);
    expect([...s3.objects.keys()].sort()).toEqual(
      [
        `${BUCKET}/Api/${sha256('{"Resources":{}}')}.template`,
        `${BUCKET}/Api/${sha256('{"Resources":{"A":{"Type":"AWS::SNS::Topic"}}}')}.template`,
      ].sort(),
    );
  });

  it('turns a missing bucket into a ConfigError naming the bucket and the action', async () => {
    const error = await rejection(uploader({ bucket: 'no-such-bucket' })('Api', '{}'));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('PutObject on arn:aws:s3:::no-such-bucket/Api/');
    expect(error.message).toContain('NoSuchBucket');
  });

  it('turns AccessDenied into a ConfigError naming s3:PutObject on the bucket and key', async () => {
    s3.deny(BUCKET);
    const error = await rejection(uploader()('Api', '{}'));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain(
      `the role needs IAM permission s3:PutObject on arn:aws:s3:::${BUCKET}/Api/${sha256('{}')}.template`,
    );
    expect(s3.objects.size).toBe(0);
  });

  it('says the bucket is in another region when S3 redirects (PermanentRedirect)', async () => {
    s3.createBucket('templates-eu', { region: 'eu-west-1' });
    const error = await rejection(uploader({ bucket: 'templates-eu' })('Api', '{}'));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('PutObject on arn:aws:s3:::templates-eu/Api/');
    expect(error.message).toContain(
      'PermanentRedirect); the bucket is in another region than the one configured',
    );
  });

  it('stores nothing from a body damaged on the way and says another try may help (BadDigest)', async () => {
    s3.corruptNext = 1;
    const error = await rejection(uploader()('Api', '{"Resources":{}}'));
    expect(error).toBeInstanceOf(AwsServiceError);
    expect(error.message).toContain('did not reach AWS intact (BadDigest)');
    expect(s3.objects.size).toBe(0);
  });

  it('refuses a bucket another account owns when the owner is given, and says so', async () => {
    const error = await rejection(uploader({ owner: '210987654321' })('Api', '{}'));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain(`bucket ${BUCKET} is not owned by account 210987654321`);
    expect(s3.objects.size).toBe(0);
    await uploader({ owner: '123456789012' })('Api', '{}');
    expect(s3.objects.size).toBe(1);
  });

  it('refuses, before any request, a bad bucket name, a bad owner and a template over the 1 MB S3 limit', async () => {
    expect(() => uploader({ bucket: 'Templates_Bucket' })).toThrow(
      /template bucket: expected an S3 bucket name .* got "Templates_Bucket"/,
    );
    expect(() => uploader({ owner: 'me' })).toThrow(/expected a 12-digit AWS account id, got "me"/);
    const error = await rejection(uploader()('Api', 'x'.repeat(1_048_577)));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('1048577 bytes');
    expect(s3.requests).toHaveLength(0);
  });
});

describe('template URLs CloudFormation reads', () => {
  it('uses the virtual-hosted URL of the region, path style for dotted buckets, and the China domain', () => {
    const key = 'cutover/Api/ab.template';
    expect(templateUrl({ bucket: 'templates', region: 'eu-west-1', key })).toBe(
      'https://templates.s3.eu-west-1.amazonaws.com/cutover/Api/ab.template',
    );
    expect(templateUrl({ bucket: 'templates.example.com', region: 'eu-west-1', key })).toBe(
      'https://s3.eu-west-1.amazonaws.com/templates.example.com/cutover/Api/ab.template',
    );
    expect(templateUrl({ bucket: 'templates', region: 'cn-north-1', key })).toBe(
      'https://templates.s3.cn-north-1.amazonaws.com.cn/cutover/Api/ab.template',
    );
    expect(
      templateUrl({
        bucket: 'templates',
        region: 'eu-west-1',
        key: 'my templates/Api/ab.template',
      }),
    ).toBe('https://templates.s3.eu-west-1.amazonaws.com/my%20templates/Api/ab.template');
  });
});

describe('deployStacks with a template over the inline limit', () => {
  let cfn: FakeCloudFormation;
  beforeEach(async () => {
    cfn = await new FakeCloudFormation().start();
    cfn.stepMs = 2;
  });
  afterEach(async () => {
    await cfn.stop();
  });

  it('uploads it to S3 and deploys it from the TemplateURL', async () => {
    const upload = uploader({ prefix: 'cutover' });
    const body = bigTemplate('lightningtalk-assets');
    const spec: StackSpec = {
      name: 'LightningTalk-StaticSite-prod',
      template: 'static-site.template.json',
      parameters: {},
      parametersFile: undefined,
      tags: {},
      capabilities: [],
      roleArn: undefined,
      terminationProtection: false,
      rollbackTriggers: undefined,
      notificationArns: [],
      dependsOn: [],
    };
    // Real time, 100 times faster: the fake steps on real timers.
    const start = Date.now();
    const clock: Clock = {
      now: () => start + (Date.now() - start) * 100,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms / 100)),
    };
    const outcome = await deployStacks(
      [spec],
      new CloudFormationEngine({
        region: 'ap-northeast-1',
        endpoint: cfn.url,
      }),
      {
        clock,
        readFile: () => Promise.resolve(body),
        // The fake CloudFormation reads TemplateURLs from its own map: hand it what S3 stored.
        uploadTemplate: async (stack, template) => {
          const url = await upload(stack, template);
          cfn.objects.set(url, s3.objectAt(url) ?? '');
          return url;
        },
        runId: 'run-1',
      },
    );
    expect(outcome.error).toBeUndefined();
    expect(outcome.stacks[0]).toMatchObject({ status: 'deployed', changed: true });
    expect(outcome.stacks[0]?.outputs).toEqual({ AssetsBucket: 'lightningtalk-assets' });
    expect(s3.objects.get(`${BUCKET}/cutover/${spec.name}/${sha256(body)}.template`)).toBe(body);
  });
});
