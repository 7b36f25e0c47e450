import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import { adviceFor, awsMessage, codeOf, lazyClient, route53Client } from '@cutover/aws';
import { ConfigError, ConflictError, v } from '@cutover/kit';
import { shareOf, weightsFor, type Weights } from '@cutover/plan';
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
  oneOf,
  settingsObject,
  text,
  type RouterDefinition,
} from '../router-settings.js';

export interface Route53Settings {
  hostedZoneId: string;
  /** The record name, e.g. api.example.com */
  record: string;
  type: string;
  /** SetIdentifiers of the two weighted records. */
  stable: string;
  candidate: string;
  endpoint?: string | undefined;
}

const absolute = (name: string) => (name.endsWith('.') ? name : `${name}.`);

/**
 * Route 53 weighted records: the stable and candidate records (same name and type, told apart
 * by SetIdentifier) carry the weights. One change batch moves both weights and the marker (a
 * TXT record _cutover.<name>), so they change together or not at all. The precondition is
 * Route 53's own: a DELETE must match the current record exactly, so a batch built from stale
 * reads is rejected (InvalidChangeBatch) and nothing changes. Effective once GetChange reports
 * INSYNC on all Route 53 name servers.
 */
export class Route53Router implements RouterTarget {
  readonly description: string;
  readonly allOrNothing = false;
  private readonly sdk: () => ReturnType<typeof route53Client>;
  private current:
    | {
        stable: ResourceRecordSet;
        candidate: ResourceRecordSet;
        marker: ResourceRecordSet | undefined;
        version: string;
      }
    | undefined;
  private lastChange: string | undefined;
  calls = 0;

  constructor(private readonly settings: Route53Settings) {
    this.description = `Route 53 ${absolute(settings.record)} ${settings.type} in ${settings.hostedZoneId}`;
    this.sdk = lazyClient(() => route53Client({ endpoint: settings.endpoint }));
  }

  /** One call, its failure in the kit's error model (a permission, a missing zone, throttling...). */
  private async call<T>(action: string, send: () => Promise<T>): Promise<T> {
    this.calls++;
    try {
      return await send();
    } catch (error) {
      throw adviceFor(error, {
        service: 'route53',
        action,
        resource: `arn:aws:route53:::hostedzone/${this.settings.hostedZoneId.replace(/^\/hostedzone\//, '')}`,
      });
    }
  }

  async read(): Promise<TargetState> {
    const { sdk, client } = await this.sdk();
    const name = absolute(this.settings.record);
    const markerName = `_cutover.${name}`;
    const records = new Map<string, ResourceRecordSet>();
    for (const [start, type] of [
      [name, this.settings.type],
      [markerName, 'TXT'],
    ] as const) {
      const page = await this.call('ListResourceRecordSets', () =>
        client.send(
          new sdk.ListResourceRecordSetsCommand({
            HostedZoneId: this.settings.hostedZoneId,
            StartRecordName: start,
            StartRecordType: type as never,
            MaxItems: 100,
          }),
        ),
      );
      for (const record of page.ResourceRecordSets ?? [])
        records.set(
          `${record.Name ?? ''} ${record.Type ?? ''} ${record.SetIdentifier ?? ''}`,
          record,
        );
    }
    const all = [...records.values()];
    const find = (id: string) =>
      all.find((r) => r.Name === name && r.Type === this.settings.type && r.SetIdentifier === id);
    const stable = find(this.settings.stable);
    const candidate = find(this.settings.candidate);
    if (stable?.Weight === undefined || candidate?.Weight === undefined)
      throw new ConfigError(
        `${this.description}: no weighted records with SetIdentifier "${this.settings.stable}" and "${this.settings.candidate}" (found: ${
          all
            .filter((r) => r.Name === name && r.Type === this.settings.type)
            .map((r) => r.SetIdentifier ?? 'simple')
            .join(', ') || 'none'
        })`,
      );
    const marker = all.find((r) => r.Name === markerName && r.Type === 'TXT');
    const markerText = marker?.ResourceRecords?.[0]?.Value?.replace(/^"|"$/g, '');
    const version = JSON.stringify([stable, candidate, marker ?? null]);
    this.current = { stable, candidate, marker, version };
    // Route 53 answers evenly when every weight in the set is 0.
    return {
      weights:
        stable.Weight + candidate.Weight === 0
          ? weightsFor(50)
          : shareOf(stable.Weight, candidate.Weight, this.description),
      marker: decodeMarkerCompact(markerText, this.description),
      version,
    };
  }

