import type { VerifierSpec } from './item-directives.js';
import type { ChecklistItem } from './parse-checklist.js';
import type { VerifierOutcome } from './evaluate-checklist.js';

/** The probes behind the verifiers; adapters implement them (network, GitHub API). */
export interface Verifiers {
  tls(spec: Extract<VerifierSpec, { kind: 'tls' }>): Promise<Omit<VerifierOutcome, 'source'>>;
  http(spec: Extract<VerifierSpec, { kind: 'http' }>): Promise<Omit<VerifierOutcome, 'source'>>;
  checks(spec: Extract<VerifierSpec, { kind: 'checks' }>): Promise<Omit<VerifierOutcome, 'source'>>;
  releaseTag(
    spec: Extract<VerifierSpec, { kind: 'release-tag' }>,
  ): Promise<Omit<VerifierOutcome, 'source'>>;
}

export interface VerifyOptions {
  /** Host globs the tls/http verifiers may contact ("*" = any). */
  allowedHosts: readonly string[];
  /** How many probes run at once. */
  concurrency: number;
  /** Whether unticked items are verified too (needed to tick them). */
  includeUnticked: boolean;
}

/**
 * Runs each distinct verifier once (the same URL on ten items is one request), a few at a time.
 * A probe that throws is a failed verification, never a pass.
 */
export async function verifyItems(
  items: readonly ChecklistItem[],
  verifiers: Verifiers,
  options: VerifyOptions,
): Promise<Map<ChecklistItem, VerifierOutcome[]>> {
  const wanted = items.filter(
    (item) =>
      !item.notApplicable && item.problems.length === 0 && (item.ticked || options.includeUnticked),
  );
  const distinct = new Map<string, VerifierSpec>();
  for (const item of wanted)
    for (const v of item.verifiers) if (v.type === 'verify') distinct.set(v.source, v.spec);

  const outcomes = new Map<string, VerifierOutcome>();
  const queue = [...distinct.entries()];
  const worker = async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const [source, spec] = next;
      outcomes.set(source, { source, ...(await runOne(spec, verifiers, options.allowedHosts)) });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));

  const byItem = new Map<ChecklistItem, VerifierOutcome[]>();
  for (const item of wanted) {
    const list = item.verifiers.flatMap((v) =>
      v.type === 'verify' ? [outcomes.get(v.source)] : [],
    );
    byItem.set(
      item,
      list.filter((outcome) => outcome !== undefined),
    );
  }
  return byItem;
}

async function runOne(
  spec: VerifierSpec,
  verifiers: Verifiers,
  allowedHosts: readonly string[],
): Promise<Omit<VerifierOutcome, 'source'>> {
  try {
    switch (spec.kind) {
      case 'tls':
      case 'http': {
        const host = spec.kind === 'tls' ? spec.host : new URL(spec.url).hostname;
        const refusal = hostRefusal(host, allowedHosts);
        if (refusal !== undefined) return { ok: false, detail: refusal };
        return spec.kind === 'tls' ? await verifiers.tls(spec) : await verifiers.http(spec);
      }
      case 'checks':
        return await verifiers.checks(spec);
      case 'release-tag':
        return await verifiers.releaseTag(spec);
    }
  } catch (error) {
    return {
      ok: false,
      detail: `could not verify: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

/**
 * Checklist text may come from an untrusted pull request, so probes are limited to allowed
 * hosts (matched on the name as written). The link-local test here only refuses the plain
 * spellings early, with a clear message; the decision that holds is made by the probes
 * (@cutover/probes) on the address actually connected to, in every encoding and after DNS.
 */
export function hostRefusal(host: string, allowedHosts: readonly string[]): string | undefined {
  const name = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (
    /^169\.254\./.test(name) ||
    /^fe80:/i.test(name) ||
    name === 'fd00:ec2::254' ||
    name === 'metadata.google.internal'
  )
    return `host ${host} is link-local or a cloud metadata endpoint; verifiers never contact it`;
  if (allowedHosts.some((pattern) => globMatch(pattern.toLowerCase(), name))) return undefined;
  return `host ${host} is not in verify-hosts (${allowedHosts.join(', ')})`;
}

/** "*" matches any run of characters except "/"; everything else is literal. */
export function globMatch(pattern: string, value: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]*');
  return new RegExp(`^${source}$`).test(value);
}

const SEMVER_TAG = /^v\d+\.\d+\.\d+$/;

/** Pure: is the workflow's ref a release tag? `semver` (default pattern) means vMAJOR.MINOR.PATCH. */
export function checkReleaseTag(
  ref: string | undefined,
  pattern: string,
): Omit<VerifierOutcome, 'source'> {
  if (ref === undefined || !ref.startsWith('refs/tags/'))
    return { ok: false, detail: `the run's ref is ${ref ?? '(unset)'}, not a tag` };
  const tag = ref.slice('refs/tags/'.length);
  const ok = pattern === 'semver' ? SEMVER_TAG.test(tag) : globMatch(pattern, tag);
  return ok
    ? { ok: true, detail: `ref is release tag ${tag}` }
    : {
        ok: false,
        detail: `tag ${tag} does not match ${pattern === 'semver' ? 'vMAJOR.MINOR.PATCH' : pattern}`,
      };
}
