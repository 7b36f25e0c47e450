import { describe, expect, it } from 'vitest';
import { AwsServiceError, adviceFor, clientConfig } from '@cutover/aws';
import { ConfigError, ConflictError } from '@cutover/kit';

const call = {
  service: 'route53',
  action: 'ChangeResourceRecordSets',
  resource: 'arn:aws:route53:::hostedzone/Z0123456789EXAMPLE',
};
/** An error shaped as the AWS SDK v3 throws it. */
const sdkError = (name: string, status: number | undefined, message = 'AWS says no') =>
  Object.assign(new Error(message), {
    name,
    ...(status === undefined
      ? {}
      : { $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status } }),
  });

describe('AWS error advice', () => {
  it('names the IAM action and resource when access is denied, whatever the service calls it', () => {
    for (const code of ['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation']) {
      const advice = adviceFor(sdkError(code, 403), call);
      expect(advice).toBeInstanceOf(ConfigError);
      expect(advice.message).toContain(
        `access denied (${code}); the role needs IAM permission route53:ChangeResourceRecordSets on arn:aws:route53:::hostedzone/Z0123456789EXAMPLE`,
      );
    }
  });

  it('says how to configure OIDC credentials when they are expired or missing', () => {
    for (const error of [
      sdkError('ExpiredToken', 403),
      sdkError('ExpiredTokenException', 400),
      sdkError(
        'CredentialsProviderError',
        undefined,
        'Could not load credentials from any providers',
      ),
    ]) {
      const advice = adviceFor(error, call);
      expect(advice).toBeInstanceOf(ConfigError);
      expect(advice.message).toContain('aws-actions/configure-aws-credentials');
      expect(advice.message).toContain('id-token: write');
    }
  });

  it('marks throttling, 5xx and network failures retryable service errors', () => {
    for (const error of [
      sdkError('Throttling', 400),
      sdkError('PriorRequestNotComplete', 400),
      sdkError('InternalFailure', 500),
      sdkError('ServiceUnavailable', 503),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
    ]) {
      const advice = adviceFor(error, call);
      expect(advice).toBeInstanceOf(AwsServiceError);
      expect(advice).toMatchObject({ retryable: true });
    }
  });

  it('reports a missing resource as a configuration error', () => {
    for (const code of ['NoSuchHostedZone', 'RuleNotFound', 'TargetGroupNotFoundException']) {
      const advice = adviceFor(sdkError(code, 404), call);
      expect(advice).toBeInstanceOf(ConfigError);
      expect(advice.message).toContain(`not found (${code})`);
    }
  });

  it("keeps AWS's message to one line without credentials, and passes the kit's errors and bugs through", () => {
    const advice = adviceFor(
      sdkError('InvalidInput', 400, 'bad\nvalue at https://user:secret@example.com/x'),
      call,
    );
    expect(advice).toBeInstanceOf(ConfigError);
    expect(advice.message).toMatch(
      /refused by AWS \(InvalidInput\): bad value at https:\/\/\*\*\*@example.com\/x$/,
    );
    const conflict = new ConflictError('moved');
    expect(adviceFor(conflict, call)).toBe(conflict);
    const bug = new TypeError('x is undefined');
    expect(adviceFor(bug, call)).toBe(bug);
  });

  it('builds client configuration with retries and leaves credentials to the default chain', () => {
    expect(clientConfig({ region: 'eu-west-1' })).toEqual({
      region: 'eu-west-1',
      maxAttempts: 3,
      retryMode: 'standard',
    });
    expect(
      clientConfig({
        region: 'eu-west-1',
        endpoint: 'http://localhost:4566',
        maxAttempts: 5,
        retryMode: 'adaptive',
      }),
    ).toEqual({
      region: 'eu-west-1',
      endpoint: 'http://localhost:4566',
      maxAttempts: 5,
      retryMode: 'adaptive',
    });
  });
});
