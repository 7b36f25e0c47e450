import type { ResourceRecordSet, Route53Client } from '@aws-sdk/client-route-53';
import { shareOf, weightsFor, type Weights } from '@cutover/plan';
import {
  ConflictError,
  decodeMarkerCompact,
  encodeMarkerCompact,
  type Marker,
  type RouterTarget,
  type TargetState,
} from '@cutover/traffic';

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
  private client: Route53Client | undefined;
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
  }

  private async sdk() {
    const sdk = await import('@aws-sdk/client-route-53');
    this.client ??= new sdk.Route53Client({
      region: 'us-east-1',
      ...(this.settings.endpoint === undefined ? {} : { endpoint: this.settings.endpoint }),
    });
    return { sdk, client: this.client };
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
      this.calls++;
      const page = await client.send(
        new sdk.ListResourceRecordSetsCommand({
          HostedZoneId: this.settings.hostedZoneId,
          StartRecordName: start,
          StartRecordType: type as never,
          MaxItems: 100,
        }),
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
      throw new Error(
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
      const message = (error as Error).message;
      if (
        (error as { name?: string }).name === 'InvalidChangeBatch' ||
        /do not match the current values|but it was not found|but it already exists/.test(message)
      )
        throw new ConflictError(
          `${this.description}: the records changed since they were read (${(error as Error).message})`,
          { cause: error },
        );
      throw new Error(
        `${this.description}: ChangeResourceRecordSets failed: ${(error as Error).message}`,
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
    this.calls++;
    const change = await client.send(new sdk.GetChangeCommand({ Id: this.lastChange }));
    const status = change.ChangeInfo?.Status ?? 'UNKNOWN';
    return status === 'INSYNC'
      ? { effective: true, detail: `change ${this.lastChange} INSYNC` }
      : { effective: false, detail: `change ${this.lastChange} is ${status}` };
  }
}
