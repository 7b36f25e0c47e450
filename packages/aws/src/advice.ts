import { ConfigError, ConflictError, ServiceError, errorMessage, redactUrls } from '@cutover/kit';

/** What was being done when AWS answered with an error: named in every message. */
export interface AwsCall {
  /** The IAM service prefix: `route53`, `elasticloadbalancing`, `cloudwatch`. */
  service: string;
  /** The API action, which is also the IAM action: `ChangeResourceRecordSets`. */
  action: string;
  /** The resource acted on (an ARN, a hosted zone id), as a policy's Resource names it. */
  resource: string;
}

/** A service error that says whether trying again later may help (throttling, 5xx, network). */
export class AwsServiceError extends ServiceError {
  override name = 'AwsServiceError';
  constructor(
    message: string,
    readonly code: string,
    readonly retryable: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

// Error codes, with the AWS reference that defines each:
// - Common errors of every AWS API (AccessDeniedException 403, ExpiredTokenException 403,
//   UnrecognizedClientException 403, IncompleteSignature 403, NotAuthorized 401,
//   ThrottlingException 400, InternalFailure 500, ServiceUnavailable 503):
//   https://docs.aws.amazon.com/awsconsolehelpdocs/latest/gsg/common-errors.html
// - EC2 spells a missing permission UnauthorizedOperation and throttling RequestLimitExceeded:
//   https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
// - Query APIs (ELBv2, CloudWatch) spell them AccessDenied, Throttling, InvalidClientTokenId,
//   ExpiredToken: https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/CommonErrors.html
// - Route 53 ChangeResourceRecordSets: InvalidChangeBatch, InvalidInput, NoSuchHostedZone,
//   NoSuchHealthCheck, PriorRequestNotComplete ("wait, in intervals of increasing duration"):
//   https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html
// - ELBv2 ModifyRule / DescribeRules: RuleNotFound, TargetGroupNotFound, OperationNotPermitted:
//   https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_ModifyRule.html
// - CloudFormation (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/, wire
//   codes as the SDK's model spells them): a missing stack is ValidationError "Stack with id X
//   does not exist" (API_DescribeStacks); a busy or failed stack is ValidationError "Stack:… is
//   in UPDATE_IN_PROGRESS state and can not be updated."; InvalidChangeSetStatus (the change set
//   or stack is not ready, API_ExecuteChangeSet); AlreadyExistsException (API_CreateStack,
//   API_CreateChangeSet); OperationInProgressException; ChangeSetNotFound (HTTP 404);
//   TokenAlreadyExistsException; InsufficientCapabilitiesException; LimitExceededException.
// - S3 PutObject (REST-XML, https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html):
//   AccessDenied 403, NoSuchBucket 404 (the not-found rule below), PermanentRedirect 301 and
//   AuthorizationHeaderMalformed 400 (the bucket is in another region), InvalidBucketName 400,
//   EntityTooLarge 400, SlowDown 503 (throttling, above), BadDigest 400 (the body's checksum did
//   not match: corrupted on the way, worth another try).
const ACCESS = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'NotAuthorized',
  'AuthorizationError',
]);
const CREDENTIALS = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestExpired',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'IncompleteSignature',
  'SignatureDoesNotMatch',
  'MissingAuthenticationToken',
  'InvalidAccessKeyId',
  'CredentialsProviderError',
]);
const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'PriorRequestNotComplete',
  'SlowDown',
]);
const NETWORK = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** The target's state forbids the call now: re-read it and decide (wait, recreate or fail). */
const STATE_CONFLICT = new Set([
  'InvalidChangeSetStatus',
  'InvalidChangeSetStatusException',
  'AlreadyExistsException',
  'OperationInProgressException',
]);
const CFN_ADVICE: Record<string, string> = {
  InsufficientCapabilitiesException:
    "the template needs capabilities the request did not acknowledge; add the ones AWS names (CAPABILITY_IAM, CAPABILITY_NAMED_IAM, CAPABILITY_AUTO_EXPAND) to the stack's capabilities",
  TokenAlreadyExistsException:
    'the client request token was already used for a different request; each operation needs its own token',
  LimitExceededException: 'a CloudFormation quota was reached (stacks, change sets, outputs)',
};

