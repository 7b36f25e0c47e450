import { settingsObject, v } from '@cutover/kit';
import { dependencyProblems } from './stack-order.js';

/** A parameter taken from another stack's output, resolved when that stack has run. */
export interface OutputRef {
  stack: string;
  output: string;
}

export type ParameterValue = string | OutputRef;

export const CAPABILITIES = ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'];
export type Capability = 'CAPABILITY_IAM' | 'CAPABILITY_NAMED_IAM' | 'CAPABILITY_AUTO_EXPAND';

/** CloudFormation's MonitoringTimeInMinutes ceiling. */
export const MAX_MONITORING_MINUTES = 180;

/** One stack to deploy, from a plan's `stacks:` section, inputs or a CDK cloud assembly. */
export interface StackSpec {
  /** The CloudFormation stack name; `depends-on` and `{stack, output}` name stacks by it. */
  name: string;
  /** A file path (read by the caller's reader) or an https S3 URL. */
  template: string;
  parameters: Record<string, ParameterValue>;
  /** A JSON file of parameters; inline `parameters` win over it. */
  parametersFile: string | undefined;
  tags: Record<string, string>;
  capabilities: Capability[];
  roleArn: string | undefined;
  /** undefined: leave the stack's setting as it is (a plan that does not say must not turn it off). */
  terminationProtection: boolean | undefined;
  rollbackTriggers: { alarmArns: string[]; monitoringTimeMinutes: number } | undefined;
  notificationArns: string[];
  dependsOn: string[];
}

export type StackSpecsResult = { ok: true; specs: StackSpec[] } | { ok: false; errors: string[] };

/** CloudFormation's StackName: a letter, then letters, digits or hyphens, at most 128. */
export const STACK_NAME = /^[A-Za-z][-A-Za-z0-9]{0,127}$/;
const ARN = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{0,12}:.+$/;

const show = (value: unknown) =>
  typeof value === 'string' ? JSON.stringify(value) : String(value);

const stackName = v.pipe(
  v.string((issue) => `expected a stack name (text), got ${issue.received}`),
  v.check(
    (name) => STACK_NAME.test(name),
    (issue) =>
      `expected a stack name like "Database" (a letter, then letters, digits or "-", at most 128), got ${show(issue.input)}`,
  ),
);

const arn = (what: string) =>
  v.pipe(
    v.string((issue) => `expected ${what} (an ARN), got ${issue.received}`),
    v.check(
      (text) => ARN.test(text),
      (issue) => `expected ${what} like "arn:aws:…", got ${show(issue.input)}`,
    ),
  );

const arnList = (what: string) =>
  v.array(arn(what), (issue) => `expected a list of ${what}s, got ${issue.received}`);

const template = v.pipe(
  v.string((issue) => `expected a template file path or an https S3 URL, got ${issue.received}`),
  v.check(
    (text) => text.trim() !== '',
    'expected a template file path or an https S3 URL, got an empty string',
  ),
  v.check(
    (text) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(text) || /^https:\/\/[^/\s]+\/\S+$/.test(text),
    (issue) =>
      `expected a file path or an https URL of a template in S3, got ${show(issue.input)} (CloudFormation reads templates from https S3 URLs only)`,
  ),
);

const scalarValue = v.pipe(
  v.union(
    [v.string(), v.number(), v.boolean()],
    (issue) =>
      `expected a parameter value (text, number or true/false) or { stack: Name, output: Key }, got ${issue.received}`,
  ),
  v.transform((value) => String(value)),
);

const outputRef = v.strictObject(
  {
    stack: stackName,
    output: v.pipe(
      v.string((issue) => `expected an output key (text), got ${issue.received}`),
      v.nonEmpty('expected an output key, got an empty string'),
    ),
  },
  (issue) => `expected { stack: Name, output: Key }, got ${issue.received}`,
);

const parameterValue = v.union(
  [scalarValue, outputRef],
  (issue) =>
    `expected a parameter value (text, number or true/false) or { stack: Name, output: Key }, got ${issue.received}`,
);

const textMap = (what: string) =>
  v.record(
    v.string(),
    v.pipe(
      v.union(
        [v.string(), v.number(), v.boolean()],
        (issue) => `expected a ${what} value (text), got ${issue.received}`,
      ),
      v.transform((value) => String(value)),
    ),
    (issue) => `expected a mapping of ${what} name to value, got ${issue.received}`,
  );

/** Minutes from "30m", "1h", "90s" (whole minutes only) or a plain number of minutes. */
function monitoringMinutes(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(value.trim());
  if (match === null || value.trim() === '') return undefined;
  const seconds = Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
  return seconds % 60 === 0 ? seconds / 60 : undefined;
}

const monitoringTime = v.pipe(
  v.union(
    [v.string(), v.number()],
    (issue) => `expected a duration like "10m" (at most 180m), got ${issue.received}`,
  ),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const minutes = monitoringMinutes(dataset.value);
    if (minutes === undefined || minutes < 0 || minutes > MAX_MONITORING_MINUTES) {
      addIssue({
        message: `expected a duration in whole minutes from 0m to ${MAX_MONITORING_MINUTES}m (CloudFormation's limit), got ${show(dataset.value)}`,
      });
      return NEVER;
    }
    return minutes;
  }),
);

