// The AWS adapter: client factory (default credential chain, lazy SDKs) and error advice.
export {
  type AwsClientOptions,
  clientConfig,
  cloudFormationClient,
  cloudWatchClient,
  elbv2Client,
  lazyClient,
  route53Client,
  s3Client,
} from './client-factory.js';
export { type AwsCall, AwsServiceError, adviceFor, awsMessage, codeOf } from './advice.js';
export { CloudFormationEngine } from './cloudformation-engine.js';
export {
  S3_TEMPLATE_LIMIT_BYTES,
  type S3TemplateStoreOptions,
  type TemplateUploader,
  s3TemplateUploader,
  templatePrefix,
  templateUrl,
} from './s3-template-store.js';
