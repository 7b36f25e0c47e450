import { createHash } from 'node:crypto';
import { ConfigError } from '@cutover/kit';
import { URL_TEMPLATE_LIMIT_BYTES } from '@cutover/stacks';
import { adviceFor, codeOf } from './advice.js';
import { lazyClient, s3Client } from './client-factory.js';

/** CloudFormation's limit for a template read from S3 (TemplateURL): 1 MB. */
export const S3_TEMPLATE_LIMIT_BYTES = URL_TEMPLATE_LIMIT_BYTES;

export interface S3TemplateStoreOptions {
  /** The bucket CloudFormation reads the templates from; in `region`. */
  bucket: string;
  region: string;
  /** Folder of the keys (`cutover/templates`); none by default. */
  prefix?: string | undefined;
  /** For tests and emulators: path-style requests and URLs on this endpoint. */
  endpoint?: string | undefined;
  /**
   * The account that must own the bucket (S3's ExpectedBucketOwner): CloudFormation runs what
   * it reads there, so a bucket someone else owns must not be written to.
   */
  expectedBucketOwner?: string | undefined;
}

/** What deployStacks' `uploadTemplate` takes: stores the body and returns the https URL. */
export type TemplateUploader = (stack: string, body: string) => Promise<string>;

// S3's bucket naming rules, https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/**
 * Uploads templates over CloudFormation's inline limit with PutObject under
 * `<prefix>/<stack>/<sha256 of the body>.template`: the key is the content, so a retry or a
 * re-run writes the same object and never a second copy. The role needs s3:PutObject here, and
 * the role deploying the stack s3:GetObject on the same keys (CloudFormation reads the URL
 * with the caller's credentials). The SDK is loaded on the first upload.
 */
export function s3TemplateUploader(options: S3TemplateStoreOptions): TemplateUploader {
  const { bucket, region, endpoint, expectedBucketOwner } = options;
  if (!BUCKET.test(bucket) || bucket.includes('..'))
    throw new ConfigError(
      `template bucket: expected an S3 bucket name (3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit), got ${JSON.stringify(bucket)}`,
    );
  if (!REGION.test(region))
    throw new ConfigError(
      `template bucket region: expected an AWS region like "ap-northeast-1", got ${JSON.stringify(region)}`,
    );
  if (expectedBucketOwner !== undefined && !ACCOUNT.test(expectedBucketOwner))
    throw new ConfigError(
      `template bucket owner: expected a 12-digit AWS account id, got ${JSON.stringify(expectedBucketOwner)}`,
    );
  const prefix = templatePrefix(options.prefix ?? '');
  const client = lazyClient(() => s3Client({ region, endpoint }));

  return async (stack, body) => {
    const bytes = Buffer.from(body, 'utf8');
    if (bytes.length > S3_TEMPLATE_LIMIT_BYTES)
      throw new ConfigError(
        `stack ${stack}: the template is ${bytes.length} bytes, over CloudFormation's ${S3_TEMPLATE_LIMIT_BYTES}-byte limit for a template in S3; split it into nested stacks`,
      );
    const digest = createHash('sha256').update(bytes).digest();
    const key = [...prefix, stack, `${digest.toString('hex')}.template`].join('/');
    const { sdk, client: s3 } = await client();
    try {
      await s3.send(
        new sdk.PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: bytes,
          // S3 checks the body it stored against this: a corrupted upload is refused (BadDigest).
          ChecksumSHA256: digest.toString('base64'),
          ...(expectedBucketOwner === undefined
            ? {}
            : { ExpectedBucketOwner: expectedBucketOwner }),
        }),
      );
    } catch (error) {
      const advice = adviceFor(error, {
        service: 's3',
        action: 'PutObject',
        resource: `arn:aws:s3:::${bucket}/${key}`,
      });
      // S3 answers a bucket owned by another account with the same AccessDenied.
      if (expectedBucketOwner !== undefined && /^AccessDenied/.test(codeOf(error)))
        throw new ConfigError(
          `${advice.message} (or bucket ${bucket} is not owned by account ${expectedBucketOwner})`,
          { cause: error },
        );
      throw advice;
    }
    return templateUrl({ bucket, region, endpoint, key });
  };
}

/**
 * The https URL CloudFormation reads the object from. Virtual-hosted style, except for bucket
 * names with dots (a host name TLS certificates of `*.s3.<region>…` do not cover) and for an
 * explicit endpoint (path style, as the client sends).
 */
export function templateUrl(where: {
  bucket: string;
  region: string;
  endpoint?: string | undefined;
  key: string;
}): string {
  const path = where.key.split('/').map(encodeURIComponent).join('/');
  if (where.endpoint !== undefined)
    return `${where.endpoint.replace(/\/+$/, '')}/${where.bucket}/${path}`;
  // The China regions are a partition of their own, with their own domain.
  const domain = where.region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return where.bucket.includes('.')
    ? `https://s3.${where.region}.${domain}/${where.bucket}/${path}`
    : `https://${where.bucket}.s3.${where.region}.${domain}/${path}`;
}

/**
 * The key prefix as path segments: empty segments dropped ("a//b/" is "a/b"); "." and ".." are
 * refused, since the https URL CloudFormation fetches would be normalised to another key.
 */
export function templatePrefix(prefix: string): string[] {
  const parts = prefix.split('/').filter((part) => part !== '');
  const bad = parts.find(
    (part) =>
      part === '.' ||
      part === '..' ||
      part.includes('\\') ||
      Array.from(part, (c) => c.charCodeAt(0)).some((code) => code < 0x20 || code === 0x7f),
  );
  if (bad !== undefined)
    throw new ConfigError(
      `input 'template-prefix': ${JSON.stringify(prefix)} has the segment ${JSON.stringify(bad)}; expected plain key segments separated by "/" (no ".", "..", backslashes or control characters)`,
    );
  return parts;
}
