import { ConfigError, errorMessage } from '@cutover/kit';
import { type Capability, type StackSpec, STACK_NAME } from './stack-specs.js';
import { findCycle } from './stack-order.js';

/** Reads a file as text; the action passes a workspace-bound reader. */
export type ReadText = (path: string) => Promise<string>;

interface Artifact {
  type?: unknown;
  properties?: Record<string, unknown>;
  dependencies?: unknown;
  displayName?: unknown;
}

const STACK = 'aws:cloudformation:stack';
const NESTED = 'cdk:cloud-assembly';
/** What `cdk deploy` grants: CDK templates may create IAM resources and use macros. */
const CDK_CAPABILITIES: Capability[] = [
  'CAPABILITY_IAM',
  'CAPABILITY_NAMED_IAM',
  'CAPABILITY_AUTO_EXPAND',
];

/** A POSIX join that keeps the assembly's relative paths relative to its directory. */
export function joinPath(dir: string, file: string): string {
  if (file.startsWith('/')) return file;
  const base = dir.replace(/\/+$/, '');
  return base === '' || base === '.' ? file : `${base}/${file}`;
}

const textMap = (value: unknown): Record<string, string> => {
  if (typeof value !== 'object' || value === null) return {};
  // Stack tags come as a mapping in recent manifests, as [{Key, Value}] in older ones.
  if (Array.isArray(value))
    return Object.fromEntries(
      value
        .filter(
          (item): item is { Key: unknown; Value: unknown } =>
            typeof item === 'object' && item !== null,
        )
        .map((item) => [String(item.Key), String(item.Value)]),
    );
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, String(item)]));
};

interface Scope {
  /** Artifact id → the stack names it stands for (a stack itself, or what it leads to). */
  resolve(id: string, seen?: Set<string>): string[];
}

async function readManifest(dir: string, readFile: ReadText): Promise<Record<string, Artifact>> {
  const file = joinPath(dir, 'manifest.json');
  let text: string;
  try {
    text = await readFile(file);
  } catch (error) {
    throw new ConfigError(
      `cloud assembly ${file}: cannot read it (${errorMessage(error)}); run "cdk synth" first, or give the cdk.out directory`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`cloud assembly ${file}: not valid JSON (${errorMessage(error)})`);
  }
  const artifacts =
    typeof parsed === 'object' && parsed !== null
      ? (parsed as { artifacts?: unknown }).artifacts
      : undefined;
  if (typeof artifacts !== 'object' || artifacts === null || Array.isArray(artifacts))
    throw new ConfigError(
      `cloud assembly ${file}: expected a manifest with an "artifacts" mapping, got ${parsed === null ? 'null' : typeof parsed === 'object' ? 'no artifacts' : typeof parsed}`,
    );
  return artifacts as Record<string, Artifact>;
}

