import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The public surface of both packages, entry by entry: what a user can import. A change here is a
 * change of the packages' API, so it must be made on purpose, in this list, and never by accident
 * (an export added to a module that an entry re-exports with `*`, an entry that grows).
 */
const SURFACE: Record<string, { values: string[]; types: string[] }> = {
  '@vigil/metrics': {
    values: [
      'Backoff',
      'Counter',
      'CounterHandle',
      'DEFAULT_BUCKETS',
      'DEFAULT_NATIVE_BUCKET_LIMIT',
      'DEFAULT_QUANTILES',
      'ERROR_CODES',
      'ExpositionParseError',
      'Gauge',
      'GaugeHandle',
      'Histogram',
      'HistogramHandle',
      'JSON_CONTENT_TYPE',
      'LatencyTracker',
      'ManualClock',
      'OPENMETRICS_CONTENT_TYPE',
      'PROMETHEUS_CONTENT_TYPE',
      'PROTOBUF_CONTENT_TYPE',
      'QuantileSketch',
      'Registry',
      'Scope',
      'ScopedCounter',
      'ScopedGauge',
      'ScopedHistogram',
      'VigilError',
      'after',
      'canonicalNumber',
      'collectRuntimeMetrics',
      'exposeFrom',
      'exposition',
      'nativeBucketBound',
      'nativeBucketIndex',
      'nativeHistogramOf',
      'negotiate',
      'parseNumber',
      'parsePrometheusText',
      'redactUrl',
      'redactUrls',
      'sleep',
      'systemClock',
      'timed',
      'toCollectorDocument',
      'toInfluxLines',
      'toOpenMetrics',
      'toPrometheusName',
      'toPrometheusText',
      'toProtobuf',
      'toSessionsDocument',
      'toSummary',
      'urlCredentials',
    ],
    types: [
      '* from ./core/snapshot.js',
      'BackoffOptions',
      'BucketData',
      'Clock',
      'CollectorCounter',
      'CollectorDocument',
      'CollectorGauge',
      'CollectorTiming',
      'CounterOptions',
      'DropReason',
      'ErrorCode',
      'Exposition',
      'ExpositionFormat',
      'ExpositionOptions',
      'GaugeOptions',
      'HistogramOptions',
      'HistogramStats',
      'InfluxLineOptions',
      'InfluxPrecision',
      'LabelObject',
      'LabelValue',
      'LenientParse',
      'MeasureOptions',
      'MetricOptions',
      'NativeHistogramData',
      'NativeLayout',
      'NativeSide',
      'Negotiated',
      'Outcome',
      'ParseIssue',
      'ParseOptions',
      'ParsedFamily',
      'ParsedSample',
      'ParsedType',
      'RegistryOptions',
      'ScopeOptions',
      'SessionDistribution',
      'SessionEntry',
      'SessionsDocument',
      'SessionsDocumentOptions',
      'SketchData',
      'SketchOptions',
      'SummaryDocument',
      'SummaryTiming',
    ],
  },
  '@vigil/metrics/push': {
    values: [
      'HttpTransport',
      'InfluxReporter',
      'Pushgateway',
      'RetryingTransport',
      'SlackNotifier',
      'StatsdClient',
      'StatsdReporter',
      'toSlackMessage',
    ],
    types: [
      'AlertEvent',
      'AlertLink',
      'ExportResult',
      'FailureReason',
      'HttpRequest',
      'InfluxReporterOptions',
      'NotifyOutcome',
      'PushOptions',
      'PushgatewayOptions',
      'PushgatewayTarget',
      'RetryOptions',
      'RetryingTransportOptions',
      'Severity',
      'SlackFormat',
      'SlackMessageOptions',
      'SlackNotifierOptions',
      'StatsdClientOptions',
      'StatsdReporterOptions',
      'StatsdTags',
      'StatsdType',
      'Transport',
    ],
  },
  '@vigil/metrics/health': {
    values: [
      'HealthMonitor',
      'SystemUsage',
      'apiKeyStatus',
      'collectRuntimeMetrics',
      'formatUptime',
      'httpCheck',
      'tcpCheck',
      'toHealthDocument',
    ],
    types: [
      'ApiKeyStatus',
      'CheckDetails',
      'CheckFn',
      'CheckKind',
      'CheckOutcome',
      'CheckResult',
      'CheckStatus',
      'DiskUsage',
      'HealthCheckOptions',
      'HealthDocument',
      'HealthDocumentEntry',
      'HealthDocumentOptions',
      'HealthMonitorOptions',
      'HealthReport',
      'HealthReportAlert',
      'HealthReportEntry',
      'HealthState',
      'HttpCheckOptions',
      'RuntimeMetrics',
      'RuntimeMetricsOptions',
      'SystemUsageOptions',
      'SystemUsageSample',
      'TcpCheckOptions',
    ],
  },
  '@vigil/metrics/latency': {
    values: [
      'DEFAULT_METRICS_FILE',
      'DEFAULT_THRESHOLDS',
      'JsonlSink',
      'LatencyTracker',
      'latencyConfigFromEnv',
    ],
    types: [
      'Correlation',
      'JsonlSinkOptions',
      'JsonlSinkStats',
      'LatencyConfig',
      'LatencyDecorator',
      'LatencyMeasureOptions',
      'LatencyRecord',
      'LatencyRecordJson',
      'LatencyStatus',
      'LatencyThreshold',
      'LatencyTrackerOptions',
      'MeasureLatencyOptions',
      'OperationStats',
      'OperationType',
      'OperationTypeStats',
      'RecordInput',
      'StopOptions',
      'ThresholdEvent',
      'ThresholdListener',
    ],
  },
  '@vigil/metrics/streaming': {
    values: [
      'ConnectionMetrics',
      'MESSAGE_SIZE_BUCKETS',
      'STREAM_TIMING_BUCKETS',
      'SequenceTracker',
      'TickMonitor',
      'streamingSessionNames',
    ],
    types: [
      'ConnectionMetricsOptions',
      'MetricHost',
      'SequenceStats',
      'SequenceTrackerOptions',
      'TickMonitorOptions',
    ],
  },
  '@vigil/metrics/genai': {
    values: ['GENAI_DURATION_BUCKETS', 'GENAI_TOKEN_BUCKETS', 'GenAiMetrics', 'PriceTable'],
    types: [
      'CostAnalytics',
      'CostDetails',
      'CostSplit',
      'CostTrend',
      'GenAiCall',
      'GenAiMetricsOptions',
      'ModelPrice',
      'ProviderMetrics',
      'SessionCost',
      'TokenUsage',
    ],
  },
  '@vigil/metrics/cluster': {
    values: ['ClusterRegistry', 'ClusterWorker'],
    types: ['ClusterRegistryOptions', 'ClusterWorkerOptions', 'ClusterWorkerStatus', 'GaugeAggregation'],
  },
  '@vigil/metrics/handler': {
    values: ['metricsHandler'],
    types: ['MetricsHandlerOptions', 'MetricsSource'],
  },
  '@vigil/metrics/collector': {
    values: ['MetricsCollector'],
    types: ['MetricsCollectorOptions', 'Tags'],
  },
  '@vigil/metrics/alerting': {
    values: ['alertOnThresholds'],
    types: ['AlertNotifier', 'AlertOnThresholdsOptions'],
  },
  '@vigil/server': {
    values: [
      'AlertmanagerNotifier',
      'ConfigError',
      'EmailNotifier',
      'LogNotifier',
      'PromqlEngine',
      'QueryError',
      'RemoteQueryEngine',
      'RemoteStore',
      'SERVER_ERRORS',
      'ServerError',
      'SlackWebhookNotifier',
      'VERSION',
      'WebhookNotifier',
      'isStaleNaN',
      'loadConfig',
      'openSqliteStore',
      'serve',
      'staleNaN',
    ],
    types: [
      'AlertmanagerNotifierOptions',
      'AppendResult',
      'Config',
      'DecodedWriteRequest',
      'EmailNotifierOptions',
      'Flags',
      'HostPort',
      'InfluxLineError',
      'InfluxParseOptions',
      'InfluxParseResult',
      'InfluxPrecision',
      'IngestErrorReason',
      'LabelMatcher',
      'LogNotifierOptions',
      'MatchType',
      'MatrixSeries',
      'Notification',
      'NotifiedAlert',
      'Notifier',
      'PromqlEngineOptions',
      'QueryEngine',
      'QueryErrorCode',
      'QueryErrorType',
      'QueryOptions',
      'QueryResult',
      'RemoteQueryEngineOptions',
      'RemoteStoreOptions',
      'RollupData',
      'RunningServer',
      'ScrapeTarget',
      'SelectOptions',
      'SeriesData',
      'SeriesLabels',
      'SeriesSamples',
      'SeriesStore',
      'ServerErrorCode',
      'SlackNotifierOptions',
      'SnappyDecompressOptions',
      'SqliteStore',
      'SqliteStoreOptions',
      'StatsdAggregatorOptions',
      'StatsdCounts',
      'StatsdMetric',
      'StatsdRejectReason',
      'StatsdRejection',
      'StatsdType',
      'StoreStats',
      'VectorSample',
      'WebhookNotifierOptions',
    ],
  },
};

