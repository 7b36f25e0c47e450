import type { Plan } from './plan-types.js';

export interface TimelineStep {
  index: number;
  weight: number;
  startsAtMs: number;
  bakeMs: number;
  gates: string[];
  /** Worst case from a breach starting during this step to traffic back on stable. */
  breachToStableMs: number;
}

export interface Timeline {
  steps: TimelineStep[];
  /** Expected duration when every gate passes: the sum of the bakes. */
  expectedDurationMs: number;
  /** The slowest step's breach-to-stable time. */
  worstCaseBreachToStableMs: number;
  slowestGate: string | undefined;
}

/**
 * Pure. A breach is detected, at worst, `for` after it starts plus one evaluation interval
 * (the first point may land just after the breach began); the traffic rollback then has
 * `traffic-timeout` to complete.
 */
export function planTimeline(plan: Plan): Timeline {
  let clock = 0;
  let worst = 0;
  let slowestGate: string | undefined;
  const steps = plan.steps.map((step, index) => {
    let detection = 0;
    let gateName: string | undefined;
    for (const name of step.gates) {
      const gate = plan.gates[name];
      if (gate === undefined || gate.severity !== 'critical') continue;
      const lag = gate.forMs + gate.intervalMs;
      if (lag > detection) {
        detection = lag;
        gateName = name;
      }
    }
    const breachToStableMs = detection + plan.rollback.trafficTimeoutMs;
    if (breachToStableMs > worst) {
      worst = breachToStableMs;
      slowestGate = gateName;
    }
    const entry = {
      index,
      weight: step.weight,
      startsAtMs: clock,
      bakeMs: step.bakeMs,
      gates: step.gates,
      breachToStableMs,
    };
    clock += step.bakeMs;
    return entry;
  });
  return { steps, expectedDurationMs: clock, worstCaseBreachToStableMs: worst, slowestGate };
}
