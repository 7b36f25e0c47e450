import { readFileSync } from 'node:fs';
import { GateFailure } from '@cutover/kit';
import { runAction, type ActionKit } from '@cutover/action-kit';
import { readEventContext } from '@cutover/github';
import { connectGitHub, issueBody } from './connect-github.js';
import { createProbes } from './create-probes.js';
import { inputs as inputSchema } from './inputs.js';
import { loadDocuments } from './load-documents.js';
import { readWorkspaceFile } from './read-workspace-file.js';
import { chooseSource, describeSource } from './resolve-source.js';

/** Seams for tests: the file reader, extra trusted CAs for the probes, GitHub API retry timing. */
export interface Dependencies {
  readFile(path: string): string;
  probeCa?: string;
  apiRetry?: { attempts: number; baseDelayMs: number; maxDelayMs: number };
}

const defaultDependencies: Dependencies = { readFile: (path) => readFileSync(path, 'utf8') };

/** The entry point: index.ts calls it, and so does @github/local-action. */
export async function run(): Promise<void> {
  await runAction(main);
}

export async function main(kit: ActionKit, deps = defaultDependencies): Promise<void> {
  const inputs = kit.readInputs(inputSchema);
  kit.mask(inputs['github-token']);
  const event = readEventContext(kit.env, (path) => deps.readFile(path));
  const { source, warnings } = chooseSource(inputs, event);
  for (const warning of warnings) kit.warning(warning);
  const sourceName = describeSource(source);
  const github = connectGitHub({
    token: inputs['github-token'],
    event,
    kit,
    purpose: sourceName,
    retry: deps.apiRetry,
  });

  // Loaded after the inputs are valid, so a misconfigured step fails without loading the parser.
  const { gateChecklist } = await import('@cutover/checklist');
  const documents = await kit.group(`Reading the checklist from ${sourceName}`, () =>
    loadDocuments(source, inputs['include-comments'], {
      readFile: readWorkspaceFile(event.workspace, (path) => deps.readFile(path)),
      api: github,
    }),
  );
  const result = await gateChecklist(
    documents,
    {
      source: sourceName,
      sections: inputs.sections,
      allowedHosts: inputs['verify-hosts'],
      tickVerified: inputs['tick-verified'],
      expectedDigest: inputs['expected-digest'],
      ref: event.ref,
    },
    {
      probes: createProbes({ event, github, clock: kit.clock, ca: deps.probeCa }),
      editableBody: (target) => issueBody(github, target),
      log: kit,
    },
  );

  // One call per output, so the contract test can hold them against action.yml.
  kit.setOutput('complete', result.outputs.complete);
  kit.setOutput('total', result.outputs.total);
  kit.setOutput('checked', result.outputs.checked);
  kit.setOutput('missing', result.outputs.missing);
  kit.setOutput('digest', result.outputs.digest);
  kit.setOutput('source', result.outputs.source);
  for (const annotation of result.annotations) kit.error(annotation.message, annotation.target);
  await kit.appendSummary(result.summary);
  if (result.failure !== undefined) throw new GateFailure(result.failure);
  kit.info(result.message);
}
