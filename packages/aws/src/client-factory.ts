/**
 * One way to build AWS SDK clients. Credentials always come from the SDK's default chain:
 * environment variables (what aws-actions/configure-aws-credentials exports after assuming a
 * role with GitHub's OIDC token), a web identity token file (AWS_WEB_IDENTITY_TOKEN_FILE with
 * AWS_ROLE_ARN, as on EKS), shared config and SSO profiles, then the container or instance
 * role. No per-provider credential inputs. Each SDK is imported on first use, so loading this
 * module (or a router, or a metrics source) loads no SDK.
 */
export interface AwsClientOptions {
  region: string;
  /** For tests, emulators and VPC endpoints; normally unset. */
  endpoint?: string | undefined;
  /** Attempts per call including the first (the SDK's retries). Default 3. */
  maxAttempts?: number | undefined;
  /** `standard` (default) or `adaptive` (client-side rate limiting when throttled). */
  retryMode?: 'standard' | 'adaptive' | undefined;
}

/** The configuration every client gets: region, endpoint, retries; credentials left to the chain. */
export function clientConfig(options: AwsClientOptions): {
  region: string;
  endpoint?: string;
  maxAttempts: number;
  retryMode: 'standard' | 'adaptive';
} {
  return {
    region: options.region,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    maxAttempts: options.maxAttempts ?? 3,
    retryMode: options.retryMode ?? 'standard',
  };
}

/** Route 53 is a global service signed in us-east-1, whatever region the caller works in. */
export async function route53Client(options: Omit<AwsClientOptions, 'region'>) {
  const sdk = await import('@aws-sdk/client-route-53');
  return { sdk, client: new sdk.Route53Client(clientConfig({ ...options, region: 'us-east-1' })) };
}

export async function elbv2Client(options: AwsClientOptions) {
  const sdk = await import('@aws-sdk/client-elastic-load-balancing-v2');
  return { sdk, client: new sdk.ElasticLoadBalancingV2Client(clientConfig(options)) };
}

export async function cloudWatchClient(options: AwsClientOptions) {
  const sdk = await import('@aws-sdk/client-cloudwatch');
  return { sdk, client: new sdk.CloudWatchClient(clientConfig(options)) };
}

export async function cloudFormationClient(options: AwsClientOptions) {
  const sdk = await import('@aws-sdk/client-cloudformation');
  return { sdk, client: new sdk.CloudFormationClient(clientConfig(options)) };
}

/**
 * S3 addresses buckets by host name (`<bucket>.s3.<region>.amazonaws.com`); an explicit endpoint
 * (an emulator, a test fake on loopback) has no such names, so the bucket goes in the path.
 */
export async function s3Client(options: AwsClientOptions) {
  const sdk = await import('@aws-sdk/client-s3');
  return {
    sdk,
    client: new sdk.S3Client({
      ...clientConfig(options),
      forcePathStyle: options.endpoint !== undefined,
    }),
  };
}

/**
 * A memo for one of the functions above: the SDK and client are built on the first call and
 * shared by every later one (one connection pool, one credential resolution).
 */
export function lazyClient<T>(build: () => Promise<T>): () => Promise<T> {
  let built: Promise<T> | undefined;
  return () => {
    built ??= build();
    // A failed build (e.g. a broken SDK install) is not cached: the next call tries again.
    built.catch(() => {
      built = undefined;
    });
    return built;
  };
}
