import type { ActionKit } from '@cutover/action-kit';
import { readPlanStacks } from '@cutover/catalog';
import { ConfigError, errorMessage } from '@cutover/kit';
import type { Plan } from '@cutover/plan';
import {
  parseRollbackRecord,
  restoreStacks,
  type StackEngine,
  type StackSpec,
} from '@cutover/stacks';
import type { Phase } from './phases.js';

/**
 * The stacks deploy-stack changed, put back from its rollback record. The CloudFormation
 * engine (and its SDK) is built only when the record holds a stack.
 */
export async function stacksPhase(
  kit: ActionKit,
  plan: Plan | undefined,
  options: {
    recordPath: string;
    readRecord: (path: string) => Promise<string | undefined>;
    region: string | undefined;
    engine: (region: string) => Promise<StackEngine>;
    continueRollbackSkip: string[];
    timeoutMs: number;
    runId: string;
    signal: AbortSignal;
  },
): Promise<{ phase: Phase; changed: boolean; error?: Error; details: string[] }> {
  const started = kit.clock.now();
  const phase = (status: Phase['status'], detail: string): Phase => ({
    phase: 'stacks',
    status,
    durationMs: kit.clock.now() - started,
    detail,
  });
  try {
    const text = await options.readRecord(options.recordPath);
    if (text === undefined) {
      kit.warning(
        `no rollback record at ${options.recordPath}: no stack restored. If deploy-stack changed stacks in another job, download its record (an artifact) and name it in rollback-record`,
        { title: 'rollback: stacks' },
      );
      return {
        changed: false,
        details: [],
        phase: phase('skipped', `no rollback record at ${options.recordPath}`),
      };
    }
    const records = parseRollbackRecord(text, `input 'rollback-record' (${options.recordPath})`);
    if (records.length === 0)
      return {
        changed: false,
        details: [],
        phase: phase('nothing', 'the rollback record names no stack: deploy-stack changed none'),
      };
    if (options.region === undefined)
      throw new ConfigError(
        "input 'region': not set, and neither is AWS_REGION nor AWS_DEFAULT_REGION (the rollback record names stacks to restore)",
      );
    const region = options.region;
    const outcome = await kit.group(
      `Stacks: restoring ${records.map((r) => r.name).join(', ')} (dependents first)`,
      async () =>
        restoreStacks(records, await options.engine(region), {
          clock: kit.clock,
          runId: options.runId,
          specs: planSpecs(plan),
          continueRollbackSkip: options.continueRollbackSkip,
          timeoutMs: options.timeoutMs,
          signal: options.signal,
          onLog: (line) => kit.info(line),
        }),
    );
    const details = outcome.stacks.map(
      (s) =>
        `${s.name}: ${s.status}${s.actions.length === 0 ? '' : ` (${s.actions.join(', ')})`}${s.reason === undefined ? '' : `: ${s.reason}`}`,
    );
    const summary = outcome.stacks.map((s) => `${s.name} ${s.status}`).join(', ');
    return {
      changed: outcome.changed,
      details,
      ...(outcome.error === undefined ? {} : { error: outcome.error }),
      phase: phase(
        outcome.error !== undefined
          ? outcome.cancelled
            ? 'cancelled'
            : 'failed'
          : outcome.changed
            ? 'done'
            : 'nothing',
        summary,
      ),
    };
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    return {
      changed: false,
      details: [],
      error: failure,
      phase: phase('failed', errorMessage(error)),
    };
  }
}

/** The plan's listed stacks (their depends-on orders the restore); none for a CDK assembly. */
function planSpecs(plan: Plan | undefined): StackSpec[] | undefined {
  if (plan?.stacks === undefined) return undefined;
  const read = readPlanStacks(plan.stacks);
  return read.ok && read.stacks.kind === 'listed' ? read.stacks.specs : undefined;
}
