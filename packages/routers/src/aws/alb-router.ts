import type {
  Action,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { shareOf, type Weights } from '@cutover/plan';
import {
  ConflictError,
  decodeMarkerCompact,
  encodeMarkerCompact,
  type Marker,
  type RouterTarget,
  type TargetState,
} from '@cutover/traffic';

export interface AlbSettings {
  region: string;
  /** The listener rule whose forward action splits traffic. */
  ruleArn: string;
  /** Target group ARNs. */
  stable: string;
  candidate: string;
  endpoint?: string | undefined;
}

const MARKER_TAG = 'cutover.dev/traffic';

/**
 * ALB listener rule forwarding to weighted target groups. ELBv2 has no conditional write, so
 * the router re-reads just before writing (refusing if the rule or marker moved), writes the
 * marker tag first (it never claims less than may have happened), then ModifyRule with the
 * rule's whole action list; verification reads back and catches a concurrent writer.
 * Readiness is DescribeTargetHealth: a target group needs a healthy target to get traffic.
 */
export class AlbRouter implements RouterTarget {
  readonly description: string;
  readonly allOrNothing = false;
  private client: ElasticLoadBalancingV2Client | undefined;
  private actions: Action[] = [];

  constructor(private readonly settings: AlbSettings) {
    this.description = `ALB rule ${settings.ruleArn.split('/').slice(-2).join('/')}`;
  }

  private async sdk() {
    const sdk = await import('@aws-sdk/client-elastic-load-balancing-v2');
    this.client ??= new sdk.ElasticLoadBalancingV2Client({
      region: this.settings.region,
      ...(this.settings.endpoint === undefined ? {} : { endpoint: this.settings.endpoint }),
    });
    return { sdk, client: this.client };
  }

  async read(): Promise<TargetState> {
    const { sdk, client } = await this.sdk();
    const [rules, tags] = await Promise.all([
      client.send(new sdk.DescribeRulesCommand({ RuleArns: [this.settings.ruleArn] })),
      client.send(new sdk.DescribeTagsCommand({ ResourceArns: [this.settings.ruleArn] })),
    ]);
    this.actions = rules.Rules?.[0]?.Actions ?? [];
    const groups =
      this.actions.find((a) => a.Type === 'forward')?.ForwardConfig?.TargetGroups ?? [];
    const weight = (arn: string) => groups.find((g) => g.TargetGroupArn === arn)?.Weight;
    const stable = weight(this.settings.stable);
    const candidate = weight(this.settings.candidate);
    if (stable === undefined || candidate === undefined)
      throw new Error(
        `${this.description}: its forward action does not name both target groups (${groups.map((g) => g.TargetGroupArn?.split('/').slice(-2, -1)[0] ?? '?').join(', ') || 'none'})`,
      );
    const markerText = tags.TagDescriptions?.[0]?.Tags?.find((t) => t.Key === MARKER_TAG)?.Value;
    return {
      weights: shareOf(stable, candidate, this.description),
      marker: decodeMarkerCompact(markerText, this.description),
      version: JSON.stringify([groups, markerText ?? null]),
    };
  }

  async write(weights: Weights, marker: Marker, version: string): Promise<void> {
    const fresh = await this.read();
    if (fresh.version !== version)
      throw new ConflictError(`${this.description} changed since it was read`);
    const { sdk, client } = await this.sdk();
    await client.send(
      new sdk.AddTagsCommand({
        ResourceArns: [this.settings.ruleArn],
        Tags: [{ Key: MARKER_TAG, Value: encodeMarkerCompact(marker) }],
      }),
    );
    const actions = this.actions.map((action) => {
      if (action.Type !== 'forward' || action.ForwardConfig === undefined) return action;
      const { TargetGroupArn: _single, ...rest } = action;
      return {
        ...rest,
        ForwardConfig: {
          ...action.ForwardConfig,
          TargetGroups: (action.ForwardConfig.TargetGroups ?? []).map((g) =>
            g.TargetGroupArn === this.settings.stable
              ? { ...g, Weight: weights.stable }
              : g.TargetGroupArn === this.settings.candidate
                ? { ...g, Weight: weights.candidate }
                : g,
          ),
        },
      };
    });
    await client.send(
      new sdk.ModifyRuleCommand({ RuleArn: this.settings.ruleArn, Actions: actions }),
    );
  }

  async readiness(): Promise<{ stable: boolean; candidate: boolean }> {
    const { sdk, client } = await this.sdk();
    const healthy = async (arn: string) => {
      const health = await client.send(
        new sdk.DescribeTargetHealthCommand({ TargetGroupArn: arn }),
      );
      return (health.TargetHealthDescriptions ?? []).some(
        (d) => d.TargetHealth?.State === 'healthy',
      );
    };
    const [stable, candidate] = await Promise.all([
      healthy(this.settings.stable),
      healthy(this.settings.candidate),
    ]);
    return { stable, candidate };
  }

  effective(): Promise<{ effective: boolean; detail: string }> {
    // ModifyRule is applied by the time it returns; the read-back in the engine checks the weights.
    return Promise.resolve({ effective: true, detail: 'rule updated' });
  }
}