const rollbackTriggers = settingsObject(
  {
    alarms: v.pipe(
      arnList('CloudWatch alarm ARN'),
      v.maxLength(5, 'CloudFormation takes at most 5 rollback trigger alarms'),
    ),
    'monitoring-time': v.optional(monitoringTime),
  },
  'a mapping {alarms: [ARN], monitoring-time: 10m}',
);

const stackEntries = {
  template,
  parameters: v.optional(
    v.record(
      v.string(),
      parameterValue,
      (issue) => `expected a mapping of parameter name to value, got ${issue.received}`,
    ),
  ),
  'parameters-file': v.optional(
    v.pipe(
      v.string((issue) => `expected a parameters file path, got ${issue.received}`),
      v.nonEmpty('expected a parameters file path, got an empty string'),
    ),
  ),
  tags: v.optional(textMap('tag')),
  capabilities: v.optional(
    v.array(
      v.picklist(
        CAPABILITIES,
        (issue) => `expected one of ${CAPABILITIES.join(', ')}, got ${show(issue.input)}`,
      ),
      (issue) =>
        `expected a list of capabilities (${CAPABILITIES.join(', ')}), got ${issue.received}`,
    ),
  ),
  'role-arn': v.optional(arn('an IAM role ARN')),
  'termination-protection': v.optional(
    v.boolean((issue) => `expected true or false, got ${issue.received}`),
  ),
  'rollback-triggers': v.optional(rollbackTriggers),
  'notification-arns': v.optional(
    v.pipe(
      arnList('SNS topic ARN'),
      v.maxLength(5, 'CloudFormation takes at most 5 notification ARNs'),
    ),
  ),
  'depends-on': v.optional(
    v.array(stackName, (issue) => `expected a list of stack names, got ${issue.received}`),
  ),
};

const listedStack = settingsObject(
  { name: stackName, ...stackEntries },
  'a stack {name, template, parameters, depends-on, …}',
);
const mappedStack = settingsObject(stackEntries, 'a stack {template, parameters, depends-on, …}');

type ParsedStack = v.InferOutput<typeof mappedStack>;

function toSpec(name: string, parsed: ParsedStack): StackSpec {
  const triggers = parsed['rollback-triggers'];
  return {
    name,
    template: parsed.template,
    parameters: parsed.parameters ?? {},
    parametersFile: parsed['parameters-file'],
    tags: parsed.tags ?? {},
    capabilities: [...new Set(parsed.capabilities ?? [])] as Capability[],
    roleArn: parsed['role-arn'],
    terminationProtection: parsed['termination-protection'],
    rollbackTriggers:
      triggers === undefined
        ? undefined
        : { alarmArns: triggers.alarms, monitoringTimeMinutes: triggers['monitoring-time'] ?? 0 },
    notificationArns: parsed['notification-arns'] ?? [],
    dependsOn: [...new Set(parsed['depends-on'] ?? [])],
  };
}

function issuesAt(issues: v.BaseIssue<unknown>[], path: string): string[] {
  return issues.map((issue) => {
    const keys = (issue.path ?? []).map((item) => String(item.key));
    return `${[path, ...keys].join('.')}: ${issue.message}`;
  });
}

/**
 * Stacks from a plan's `stacks:` section: a list of `{name, …}` or a mapping of name to stack.
 * Every problem is reported at once with its path; the dependency graph is checked too
 * (unknown stacks, cycles, outputs taken from a stack that does not run first).
 */
export function parseStackSpecs(raw: unknown, path = 'stacks'): StackSpecsResult {
  const errors: string[] = [];
  const specs: StackSpec[] = [];
  const where = new Map<string, string>();
  const add = (name: string, at: string, parsed: ParsedStack) => {
    const first = where.get(name);
    if (first !== undefined) {
      errors.push(`${at}: the stack name ${show(name)} is used twice (first at ${first})`);
      return;
    }
    where.set(name, at);
    specs.push(toSpec(name, parsed));
  };
  if (Array.isArray(raw)) {
    raw.forEach((item, index) => {
      const at = `${path}[${index}]`;
      const result = v.safeParse(listedStack, item);
      if (result.success) add(result.output.name, at, result.output);
      else errors.push(...issuesAt(result.issues, at));
    });
  } else if (typeof raw === 'object' && raw !== null) {
    for (const [name, item] of Object.entries(raw)) {
      const at = `${path}.${name}`;
      const named = v.safeParse(stackName, name);
      if (!named.success) errors.push(...issuesAt(named.issues, at));
      const result = v.safeParse(mappedStack, item);
      if (!result.success) errors.push(...issuesAt(result.issues, at));
      else if (named.success) add(name, at, result.output);
    }
  } else {
    errors.push(
      `${path}: expected a list of stacks [{name, template, …}] or a mapping of stack name to stack, got ${raw === null ? 'null' : typeof raw}`,
    );
  }
  if (specs.length === 0 && errors.length === 0)
    errors.push(`${path}: expected at least one stack`);
  errors.push(...dependencyProblems(specs, (name) => where.get(name) ?? path));
  return errors.length > 0 ? { ok: false, errors } : { ok: true, specs };
}
