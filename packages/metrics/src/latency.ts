/** @vigil/metrics/latency: the latency tracker, its thresholds and its JSONL sink. */
export type { JsonlSinkOptions, JsonlSinkStats } from './latency/jsonl-sink.js';
export { JsonlSink } from './latency/jsonl-sink.js';
export type { LatencyConfig, LatencyThreshold } from './latency/latency-config.js';
export { DEFAULT_METRICS_FILE, DEFAULT_THRESHOLDS, latencyConfigFromEnv } from './latency/latency-config.js';
export type { LatencyDecorator } from './latency/latency-decorator.js';
export type {
  Correlation,
  LatencyRecord,
  LatencyRecordJson,
  LatencyStatus,
  OperationType,
} from './latency/latency-record.js';
export { LatencyTracker } from './latency/latency-tracker.js';
export type { LatencyTrackerOptions } from './latency/latency-tracker-options.js';
export type {
  MeasureLatencyOptions,
  MeasureOptions as LatencyMeasureOptions,
  RecordInput,
  StopOptions,
} from './latency/measure-options.js';
export type { OperationStats, OperationTypeStats } from './latency/operation-entry.js';
export type { ThresholdEvent, ThresholdListener } from './latency/threshold-alerts.js';
