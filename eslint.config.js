// Type-checked linting for the TypeScript sources; plain JS scripts get the recommended rules.
// The layering rules are here too (test/contract/repository.test.ts checks the same, whatever
// the spelling): pure packages import no runner, SDK, file system or network and use no
// `process`; adapters take their error classes from @cutover/kit only.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const runnerOnly = { group: ['@actions/core'], message: 'use @cutover/action-kit' };
const purePackages = ['checklist', 'gates', 'kit', 'plan', 'stacks', 'traffic'];
const adapterPackages = ['aws', 'github', 'kubernetes', 'metrics', 'probes', 'routers'];
const sourcesOf = (packages) => packages.map((name) => `packages/${name}/src/**/*.ts`);
const pureMessage =
  'pure packages take data and interfaces: do the I/O in an adapter or the action';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.bench/**', 'coverage/**', '**/*.d.ts'] },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.strictTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // Only action-kit may talk to the runner; everything else goes through it.
      'no-restricted-imports': ['error', { patterns: [runnerOnly] }],
    },
  },
  {
    files: sourcesOf(purePackages),
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@actions/*', '@aws-sdk/*', '@smithy/*', '@kubernetes/*', '@octokit/*'],
              message: pureMessage,
            },
            {
              regex:
                '^(node:)?(fs|fs/promises|child_process|net|http|https|http2|tls|dns|dns/promises|dgram|worker_threads|cluster|process)$',
              message: pureMessage,
            },
            {
              regex: `^@cutover/(?!(${purePackages.join('|')})$)`,
              message: 'pure packages import only other pure packages',
            },
          ],
        },
      ],
      'no-restricted-globals': ['error', { name: 'process', message: pureMessage }],
      'no-restricted-properties': [
        'error',
        { object: 'globalThis', property: 'process', message: pureMessage },
      ],
    },
  },
  {
    files: sourcesOf(adapterPackages),
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            runnerOnly,
            {
              regex: `^@cutover/(?!kit$)`,
              importNamePattern: '(Error|Refused|Reverted|Rejected|Unavailable|Timeout)$',
              message: 'adapters throw the error model of @cutover/kit, never a domain error class',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/action-kit/src/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: globals.node },
  },
);
