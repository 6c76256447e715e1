import type { Clock } from '../base/clock.js';
import { redactUrls, urlCredentials } from '../base/url-secrets.js';
import { type ExportResult, type FailureReason, failure, retryable, SUCCESS } from './export-result.js';
import type { Transport } from './retrying-transport.js';

export interface HttpRequest {
  readonly method: 'POST' | 'PUT' | 'DELETE';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** How the request is named in warnings: method and URL without credentials. */
  readonly description: string;
}

/**
 * One HTTP request with the global fetch, its outcome mapped to an ExportResult: 2xx succeeds;
 * 408, 429 and 5xx (but 501 and 505, which will not change) may be retried, with the peer's
 * `Retry-After`; any other status is final. The response body is always read, so the pooled
 * connection is released, and its start goes into the warning (InfluxDB and the Pushgateway say
 * there what was wrong with the payload). Credentials in the URL (`https://user:pass@host/`) are sent
 * as basic authentication, as Go's HTTP client sends them; no warning quotes them.
 */
export class HttpTransport implements Transport<HttpRequest> {
  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  async send(request: HttpRequest, signal: AbortSignal): Promise<ExportResult> {
    let response: Response;
    let body: string;
    const { url, authorization } = urlCredentials(request.url);
    try {
      response = await fetch(url, {
        method: request.method,
        headers: authorization === undefined ? request.headers : { authorization, ...request.headers },
        signal,
        ...(request.body === undefined ? {} : { body: request.body }),
      });
      body = await response.text();
    } catch (error) {
      if (signal.aborted) return retryable('timeout', `${request.description}: ${reasonText(signal.reason)}`);
      return retryable('network', `${request.description}: ${causeText(error)}`);
    }
    if (response.ok) return SUCCESS;
    const message = redactUrls(
      `${request.description} → ${response.status} ${body.trim().slice(0, 300)}`.trim(),
    );
    const reason: FailureReason =
      response.status >= 500 ? 'http_5xx' : response.status >= 400 ? 'http_4xx' : 'http_3xx';
    if (!isRetryable(response.status)) return failure(reason, message);
    return retryable(reason, message, retryAfterMs(response.headers.get('retry-after'), this.#clock.now()));
  }
}

function isRetryable(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

/** `Retry-After` is either delay-seconds or an HTTP-date (RFC 9110 §10.2.3). */
function retryAfterMs(header: string | null, nowMs: number): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

function reasonText(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}

/** fetch wraps the socket error (ECONNREFUSED, ENOTFOUND) as `cause` of a bare "fetch failed". */
function causeText(error: unknown): string {
  if (!(error instanceof Error)) return redactUrls(String(error));
  const cause = error.cause;
  if (cause instanceof Error)
    return redactUrls(`${error.message}: ${(cause as NodeJS.ErrnoException).code ?? cause.message}`);
  return redactUrls(error.message);
}