async function readAssembly(
  dir: string,
  readFile: ReadText,
  specs: StackSpec[],
  depth: number,
): Promise<Scope> {
  if (depth > 20)
    throw new ConfigError(`cloud assembly ${dir}: nested assemblies more than 20 deep`);
  const artifacts = await readManifest(dir, readFile);
  const file = joinPath(dir, 'manifest.json');
  const nested = new Map<string, string[]>();
  const stackIds = new Map<string, StackSpec>();
  for (const [id, artifact] of Object.entries(artifacts)) {
    const properties = artifact.properties ?? {};
    if (artifact.type === NESTED) {
      const directory = properties.directoryName;
      if (typeof directory !== 'string' || directory === '')
        throw new ConfigError(
          `cloud assembly ${file}: artifact ${id} (${NESTED}) has no properties.directoryName`,
        );
      const before = specs.length;
      await readAssembly(joinPath(dir, directory), readFile, specs, depth + 1);
      nested.set(
        id,
        specs.slice(before).map((spec) => spec.name),
      );
    } else if (artifact.type === STACK) {
      const templateFile = properties.templateFile;
      if (typeof templateFile !== 'string' || templateFile === '')
        throw new ConfigError(
          `cloud assembly ${file}: stack artifact ${id} has no properties.templateFile`,
        );
      const name = typeof properties.stackName === 'string' ? properties.stackName : id;
      // The name reaches API calls, S3 keys, change set names and the summary: CloudFormation's
      // own rule keeps a hand-edited manifest from smuggling anything else in.
      if (!STACK_NAME.test(name))
        throw new ConfigError(
          `cloud assembly ${file}: stack artifact ${JSON.stringify(id).slice(0, 140)} has the stack name ${JSON.stringify(name).slice(0, 140)}; expected a letter, then letters, digits or "-", at most 128 characters`,
        );
      if (specs.some((spec) => spec.name === name))
        throw new ConfigError(
          `cloud assembly ${file}: the stack name ${name} appears twice (artifact ${id}); stack names must be unique`,
        );
      const spec: StackSpec = {
        name,
        template: joinPath(dir, templateFile),
        parameters: textMap(properties.parameters),
        parametersFile: undefined,
        tags: textMap(properties.tags),
        capabilities: [...CDK_CAPABILITIES],
        roleArn: undefined,
        terminationProtection:
          typeof properties.terminationProtection === 'boolean'
            ? properties.terminationProtection
            : undefined,
        rollbackTriggers: undefined,
        notificationArns: [],
        dependsOn: [],
      };
      specs.push(spec);
      stackIds.set(id, spec);
    }
  }
  const scope: Scope = {
    resolve(id, seen = new Set()) {
      if (seen.has(id)) return [];
      seen.add(id);
      const stack = stackIds.get(id);
      if (stack !== undefined) return [stack.name];
      const inner = nested.get(id);
      if (inner !== undefined) return inner;
      // Assets and other artifacts: what they depend on is what the stack waits for.
      const deps = artifacts[id]?.dependencies;
      return Array.isArray(deps)
        ? deps.flatMap((dep) => (typeof dep === 'string' ? scope.resolve(dep, seen) : []))
        : [];
    },
  };
  for (const [id, spec] of stackIds) {
    const deps = artifacts[id]?.dependencies;
    const names = Array.isArray(deps)
      ? deps.flatMap((dep) => (typeof dep === 'string' ? scope.resolve(dep, new Set([id])) : []))
      : [];
    spec.dependsOn = [...new Set(names)].filter((name) => name !== spec.name);
  }
  // A stage (nested assembly) that depends on something: every stack in it waits for that.
  for (const [id, inner] of nested) {
    const deps = artifacts[id]?.dependencies;
    if (!Array.isArray(deps)) continue;
    const names = deps.flatMap((dep) =>
      typeof dep === 'string' ? scope.resolve(dep, new Set([id])) : [],
    );
    for (const spec of specs.filter((s) => inner.includes(s.name)))
      spec.dependsOn = [...new Set([...spec.dependsOn, ...names])].filter((n) => n !== spec.name);
  }
  return scope;
}

/**
 * Stacks from a CDK cloud assembly (`cdk.out`): each `aws:cloudformation:stack` artifact with
 * its template, parameters, tags, termination protection and the stacks it depends on (through
 * asset manifests and other non-stack artifacts); nested assemblies (stages) are read too.
 */
export async function readCloudAssembly(dir: string, readFile: ReadText): Promise<StackSpec[]> {
  const specs: StackSpec[] = [];
  await readAssembly(dir, readFile, specs, 0);
  if (specs.length === 0)
    throw new ConfigError(
      `cloud assembly ${joinPath(dir, 'manifest.json')}: no CloudFormation stacks (artifacts of type ${STACK}) in it or its nested assemblies`,
    );
  const cycle = findCycle(specs);
  if (cycle !== undefined)
    throw new ConfigError(
      `cloud assembly ${joinPath(dir, 'manifest.json')}: dependency cycle ${cycle.join(' -> ')}`,
    );
  return specs;
}
