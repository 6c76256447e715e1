/**
 * Where the fleet's requests are counted, in order of preference: a service's own HTTP requests
 * (prom-client's and OpenTelemetry's name; failures are 5xx), else the operations a LatencyTracker
 * records (failures: a status other than success), else the GenAI client calls (failures carry
 * `error_type`). The first one with series in the window is used alone, since a service that
 * writes two of them counts one request in both.
 *
 * `counter` counts the requests, `failed` narrows it to the failures, `duration` is the histogram
 * whose sum over count is the average response time.
 */
export const REQUEST_SOURCES = [
  {
    counter: 'http_request_duration_seconds_count',
    failed: '{code=~"5.."}',
    duration: 'http_request_duration_seconds',
  },
  {
    counter: 'latency_operations_total',
    failed: '{status!="success"}',
    duration: 'latency_operation_duration_seconds',
  },
  {
    counter: 'gen_ai_client_operation_duration_seconds_count',
    failed: '{error_type!=""}',
    duration: 'gen_ai_client_operation_duration_seconds',
  },
] as const;

export type RequestSource = (typeof REQUEST_SOURCES)[number];

/** `increase` for counts over the window, `rate` for per-second figures. */
type Over = 'increase' | 'rate';

/**
 * PromQL for the requests of the first source with series in `window` (`5m`, `24h`, or a report's
 * placeholder), summed into one series without labels. The sources are tried with `or`, so one
 * expression serves the dashboard, the API, `vigil top` and the reports alike.
 */
export function requests(window: string, over: Over = 'increase'): string {
  return REQUEST_SOURCES.map((s) => `sum(${over}(${s.counter}[${window}]))`).join(' or ');
}

/**
 * PromQL for the failed requests of the same source as `requests` picks: a source that counted no
 * failure has no failed series, so its total times zero stands in and the next source is not used.
 */
export function failedRequests(window: string, over: Over = 'increase'): string {
  return REQUEST_SOURCES.flatMap((s) => [
    `sum(${over}(${s.counter}${s.failed}[${window}]))`,
    `0 * sum(${over}(${s.counter}[${window}]))`,
  ]).join(' or ');
}

/**
 * PromQL for the fleet's error rate: failed requests over requests in the last `window`, from 0 to
 * 1; NaN when the source had no request in it. The overview's Error rate (and its Success ratio, one
 * minus it), `/api/metrics/mobile`'s `error_rate` and `vigil top`'s request errors all read it over
 * NOW_WINDOW, the reports over their period.
 */
export function errorRate(window: string): string {
  return `(${failedRequests(window, 'rate')}) / (${requests(window, 'rate')})`;
}

/** PromQL for the seconds a request of the same source took on average over `window`. */
export function averageDuration(window: string): string {
  return REQUEST_SOURCES.map(
    (s) => `sum(increase(${s.duration}_sum[${window}])) / sum(increase(${s.duration}_count[${window}]))`,
  ).join(' or ');
}

/** The window of the figures that say how things are now: error rate, requests per minute. */
export const NOW_WINDOW = '5m';
