import { readFileSync, realpathSync } from 'node:fs';
import { GateFailure, ConfigError, neutraliseCommands } from '@cutover/kit';
import { resolveInWorkspace, type ActionKit } from '@cutover/action-kit';
import type {
  ChecklistItem,
  ChecklistVerdict,
  VerifierOutcome,
  Verifiers,
} from '@cutover/checklist';
import {
  GitHubApi,
  commitUnderTest,
  judgeChecks,
  readEventContext,
  type EventContext,
} from '@cutover/github';
import { probeHttpStatus, probeTlsCertificate } from '@cutover/probes';
import { inputs as inputSchema } from './inputs.js';
import { loadDocuments, type ChecklistDocument } from './load-documents.js';
import { renderSummary } from './render-summary.js';
import { describeSource, resolveSource } from './resolve-source.js';

/** Seams for tests: extra trusted CAs for the probes, and GitHub API retry timing. */
export interface Dependencies {
  readFile(path: string): string;
  probeCa?: string;
  apiRetry?: { attempts: number; baseDelayMs: number; maxDelayMs: number };
}

const defaultDependencies: Dependencies = { readFile: (path) => readFileSync(path, 'utf8') };
const MAX_ANNOTATIONS = 50;

export async function main(
  kit: ActionKit,
  deps: Dependencies = defaultDependencies,
): Promise<void> {
  const inputs = kit.readInputs(inputSchema);
  kit.mask(inputs['github-token']);
  const event = readEventContext(kit.env, (path) => deps.readFile(path));
  const source = resolveSource(
    {
      source: inputs.source,
      path: inputs.path,
      issueNumber: inputs['issue-number'],
      releaseTag: inputs['release-tag'],
    },
    event,
  );
  if (inputs['tick-verified'] && source.kind !== 'issue' && source.kind !== 'pull-request')
    throw new ConfigError(
      `input 'tick-verified' is true, but only issue and pull-request bodies can be ticked; the source is ${source.kind}`,
    );
  if (inputs['include-comments'] && (source.kind === 'file' || source.kind === 'release'))
    kit.warning(`input 'include-comments' is ignored: a ${source.kind} has no comments`);

  let api: GitHubApi | undefined;
  const getApi = () => {
    if (inputs['github-token'] === '')
      return Promise.reject(
        new ConfigError(
          `input 'github-token' is empty, but reading ${describeSource(source)} needs the GitHub API; pass \${{ github.token }} or a token with read access`,
        ),
      );
    api ??= new GitHubApi({
      token: inputs['github-token'],
      baseUrl: event.apiUrl,
      owner: event.owner,
      repo: event.repo,
      clock: kit.clock,
      log: (message) => {
        kit.warning(message);
      },
      ...(deps.apiRetry === undefined ? {} : { retry: deps.apiRetry }),
    });
    return Promise.resolve(api);
  };

  // Loaded after the inputs are valid, so a misconfigured step fails without loading the parser.
  const checklist = await import('@cutover/checklist');
  const { checklistDigest, evaluateChecklist, filterSections, verifyItems } = checklist;
  const sourceName = describeSource(source);
  const documents = await kit.group(`Reading the checklist from ${sourceName}`, () =>
    loadDocuments(source, inputs['include-comments'], {
      readFile: (path) => deps.readFile(confinedPath(event.workspace, path)),
      api: getApi,
    }),
  );

  const parsed = documents.map((document) => parseDocument(checklist, document));
  const scoped = parsed.map(({ document, items, headings }) => {
    const filtered = filterSections(items, headings, inputs.sections);
    if (!filtered.ok && documents.length === 1)
      throw new ConfigError(
        `input 'sections': no heading named ${filtered.unknown.map((s) => `"${s}"`).join(', ')} in ${document.origin}; headings: ${filtered.available.map((s) => `"${s}"`).join(', ') || '(none)'}`,
      );
    return { document, items: filtered.ok ? filtered.items : [] };
  });
  const allItems = scoped.flatMap((entry) => entry.items);

  const outcomes = await kit.group('Verifying machine-checkable items', async () => {
    const result = await verifyItems(
      allItems,
      createVerifiers(checklist, kit, event, getApi, deps),
      {
        allowedHosts: inputs['verify-hosts'],
        concurrency: 4,
        includeUnticked: inputs['tick-verified'],
      },
    );
    for (const list of result.values())
      for (const outcome of list)
        kit.info(oneLine(`${outcome.ok ? 'pass' : 'FAIL'}  ${outcome.source}: ${outcome.detail}`));
    return result;
  });

  const tickedByTool = new Set<ChecklistItem>();
  if (inputs['tick-verified']) {
    for (const entry of scoped)
      await tickVerifiedItems(
        checklist,
        kit,
        entry.document,
        entry.items,
        outcomes,
        tickedByTool,
        getApi,
      );
  }

  const verdict = evaluateChecklist(
    scoped.flatMap(({ document, items }) =>
      items.map((item) => ({
        item,
        origin: document.origin,
        outcomes: outcomes.get(item) ?? [],
        tickedByTool: tickedByTool.has(item),
      })),
    ),
  );
  const digest = checklistDigest(documents.map((document) => document.text));
  report(kit, verdict, documents, sourceName, digest);
  await kit.appendSummary(renderSummary(verdict, sourceName, digest));

  if (inputs['expected-digest'] !== undefined && inputs['expected-digest'] !== digest)
    throw new GateFailure(
      `input 'expected-digest': the checklist in ${sourceName} changed since it was approved: digest is ${digest}, expected ${inputs['expected-digest']}`,
    );
  if (!verdict.complete)
    throw new GateFailure(
      neutraliseCommands(failureText(verdict, sourceName, inputs.sections.length > 0)),
    );
  kit.info(
    `Checklist complete: ${verdict.checked} of ${verdict.total} required items done (${digest}).`,
  );
}

