export {
  type CloudWatchOptions,
  CloudWatchSource,
  cloudwatchProvider,
  cloudwatchQueryProblems,
} from './cloudwatch-source.js';
export { type SourceContext, type SourceSecrets, createMetricsSource } from './create-source.js';
export {
  type RecordedSeries,
  FileSource,
  fileProvider,
  parseRecordedSeries,
} from './file-source.js';
export {
  type PrometheusOptions,
  PrometheusSource,
  prometheusProvider,
} from './prometheus-source.js';
export { type MetricsProvider, type ProviderContext } from './provider.js';
export {
  type MetricsSettingsCheck,
  checkMetricsQuery,
  checkMetricsSettings,
  metricsRegistry,
} from './registry.js';
