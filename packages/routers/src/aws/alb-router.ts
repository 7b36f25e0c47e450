import type { Action } from '@aws-sdk/client-elastic-load-balancing-v2';
import { adviceFor, elbv2Client, lazyClient } from '@cutover/aws';
import { ConfigError, ConflictError, v } from '@cutover/kit';
import { shareOf, type Weights } from '@cutover/plan';
import {
  decodeMarkerCompact,
  encodeMarkerCompact,
  type Marker,
  type RouterTarget,
  type TargetState,
} from '@cutover/traffic';
import {
  endpoint,
  kindOf,
  settingsObject,
  text,
  type RouterDefinition,
} from '../router-settings.js';

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
  private readonly sdk: () => ReturnType<typeof elbv2Client>;
  private actions: Action[] = [];

  constructor(private readonly settings: AlbSettings) {
    this.description = `ALB rule ${settings.ruleArn.split('/').slice(-2).join('/')}`;
    this.sdk = lazyClient(() =>
      elbv2Client({ region: settings.region, endpoint: settings.endpoint }),
    );
  }

  /** One call, its failure in the kit's error model (a permission, a missing rule, throttling...). */
  private async call<T>(action: string, resource: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw adviceFor(error, { service: 'elasticloadbalancing', action, resource });
    }
  }

  async read(): Promise<TargetState> {
    const { sdk, client } = await this.sdk();
    const [rules, tags] = await Promise.all([
      this.call('DescribeRules', this.settings.ruleArn, () =>
        client.send(new sdk.DescribeRulesCommand({ RuleArns: [this.settings.ruleArn] })),
      ),
      this.call('DescribeTags', this.settings.ruleArn, () =>
        client.send(new sdk.DescribeTagsCommand({ ResourceArns: [this.settings.ruleArn] })),
      ),
    ]);
    this.actions = rules.Rules?.[0]?.Actions ?? [];
    const groups =
      this.actions.find((a) => a.Type === 'forward')?.ForwardConfig?.TargetGroups ?? [];
    const weight = (arn: string) => groups.find((g) => g.TargetGroupArn === arn)?.Weight;
    const stable = weight(this.settings.stable);
    const candidate = weight(this.settings.candidate);
    if (stable === undefined || candidate === undefined)
      throw new ConfigError(
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
    await this.call('AddTags', this.settings.ruleArn, () =>
      client.send(
        new sdk.AddTagsCommand({
          ResourceArns: [this.settings.ruleArn],
          Tags: [{ Key: MARKER_TAG, Value: encodeMarkerCompact(marker) }],
        }),
      ),
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
    await this.call('ModifyRule', this.settings.ruleArn, () =>
      client.send(new sdk.ModifyRuleCommand({ RuleArn: this.settings.ruleArn, Actions: actions })),
    );
  }

  async readiness(): Promise<{ stable: boolean; candidate: boolean }> {
    const { sdk, client } = await this.sdk();
    const healthy = async (arn: string) => {
      const health = await this.call('DescribeTargetHealth', arn, () =>
        client.send(new sdk.DescribeTargetHealthCommand({ TargetGroupArn: arn })),
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

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const ARN = 'arn:aws[a-z-]*:elasticloadbalancing:([a-z0-9-]+):\\d{12}';
const RULE_ARN = new RegExp(`^${ARN}:listener-rule/(app|net)/[^/]+/[0-9a-f]+/[0-9a-f]+/[0-9a-f]+$`);
const TARGET_GROUP_ARN = new RegExp(`^${ARN}:targetgroup/[^/]+/[0-9a-f]+$`);
const targetGroup = text(
  'a target group ARN like "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/api-green/2453ed029918f21f"',
  TARGET_GROUP_ARN,
);

export const albRouter: RouterDefinition<{
  kind: 'alb';
  region: string;
  'rule-arn': string;
  stable: string;
  candidate: string;
  endpoint?: string | undefined;
}> = {
  kind: 'alb',
  summary:
    'ALB listener rule forwarding to two weighted target groups; readiness from target health',
  settings: v.pipe(
    settingsObject({
      kind: kindOf('alb'),
      region: text('an AWS region like "eu-west-1"', REGION, 32),
      'rule-arn': text(
        'a listener rule ARN like "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/NAME/ID/ID/ID"',
        RULE_ARN,
      ),
      stable: targetGroup,
      candidate: targetGroup,
      endpoint: v.optional(endpoint),
    }),
    // ELBv2 is regional: a rule in another region than the client's is "not found".
    v.forward(
      v.partialCheck(
        [['region'], ['rule-arn']],
        (input: { region: string; 'rule-arn': string }) =>
          RULE_ARN.exec(input['rule-arn'])?.[1] === input.region,
        (issue) => {
          const input = issue.input;
          return `expected the region of rule-arn (${RULE_ARN.exec(input['rule-arn'])?.[1] ?? '?'}), got ${JSON.stringify(input.region)}`;
        },
      ),
      ['region'],
    ),
  ),
  create: (settings) => [
    new AlbRouter({
      region: settings.region,
      ruleArn: settings['rule-arn'],
      stable: settings.stable,
      candidate: settings.candidate,
      endpoint: settings.endpoint,
    }),
  ],
};
