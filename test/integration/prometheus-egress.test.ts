import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createVirtualClock } from '@cutover/kit';
import { ProviderUnavailable, QueryRejected, checkWindow } from '@cutover/gates';
import { PrometheusSource, createMetricsSource } from '@cutover/metrics';
import { parseThreshold, type GateRule } from '@cutover/plan';

/**
 * A hostile or broken Prometheus on loopback: credentials in URLs, redirects, endless and
 * stalled bodies, malformed answers and non-finite values. Every failure is a provider error
 * (QueryRejected or ProviderUnavailable) with a message, never an internal error, and no
 * message carries a URL's userinfo.
 */
const servers: Server[] = [];
afterAll(() => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
});

async function serve(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    handler(req, res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const json = (body: unknown) => (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};
const vector = (...values: string[]) => ({
  status: 'success',
  data: {
    resultType: 'vector',
    result: values.map((v, i) => ({ metric: { i: String(i) }, value: [1700000000, v] })),
  },
});
const source = (url: string, timeoutMs = 2000) => new PrometheusSource({ url, timeoutMs });
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );

const rule: GateRule = {
  name: 'error-rate',
  query: 'errors',
  threshold: parseThreshold('> 5%') ?? { comparison: '>', value: 0.05, unit: '%', text: '> 5%' },
  forMs: 60_000,
  intervalMs: 60_000,
  initialDelayMs: 0,
  minSamples: 1,
  minTraffic: undefined,
  onNoData: 'inconclusive',
  minCoverage: 0,
  maxGapMs: Number.POSITIVE_INFINITY,
  errorBudget: 1,
  relative: undefined,
  severity: 'critical',
  description: undefined,
};

describe('credentials in the Prometheus URL', () => {
  const context = { readFile: () => '', recordedBase: 0, timeoutMs: 1000 };

  it('refuses a URL with userinfo, showing it redacted and naming the auth inputs', () => {
    for (const url of [
      'http://user:s3cr3t-pw@127.0.0.1:9090',
      'https://ops:p@ss@prometheus.example.com/prom',
      'http://only-a-token@prometheus.example.com',
    ]) {
      let message = '';
      try {
        createMetricsSource({ provider: 'prometheus', settings: { url } }, {}, context);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message, url).toMatch(
        /^metrics\.url: the URL must not contain credentials, got "https?:\/\/\*\*\*@[^"@]+"; pass credentials with metrics\.basic-auth or metrics\.bearer-token \(a secret as \{ env: NAME \}\), or input 'prometheus-basic-auth' \("user:password"\) or 'prometheus-token'/,
      );
      expect(message).not.toMatch(/s3cr3t|p@ss|ss@|only-a-token/);
    }
  });

  it('refuses credentials given to the source directly, as a permanent error', () => {
    expect(() => source('http://user:s3cr3t@127.0.0.1:9')).toThrow(QueryRejected);
    expect(() => source('http://user:s3cr3t@127.0.0.1:9')).toThrow(
      'the Prometheus URL must not contain credentials, got "http://***@127.0.0.1:9/"',
    );
  });

  it('refuses a CloudWatch endpoint with userinfo', () => {
    expect(() =>
      createMetricsSource(
        {
          provider: 'cloudwatch',
          settings: { region: 'eu-west-1', endpoint: 'https://AKID:secret@vpce.example.com' },
        },
        {},
        context,
      ),
    ).toThrow(
      /^metrics\.endpoint: the URL must not contain credentials, got "https:\/\/\*\*\*@vpce/,
    );
  });

  it('treats a request that cannot be built as permanent, not as a network error', async () => {
    const url = await serve(json(vector('1')));
    const bad = new PrometheusSource({
      url,
      headers: { 'x-scope-orgid': 'a\nb' },
      timeoutMs: 1000,
    });
    const error = await failure(bad.instant('up', 0));
    expect(error).toBeInstanceOf(QueryRejected);
    expect((error as Error).message).toMatch(/the request could not be built/);
    expect(() =>
      createMetricsSource(
        { provider: 'prometheus', settings: { url, headers: { 'X-Key': 'tok\r\nen' } } },
        {},
        context,
      ),
    ).toThrow('metrics.headers.X-Key: the value contains a line break or NUL');
  });

  it('redacts URLs with credentials inside provider error messages', async () => {
    const url = await serve(
      json({
        status: 'error',
        errorType: 'execution',
        error: 'remote read http://u:pw123@store:9/ failed',
      }),
    );
    const error = await failure(source(url).instant('up', 0));
    expect(error).toBeInstanceOf(ProviderUnavailable);
    expect((error as Error).message).toContain('remote read http://***@store:9/ failed');
    expect((error as Error).message).not.toContain('pw123');
  });
});

