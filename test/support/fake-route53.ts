import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackFake } from './loopback-fake.js';
import { XMLParser } from 'fast-xml-parser';
import { escapeXml } from './aws-query.js';

/**
 * A fake of the Route 53 REST-XML API (2013-04-01) for the calls the router makes:
 * ListResourceRecordSets, ChangeResourceRecordSets (atomic batch; a DELETE must match the
 * current record exactly, a CREATE must not collide: otherwise InvalidChangeBatch and nothing
 * changes; a batch over the 1,000-value limit is refused whole, also as InvalidChangeBatch) and
 * GetChange (PENDING, then INSYNC after `propagationMs`). Throttling can be injected.
 */
export interface FakeRecord {
  Name: string;
  Type: string;
  SetIdentifier?: string;
  Weight?: number;
  TTL: number;
  Values: string[];
}

const NS = 'https://route53.amazonaws.com/doc/2013-04-01/';

export class FakeRoute53 extends LoopbackFake {
  records: FakeRecord[] = [];
  readonly requests: { method: string; path: string }[] = [];
  propagationMs = 30;
  /** Route 53's per-batch limits: 1,000 resource record values, 1,000 changes. */
  maxRecords = 1000;
  maxChanges = 1000;
  /** When set, other zone ids answer NoSuchHostedZone (404), as Route 53 does. */
  hostedZones: string[] | undefined;
  private changes = new Map<string, number>();
  private throttle = 0;

  throttleNext(times: number): void {
    this.throttle += times;
  }

  record(name: string, setIdentifier: string): FakeRecord | undefined {
    return this.records.find((r) => r.Name === name && r.SetIdentifier === setIdentifier);
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const method = req.method ?? 'GET';
    this.requests.push({ method, path: url.pathname });
    if (!req.headers.authorization?.startsWith('AWS4-HMAC-SHA256 ')) {
      this.error(res, 403, 'MissingAuthenticationToken', 'Missing Authentication Token');
      return;
    }
    if (this.throttle > 0) {
      this.throttle--;
      this.error(res, 400, 'Throttling', 'Rate exceeded');
      return;
    }
    const rrset = /^\/2013-04-01\/hostedzone\/([^/]+)\/rrset\/?$/.exec(url.pathname);
    const change = /^\/2013-04-01\/change\/([^/]+)$/.exec(url.pathname);
    const zone = rrset?.[1];
    if (zone !== undefined && this.hostedZones !== undefined && !this.hostedZones.includes(zone)) {
      this.error(res, 404, 'NoSuchHostedZone', `No hosted zone found with ID: ${zone}`);
      return;
    }
    if (rrset !== null && method === 'GET') {
      this.list(res, url);
      return;
    }
    if (rrset !== null && method === 'POST') {
      this.change(res, Buffer.concat(chunks).toString('utf8'));
      return;
    }
    if (change !== null && method === 'GET') {
      const submitted = this.changes.get(change[1] ?? '');
      if (submitted === undefined) {
        this.error(
          res,
          404,
          'NoSuchChange',
          `A change with the specified change ID does not exist.`,
        );
        return;
      }
      const status = Date.now() - submitted >= this.propagationMs ? 'INSYNC' : 'PENDING';
      this.xml(
        res,
        `<GetChangeResponse xmlns="${NS}"><ChangeInfo><Id>/change/${change[1] ?? ''}</Id><Status>${status}</Status><SubmittedAt>${new Date(submitted).toISOString()}</SubmittedAt></ChangeInfo></GetChangeResponse>`,
      );
      return;
    }
    this.error(res, 404, 'NotFound', `no route ${method} ${url.pathname}`);
  }

  private list(res: ServerResponse, url: URL): void {
    const start = url.searchParams.get('name') ?? '';
    const sorted = [...this.records].sort(
      (a, b) =>
        a.Name.localeCompare(b.Name) ||
        a.Type.localeCompare(b.Type) ||
        (a.SetIdentifier ?? '').localeCompare(b.SetIdentifier ?? ''),
    );
    const startType = url.searchParams.get('type') ?? '';
    const from = sorted.filter(
      (r) =>
        r.Name.localeCompare(start) > 0 ||
        (r.Name === start && r.Type.localeCompare(startType) >= 0),
    );
    const max = Number(url.searchParams.get('maxitems') ?? '300');
    const page = from.slice(0, max);
    const body = page.map((r) => `<ResourceRecordSet>${recordXml(r)}</ResourceRecordSet>`).join('');
    this.xml(
      res,
      `<ListResourceRecordSetsResponse xmlns="${NS}"><ResourceRecordSets>${body}</ResourceRecordSets><IsTruncated>${from.length > max}</IsTruncated><MaxItems>${max}</MaxItems></ListResourceRecordSetsResponse>`,
    );
  }

