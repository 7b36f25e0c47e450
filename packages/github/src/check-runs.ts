import type { CheckRun, CommitStatus } from './github-api.js';

const GOOD_CONCLUSIONS = ['success', 'neutral', 'skipped'];

/**
 * Pure: do all checks on the commit pass? The run calling this is itself in progress, so its
 * own check runs (those linking to this run id) are left out. No checks at all is not a pass.
 */
export function judgeChecks(input: {
  sha: string;
  runs: CheckRun[];
  combined: { state: string; statuses: CommitStatus[] };
  runId: string | undefined;
  ignore: readonly string[];
}): { ok: boolean; detail: string } {
  const ownRun = input.runId === undefined ? undefined : `/runs/${input.runId}/`;
  const considered = input.runs.filter(
    (run) =>
      !input.ignore.includes(run.name) &&
      !(
        ownRun !== undefined &&
        [run.detailsUrl, run.htmlUrl].some((url) => url?.includes(ownRun) === true)
      ),
  );
  const statuses = input.combined.statuses.filter(
    (status) => !input.ignore.includes(status.context),
  );
  const short = input.sha.slice(0, 7);
  if (considered.length === 0 && statuses.length === 0)
    return { ok: false, detail: `no check runs or statuses on ${short} (besides this run)` };

  const problems = [
    ...considered
      .filter(
        (run) => run.status !== 'completed' || !GOOD_CONCLUSIONS.includes(run.conclusion ?? ''),
      )
      .map(
        (run) =>
          `${run.name}: ${run.status === 'completed' ? (run.conclusion ?? 'no conclusion') : run.status}`,
      ),
    ...statuses
      .filter((status) => status.state !== 'success')
      .map((status) => `${status.context}: ${status.state}`),
  ];
  const count = considered.length + statuses.length;
  const checks = count === 1 ? '1 check' : `${count} checks`;
  return problems.length === 0
    ? { ok: true, detail: `${count === 1 ? 'the' : 'all'} ${checks} on ${short} succeeded` }
    : {
        ok: false,
        detail: `${problems.length} of ${checks} on ${short} not successful: ${problems.slice(0, 10).join(', ')}`,
      };
}