describe('redirects', () => {
  it('never follows a redirect to another origin, naming both origins', async () => {
    let otherHits = 0;
    const other = await serve((req, res) => {
      otherHits++;
      json(vector('0'))(req, res);
    });
    const otherUrl = new URL(other);
    const url = await serve((_req, res) => {
      res.writeHead(307, { location: `http://thief:pw@${otherUrl.host}/api/v1/query` }).end();
    });
    const gated = new PrometheusSource({
      url,
      headers: { 'X-Scope-OrgID': 'team-a' },
      bearerToken: 'tok',
      timeoutMs: 2000,
    });
    const error = await failure(gated.instant('up', 0));
    expect(error).toBeInstanceOf(QueryRejected);
    expect((error as Error).message).toBe(
      `prometheus ${new URL(url).host} redirected (HTTP 307) from ${url} to another origin, ${other}; metrics never follow a redirect to another origin (it would get the plan's headers and credentials, and the gate would judge its data): set metrics.url to the Prometheus that answers`,
    );
    expect(otherHits).toBe(0);
  });

  it('follows a redirect within the same origin, a bounded number of times', async () => {
    const url = await serve((req, res) => {
      if (req.url?.startsWith('/prom/')) json(vector('0.01'))(req, res);
      else res.writeHead(308, { location: `/prom${req.url ?? ''}` }).end();
    });
    expect(await source(url).instant('up', 0)).toEqual([
      { labels: { i: '0' }, points: [[1700000000000, 0.01]] },
    ]);
    const loop = await serve((_req, res) => {
      res.writeHead(302, { location: '/api/v1/query' }).end();
    });
    const error = await failure(source(loop).instant('up', 0));
    expect(error).toBeInstanceOf(QueryRejected);
    expect((error as Error).message).toMatch(/redirected more than 3 times/);
  });
});

