import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, ConflictError, systemClock } from '@cutover/kit';
import { createTargets } from '@cutover/routers';
import {
  ShiftReverted,
  decodeMarkerCompact,
  rollbackTraffic,
  shiftTraffic,
  type ShiftOptions,
} from '@cutover/traffic';
import { FakeRoute53 } from '../support/fake-route53.js';

let route53: FakeRoute53;
const saved = { ...process.env };
const NAME = 'api.lightningtalk.example.com.';
const targets = () =>
  createTargets(
    {
      kind: 'route53',
      'hosted-zone-id': 'Z0123456789ABC',
      record: 'api.lightningtalk.example.com',
      stable: 'legacy',
      candidate: 'prod-v2',
      endpoint: route53.url,
    },
    { clock: systemClock, resolvePath: (p) => p },
  ).targets;
const options = (overrides: Partial<ShiftOptions> = {}): ShiftOptions => ({
  runId: 'dns-1',
  planSteps: undefined,
  force: false,
  clock: systemClock,
  verifyTimeoutMs: 5000,
  verifyIntervalMs: 20,
  log: () => undefined,
  ...overrides,
});
const shifting = (before: { stable: number; candidate: number }) => ({
  version: 1 as const,
  runId: 'x',
  step: 50,
  before,
  after: { stable: 50, candidate: 50 },
  state: 'shifting' as const,
  at: new Date().toISOString(),
});
const marker = () =>
  decodeMarkerCompact(
    route53.records.find((r) => r.Name === `_cutover.${NAME}`)?.Values[0]?.replace(/^"|"$/g, ''),
    'txt',
  );

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
  route53 = await new FakeRoute53().start();
  route53.records = [
    {
      Name: NAME,
      Type: 'A',
      SetIdentifier: 'legacy',
      Weight: 100,
      TTL: 60,
      Values: ['203.0.113.10'],
    },
    {
      Name: NAME,
      Type: 'A',
      SetIdentifier: 'prod-v2',
      Weight: 0,
      TTL: 60,
      Values: ['198.51.100.20'],
    },
    {
      Name: 'www.lightningtalk.example.com.',
      Type: 'CNAME',
      TTL: 300,
      Values: ['api.lightningtalk.example.com'],
    },
  ];
});
afterEach(() => route53.stop());

describe('Route 53 weighted records', () => {
  it('moves both weights and the marker in one change batch, and waits for INSYNC', async () => {
    route53.propagationMs = 150;
    const [outcome] = await shiftTraffic(targets(), 100, options());
    expect(route53.record(NAME, 'legacy')?.Weight).toBe(0);
    expect(route53.record(NAME, 'prod-v2')?.Weight).toBe(100);
    expect(route53.record(NAME, 'prod-v2')?.Values).toEqual(['198.51.100.20']);
    expect(outcome?.detail).toMatch(/^effective after .*: change \/change\/C0+1 INSYNC$/);
    expect(marker()).toMatchObject({
      runId: 'dns-1',
      state: 'done',
      before: { stable: 100, candidate: 0 },
      after: { stable: 0, candidate: 100 },
    });
    expect(
      route53.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/2013-04-01/change/'))
        .length,
    ).toBeGreaterThan(1);
  });

  it('treats records changed since the read as a conflict: the batch is refused whole, then re-read and retried', async () => {
    const [target] = targets();
    if (target === undefined) throw new Error('no target');
    const state = await target.read();
    const legacy = route53.record(NAME, 'legacy');
    if (legacy !== undefined) legacy.Weight = 90; // someone edits the record by hand
    const prodV2 = route53.record(NAME, 'prod-v2');
    if (prodV2 !== undefined) prodV2.Weight = 10;
    await expect(
      target.write(
        { stable: 50, candidate: 50 },
        {
          version: 1,
          runId: 'x',
          step: 50,
          before: state.weights,
          after: { stable: 50, candidate: 50 },
          state: 'shifting',
          at: new Date().toISOString(),
        },
        state.version,
      ),
    ).rejects.toThrow(/the records changed since they were read .*values provided do not match/);
    await expect(
      target.write(state.weights, shifting(state.weights), state.version),
    ).rejects.toThrow(ConflictError);
    expect(route53.record(NAME, 'legacy')?.Weight).toBe(90);
  });

  it('retries throttling (the SDK) and rolls back to stable idempotently', async () => {
    await shiftTraffic(targets(), 100, options());
    route53.throttleNext(2);
    const [first] = await rollbackTraffic(targets(), options({ runId: 'rollback-1' }));
    expect(first?.before).toEqual({ stable: 0, candidate: 100 });
    expect(route53.record(NAME, 'legacy')?.Weight).toBe(100);
    expect(marker()?.state).toBe('rolled-back');
    const changes = route53.requests.filter((r) => r.method === 'POST').length;
    await rollbackTraffic(targets(), options({ runId: 'rollback-2' }));
    expect(route53.requests.filter((r) => r.method === 'POST').length).toBe(changes);
  });

  it('fails with observed against desired when the change never reaches INSYNC, and reverts', async () => {
    route53.propagationMs = 60_000;
    const error = await shiftTraffic(targets(), 100, options({ verifyTimeoutMs: 200 })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ShiftReverted);
    expect(String(error)).toMatch(
      /did not apply candidate 100% within 200ms: observed 100%, change \/change\/C0+1 is PENDING; reverted: /,
    );
    expect(route53.record(NAME, 'prod-v2')?.Weight).toBe(0);
  });

  it('names the records it could not find', async () => {
    route53.records = route53.records.filter((r) => r.SetIdentifier !== 'prod-v2');
    await expect(shiftTraffic(targets(), 100, options())).rejects.toThrow(
      'no weighted records with SetIdentifier "legacy" and "prod-v2" (found: legacy)',
    );
  });

  it('refuses a batch over the 1,000-record limit as a configuration error: one attempt, no concurrent writer blamed', async () => {
    const values = (prefix: string) =>
      Array.from({ length: 300 }, (_, i) => `${prefix}.${Math.floor(i / 250)}.${i % 250}`);
    for (const [id, prefix] of [
      ['legacy', '203.0'],
      ['prod-v2', '198.51'],
    ] as const) {
      const record = route53.record(NAME, id);
      if (record !== undefined) record.Values = values(prefix);
    }
    const [target] = targets();
    if (target === undefined) throw new Error('no target');
    const state = await target.read();
    const error = await target
      .write({ stable: 50, candidate: 50 }, shifting(state.weights), state.version)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).not.toBeInstanceOf(ConflictError);
    expect(String(error)).toContain(
      'Route 53 refused the change batch: [Number of records limit of 1000 exceeded.]',
    );
    expect(String(error)).not.toContain('\n');

    const shift = await shiftTraffic(targets(), 50, options()).catch((e: unknown) => String(e));
    expect(shift).toContain('Number of records limit of 1000 exceeded');
    expect(shift).not.toMatch(/changed since|concurrent/);
    // One batch from the direct write, one from the shift: no conflict retries.
    expect(route53.requests.filter((r) => r.method === 'POST')).toHaveLength(2);
    expect(route53.record(NAME, 'prod-v2')?.Weight).toBe(0);
  });

  it('names a hosted zone that does not exist as a configuration error', async () => {
    route53.hostedZones = ['Z0987654321XYZ'];
    const [target] = targets();
    const error = await target?.read().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(String(error)).toMatch(
      /ListResourceRecordSets on arn:aws:route53:::hostedzone\/Z0123456789ABC: not found \(NoSuchHostedZone\)/,
    );
  });
});
