import { InputParseError, input, type InputField } from '@cutover/kit';
import { parseDuration } from '@cutover/plan';

/** A duration input with a default, like "30m"; a bound every wait needs. */
function durationInput(description: string, fallback: string): InputField<number> {
  return {
    description,
    default: fallback,
    parse: (raw) => {
      const ms = parseDuration(raw.trim());
      if (ms === undefined || ms <= 0)
        throw new InputParseError('expected a duration like "90s", "30m" or "1h30m"');
      return ms;
    },
  };
}

/** The action's inputs; a contract test keeps this and action.yml identical. */
export const inputs = {
  plan: input.optionalString(
    'Plan file (YAML): its stacks: section (stacks, or a CDK assembly) and its workload: section (the Kubernetes candidate) are deployed.',
  ),
  stacks: input.list(
    'Deploy only these stacks (names, comma or newline separated). A stack they depend on that is not named is not deployed: its outputs are read from the stack as it is.',
  ),
  cdk: input.optionalString(
    'A CDK app directory (with cdk.json: synthesized here by the app\'s own CDK CLI, "npx --no-install cdk synth", its dependencies installed beforehand) or a synthesized cloud assembly (a cdk.out directory with manifest.json), to read the stacks from instead of the plan.',
  ),
  'cdk-context': input.list(
    'Context for cdk synth, as key=value pairs (comma or newline separated), passed as --context.',
  ),
  mode: input.choice(
    'deploy: create, show and execute each change set. plan: create and show them, execute nothing, delete them.',
    ['deploy', 'plan'] as const,
    { default: 'deploy' },
  ),
  parallelism: {
    description:
      'Most stacks deployed at once (1-20); a stack starts when every stack it depends on is done.',
    default: '3',
    parse: (raw: string) => {
      const value = Number(raw.trim());
      if (!/^\s*\d+\s*$/.test(raw) || value < 1 || value > 20)
        throw new InputParseError('expected a whole number from 1 to 20');
      return value;
    },
  } satisfies InputField<number>,
  'allow-recreate': input.boolean(
    'Delete and recreate a stack found in ROLLBACK_COMPLETE (its first create failed and was rolled back, so it holds no resources). Off: such a stack fails with its reason.',
    { default: 'false' },
  ),
  'on-busy': input.choice(
    'When a stack has another operation in progress: wait for it (at most busy-timeout) or fail at once.',
    ['wait', 'fail'] as const,
    { default: 'wait' },
  ),
  'busy-timeout': durationInput(
    'How long to wait for another operation on a stack to finish (on-busy: wait), like "30m".',
    '30m',
  ),
  timeout: durationInput(
    'How long one stack\'s change set may run before the stack fails, like "60m".',
    '60m',
  ),
  'cancel-on-timeout': input.boolean(
    'When a stack update times out, cancel it (CancelUpdateStack, the stack rolls back) instead of leaving it running.',
    { default: 'false' },
  ),
  'continue-rollback-skip': input.list(
    'Resources to skip when continuing a rollback of a stack in UPDATE_ROLLBACK_FAILED, as "Stack:LogicalId" (comma or newline separated). Without it such a stack fails, naming the resources and reasons.',
  ),
  'rollback-record': input.string(
    'File to write what rollback needs (the previous template, parameters and tags of every stack this run changed); keep it as an artifact.',
    { default: '${{ runner.temp }}/cutover-rollback-record.json' },
  ),
  region: input.optionalString(
    'AWS region of the stacks; default AWS_REGION, then AWS_DEFAULT_REGION.',
  ),
  'role-arn': input.optionalString(
    'CloudFormation service role (ARN) for every stack that does not name its own.',
  ),
  'template-bucket': input.optionalString(
    'S3 bucket for templates over the 51,200-byte inline limit: uploaded as <template-prefix>/<stack>/<sha256>.template (content-addressed) and read by CloudFormation from there. Without it such a template fails.',
  ),
  'template-prefix': input.string('Key prefix for uploaded templates.', {
    default: 'cutover-templates',
  }),
  'template-bucket-owner': input.optionalString(
    'Account id that must own template-bucket (S3 refuses the upload otherwise); recommended, since CloudFormation runs what it reads from there.',
  ),
  image: input.optionalString(
    "Image of the candidate workload's container (the plan's workload.container, or the only one); default the plan's workload.image.",
  ),
  colour: {
    description:
      "Colour label of the candidate workload: blue or green; default the plan's workload.colour.",
    parse: (raw: string): 'blue' | 'green' | undefined => {
      const value = raw.trim();
      if (value === '') return undefined;
      if (value === 'blue' || value === 'green') return value;
      throw new InputParseError('expected blue or green');
    },
  } satisfies InputField<'blue' | 'green' | undefined>,
};
