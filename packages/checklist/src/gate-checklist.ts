import { concludeChecklist, oneLine, type ChecklistConclusion } from './conclude-checklist.js';
import { evaluateChecklist } from './evaluate-checklist.js';
import type { ChecklistItem } from './parse-checklist.js';
import { scopeDocuments, type ChecklistDocument } from './scope-documents.js';
import { checklistDigest } from './tick-items.js';
import { tickVerified, type EditableBody } from './tick-verified.js';
import { checkReleaseTag, verifyItems, type Verifiers } from './verify-items.js';

/** The verifiers that need the outside world (network, GitHub API); release-tag needs only the ref. */
export type ChecklistProbes = Omit<Verifiers, 'releaseTag'>;

/** Where the gate reports progress; the action kit is one. */
export interface GateLog {
  group<T>(name: string, body: () => Promise<T>): Promise<T>;
  info(message: string): void;
  notice(message: string): void;
  warning(message: string): void;
}

export interface GateOptions {
  /** The source as named to the user, e.g. "issue #12". */
  source: string;
  /** Headings to gate (input 'sections'); empty means all. */
  sections: readonly string[];
  /** Host globs the tls and http verifiers may contact (input 'verify-hosts'). */
  allowedHosts: readonly string[];
  /** Verify unticked items too and tick those that pass, in editable documents. */
  tickVerified: boolean;
  /** The digest an earlier run approved (input 'expected-digest'). */
  expectedDigest: string | undefined;
  /** The run's git ref, judged by release-tag verifiers. */
  ref: string | undefined;
}

export interface GatePorts {
  probes: ChecklistProbes;
  /** The stored body of an issue or pull request, for ticking. */
  editableBody(target: NonNullable<ChecklistDocument['editable']>): EditableBody;
  log: GateLog;
}

/**
 * The checklist gate over loaded documents: scope, verify, tick (when asked), evaluate. A
 * configuration mistake throws ConfigError; an incomplete checklist is a returned `failure`.
 */
export async function gateChecklist(
  documents: readonly ChecklistDocument[],
  options: GateOptions,
  ports: GatePorts,
): Promise<ChecklistConclusion> {
  const scoped = scopeDocuments(documents, options.sections);
  const verifiers: Verifiers = {
    ...ports.probes,
    releaseTag: (spec) => Promise.resolve(checkReleaseTag(options.ref, spec.pattern)),
  };
  const outcomes = await ports.log.group('Verifying machine-checkable items', async () => {
    const result = await verifyItems(
      scoped.flatMap((entry) => entry.items),
      verifiers,
      { allowedHosts: options.allowedHosts, concurrency: 4, includeUnticked: options.tickVerified },
    );
    for (const list of result.values())
      for (const outcome of list)
        ports.log.info(
          oneLine(`${outcome.ok ? 'pass' : 'FAIL'}  ${outcome.source}: ${outcome.detail}`),
        );
    return result;
  });

  // Documents one after the other: each tick is a read-compare-write-read on its own body.
  const tickedByTool = new Set<ChecklistItem>();
  const judged: ChecklistDocument[] = [];
  for (const entry of scoped) {
    const target = entry.document.editable;
    if (!options.tickVerified || target === undefined) {
      judged.push(entry.document);
      continue;
    }
    const result = await tickVerified(entry, outcomes, ports.editableBody(target));
    if ('notice' in result) ports.log.notice(result.notice);
    else if (result.warning !== undefined) ports.log.warning(result.warning);
    for (const item of result.ticked) tickedByTool.add(item);
    judged.push({ ...entry.document, text: result.text });
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
  return concludeChecklist({
    verdict,
    // Of the text as it stands after ticking, so a later job can pin exactly what passed.
    digest: checklistDigest(judged.map((document) => document.text)),
    documents: judged,
    source: options.source,
    filtered: options.sections.length > 0,
    expectedDigest: options.expectedDigest,
  });
}
