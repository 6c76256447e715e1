/**
 * What one export came to, as a value rather than a thrown error (OpenTelemetry's ExportResult):
 * reporters never throw into the application, and the retry wrapper decides from `code` alone
 * whether another attempt can help.
 */
export type ExportResult =
  | { readonly code: 'success' }
  | {
      readonly code: 'retryable';
      readonly reason: FailureReason;
      /** For the one warning a reporter logs; never holds a credential. */
      readonly message: string;
      /** The peer's `Retry-After`, in ms, when it sent one. */
      readonly retryAfterMs?: number;
    }
  | { readonly code: 'failure'; readonly reason: FailureReason; readonly message: string };

/**
 * The `reason` label of `vigil_push_failures_total` and `vigil_push_dropped_total`: a short, fixed
 * set, so the self-metrics keep a bounded number of series.
 *
 * - `timeout`: no answer within `timeoutMs`.
 * - `network`: refused, reset, DNS, or a socket error.
 * - `http_4xx` / `http_5xx` (and `http_3xx`): the HTTP status class of a rejection.
 * - `oversize`: a datagram the OS refused as too large (EMSGSIZE).
 * - `queue_full`: more waiting than the reporter's bound; the oldest is dropped.
 * - `invalid_value`: NaN or an infinity handed to the StatsD client.
 * - `snapshot`: a metric's `collect` callback threw, so nothing could be read.
 * - `closed`: the reporter was already closed.
 */
export type FailureReason =
  | 'timeout'
  | 'network'
  | 'http_3xx'
  | 'http_4xx'
  | 'http_5xx'
  | 'oversize'
  | 'queue_full'
  | 'invalid_value'
  | 'snapshot'
  | 'closed';

export type FailedResult = Exclude<ExportResult, { readonly code: 'success' }>;

export const SUCCESS: ExportResult = Object.freeze({ code: 'success' });

export function retryable(reason: FailureReason, message: string, retryAfterMs?: number): FailedResult {
  return retryAfterMs === undefined
    ? { code: 'retryable', reason, message }
    : { code: 'retryable', reason, message, retryAfterMs };
}

export function failure(reason: FailureReason, message: string): FailedResult {
  return { code: 'failure', reason, message };
}
