import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackFake } from './loopback-fake.js';
import { escapeXml, toXml, unflatten, type Json } from './aws-query.js';

/**
 * A fake of the ELBv2 query API (form-encoded requests, XML answers, version 2015-12-01) for
 * the calls the ALB router makes: DescribeRules, ModifyRule, DescribeTags, AddTags and
 * DescribeTargetHealth. Tag values are checked against ELB's allowed characters; throttling
 * and unknown rules answer as the API does.
 */
const NS = 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/';

export class FakeElbV2 extends LoopbackFake {
  readonly rules = new Map<string, { Priority: string; Actions: Json[] }>();
  readonly tags = new Map<string, Record<string, string>>();
  readonly health = new Map<string, string[]>();
  readonly requests: string[] = [];
  private throttle = 0;

  throttleNext(times: number): void {
    this.throttle += times;
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const action = params.get('Action') ?? '';
    this.requests.push(action);
    if (!req.headers.authorization?.startsWith('AWS4-HMAC-SHA256 '))
      return this.error(res, 403, 'MissingAuthenticationToken', 'Missing Authentication Token');
    if (params.get('Version') !== '2015-12-01')
      return this.error(
        res,
        400,
        'InvalidAction',
        `unknown version ${params.get('Version') ?? ''}`,
      );
    if (this.throttle > 0) {
      this.throttle--;
      return this.error(res, 400, 'Throttling', 'Rate exceeded');
    }
    const input = unflatten(params);
    switch (action) {
      case 'DescribeRules': {
        const arns = (input.RuleArns as Json[] | undefined) ?? [];
        const missing = arns.filter((arn) => !this.rules.has(arn as string));
        if (missing.length > 0)
          return this.error(res, 400, 'RuleNotFound', 'One or more rules not found');
        return this.ok(res, action, { Rules: arns.map((arn) => this.ruleJson(arn as string)) });
      }
      case 'ModifyRule': {
        const arn = input.RuleArn as string;
        const rule = this.rules.get(arn);
        if (rule === undefined)
          return this.error(res, 400, 'RuleNotFound', 'One or more rules not found');
        const actions = (input.Actions as Json[] | undefined) ?? [];
        for (const a of actions) {
          const groups = (((
            (a as Record<string, Json>).ForwardConfig as Record<string, Json> | undefined
          )?.TargetGroups as Json[] | undefined) ?? []) as Record<string, Json>[];
          if (groups.some((g) => Number(g.Weight) < 0 || Number(g.Weight) > 999))
            return this.error(
              res,
              400,
              'ValidationError',
              'Target group weights must be between 0 and 999',
            );
        }
        rule.Actions = actions;
        return this.ok(res, action, { Rules: [this.ruleJson(arn)] });
      }
      case 'DescribeTags': {
        const arns = (input.ResourceArns as Json[] | undefined) ?? [];
        return this.ok(res, action, {
          TagDescriptions: arns.map((arn) => ({
            ResourceArn: arn,
            Tags: Object.entries(this.tags.get(arn as string) ?? {}).map(([Key, Value]) => ({
              Key,
              Value,
            })),
          })),
        });
      }
      case 'AddTags': {
        const arns = (input.ResourceArns as Json[] | undefined) ?? [];
        const tags = ((input.Tags as Json[] | undefined) ?? []) as Record<string, string>[];
        const bad = tags.find(
          (t) =>
            !/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u.test(t.Value ?? '') || (t.Value ?? '').length > 256,
        );
        if (bad !== undefined)
          return this.error(
            res,
            400,
            'ValidationError',
            `1 validation error detected: Value '${bad.Value ?? ''}' at 'tags.1.member.value' failed to satisfy constraint: Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$`,
          );
        for (const arn of arns)
          this.tags.set(arn as string, {
            ...this.tags.get(arn as string),
            ...Object.fromEntries(tags.map((t) => [t.Key ?? '', t.Value ?? ''])),
          });
        return this.ok(res, action, {});
      }
      case 'DescribeTargetHealth': {
        const states = this.health.get(input.TargetGroupArn as string);
        if (states === undefined)
          return this.error(res, 400, 'TargetGroupNotFound', 'One or more target groups not found');
        return this.ok(res, action, {
          TargetHealthDescriptions: states.map((State, i) => ({
            Target: { Id: `i-0${i}`, Port: 80 },
            TargetHealth: { State },
          })),
        });
      }
      default:
        return this.error(
          res,
          400,
          'InvalidAction',
          `The action ${action} is not valid for this web service.`,
        );
    }
  }

  private ruleJson(arn: string): Json {
    const rule = this.rules.get(arn);
    return {
      RuleArn: arn,
      Priority: rule?.Priority ?? '1',
      Conditions: [],
      Actions: rule?.Actions ?? [],
      IsDefault: false,
    };
  }

  private ok(res: ServerResponse, action: string, result: Json): boolean {
    res
      .writeHead(200, { 'content-type': 'text/xml' })
      .end(
        `<${action}Response xmlns="${NS}"><${action}Result>${toXml(result)}</${action}Result><ResponseMetadata><RequestId>req</RequestId></ResponseMetadata></${action}Response>`,
      );
    return true;
  }

  private error(res: ServerResponse, status: number, code: string, message: string): boolean {
    res
      .writeHead(status, { 'content-type': 'text/xml' })
      .end(
        `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>req</RequestId></ErrorResponse>`,
      );
    return true;
  }
}
