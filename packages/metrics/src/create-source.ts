import type { MetricsSource } from '@cutover/gates';
import type { MetricsConfig } from '@cutover/plan';
import { CloudWatchSource } from './cloudwatch-source.js';
import { FileSource, parseRecordedSeries } from './file-source.js';
import { PrometheusSource } from './prometheus-source.js';

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
      if (url === undefined || !/^https?:\/\//.test(url))
        throw new Error(
          `metrics.url: expected the Prometheus base URL like "https://prometheus.example.com", got ${JSON.stringify(settings.url)}`,
        );
      const headers = settings.headers;
      if (
        headers !== undefined &&
        (typeof headers !== 'object' ||
          headers === null ||
          Object.values(headers).some((v) => typeof v !== 'string'))
      )
        throw new Error('metrics.headers: expected a mapping of header name to string value');
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
      return new CloudWatchSource({
        region,
        endpoint: text('endpoint'),
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
