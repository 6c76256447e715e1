export type { AlertmanagerNotifierOptions } from './alerts/notify/alertmanager-notifier.js';
export { AlertmanagerNotifier } from './alerts/notify/alertmanager-notifier.js';
export type { EmailNotifierOptions } from './alerts/notify/email-notifier.js';
export { EmailNotifier } from './alerts/notify/email-notifier.js';
export type { LogNotifierOptions } from './alerts/notify/log-notifier.js';
export { LogNotifier } from './alerts/notify/log-notifier.js';
export type { Notification, NotifiedAlert, Notifier } from './alerts/notify/notification.js';
export type { SlackNotifierOptions } from './alerts/notify/slack-notifier.js';
export { SlackWebhookNotifier } from './alerts/notify/slack-notifier.js';
export type { WebhookNotifierOptions } from './alerts/notify/webhook-notifier.js';
export { WebhookNotifier } from './alerts/notify/webhook-notifier.js';
export type { RunningServer } from './cli/serve.js';
export { serve, VERSION } from './cli/serve.js';
export type { Config, Flags, HostPort, ScrapeTarget } from './config/config.js';
export { loadConfig } from './config/config.js';
export { ConfigError } from './config/config-error.js';
export type { ServerErrorCode } from './errors/catalogue.js';
export { SERVER_ERRORS } from './errors/catalogue.js';
export { ServerError } from './errors/server-error.js';
export type {
  InfluxLineError,
  InfluxParseOptions,
  InfluxParseResult,
  InfluxPrecision,
} from './ingest/influx-line.js';
export type { IngestErrorReason } from './ingest/ingest-error.js';
export type { DecodedWriteRequest } from './ingest/remote-write.js';
export type { SnappyDecompressOptions } from './ingest/snappy.js';
export type { StatsdMetric, StatsdRejection, StatsdRejectReason, StatsdType } from './ingest/statsd.js';
export type { StatsdAggregatorOptions, StatsdCounts } from './ingest/statsd-aggregator.js';
export type { PromqlEngineOptions } from './query/promql-engine.js';
export { PromqlEngine } from './query/promql-engine.js';
export type { QueryEngine, QueryOptions } from './query/query-engine.js';
export type { QueryErrorCode, QueryErrorType } from './query/query-error.js';
export { QueryError } from './query/query-error.js';
export type { MatrixSeries, QueryResult, VectorSample } from './query/query-result.js';
export type { RemoteQueryEngineOptions } from './remote/remote-query-engine.js';
export { RemoteQueryEngine } from './remote/remote-query-engine.js';
export type { RemoteStoreOptions } from './remote/remote-store.js';
export { RemoteStore } from './remote/remote-store.js';
export type {
  AppendResult,
  LabelMatcher,
  MatchType,
  RollupData,
  SelectOptions,
  SeriesData,
  SeriesLabels,
  SeriesSamples,
  SeriesStore,
  StoreStats,
} from './store/series-store.js';
export { isStaleNaN, staleNaN } from './store/series-store.js';
export type { SqliteStore } from './store/sqlite-store.js';
export { openSqliteStore } from './store/sqlite-store.js';
export type { SqliteStoreOptions } from './store/sqlite-store-options.js';
