import { input } from '@cutover/kit';

/** The action's inputs; a contract test keeps this and action.yml identical. */
export const inputs = {
  source: input.choice(
    'Where the checklist is: auto (what the event provides), file, issue, pull-request or release.',
    ['auto', 'file', 'issue', 'pull-request', 'release'],
    { default: 'auto' },
  ),
  path: input.optionalString(
    'Markdown file in the repository holding the checklist (source file).',
  ),
  'issue-number': input.optionalInteger('Issue holding the checklist (source issue).', {
    min: 1,
    max: 2 ** 31 - 1,
  }),
  'release-tag': input.optionalString(
    'Tag of the release whose body holds the checklist; defaults to the event release or the pushed tag.',
  ),
  'include-comments': input.boolean(
    'Also read task items from every comment of the issue or pull request.',
    {
      default: 'false',
    },
  ),
  sections: input.list(
    'Only gate items under these headings (comma or newline separated); default all.',
  ),
  'tick-verified': input.boolean(
    'Tick unticked items whose verifiers pass, in the issue or pull-request body (refused if the body was edited meanwhile).',
    { default: 'false' },
  ),
  'verify-hosts': input.list(
    'Host globs that tls and http verifiers may contact ("*" = any). Link-local and metadata addresses are always refused.',
    {
      default: '*',
    },
  ),
  'expected-digest': input.optionalString(
    'Fail unless the checklist digest equals this (from an earlier run of this action).',
  ),
  'github-token': input.string('Token for the GitHub API.', { default: '${{ github.token }}' }),
};
