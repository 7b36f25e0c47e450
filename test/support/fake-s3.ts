import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackFake } from './loopback-fake.js';

/**
 * A fake of the S3 REST API, path style (`/<bucket>/<key>`, what the SDK sends with
 * forcePathStyle), for what the template store does: PutObject (stores the body, answers 200
 * with an ETag; checks x-amz-checksum-sha256 like S3, BadDigest when it does not match) and
 * GetObject. Errors are S3's XML (ErrorResponses in the S3 API reference): NoSuchBucket 404 for
 * a bucket not created, PermanentRedirect 301 for a request signed for
 * another region than the bucket's, AccessDenied 403 for a denied bucket or one owned by another account
 * than x-amz-expected-bucket-owner, NoSuchKey 404. Simplifications: one account, no versions,
 * no multipart, signatures are checked for presence only.
 */
export class FakeS3 extends LoopbackFake {
  /** Bodies by `<bucket>/<key>`. */
  readonly objects = new Map<string, string>();
  readonly requests: { method: string; path: string; headers: IncomingMessage['headers'] }[] = [];
  /** Bodies that arrive damaged next (one byte flipped), for S3's checksum check. */
  corruptNext = 0;
  private readonly buckets = new Map<string, { owner: string; region: string; denied: boolean }>();

  createBucket(bucket: string, { owner = '123456789012', region = 'ap-northeast-1' } = {}): this {
    this.buckets.set(bucket, { owner, region, denied: false });
    return this;
  }

  /** Every request on `bucket` answers AccessDenied, as for a role without the permission. */
  deny(bucket: string): this {
    const known = this.buckets.get(bucket);
    if (known !== undefined) known.denied = true;
    return this;
  }

  /** The body stored at a path-style URL of this fake (what the template store returns). */
  objectAt(url: string): string | undefined {
    const { pathname } = new URL(url);
    return this.objects.get(pathname.slice(1).split('/').map(decodeURIComponent).join('/'));
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const method = req.method ?? 'GET';
    const { pathname } = new URL(req.url ?? '/', this.url);
    this.requests.push({ method, path: pathname, headers: req.headers });
    if (!req.headers.authorization?.startsWith('AWS4-HMAC-SHA256 ')) {
      this.error(res, 403, 'AccessDenied', 'Anonymous access is not allowed');
      return;
    }
    const [bucketName = '', ...parts] = pathname.slice(1).split('/').map(decodeURIComponent);
    const key = parts.join('/');
    const bucket = this.buckets.get(bucketName);
    if (bucket === undefined) {
      this.error(res, 404, 'NoSuchBucket', 'The specified bucket does not exist', {
        BucketName: bucketName,
      });
      return;
    }
    // The region in the signature's scope: S3 redirects a request for another region's bucket.
    const signed = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(req.headers.authorization)?.[1];
    if (signed !== bucket.region) {
      this.error(
        res,
        301,
        'PermanentRedirect',
        'The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.',
        { Bucket: bucketName, Endpoint: `${bucketName}.s3.${bucket.region}.amazonaws.com` },
      );
      return;
    }
    const owner = req.headers['x-amz-expected-bucket-owner'];
    if (bucket.denied || (typeof owner === 'string' && owner !== bucket.owner)) {
      this.error(res, 403, 'AccessDenied', 'Access Denied');
      return;
    }
    if (method === 'PUT' && key !== '') {
      const body = Buffer.concat(chunks);
      if (this.corruptNext > 0 && body.length > 0) {
        this.corruptNext--;
        body[0] = (body[0] ?? 0) ^ 1;
      }
      const sha256 = createHash('sha256').update(body).digest('base64');
      const claimed = req.headers['x-amz-checksum-sha256'];
      if (typeof claimed === 'string' && claimed !== sha256) {
        this.error(
          res,
          400,
          'BadDigest',
          'The SHA256 you specified did not match the calculated checksum.',
        );
        return;
      }
      this.objects.set(`${bucketName}/${key}`, body.toString('utf8'));
      const etag = `"${createHash('md5').update(body).digest('hex')}"`;
      res.writeHead(200, { ETag: etag, 'x-amz-checksum-sha256': sha256, 'Content-Length': 0 });
      res.end();
      return;
    }
    if (method === 'GET' && key !== '') {
      const body = this.objects.get(`${bucketName}/${key}`);
      if (body === undefined) {
        this.error(res, 404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      res.end(body);
      return;
    }
    this.error(res, 405, 'MethodNotAllowed', `${method} is not supported by this fake`);
  }

  private error(
    res: ServerResponse,
    status: number,
    code: string,
    message: string,
    extra: Record<string, string> = {},
  ): void {
    const fields = Object.entries(extra)
      .map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
      .join('');
    res.writeHead(status, { 'Content-Type': 'application/xml' });
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message>${fields}<RequestId>${randomUUID()}</RequestId><HostId>fake</HostId></Error>`,
    );
  }
}

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
