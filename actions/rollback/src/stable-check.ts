import type { ActionKit } from '@cutover/action-kit';
import { errorMessage } from '@cutover/kit';
import type { MetricsSource } from '@cutover/gates';
import { formatDuration, type GateRule, type Plan } from '@cutover/plan';
import type { Phase, StableHealth } from './phases.js';

/**
 * Stable's health, judged once after traffic is back: the plan's gates watched from that moment
 * over `windowMs` (failing as soon as a rule does), with no initial delay (stable was serving
 * all along). Relative rules compare the candidate with stable, and the candidate has no
 * traffic any more: they are left out. A gate written over the whole service measures stable
 * now; one that selects the candidate's series has no data and says inconclusive.
 */
export async function stableCheck(
  kit: ActionKit,
  plan: Plan | undefined,
  options: {
    enabled: boolean;
    windowMs: number;
    from: number;
    source: (plan: Plan, from: number) => Promise<MetricsSource>;
  },
): Promise<{ phase: Phase; health: StableHealth; details: string[] }> {
  const started = kit.clock.now();
  const phase = (status: Phase['status'], detail: string): Phase => ({
    phase: 'stable-check',
    status,
    durationMs: kit.clock.now() - started,
    detail,
  });
  const skip = (why: string) => ({
    health: 'skipped' as const,
    details: [],
    phase: phase('skipped', why),
  });
  if (!options.enabled) return skip('check-stable is false');
  if (plan === undefined) return skip('no plan: no gates to judge stable with');
  const rules: GateRule[] = Object.values(plan.gates)
    .filter((rule) => rule.relative === undefined)
    .map((rule) => ({ ...rule, initialDelayMs: 0 }));
  if (rules.length === 0) return skip('the plan has no gate that is not relative to the candidate');
  try {
    const { watchGates } = await import('@cutover/gates');
    const report = await watchGates(rules, await options.source(plan, options.from), kit.clock, {
      from: options.from,
      until: options.from + options.windowMs,
    });
    const health = report.outcome.status;
    const details = report.verdicts.map((v) => `stable ${v.rule}: ${v.status}: ${v.reason}`);
    for (const line of details) kit.info(line);
    if (health !== 'pass')
      kit.warning(`stable after the rollback: ${health}: ${report.outcome.reason}`, {
        title: 'rollback: stable health',
      });
    return {
      health,
      details,
      phase: phase(
        'done',
        `${health} over ${formatDuration(options.windowMs)} (${rules.map((r) => r.name).join(', ')}): ${report.outcome.reason}`,
      ),
    };
  } catch (error) {
    kit.warning(`stable check could not run: ${errorMessage(error)}`, {
      title: 'rollback: stable health',
    });
    return {
      health: 'inconclusive',
      details: [],
      phase: phase('failed', `could not judge stable: ${errorMessage(error)}`),
    };
  }
}
