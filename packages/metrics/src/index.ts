export type { AlertNotifier, AlertOnThresholdsOptions } from './alerting/alert-on-thresholds.js';
export { alertOnThresholds, toAlertEvent } from './alerting/alert-on-thresholds.js';
export { after, sleep } from './base/after.js';
export type { Clock } from './base/clock.js';
export { ManualClock, systemClock } from './base/clock.js';
export type { ErrorCode } from './base/errors.js';
export { ERROR_CODES, VigilError } from './base/errors.js';
export { toPrometheusName } from './base/names.js';
export type { ClusterRegistryOptions, ClusterWorkerStatus } from './cluster/cluster-registry.js';
export { ClusterRegistry } from './cluster/cluster-registry.js';
export type { ClusterWorkerOptions } from './cluster/cluster-worker.js';
export { ClusterWorker } from './cluster/cluster-worker.js';
export type { GaugeAggregation } from './cluster/gauge-aggregation.js';
export type { MetricsCollectorOptions, Tags } from './collector/metrics-collector.js';
export { MetricsCollector } from './collector/metrics-collector.js';
export type { CounterOptions } from './core/counter.js';
export { Counter, CounterHandle } from './core/counter.js';
export type { DropReason } from './core/drops.js';
export type { GaugeOptions } from './core/gauge.js';
export { Gauge, GaugeHandle } from './core/gauge.js';
export type { HistogramOptions, HistogramStats, MeasureOptions } from './core/histogram.js';
export { DEFAULT_BUCKETS, DEFAULT_QUANTILES, Histogram, HistogramHandle } from './core/histogram.js';
export type { LabelObject, LabelValue } from './core/label-index.js';
export type { MetricOptions } from './core/metric.js';
export type { Outcome } from './core/outcome.js';
export { outcomeOf } from './core/outcome.js';
export type { RegistryOptions } from './core/registry.js';
export { Registry } from './core/registry.js';
export type { ScopeOptions } from './core/scope.js';
export { Scope, ScopedCounter, ScopedGauge, ScopedHistogram } from './core/scope.js';
export type * from './core/snapshot.js';
export { timed } from './core/timed.js';
export type {
  CollectorCounter,
  CollectorDocument,
  CollectorGauge,
  CollectorTiming,
} from './expo/collector-json.js';
export { toCollectorDocument } from './expo/collector-json.js';
export {
  JSON_CONTENT_TYPE,
  OPENMETRICS_CONTENT_TYPE,
  PROMETHEUS_CONTENT_TYPE,
} from './expo/content-types.js';
export type { Exposition, ExpositionOptions } from './expo/exposition.js';
export { exposition } from './expo/exposition.js';
export { ExpositionParseError } from './expo/exposition-parse-error.js';
export type { InfluxLineOptions, InfluxPrecision } from './expo/influx-line.js';
export { toInfluxLines } from './expo/influx-line.js';
export type { ExpositionFormat, Negotiated } from './expo/negotiate.js';
export { negotiate } from './expo/negotiate.js';
export { toOpenMetrics } from './expo/openmetrics.js';
export type {
  LenientParse,
  ParsedFamily,
  ParsedSample,
  ParsedType,
  ParseIssue,
  ParseOptions,
} from './expo/parse-prometheus-text.js';
export { parsePrometheusText } from './expo/parse-prometheus-text.js';
export { toPrometheusText } from './expo/prometheus-text.js';
export type {
  SessionDistribution,
  SessionEntry,
  SessionsDocument,
  SessionsDocumentOptions,
} from './expo/sessions-json.js';
export { toSessionsDocument } from './expo/sessions-json.js';
export type { SummaryDocument, SummaryTiming } from './expo/summary.js';
export { toSummary } from './expo/summary.js';
export { errorTypeOf } from './genai/error-type.js';
export type { CostAnalytics, CostSplit, CostTrend, ProviderMetrics } from './genai/genai-analytics.js';
export type { GenAiCall, GenAiMetricsOptions } from './genai/genai-metrics.js';
export { GENAI_DURATION_BUCKETS, GENAI_TOKEN_BUCKETS, GenAiMetrics } from './genai/genai-metrics.js';
export type { CostDetails, ModelPrice, TokenUsage } from './genai/price-table.js';
export { PriceTable } from './genai/price-table.js';
export type { SessionCost } from './genai/session-costs.js';
export type { MetricsHandlerOptions, MetricsSource } from './handler/metrics-handler.js';
export { metricsHandler } from './handler/metrics-handler.js';
export type { ApiKeyStatus } from './health/api-key-status.js';
export { apiKeyEnvVar, apiKeyStatus } from './health/api-key-status.js';
export type { CheckDetails, CheckFn, CheckOutcome, CheckResult } from './health/health-check.js';
export type { HealthDocument, HealthDocumentEntry, HealthDocumentOptions } from './health/health-document.js';
export { formatUptime, toHealthDocument } from './health/health-document.js';
export type { HealthCheckOptions, HealthMonitorOptions } from './health/health-monitor.js';
export { HealthMonitor } from './health/health-monitor.js';
export type { HealthReport, HealthReportAlert, HealthReportEntry } from './health/health-report.js';
export type { CheckKind, CheckStatus, HealthState } from './health/health-status.js';
export type { HttpCheckOptions } from './health/http-check.js';
export { httpCheck } from './health/http-check.js';
export { Redactor } from './health/redactor.js';
export type { RuntimeMetrics, RuntimeMetricsOptions } from './health/runtime-metrics.js';
export { collectRuntimeMetrics } from './health/runtime-metrics.js';
export type { DiskUsage, SystemUsageOptions, SystemUsageSample } from './health/system-usage.js';
export { SystemUsage } from './health/system-usage.js';
export type { TcpCheckOptions } from './health/tcp-check.js';
export { tcpCheck } from './health/tcp-check.js';
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
export { toLatencyJson } from './latency/latency-record.js';
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
export type { AlertEvent, Severity } from './push/alert-event.js';
export type { ExportResult, FailureReason } from './push/export-result.js';
export type { HttpRequest } from './push/http-transport.js';
export { HttpTransport } from './push/http-transport.js';
export type { InfluxReporterOptions } from './push/influx-reporter.js';
export { InfluxReporter } from './push/influx-reporter.js';
export type { PushOptions } from './push/push-options.js';
export { PushStats } from './push/push-stats.js';
export type { PushgatewayOptions, PushgatewayTarget } from './push/pushgateway.js';
export { Pushgateway } from './push/pushgateway.js';
export { pushgatewayPath } from './push/pushgateway-path.js';
export type { RetryingTransportOptions, RetryOptions, Transport } from './push/retrying-transport.js';
export { RetryingTransport } from './push/retrying-transport.js';
export type { SlackFormat, SlackMessageOptions } from './push/slack-message.js';
export { toSlackMessage } from './push/slack-message.js';
export type { NotifyOutcome, SlackNotifierOptions } from './push/slack-notifier.js';
export { SlackNotifier } from './push/slack-notifier.js';
export type { StatsdClientOptions } from './push/statsd-client.js';
export { StatsdClient } from './push/statsd-client.js';
export type { StatsdTags, StatsdType } from './push/statsd-line.js';
export type { StatsdReporterOptions } from './push/statsd-reporter.js';
export { StatsdReporter } from './push/statsd-reporter.js';
export type { BucketData, SketchData, SketchOptions } from './sketch/quantile-sketch.js';
export { QuantileSketch } from './sketch/quantile-sketch.js';
export type { ConnectionMetricsOptions } from './streaming/connection-metrics.js';
export { ConnectionMetrics, MESSAGE_SIZE_BUCKETS } from './streaming/connection-metrics.js';
export type { MetricHost } from './streaming/metric-host.js';
export { STREAM_TIMING_BUCKETS } from './streaming/metric-host.js';
export type { SequenceStats, SequenceTrackerOptions } from './streaming/sequence-tracker.js';
export { SequenceTracker } from './streaming/sequence-tracker.js';
export { streamingSessionNames } from './streaming/stream-names.js';
export type { TickMonitorOptions } from './streaming/tick-monitor.js';
export { TickMonitor } from './streaming/tick-monitor.js';