describe('response bodies', () => {
  it('stops reading an endless body past the cap, as a provider error', async () => {
    let sent = 0;
    let finished = false;
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"status":"success","data":{"resultType":"vector","result":[');
      // "3 GB" that stops itself at 48 MiB, so the old code cannot exhaust memory.
      const pump = () => {
        while (!res.destroyed && sent < 48 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
        if (!res.destroyed) {
          finished = true;
          res.end(']}}');
        }
      };
      pump();
    });
    const error = await failure(source(url, 10_000).instant('up', 0));
    expect(error).toBeInstanceOf(ProviderUnavailable);
    expect((error as Error).message).toMatch(
      /answered with a body larger than that, over the 32 MiB limit; stopped reading/,
    );
    expect(finished).toBe(false);
  });

  it('refuses a declared length over the cap without reading it', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '3000000000' });
      res.write('{"status":"success"');
    });
    const error = await failure(source(url, 1000).instant('up', 0));
    expect(error).toBeInstanceOf(ProviderUnavailable);
    expect((error as Error).message).toMatch(/body of 2861\.0 MiB, over the 32 MiB limit/);
  });

  it('counts a stalled body against the error budget, with a message saying so', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"status":"succ');
    });
    const error = await failure(source(url, 300).instant('up', 0));
    expect(error).toBeInstanceOf(ProviderUnavailable);
    expect((error as Error).message).toMatch(
      /sent its headers \(HTTP 200\) but the body stalled: not complete within 0\.3s/,
    );
    const report = await checkWindow(
      [{ ...rule, errorBudget: 1 }],
      source(url, 300),
      0,
      60_000,
      createVirtualClock(0),
    );
    expect(report.verdicts[0]?.reason).toMatch(/provider errors in a row .*body stalled/);
  });

  it('reports malformed JSON and answers of the wrong shape as provider errors', async () => {
    const bodies: unknown[] = [
      '{"status":"success","data":',
      null,
      [1, 2, 3],
      { status: 'success' },
      { status: 'success', data: { result: 'x' } },
      { status: 'success', data: { resultType: 'vector', result: 'x' } },
      { status: 'success', data: { resultType: 'vector', result: [null] } },
      { status: 'success', data: { resultType: 'vector', result: [{ metric: {} }] } },
      {
        status: 'success',
        data: { resultType: 'vector', result: [{ metric: {}, value: [1, 0.5] }] },
      },
      {
        status: 'success',
        data: { resultType: 'vector', result: [{ metric: {}, value: ['1', '0.5'] }] },
      },
      {
        status: 'success',
        data: { resultType: 'matrix', result: [{ metric: {}, values: [[1]] }] },
      },
      { status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values: 'x' }] } },
      {
        status: 'success',
        data: { resultType: 'matrix', result: [{ metric: { a: 1 }, values: [] }] },
      },
      { status: 'success', data: { resultType: 'scalar', result: 'x' } },
      { status: 'success', warnings: 'partial', data: { resultType: 'scalar', result: [1, '1'] } },
    ];
    let body: unknown;
    const url = await serve((_req, res) => {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(typeof body === 'string' ? body : JSON.stringify(body));
    });
    for (body of bodies) {
      const error = await failure(source(url).range('up', 0, 60_000, 15_000));
      expect(error, JSON.stringify(body)).toBeInstanceOf(ProviderUnavailable);
      expect((error as Error).message, JSON.stringify(body)).toMatch(
        /sent a malformed answer|body that is not JSON/,
      );
    }
  });
});

describe('non-finite and unparsable values', () => {
  it('drops unparsable sample values (no data) and keeps NaN and ±Inf for the gate to judge', async () => {
    const url = await serve(json(vector('NaN', '+Inf', '-Inf', 'abc', '', '0x10', '0.5')));
    expect(await source(url).instant('up', 0)).toEqual([
      { labels: { i: '0' }, points: [[1700000000000, Number.NaN]] },
      { labels: { i: '1' }, points: [[1700000000000, Number.POSITIVE_INFINITY]] },
      { labels: { i: '2' }, points: [[1700000000000, Number.NEGATIVE_INFINITY]] },
      { labels: { i: '6' }, points: [[1700000000000, 0.5]] },
    ]);
  });

  it('fails a latency gate on +Inf, what histogram_quantile answers past its last bucket', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          status: 'success',
          data: {
            resultType: 'matrix',
            result: [{ metric: {}, values: Array.from({ length: 5 }, (_, i) => [i * 60, '+Inf']) }],
          },
        }),
      );
    });
    const latency: GateRule = {
      ...rule,
      name: 'p95',
      threshold: parseThreshold('> 200ms') ?? rule.threshold,
      forMs: 0,
    };
    const report = await checkWindow([latency], source(url), 0, 4 * 60_000, createVirtualClock(0));
    expect(report.outcome.status).toBe('fail');
  });

  it('never passes a gate on -Inf, NaN or +Inf samples', async () => {
    for (const value of ['-Inf', 'NaN', '+Inf', 'junk']) {
      const url = await serve((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            status: 'success',
            data: {
              resultType: 'matrix',
              result: [
                {
                  metric: {},
                  values: Array.from({ length: 5 }, (_, i) => [i * 60, value]),
                },
              ],
            },
          }),
        );
      });
      const report = await checkWindow([rule], source(url), 0, 4 * 60_000, createVirtualClock(0));
      expect(report.outcome.status, value).not.toBe('pass');
    }
  });
});
