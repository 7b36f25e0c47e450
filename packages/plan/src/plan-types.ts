import type { GateTemplateUse } from './gate-templates.js';
import type { Threshold } from './threshold.js';

export type Strategy = 'blue-green' | 'phased';
export type Severity = 'critical' | 'warning';
export type NoDataPolicy = 'fail' | 'inconclusive' | 'pass';

/** A Prometheus expression, or a CloudWatch GetMetricData request (validated by its provider). */
export type MetricQuery = string | Record<string, unknown>;

export interface GateRule {
  name: string;
  query: MetricQuery;
  threshold: Threshold;
  /** The breach must hold this long (as Prometheus alerting `for`). 0 = first breaching point. */
  forMs: number;
  intervalMs: number;
  initialDelayMs: number;
  minSamples: number;
  minTraffic: { query: MetricQuery; threshold: number } | undefined;
  onNoData: NoDataPolicy;
  /**
   * Data coverage the window must reach: the share (0..1) of evaluation points after
   * `initial-delay` that had data at or above the traffic guard. Below it, the verdict is
   * `onNoData`. Default 0.9.
   */
  minCoverage: number;
  /**
   * The longest run of points without data (or under the traffic guard) tolerated, including a
   * run that reaches the end of the window. Longer gives the `onNoData` verdict, in watch mode
   * as soon as the gap passes it. Default max(for, interval).
   */
  maxGapMs: number;
  /** Consecutive provider errors tolerated; one more fails the rule. */
  errorBudget: number;
  /** Compare the candidate with stable: value = candidate / baseline (ratio) or candidate - baseline. */
  relative: { baseline: MetricQuery; mode: 'ratio' | 'difference' } | undefined;
  severity: Severity;
  description: string | undefined;
  /**
   * The template the gate was written with (`template:` and `params:`); `query`, the default
   * threshold and the `min-traffic` query were expanded from it. Absent when the gate wrote its
   * query, so such plans keep their hash.
   */
  template?: GateTemplateUse;
}

export interface PlanStep {
  weight: number;
  bakeMs: number;
  gates: string[];
}

export interface MetricsConfig {
  /** A metrics provider kind; the metrics registry knows which exist (checked by the catalog). */
  provider: string;
  /** Provider settings (url, region, path, headers, ...), checked by the provider. */
  settings: Record<string, unknown>;
}

export interface RollbackPolicy {
  /** What a step does when its gates stay inconclusive after the bake. */
  onInconclusive: 'hold' | 'rollback';
  /** An inconclusive hold longer than this becomes a rollback. */
  maxHoldMs: number;
  /** Bound for putting traffic back on stable (NextEvent: < 2 minutes). */
  trafficTimeoutMs: number;
  /** Target for breach-to-stable; the plan is refused if its worst case exceeds it. */
  maxTimeToStableMs: number | undefined;
}

export interface Plan {
  version: 1;
  name: string;
  strategy: Strategy;
  target: { kind: string; name: string; settings: Record<string, unknown> };
  router: { kind: string; settings: Record<string, unknown> };
  metrics: MetricsConfig;
  steps: PlanStep[];
  gates: Record<string, GateRule>;
  rollback: RollbackPolicy;
  /**
   * The `stacks:` section as written: CloudFormation stacks for deploy-stack. Checked by the
   * stack domain (@cutover/stacks parseStackSpecs, through the catalog), not here: this package
   * knows no stack rules.
   */
  stacks?: unknown;
  /** The `workload:` section (the Kubernetes candidate), its keys and types checked here. */
  workload?: WorkloadSection;
}

/** The candidate workload on Kubernetes, as the plan writes it (docs/plan-reference.md). */
export interface WorkloadSection {
  /** Manifest files (YAML, one or more documents each), applied by server-side apply. */
  manifests: string[];
  namespace: string | undefined;
  image: string | undefined;
  /** The container to set the image on; needed when the manifests hold more than one. */
  container: string | undefined;
  /** Labelled as `cutover.dev/colour` on the candidate's objects and pods. */
  colour: 'blue' | 'green' | undefined;
  /** Rollout wait bound. */
  timeoutMs: number;
}
