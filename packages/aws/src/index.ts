// The AWS adapter: client factory (default credential chain, lazy SDKs) and error advice.
export {
  type AwsClientOptions,
  clientConfig,
  cloudFormationClient,
  cloudWatchClient,
  elbv2Client,
  lazyClient,
  route53Client,
} from './client-factory.js';
export { type AwsCall, AwsServiceError, adviceFor, awsMessage, codeOf } from './advice.js';
export { CloudFormationEngine } from './cloudformation-engine.js';
