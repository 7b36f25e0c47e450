import type { Clock } from '@cutover/kit';
import type { ChecklistProbes } from '@cutover/checklist';
import { commitUnderTest, judgeChecks, type EventContext, type GitHubApi } from '@cutover/github';
import { probeHttpStatus, probeTlsCertificate } from '@cutover/probes';

/** The verifiers that reach out: TLS and HTTP probes, and the commit's checks on GitHub. */
export function createProbes(options: {
  event: EventContext;
  github: () => Promise<GitHubApi>;
  clock: Clock;
  /** Extra trusted CA (tests); the runner's NODE_EXTRA_CA_CERTS applies anyway. */
  ca?: string | undefined;
}): ChecklistProbes {
  const ca = options.ca === undefined ? {} : { ca: options.ca };
  return {
    tls: (spec) => probeTlsCertificate(spec, { now: options.clock.now(), ...ca }),
    http: (spec) => probeHttpStatus(spec, ca),
    checks: async (spec) => {
      const sha = commitUnderTest(options.event);
      if (sha === undefined)
        return { ok: false, detail: 'the run names no commit (GITHUB_SHA is unset)' };
      const api = await options.github();
      const [runs, combined] = await Promise.all([
        api.listCheckRuns(sha),
        api.getCombinedStatus(sha),
      ]);
      return judgeChecks({ sha, runs, combined, runId: options.event.runId, ignore: spec.ignore });
    },
  };
}
