/**
 * @vigil/metrics: the registry, its instruments, the clock, the error catalogue and the exposition
 * formats. Everything else is a subpath: /push, /health, /latency, /streaming, /genai, /cluster,
 * /handler, /collector, /alerting. The two helpers nearly every app starts with, the latency tracker
 * and the runtime metrics, are in the root as well (as prom-client has collectDefaultMetrics there).
 */
export { after, sleep } from './base/after.js';
export type { BackoffOptions } from './base/backoff.js';
export { Backoff } from './base/backoff.js';
export type { Clock } from './base/clock.js';
export { ManualClock, systemClock } from './base/clock.js';
export type { ErrorCode } from './base/errors.js';
export { ERROR_CODES, VigilError } from './base/errors.js';
export { toPrometheusName } from './base/names.js';
export { redactUrl, redactUrls, urlCredentials } from './base/url-secrets.js';
export type { CounterOptions } from './core/counter.js';
export { Counter, CounterHandle } from './core/counter.js';
export type { DropReason } from './core/drops.js';
export type { GaugeOptions } from './core/gauge.js';
export { Gauge, GaugeHandle } from './core/gauge.js';
export type { HistogramOptions, HistogramStats, MeasureOptions } from './core/histogram.js';
export {
  DEFAULT_BUCKETS,
  DEFAULT_NATIVE_BUCKET_LIMIT,
  DEFAULT_QUANTILES,
  Histogram,
  HistogramHandle,
} from './core/histogram.js';
export type { LabelObject, LabelValue } from './core/label-index.js';
export type { MetricOptions } from './core/metric.js';
export type { Outcome } from './core/outcome.js';
export type { RegistryOptions } from './core/registry.js';
export { Registry } from './core/registry.js';
export type { ScopeOptions } from './core/scope.js';
export { Scope, ScopedCounter, ScopedGauge, ScopedHistogram } from './core/scope.js';
export type * from './core/snapshot.js';
export { timed } from './core/timed.js';
export { canonicalNumber } from './expo/canonical-number.js';
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
  PROTOBUF_CONTENT_TYPE,
} from './expo/content-types.js';
export type { Exposition, ExpositionOptions } from './expo/exposition.js';
export { exposeFrom, exposition } from './expo/exposition.js';
export { ExpositionParseError } from './expo/exposition-parse-error.js';
export type { InfluxLineOptions, InfluxPrecision } from './expo/influx-line.js';
export { toInfluxLines } from './expo/influx-line.js';
export type { ExpositionFormat, Negotiated } from './expo/negotiate.js';
export { negotiate } from './expo/negotiate.js';
export { toOpenMetrics } from './expo/openmetrics.js';
export { parseNumber } from './expo/parse-number.js';
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
export { toProtobuf } from './expo/protobuf-exposition.js';
export type {
  SessionDistribution,
  SessionEntry,
  SessionsDocument,
  SessionsDocumentOptions,
} from './expo/sessions-json.js';
export { toSessionsDocument } from './expo/sessions-json.js';
export type { SummaryDocument, SummaryTiming } from './expo/summary.js';
export { toSummary } from './expo/summary.js';
export { collectRuntimeMetrics } from './health/runtime-metrics.js';
export { LatencyTracker } from './latency/latency-tracker.js';
export { nativeBucketBound, nativeBucketIndex } from './sketch/native-buckets.js';
export type { NativeHistogramData, NativeLayout, NativeSide } from './sketch/native-layout.js';
export { nativeHistogramOf } from './sketch/native-layout.js';
export type { BucketData, SketchData, SketchOptions } from './sketch/quantile-sketch.js';
export { QuantileSketch } from './sketch/quantile-sketch.js';