type ChecklistModule = typeof import('@cutover/checklist');

/**
 * The checklist file, refused when it leaves the workspace: by its path ("../..", absolute) or
 * through a symbolic link, which a pull request can commit. No input widens this: every
 * checkout lives in the workspace, and a generated checklist can be written there.
 */
function confinedPath(workspace: string, path: string): string {
  const full = resolveInWorkspace(workspace, path, "input 'path'");
  let real: string;
  try {
    real = realpathSync(full);
  } catch {
    return full; // missing: the read reports it with advice
  }
  const root = realpathSync(workspace);
  try {
    resolveInWorkspace(root, real, "input 'path'");
  } catch {
    throw new ConfigError(
      `input 'path': "${path}" is a symbolic link to ${real}, outside the workspace ${root}; expected a file inside it`,
    );
  }
  return real;
}

/** Text from the checklist (and probe details quoting it) folded onto one log line. */
function oneLine(text: string): string {
  return text.replace(/[\r\n\u0085\u2028\u2029]+/g, ' ');
}

function parseDocument(checklist: ChecklistModule, document: ChecklistDocument) {
  try {
    return { document, ...checklist.parseChecklist(document.text) };
  } catch (error) {
    if (error instanceof checklist.ChecklistTooLargeError)
      throw new ConfigError(`${document.origin}: ${error.message}; refusing to parse it`);
    throw error;
  }
}

function createVerifiers(
  checklist: ChecklistModule,
  kit: ActionKit,
  event: EventContext,
  getApi: () => Promise<GitHubApi>,
  deps: Dependencies,
): Verifiers {
  const ca = deps.probeCa === undefined ? {} : { ca: deps.probeCa };
  return {
    tls: (spec) => probeTlsCertificate(spec, { now: kit.clock.now(), ...ca }),
    http: (spec) => probeHttpStatus(spec, ca),
    checks: async (spec) => {
      const sha = commitUnderTest(event);
      if (sha === undefined)
        return { ok: false, detail: 'the run names no commit (GITHUB_SHA is unset)' };
      const api = await getApi();
      const [runs, combined] = await Promise.all([
        api.listCheckRuns(sha),
        api.getCombinedStatus(sha),
      ]);
      return judgeChecks({ sha, runs, combined, runId: event.runId, ignore: spec.ignore });
    },
    releaseTag: (spec) => Promise.resolve(checklist.checkReleaseTag(event.ref, spec.pattern)),
  };
}

