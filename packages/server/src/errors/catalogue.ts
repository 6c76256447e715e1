/**
 * The catalogue of the server's errors: every error the server throws on purpose has one of these
 * codes, and the code alone decides how it is answered over HTTP: `status`, and `type`, the word
 * written as `errorType` in Prometheus's envelope (`{"status":"error","errorType":…,"error":…}`) and as
 * `code` in vigil's own (`{"error":{"code":…,"message":…}}`). Prometheus's clients (Grafana, promtool)
 * read `errorType`, so its words are Prometheus's: `bad_data`, `execution`, `timeout`, `unavailable`,
 * `internal`. docs/errors.md lists every code; a test keeps the two in step.
 */
export const SERVER_ERRORS = {
  // Requests: what a client sent.
  VIGIL_BAD_REQUEST: {
    status: 400,
    type: 'bad_data',
    when: 'a parameter or a field of the request is wrong; the message names it',
  },
  VIGIL_BAD_URL: { status: 400, type: 'bad_url', when: 'the request URL cannot be parsed' },
  VIGIL_BAD_BODY: {
    status: 400,
    type: 'bad_body',
    when: 'the request body could not be read (a broken gzip or deflate stream)',
  },
  VIGIL_BODY_TOO_LARGE: {
    status: 413,
    type: 'body_too_large',
    when: 'the request body is larger than `limits.bodyBytes`',
  },
  VIGIL_TOO_MANY_CONNECTIONS: {
    status: 503,
    type: 'unavailable',
    when: 'as many connections as `limits.maxConnections` are open; this one is closed after its answer; retry later',
  },
  VIGIL_UNSUPPORTED_ENCODING: {
    status: 415,
    type: 'unsupported_encoding',
    when: 'the request has a Content-Encoding other than gzip, deflate or snappy',
  },
  VIGIL_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    type: 'unsupported_media_type',
    when: 'the request has a Content-Type the path does not read (OTLP: application/x-protobuf or application/json)',
  },
  VIGIL_UNAUTHORIZED: {
    status: 401,
    type: 'unauthorized',
    when: 'the server has a token and the request did not bring it',
  },
  VIGIL_NOT_FOUND: {
    status: 404,
    type: 'not_found',
    when: 'no route, dashboard, asset or silence has that path or id',
  },
  VIGIL_METHOD_NOT_ALLOWED: {
    status: 405,
    type: 'method_not_allowed',
    when: 'the path exists but not for this method (the `Allow` header lists the methods)',
  },
  VIGIL_INVALID_DASHBOARD: {
    status: 422,
    type: 'invalid_dashboard',
    when: 'a dashboard file exists but is not a valid definition',
  },

  // Ingest: a body that cannot be stored, refused whole.
  VIGIL_INGEST_BAD_SNAPPY: {
    status: 400,
    type: 'bad_snappy',
    when: 'a remote-write body is not valid snappy',
  },
  VIGIL_INGEST_BAD_PROTOBUF: {
    status: 400,
    type: 'bad_protobuf',
    when: 'a remote-write body is not a valid WriteRequest, or a protobuf push not valid delimited MetricFamily messages',
  },
  VIGIL_INGEST_BAD_LABELS: {
    status: 400,
    type: 'bad_labels',
    when: 'a pushed series has an empty, invalid or repeated label name',
  },
  VIGIL_INGEST_BAD_LINE: {
    status: 400,
    type: 'bad_line',
    when: 'a line of InfluxDB line protocol cannot be parsed (strict mode)',
  },
  VIGIL_INGEST_LABEL_LIMIT: {
    status: 400,
    type: 'label_limit',
    when: 'a series has a label name or value, more labels or more bytes of labels than `limits` allow; the message names it',
  },
  VIGIL_INGEST_GROUP_TOO_LARGE: {
    status: 413,
    type: 'too_large',
    when: 'a Pushgateway push would make its group larger than `limits.pushGroupBytes`',
  },
  VIGIL_INGEST_BAD_HISTOGRAM: {
    status: 400,
    type: 'bad_histogram',
    when: 'a pushed native histogram breaks the model: schema out of range, spans that do not cover its buckets, negative or NaN counts, a count that disagrees with its buckets',
  },
  VIGIL_INGEST_TOO_LARGE: {
    status: 413,
    type: 'too_large',
    when: 'a compressed body declares more bytes than the server decompresses',
  },
  VIGIL_INGEST_BAD_JSON: {
    status: 400,
    type: 'bad_data',
    when: 'a JSON push (`POST /api/v1/push`) is not in the shape the server reads',
  },
  VIGIL_INGEST_BAD_OTLP: {
    status: 400,
    type: 'bad_data',
    when: 'an OTLP metrics export is not a valid ExportMetricsServiceRequest (protobuf or OTLP/JSON); the message names the field or byte',
  },
  VIGIL_INGEST_BAD_TEXT: {
    status: 400,
    type: 'bad_data',
    when: 'a Pushgateway push is not valid Prometheus text',
  },
  VIGIL_INGEST_BAD_GROUPING_KEY: {
    status: 400,
    type: 'bad_data',
    when: 'a Pushgateway path `/metrics/job/<job>/<label>/<value>…` is malformed',
  },
  VIGIL_INGEST_TOO_MANY_GROUPS: {
    status: 429,
    type: 'too_many_groups',
    when: 'a Pushgateway push would create more groups than the server keeps',
  },
  VIGIL_INGEST_SAMPLES_REFUSED: {
    status: 400,
    type: 'bad_data',
    when: 'remote write: the store refused samples for good (out of order, a timestamp already taken, older than retention, invalid); the message counts them by reason, the others were stored; retrying would not help',
  },
  VIGIL_INGEST_SERIES_LIMIT: {
    status: 429,
    type: 'series_limit',
    when: 'remote write or OTLP: new series were refused because the store holds `store.maxSeries` series or the series memory budget is spent; the others were stored; retry later',
  },
  VIGIL_INGEST_PUSHGATEWAY_FULL: {
    status: 429,
    type: 'memory_limit',
    when: 'a Pushgateway push would make all groups together larger than their share of `memory.limit`; the group is unchanged',
  },
  VIGIL_INGEST_BAD_HEARTBEAT: {
    status: 400,
    type: 'bad_data',
    when: 'a push heartbeat (`/api/push/<token>`) has a bad token, status or ping',
  },

  // Store.
  VIGIL_STORE_LIMIT: {
    status: 422,
    type: 'execution',
    when: 'a select would return more series or samples than its limits allow',
  },
  VIGIL_STORE_UNWRITABLE: {
    status: 503,
    type: 'unavailable',
    when: 'samples cannot be made durable now: the disk is below `store.minFreeDiskSpaceBytes` or writing fails; retry later',
  },

  // Query.
  VIGIL_QUERY_PARSE: {
    status: 400,
    type: 'bad_data',
    when: 'the PromQL text has a syntax or type error; the message gives line and character',
  },
  VIGIL_QUERY_BAD_DATA: {
    status: 400,
    type: 'bad_data',
    when: 'a query parameter (time, step, range) is wrong',
  },
  VIGIL_QUERY_UNSUPPORTED: {
    status: 400,
    type: 'bad_data',
    when: 'the query uses a function the engine does not evaluate',
  },
  VIGIL_QUERY_EXECUTION: {
    status: 422,
    type: 'execution',
    when: 'the query is valid but cannot be evaluated (duplicate label sets, a many-to-many match, a bad label name at run time)',
  },
  VIGIL_QUERY_TOO_MANY_SERIES: {
    status: 422,
    type: 'execution',
    when: 'one selector matches more series than `query.maxSeries`',
  },
  VIGIL_QUERY_TOO_MANY_SAMPLES: {
    status: 422,
    type: 'execution',
    when: 'the query would load more samples than `query.maxSamples`',
  },
  VIGIL_QUERY_TOO_MUCH_MEMORY: {
    status: 422,
    type: 'execution',
    when: 'the query would hold more memory than `maxQueryBytes` (samples, subquery steps, intermediate vectors)',
  },
  VIGIL_QUERY_TIMEOUT: {
    status: 503,
    type: 'timeout',
    when: 'the query ran past its timeout, or waited for a slot that long',
  },
  VIGIL_QUERY_QUEUE_FULL: {
    status: 503,
    type: 'unavailable',
    when: 'as many queries as `maxConcurrency` are running and the queue of waiting ones is full; retry later',
  },
  VIGIL_BAD_REGEX: {
    status: 400,
    type: 'bad_data',
    when: 'a regular expression is not valid RE2 syntax, or is longer than 65,536 characters',
  },

  // The distributed backend (remote write out, a remote engine's query API in).
  VIGIL_REMOTE_UNAVAILABLE: {
    status: 503,
    type: 'unavailable',
    when: 'the remote engine did not answer, or answered without JSON or with a result of an unknown type',
  },
  VIGIL_REMOTE_BAD_DATA: {
    status: 400,
    type: 'bad_data',
    when: 'the remote engine refused the query as wrong',
  },
  VIGIL_REMOTE_EXECUTION: {
    status: 422,
    type: 'execution',
    when: 'the remote engine could not evaluate the query',
  },
  VIGIL_REMOTE_TIMEOUT: { status: 503, type: 'timeout', when: 'the remote engine timed the query out' },
  VIGIL_REMOTE_QUEUE_FULL: {
    status: 503,
    type: 'unavailable',
    when: 'the on-disk remote-write queue is full: the remote engine is not taking samples; retry later',
  },

  // Alerting.
  VIGIL_RULE_FILE: {
    status: 400,
    type: 'bad_data',
    when: 'a rule file cannot be loaded; the message lists each problem as `file:line: reason`',
  },
  VIGIL_TEMPLATE: {
    status: 400,
    type: 'bad_data',
    when: 'an alert template does not parse, or fails when rendered',
  },
  VIGIL_RULE_LIMIT: {
    status: 422,
    type: 'execution',
    when: "a rule produced more alerts than its group's `limit`; its alerts are dropped for that evaluation",
  },
  VIGIL_BAD_MATCHER: {
    status: 400,
    type: 'bad_data',
    when: 'an Alertmanager matcher (`name="value"`, `name=~"re"`) is malformed',
  },
  VIGIL_BAD_SELECTOR: { status: 400, type: 'bad_data', when: 'a series selector (`match[]`) is malformed' },
  VIGIL_BAD_SILENCE: {
    status: 400,
    type: 'bad_data',
    when: 'a silence cannot be stored as asked (no matchers, ends before it starts, already expired)',
  },
  VIGIL_SILENCE_NOT_FOUND: { status: 404, type: 'not_found', when: 'no silence has that id' },

  // The server itself.
  VIGIL_CONFIG: {
    status: 500,
    type: 'internal',
    when: 'the configuration (vigil.yaml, environment, flags) is invalid; start-up stops and names the key, the value and what was expected',
  },
  VIGIL_INTERNAL: {
    status: 500,
    type: 'internal',
    when: 'anything the server did not expect: a bug. The answer says so; the log has the stack',
  },
} as const satisfies Record<string, { status: number; type: string; when: string }>;

export type ServerErrorCode = keyof typeof SERVER_ERRORS;
