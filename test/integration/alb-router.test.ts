import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '@cutover/kit';
import { createTargets } from '@cutover/routers';
import {
  decodeMarkerCompact,
  rollbackTraffic,
  shiftTraffic,
  type ShiftOptions,
} from '@cutover/traffic';
import { FakeElbV2 } from '../support/fake-elbv2.js';

let elb: FakeElbV2;
const saved = { ...process.env };
const RULE =
  'arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:listener-rule/app/lightningtalk/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee';
const BLUE =
  'arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/api-blue/73e2d6bc24d8a067';
const GREEN =
  'arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/api-green/2453ed029918f21f';
const targets = () =>
  createTargets(
    {
      kind: 'alb',
      region: 'ap-northeast-1',
      'rule-arn': RULE,
      stable: BLUE,
      candidate: GREEN,
      endpoint: elb.url,
    },
    { clock: systemClock, resolvePath: (p) => p },
  ).targets;
const options = (overrides: Partial<ShiftOptions> = {}): ShiftOptions => ({
  runId: 'alb-1',
  planSteps: [10, 25, 50, 75, 100],
  force: false,
  clock: systemClock,
  verifyTimeoutMs: 2000,
  verifyIntervalMs: 20,
  log: () => undefined,
  ...overrides,
});
const weights = () =>
  (
    (
      (elb.rules.get(RULE)?.Actions[0] as Record<string, unknown>).ForwardConfig as Record<
        string,
        unknown
      >
    ).TargetGroups as { Weight: string }[]
  ).map((g) => Number(g.Weight));

beforeAll(() => {
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
});
afterAll(() => {
  process.env = saved;
});
beforeEach(async () => {
  elb = await new FakeElbV2().start();
  elb.rules.set(RULE, {
    Priority: '10',
    Actions: [
      {
        Type: 'forward',
        Order: '1',
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: BLUE, Weight: '100' },
            { TargetGroupArn: GREEN, Weight: '0' },
          ],
          TargetGroupStickinessConfig: { Enabled: 'false' },
        },
      },
    ],
  });
  elb.health.set(BLUE, ['healthy', 'healthy']);
  elb.health.set(GREEN, ['healthy', 'initial']);
});
afterEach(() => elb.stop());

describe('ALB weighted target groups', () => {
  it('shifts the forward weights, keeps the rest of the action, and tags the rule with the marker', async () => {
    await shiftTraffic(targets(), 10, options());
    expect(weights()).toEqual([90, 10]);
    const forward = (elb.rules.get(RULE)?.Actions[0] as Record<string, Record<string, unknown>>)
      .ForwardConfig;
    expect(forward?.TargetGroupStickinessConfig).toEqual({ Enabled: 'false' });
    expect(decodeMarkerCompact(elb.tags.get(RULE)?.['cutover.dev/traffic'], 'rule')).toMatchObject({
      runId: 'alb-1',
      state: 'done',
      after: { stable: 90, candidate: 10 },
    });
  });

  it('refuses to send traffic to a target group without healthy targets, before any write', async () => {
    elb.health.set(GREEN, ['unhealthy', 'draining']);
    await expect(shiftTraffic(targets(), 10, options())).rejects.toThrow(
      /the candidate has no ready endpoints; refusing to send it 10%/,
    );
    expect(elb.requests.filter((a) => a === 'ModifyRule' || a === 'AddTags')).toEqual([]);
  });

  it('retries throttling and rolls back to stable, idempotently', async () => {
    await shiftTraffic(targets(), 10, options());
    elb.throttleNext(2);
    await rollbackTraffic(targets(), options({ runId: 'rb-1' }));
    expect(weights()).toEqual([100, 0]);
    const writes = elb.requests.filter((a) => a === 'ModifyRule').length;
    await rollbackTraffic(targets(), options({ runId: 'rb-2' }));
    expect(elb.requests.filter((a) => a === 'ModifyRule').length).toBe(writes);
  });

  it('names a rule that does not forward to both target groups', async () => {
    elb.rules.set(RULE, {
      Priority: '10',
      Actions: [
        {
          Type: 'forward',
          Order: '1',
          ForwardConfig: { TargetGroups: [{ TargetGroupArn: BLUE, Weight: '1' }] },
        },
      ],
    });
    await expect(shiftTraffic(targets(), 10, options())).rejects.toThrow(
      /its forward action does not name both target groups \(api-blue\)/,
    );
  });
});
