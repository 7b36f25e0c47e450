export { type CloudWatchOptions, CloudWatchSource } from './cloudwatch-source.js';
export { type SourceContext, type SourceSecrets, createMetricsSource } from './create-source.js';
export { type RecordedSeries, FileSource, parseRecordedSeries } from './file-source.js';
export { type PrometheusOptions, PrometheusSource } from './prometheus-source.js';
