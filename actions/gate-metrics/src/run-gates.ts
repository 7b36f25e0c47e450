import type { ActionKit } from '@cutover/action-kit';
import {
  checkWindow,
  showInstant,
  showValue,
  watchGates,
  type GateReport,
  type MetricsSource,
  type RuleVerdict,
} from '@cutover/gates';
import { formatDuration, type GateRule, type RollbackPolicy } from '@cutover/plan';

/**
 * Evaluates the rules over the window in a log group: check mode judges it at once; watch mode
 * polls until it ends (past it, on-inconclusive: hold keeps watching for data up to max-hold),
 * logging verdict changes rather than every poll.
 */
export async function runGates(
  kit: ActionKit,
  title: string,
  rules: GateRule[],
  source: MetricsSource,
  window: { from: number; to: number },
  mode: 'watch' | 'check',
  policy: RollbackPolicy,
): Promise<GateReport> {
  const holdUntil =
    mode === 'watch' && policy.onInconclusive === 'hold' ? window.to + policy.maxHoldMs : undefined;
  return kit.group(`${title} against ${source.name}`, async () => {
    kit.info(
      `window ${showInstant(window.from)} → ${showInstant(window.to)} (${formatDuration(window.to - window.from)})`,
    );
    if (mode === 'check') return checkWindow(rules, source, window.from, window.to, kit.clock);
    let previous = '';
    let holding = false;
    return watchGates(rules, source, kit.clock, {
      from: window.from,
      until: window.to,
      ...(holdUntil === undefined ? {} : { holdUntil }),
      onRound: (verdicts, at) => {
        // Log changes, not every poll: a day-long bake would otherwise print thousands of lines.
        const line = verdicts
          .map((v) => `${v.rule}=${v.breachSince === undefined ? v.status : 'breaching'}`)
          .join(' ');
        if (line !== previous) kit.info(`${showInstant(at)} ${verdicts.map(describe).join(' | ')}`);
        previous = line;
        if (!holding && at >= window.to && holdUntil !== undefined && at < holdUntil) {
          const unknown = verdicts.filter((v) => v.status === 'inconclusive');
          if (unknown.length > 0 && !verdicts.some((v) => v.status === 'fail'))
            kit.info(
              `the bake ended inconclusive; holding for data until ${showInstant(holdUntil)} (rollback.on-inconclusive: hold, max-hold ${formatDuration(policy.maxHoldMs)})`,
            );
          holding = true;
        }
      },
    });
  });
}

function describe(verdict: RuleVerdict): string {
  return `${verdict.rule} ${showValue(verdict.last, verdict.unit)} (${verdict.threshold}) ${verdict.breachSince === undefined ? verdict.status : 'BREACHING'}`;
}
