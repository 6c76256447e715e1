/** Prometheus text format 0.0.4, served when the scraper does not ask for anything else. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** OpenMetrics 1.0, served when the Accept header prefers it (Prometheus's own scraper does). */
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * The Prometheus protobuf exposition: varint-length-delimited `io.prometheus.client.MetricFamily`
 * messages, the one format that carries native histograms. Served when the Accept header asks for it.
 */
export const PROTOBUF_CONTENT_TYPE =
  'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited';