/**
 * Ticks, in the issue or PR body, the unticked items whose verifiers all passed. GitHub offers
 * no conditional update for issue bodies, so the body is re-read just before the write and
 * again after it: if anyone else edited it in between, nothing counts as ticked (fail closed).
 */
async function tickVerifiedItems(
  checklist: ChecklistModule,
  kit: ActionKit,
  document: ChecklistDocument,
  items: readonly ChecklistItem[],
  outcomes: Map<ChecklistItem, VerifierOutcome[]>,
  tickedByTool: Set<ChecklistItem>,
  getApi: () => Promise<GitHubApi>,
): Promise<void> {
  const target = document.editable;
  if (target === undefined) return;
  const candidates = items.filter((item) => {
    const list = outcomes.get(item) ?? [];
    return (
      !item.ticked &&
      item.flagged === undefined &&
      !item.notApplicable &&
      item.problems.length === 0 &&
      list.length > 0 &&
      list.length === item.verifiers.length &&
      list.every((o) => o.ok)
    );
  });
  if (candidates.length === 0) return;
  const api = await getApi();
  const current = await api.getIssue(target.number, target.kind);
  if (current.body !== document.text) {
    kit.warning(
      `${document.origin} was edited while it was being verified; not ticking ${candidates.length} verified item(s). Re-run to tick them.`,
    );
    return;
  }
  const ticked = checklist.tickItems(document.text, candidates);
  await api.updateIssueBody(target.number, ticked, target.kind);
  const after = await api.getIssue(target.number, target.kind);
  if (after.body !== ticked) {
    kit.warning(
      `${document.origin} was edited by someone else while ticking; the ticks may be lost. Re-run to check again.`,
    );
    return;
  }
  document.text = ticked;
  for (const item of candidates) tickedByTool.add(item);
  kit.notice(`Ticked ${candidates.length} verified item(s) in ${document.origin}.`);
}

function report(
  kit: ActionKit,
  verdict: ChecklistVerdict,
  documents: ChecklistDocument[],
  sourceName: string,
  digest: string,
): void {
  kit.setOutput('complete', String(verdict.complete));
  kit.setOutput('total', String(verdict.total));
  kit.setOutput('checked', String(verdict.checked));
  kit.setOutput(
    'missing',
    JSON.stringify(
      verdict.missing.map(({ section, text, line, origin, reason }) => ({
        section,
        text,
        line,
        origin,
        reason,
      })),
    ),
  );
  kit.setOutput('digest', digest);
  kit.setOutput('source', sourceName);

  const fileOf = new Map(documents.map((document) => [document.origin, document.file]));
  for (const missing of verdict.missing.slice(0, MAX_ANNOTATIONS)) {
    const file = fileOf.get(missing.origin);
    const message = oneLine(`[${missing.section}] ${missing.text}: ${missing.reason}`);
    if (file === undefined)
      kit.error(`${missing.origin} line ${missing.line}: ${message}`, {
        title: 'Checklist item blocks the cutover',
      });
    else
      kit.error(message, {
        title: 'Checklist item blocks the cutover',
        file,
        startLine: missing.line,
      });
  }
  if (verdict.missing.length > MAX_ANNOTATIONS)
    kit.error(
      `${verdict.missing.length - MAX_ANNOTATIONS} more blocking items in ${sourceName}; see the job summary`,
    );
}

function failureText(verdict: ChecklistVerdict, sourceName: string, filtered: boolean): string {
  if (verdict.results.length === 0 || verdict.results.every((r) => r.status === 'not-applicable'))
    return `no task list items ("- [ ] ...") found in ${sourceName}${filtered ? " under input 'sections'" : ''}; an empty checklist never passes`;
  const lines = [
    `checklist in ${sourceName} is incomplete: ${verdict.missing.length} item(s) block the cutover (${verdict.checked} of ${verdict.total} required done)`,
  ];
  let section = '';
  for (const missing of verdict.missing.slice(0, 100)) {
    if (missing.section !== section) lines.push(`  ${(section = missing.section)}:`);
    lines.push(
      `    - ${missing.text} (${missing.origin}, line ${missing.line}): ${missing.reason}`,
    );
  }
  if (verdict.missing.length > 100) lines.push(`  … and ${verdict.missing.length - 100} more`);
  return lines.join('\n');
}