  private change(res: ServerResponse, text: string): void {
    const parsed = new XMLParser({
      isArray: (name) => ['Change', 'ResourceRecord'].includes(name),
      parseTagValue: false,
    }).parse(text) as {
      ChangeResourceRecordSetsRequest: {
        ChangeBatch: {
          Changes: {
            Change: {
              Action: string;
              ResourceRecordSet: {
                Name: string;
                Type: string;
                SetIdentifier?: string;
                Weight?: string;
                TTL: string;
                ResourceRecords?: { ResourceRecord: { Value: string }[] };
              };
            }[];
          };
        };
      };
    };
    // Route 53's batch limits, checked before any change: values count once per CREATE or
    // DELETE and twice per UPSERT (ChangeResourceRecordSets, "Limits on ... requests").
    const changes = parsed.ChangeResourceRecordSetsRequest.ChangeBatch.Changes.Change;
    const values = changes.reduce(
      (sum, c) =>
        sum +
        (c.ResourceRecordSet.ResourceRecords?.ResourceRecord.length ?? 0) *
          (c.Action === 'UPSERT' ? 2 : 1),
      0,
    );
    if (changes.length > this.maxChanges || values > this.maxRecords) {
      this.error(
        res,
        400,
        'InvalidChangeBatch',
        changes.length > this.maxChanges
          ? `[Number of changes limit of ${this.maxChanges} exceeded.]`
          : `[Number of records limit of ${this.maxRecords} exceeded.]`,
      );
      return;
    }
    const working = this.records.map((r) => ({ ...r }));
    const problems: string[] = [];
    for (const { Action, ResourceRecordSet: raw } of changes) {
      const record: FakeRecord = {
        Name: raw.Name,
        Type: raw.Type,
        TTL: Number(raw.TTL),
        Values: (raw.ResourceRecords?.ResourceRecord ?? []).map((v) => v.Value),
        ...(raw.SetIdentifier === undefined ? {} : { SetIdentifier: raw.SetIdentifier }),
        ...(raw.Weight === undefined ? {} : { Weight: Number(raw.Weight) }),
      };
      const index = working.findIndex(
        (r) =>
          r.Name === record.Name &&
          r.Type === record.Type &&
          r.SetIdentifier === record.SetIdentifier,
      );
      const label = `[name='${record.Name}', type='${record.Type}'${record.SetIdentifier === undefined ? '' : `, set-identifier='${record.SetIdentifier}'`}]`;
      if (Action === 'DELETE') {
        if (index === -1 || !sameRecord(working[index], record))
          problems.push(
            `Tried to delete resource record set ${label} but ${index === -1 ? 'it was not found' : 'the values provided do not match the current values'}`,
          );
        else working.splice(index, 1);
      } else if (Action === 'CREATE') {
        if (index !== -1)
          problems.push(`Tried to create resource record set ${label} but it already exists`);
        else working.push(record);
      } else if (index === -1) working.push(record);
      else working[index] = record;
    }
    if (problems.length > 0) {
      // Nothing of the batch is applied. Sent in the standard error envelope, which the SDK maps to its InvalidChangeBatch exception.
      this.error(res, 400, 'InvalidChangeBatch', `[${problems.join(', ')}]`);
      return;
    }
    this.records = working;
    const id = `C${String(this.changes.size + 1).padStart(12, '0')}`;
    this.changes.set(id, Date.now());
    this.xml(
      res,
      `<ChangeResourceRecordSetsResponse xmlns="${NS}"><ChangeInfo><Id>/change/${id}</Id><Status>PENDING</Status><SubmittedAt>${new Date().toISOString()}</SubmittedAt></ChangeInfo></ChangeResourceRecordSetsResponse>`,
    );
  }

  private xml(res: ServerResponse, body: string): void {
    res
      .writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': 'req' })
      .end(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
  }

  private error(res: ServerResponse, status: number, code: string, message: string): void {
    res
      .writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': 'req' })
      .end(
        `<?xml version="1.0"?>\n<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>req</RequestId></ErrorResponse>`,
      );
  }
}

/** Route 53 compares every field of a DELETE with the live record; resource values in any order. */
function sameRecord(a: FakeRecord | undefined, b: FakeRecord): boolean {
  if (a === undefined) return false;
  return (
    a.Name === b.Name &&
    a.Type === b.Type &&
    a.SetIdentifier === b.SetIdentifier &&
    a.Weight === b.Weight &&
    a.TTL === b.TTL &&
    [...a.Values].sort().join('\n') === [...b.Values].sort().join('\n')
  );
}

function recordXml(r: FakeRecord): string {
  return `<Name>${escapeXml(r.Name)}</Name><Type>${r.Type}</Type>${r.SetIdentifier === undefined ? '' : `<SetIdentifier>${escapeXml(r.SetIdentifier)}</SetIdentifier>`}${r.Weight === undefined ? '' : `<Weight>${r.Weight}</Weight>`}<TTL>${r.TTL}</TTL><ResourceRecords>${r.Values.map((v) => `<ResourceRecord><Value>${escapeXml(v)}</Value></ResourceRecord>`).join('')}</ResourceRecords>`;
}