  async write(weights: Weights, marker: Marker, version: string): Promise<void> {
    if (this.current?.version !== version) await this.read();
    const current = this.current;
    if (current === undefined || current.version !== version)
      throw new ConflictError(`${this.description} changed since it was read`);
    const { sdk, client } = await this.sdk();
    const markerRecord: ResourceRecordSet = {
      Name: `_cutover.${absolute(this.settings.record)}`,
      Type: 'TXT',
      TTL: 60,
      ResourceRecords: [{ Value: `"${encodeMarkerCompact(marker)}"` }],
    };
    const changes = [
      { Action: 'DELETE' as const, ResourceRecordSet: current.stable },
      {
        Action: 'CREATE' as const,
        ResourceRecordSet: { ...current.stable, Weight: weights.stable },
      },
      { Action: 'DELETE' as const, ResourceRecordSet: current.candidate },
      {
        Action: 'CREATE' as const,
        ResourceRecordSet: { ...current.candidate, Weight: weights.candidate },
      },
      ...(current.marker === undefined
        ? []
        : [{ Action: 'DELETE' as const, ResourceRecordSet: current.marker }]),
      { Action: 'CREATE' as const, ResourceRecordSet: markerRecord },
    ];
    try {
      this.calls++;
      const result = await client.send(
        new sdk.ChangeResourceRecordSetsCommand({
          HostedZoneId: this.settings.hostedZoneId,
          ChangeBatch: {
            Comment: `cutover ${marker.runId}: ${marker.before.candidate}% -> ${marker.after.candidate}% (${marker.state})`,
            Changes: changes,
          },
        }),
      );
      this.lastChange = result.ChangeInfo?.Id;
      this.current = undefined;
    } catch (error) {
      if (!isPreconditionFailure(error, current.marker === undefined))
        throw codeOf(error) === 'InvalidChangeBatch'
          ? new ConfigError(
              `${this.description}: Route 53 refused the change batch: ${awsMessage(error)}`,
              { cause: error },
            )
          : adviceFor(error, {
              service: 'route53',
              action: 'ChangeResourceRecordSets',
              resource: `arn:aws:route53:::hostedzone/${this.settings.hostedZoneId.replace(/^\/hostedzone\//, '')}`,
            });
      throw new ConflictError(
        `${this.description}: the records changed since they were read (${awsMessage(error)})`,
        { cause: error },
      );
    }
  }

  readiness(): Promise<{ stable: boolean; candidate: boolean }> {
    // Health of the record targets is Route 53's own (health checks, alias EvaluateTargetHealth).
    return Promise.resolve({ stable: true, candidate: true });
  }

  async effective(): Promise<{ effective: boolean; detail: string }> {
    if (this.lastChange === undefined)
      return { effective: true, detail: 'no change submitted by this run' };
    const { sdk, client } = await this.sdk();
    const id = this.lastChange;
    const change = await this.call('GetChange', () =>
      client.send(new sdk.GetChangeCommand({ Id: id })),
    );
    const status = change.ChangeInfo?.Status ?? 'UNKNOWN';
    return status === 'INSYNC'
      ? { effective: true, detail: `change ${this.lastChange} INSYNC` }
      : { effective: false, detail: `change ${this.lastChange} is ${status}` };
  }
}

/**
 * Whether Route 53 refused the batch only because the records are no longer what was read:
 * every message is a DELETE of a record set that is gone or has other values, a CREATE that
 * collides only because that DELETE failed, or a CREATE of the marker that was absent when
 * read and exists now. Anything else (over the 1,000-record limit, a bad value) is not a race,
 * and re-reading and retrying cannot help.
 */
export function isPreconditionFailure(error: unknown, markerWasAbsent: boolean): boolean {
  const messages = (error as { messages?: unknown }).messages;
  // The SDK fills `messages` from Route 53's <Messages> element, and leaves it empty otherwise.
  const all =
    Array.isArray(messages) && messages.length > 0
      ? messages.map(String).join(', ')
      : error instanceof Error
        ? error.message
        : String(error);
  if (codeOf(error) !== 'InvalidChangeBatch' && !/^\[?Tried to /.test(all)) return false;
  const failedDeletes = new Set<string>();
  const deletes =
    /Tried to delete resource record set (\[[^\]]*\]) but (it was not found|the values provided do not match the current values)/g;
  let rest = all.replace(deletes, (_phrase, label: string) => {
    failedDeletes.add(label);
    return '';
  });
  if (failedDeletes.size === 0 && !markerWasAbsent) return false;
  rest = rest.replace(
    /Tried to create resource record set (\[name='([^']*)'[^\]]*\]) but it already exists/g,
    (phrase, label: string, name: string) =>
      failedDeletes.has(label) || (markerWasAbsent && name.startsWith('_cutover.')) ? '' : phrase,
  );
  return rest !== all && /^[\s,[\]]*$/.test(rest);
}

const ZONE_ID = /^(\/hostedzone\/)?Z[A-Z0-9]{1,31}$/;
const DNS_NAME =
  /^(?=.{1,254}$)(\*\.)?([A-Za-z0-9_]([-A-Za-z0-9_]{0,61}[A-Za-z0-9_])?\.)*[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?\.?$/;
const setIdentifier = text('a SetIdentifier of a weighted record, like "prod-v2"', undefined, 128);

export const route53Router: RouterDefinition<{
  kind: 'route53';
  'hosted-zone-id': string;
  record: string;
  type: string;
  stable: string;
  candidate: string;
  endpoint?: string | undefined;
}> = {
  kind: 'route53',
  summary:
    'Route 53 weighted records (two SetIdentifiers), moved with the marker in one change batch',
  settings: settingsObject({
    kind: kindOf('route53'),
    'hosted-zone-id': text('a Route 53 zone id like "Z0123456789EXAMPLE"', ZONE_ID, 45),
    record: text('a DNS name like "api.example.com"', DNS_NAME),
    // The types Route 53 can route by weight (SOA and NS cannot be weighted).
    type: v.optional(
      oneOf(['A', 'AAAA', 'CAA', 'CNAME', 'DS', 'MX', 'NAPTR', 'PTR', 'SPF', 'SRV', 'TXT']),
      'A',
    ),
    stable: setIdentifier,
    candidate: setIdentifier,
    endpoint: v.optional(endpoint),
  }),
  create: (settings) => [
    new Route53Router({
      hostedZoneId: settings['hosted-zone-id'],
      record: settings.record,
      type: settings.type,
      stable: settings.stable,
      candidate: settings.candidate,
      endpoint: settings.endpoint,
    }),
  ],
};
