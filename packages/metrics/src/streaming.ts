/** @vigil/metrics/streaming: tick monitor, sequence tracker and connection metrics for real-time servers. */
export type { ConnectionMetricsOptions } from './streaming/connection-metrics.js';
export { ConnectionMetrics, MESSAGE_SIZE_BUCKETS } from './streaming/connection-metrics.js';
export type { MetricHost } from './streaming/metric-host.js';
export { STREAM_TIMING_BUCKETS } from './streaming/metric-host.js';
export type { SequenceStats, SequenceTrackerOptions } from './streaming/sequence-tracker.js';
export { SequenceTracker } from './streaming/sequence-tracker.js';
export { streamingSessionNames } from './streaming/stream-names.js';
export type { TickMonitorOptions } from './streaming/tick-monitor.js';
export { TickMonitor } from './streaming/tick-monitor.js';
