import { ConfigError } from '@cutover/kit';
import { parseDuration, type Plan } from '@cutover/plan';
import { checkRunId, parseVerdictInput, type RecordedVerdict } from '@cutover/traffic';

/** How a shift runs: the verification bound, the run recorded in the marker, the verdict behind it. */
export function shiftSettings(
  inputs: {
    'verify-timeout': string | undefined;
    'run-id': string | undefined;
    verdict: string | undefined;
  },
  plan: Plan | undefined,
  env: Record<string, string | undefined>,
  now: number,
): { verifyTimeoutMs: number; runId: string; verdict: RecordedVerdict | undefined } {
  const timeout = inputs['verify-timeout'];
  const verifyTimeoutMs =
    timeout === undefined ? (plan?.rollback.trafficTimeoutMs ?? 120_000) : parseDuration(timeout);
  if (verifyTimeoutMs === undefined || verifyTimeoutMs <= 0)
    throw new ConfigError(
      `input 'verify-timeout': expected a duration like "2m", got "${timeout ?? ''}"`,
    );
  const runId = checkRunId(
    inputs['run-id'] ?? `${env.GITHUB_RUN_ID ?? 'local'}-${env.GITHUB_RUN_ATTEMPT ?? '1'}`,
  );
  return { verifyTimeoutMs, runId, verdict: parseVerdictInput(inputs.verdict, now) };
}