const S3_ADVICE = new Map<string, string>([
  [
    'PermanentRedirect',
    "the bucket is in another region than the one configured; set the region to the bucket's, or name a bucket in this region",
  ],
  [
    'AuthorizationHeaderMalformed',
    "the request was signed for another region than the bucket's; set the region to the bucket's",
  ],
  [
    'InvalidBucketName',
    'not a valid bucket name: 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit',
  ],
  ['EntityTooLarge', 'the object is larger than S3 takes in one PUT'],
]);
const CORRUPTED = new Set(['BadDigest', 'XAmzContentSHA256Mismatch']);

const OIDC_HOW =
  'give the job `permissions: id-token: write` and run aws-actions/configure-aws-credentials with `role-to-assume` before this step (or set AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN)';

/**
 * The kit's error for an AWS SDK failure: what the user must fix (a permission, credentials, a
 * resource that does not exist, a request AWS refused) is a ConfigError naming the IAM action
 * and resource; throttling, 5xx and network failures are AwsServiceErrors (retryable). Errors
 * that are already the kit's pass through. AWS's message is redacted and kept to one line.
 */
export function adviceFor(error: unknown, call: AwsCall): Error {
  if (
    error instanceof ConfigError ||
    error instanceof ServiceError ||
    error instanceof ConflictError
  )
    return error;
  const code = codeOf(error);
  const status = statusOf(error);
  const text = awsMessage(error);
  const iam = `${call.service}:${call.action}`;
  const what = `${call.action} on ${call.resource}`;
  const options = { cause: error };
  if (ACCESS.has(code))
    return new ConfigError(
      `${what}: access denied (${code}); the role needs IAM permission ${iam} on ${call.resource}: ${text}`,
      options,
    );
  if (CREDENTIALS.has(code) || /could not load credentials/i.test(text))
    return new ConfigError(
      `${what}: no valid AWS credentials (${code || 'none found'}); ${OIDC_HOW}: ${text}`,
      options,
    );
  if (
    STATE_CONFLICT.has(code) ||
    (code === 'ValidationError' && / state and can ?not be /.test(text))
  )
    return new ConflictError(
      `${what}: not possible in the current state (${code}): ${text}`,
      options,
    );
  const advice = CFN_ADVICE[code] ?? S3_ADVICE.get(code);
  if (advice !== undefined)
    return new ConfigError(`${what}: refused by AWS (${code}); ${advice}: ${text}`, options);
  if (CORRUPTED.has(code))
    return new AwsServiceError(
      `${what}: the body did not reach AWS intact (${code}); try again: ${text}`,
      code,
      true,
      options,
    );
  if (THROTTLING.has(code) || status === 429)
    return new AwsServiceError(
      `${what}: throttled by AWS (${code || String(status)}) after the SDK's retries; try again later: ${text}`,
      code,
      true,
      options,
    );
  if (
    /^NoSuch|NotFound(Exception)?$/.test(code) ||
    status === 404 ||
    (code === 'ValidationError' && / does not exist/.test(text))
  )
    return new ConfigError(
      `${what}: not found (${code || String(status)}); check ${call.resource} and the region: ${text}`,
      options,
    );
  if ((status !== undefined && status >= 500) || faultOf(error) === 'server')
    return new AwsServiceError(
      `${what}: AWS failed (${code || `HTTP ${status ?? '?'}`}): ${text}`,
      code,
      true,
      options,
    );
  if (NETWORK.has(code))
    return new AwsServiceError(
      `${what}: could not reach AWS (${code}): ${text}`,
      code,
      true,
      options,
    );
  // Not an answer from AWS and not the network: a bug here, left for runAction to label so.
  if (status === undefined && faultOf(error) === undefined)
    return error instanceof Error ? error : new Error(String(error));
  return new ConfigError(`${what}: refused by AWS (${code || String(status)}): ${text}`, options);
}

/** The AWS error code (the SDK puts it in `name`; older shapes in `Code` or `code`). */
export function codeOf(error: unknown): string {
  const e = error as { name?: unknown; Code?: unknown; code?: unknown } | undefined;
  for (const value of [e?.Code, e?.code, e?.name])
    if (typeof value === 'string' && value !== '' && value !== 'Error') return value;
  return '';
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { $metadata?: { httpStatusCode?: unknown } } | undefined)?.$metadata
    ?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

function faultOf(error: unknown): string | undefined {
  const fault = (error as { $fault?: unknown } | undefined)?.$fault;
  return typeof fault === 'string' ? fault : undefined;
}

/** AWS's message, from outside: credentials in URLs removed, one line, bounded. */
export function awsMessage(error: unknown): string {
  const line = redactUrls(errorMessage(error)).replace(/\s+/g, ' ').trim();
  return line.length > 400 ? `${line.slice(0, 400)}…` : line;
}