const root = join(import.meta.dirname, '..');

function sourceOf(entry: string): string {
  if (entry === '@vigil/server') return join(root, 'packages/server/src/index.ts');
  const sub = entry.slice('@vigil/metrics'.length + 1) || 'index';
  return join(root, 'packages/metrics/src', `${sub}.ts`);
}

/** Names an entry file exports, from its `export … from` lines: values and types apart. */
function declared(file: string): { values: string[]; types: string[] } {
  const text = readFileSync(file, 'utf8');
  const values: string[] = [];
  const types: string[] = [];
  for (const m of text.matchAll(/export (type )?\{([^}]*)\} from '([^']+)'/g)) {
    for (const part of m[2]!
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)) {
      const name = /^(type )?(\w+)(?: as (\w+))?$/.exec(part)!;
      (m[1] || name[1] ? types : values).push(name[3] ?? name[2]!);
    }
  }
  for (const m of text.matchAll(/export type \* from '([^']+)'/g)) types.push(`* from ${m[1]}`);
  return { values: values.sort(), types: types.sort() };
}

describe('the public surface of @vigil/metrics and @vigil/server', () => {
  it('declares every entry in package.json and nothing else', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'packages/metrics/package.json'), 'utf8'));
    const entries = Object.keys(pkg.exports).map((k: string) => k.replace(/^\./, '@vigil/metrics'));
    expect(entries.sort()).toEqual(
      Object.keys(SURFACE)
        .filter((e) => e !== '@vigil/server')
        .sort(),
    );
  });

  it.each(Object.keys(SURFACE))(
    '%s exports exactly the listed names',
    async (entry) => {
      const file = sourceOf(entry);
      expect(declared(file)).toEqual(SURFACE[entry]);
      // Loading the server's whole graph through the test runner's transform is slow on a busy machine.
      const loaded = await import(file);
      expect(Object.keys(loaded).sort()).toEqual(SURFACE[entry]!.values);
    },
    60_000,
  );
});
