import type { MetricsSource } from '@cutover/gates';
import type { MetricsConfig } from '@cutover/plan';
import { CloudWatchSource } from './cloudwatch-source.js';
import { FileSource, parseRecordedSeries } from './file-source.js';
import { PROMETHEUS_AUTH_ADVICE, PrometheusSource } from './prometheus-source.js';
import { urlProblem } from './url-safety.js';

export interface SourceSecrets {
  prometheusToken?: string | undefined;
  prometheusUsername?: string | undefined;
  prometheusPassword?: string | undefined;
}

export interface SourceContext {
  readFile(path: string): string;
  /** Offset 0 of a recorded file (rehearsals start it at their own clock's start). */
  recordedBase: number;
  timeoutMs: number;
}

/** Builds the provider a plan names; settings errors name the plan key, the value and what is allowed. */
export function createMetricsSource(
  config: MetricsConfig,
  secrets: SourceSecrets,
  context: SourceContext,
): MetricsSource {
  const settings = config.settings;
  const text = (key: string) => (typeof settings[key] === 'string' ? settings[key] : undefined);
  switch (config.provider) {
    case 'prometheus': {
      const url = text('url');
      if (url === undefined)
        throw new Error(
          `metrics.url: expected the Prometheus base URL like "https://prometheus.example.com", got ${JSON.stringify(settings.url)}`,
        );
      // Refused, not stripped: credentials in a URL end up in logs, and fetch cannot send them.
      const problem = urlProblem(
        url,
        "metrics.url (or input 'prometheus-url')",
        PROMETHEUS_AUTH_ADVICE,
      );
      if (problem !== undefined)
        throw new Error(`${problem} (expected a base URL like "https://prometheus.example.com")`);
      const headers = settings.headers;
      if (
        headers !== undefined &&
        (typeof headers !== 'object' ||
          headers === null ||
          Object.values(headers).some((v) => typeof v !== 'string'))
      )
        throw new Error('metrics.headers: expected a mapping of header name to string value');
      for (const [name, value] of Object.entries((headers ?? {}) as Record<string, string>)) {
        // Values may be secrets: name the header, never print the value.
        if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
          throw new Error(
            `metrics.headers: ${JSON.stringify(name)} is not a valid HTTP header name (letters, digits and !#$%&'*+.^_\`|~-)`,
          );
        if (/[\0\r\n]/.test(value))
          throw new Error(
            `metrics.headers.${name}: the value contains a line break or NUL, which HTTP does not allow`,
          );
      }
      return new PrometheusSource({
        url,
        bearerToken: secrets.prometheusToken,
        basicAuth:
          secrets.prometheusUsername === undefined
            ? undefined
            : { username: secrets.prometheusUsername, password: secrets.prometheusPassword ?? '' },
        headers: headers as Record<string, string> | undefined,
        timeoutMs: context.timeoutMs,
      });
    }
    case 'cloudwatch': {
      const region = text('region');
      if (region === undefined || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region))
        throw new Error(
          `metrics.region: expected an AWS region like "ap-northeast-1", got ${JSON.stringify(settings.region)}`,
        );
      const endpoint = text('endpoint');
      const problem =
        endpoint === undefined
          ? undefined
          : urlProblem(
              endpoint,
              'metrics.endpoint',
              'CloudWatch takes AWS credentials from the environment (aws-actions/configure-aws-credentials)',
            );
      if (problem !== undefined) throw new Error(problem);
      return new CloudWatchSource({
        region,
        endpoint,
        timeoutMs: context.timeoutMs,
      });
    }
    case 'file': {
      const path = text('path');
      if (path === undefined)
        throw new Error('metrics.path: expected the path of a recorded-samples file');
      // Offsets in the file count from metrics.start, or from the start of the window judged.
      const start = text('start');
      const base = start === undefined ? context.recordedBase : Date.parse(start);
      if (Number.isNaN(base))
        throw new Error(
          `metrics.start: expected an ISO 8601 time like "2026-06-01T00:00:00Z", got ${JSON.stringify(start)}`,
        );
      return new FileSource(parseRecordedSeries(context.readFile(path), path), base);
    }
  }
}
