import { after } from '../base/after.js';
import { Backoff, type BackoffOptions } from '../base/backoff.js';
import type { Clock } from '../base/clock.js';
import { invalidOption } from '../base/errors.js';
import { positiveMs } from '../base/options.js';
import { type ExportResult, type FailedResult, failure } from './export-result.js';
import type { PushStats } from './push-stats.js';

/** Moves one payload to a peer, once. Reports the outcome as a value; does not retry. */
export interface Transport<P> {
  send(payload: P, signal: AbortSignal): Promise<ExportResult>;
}

export interface RetryOptions extends BackoffOptions {
  /** Attempts per payload, the first included; 1 disables retries. Default 5. */
  readonly maxAttempts?: number;
}

export interface RetryingTransportOptions {
  readonly clock: Clock;
  readonly stats: PushStats;
  /** Longest wait for one attempt. Default 10,000 ms. */
  readonly timeoutMs?: number | undefined;
  readonly retry?: RetryOptions | undefined;
}

/**
 * The one retry loop every reporter goes through: a timeout per attempt, exponential backoff with
 * jitter between attempts (honouring `Retry-After`), every failed attempt counted in
 * `vigil_push_failures_total`, and the payload's items counted in `vigil_push_dropped_total` when it
 * is given up on. Serialising is the reporters' business and sending the inner transport's; this
 * wrapper only decides when to try again (OpenTelemetry's RetryingTransport plays the same part).
 */
export class RetryingTransport<P> {
  readonly #inner: Transport<P>;
  readonly #clock: Clock;
  readonly #stats: PushStats;
  readonly #timeoutMs: number;
  readonly #maxAttempts: number;
  readonly #backoff: Backoff;
  readonly #wakers = new Set<() => void>();
  #closing = false;

  constructor(inner: Transport<P>, options: RetryingTransportOptions) {
    this.#inner = inner;
    this.#clock = options.clock;
    this.#stats = options.stats;
    this.#timeoutMs = positiveMs('timeoutMs', options.timeoutMs ?? 10_000);
    const retry = options.retry ?? {};
    if (typeof retry !== 'object' || retry === null) {
      throw invalidOption('retry', retry, 'an object such as { maxAttempts: 3 }');
    }
    this.#maxAttempts = retry.maxAttempts ?? 5;
    if (!Number.isInteger(this.#maxAttempts) || this.#maxAttempts < 1) {
      throw invalidOption('retry.maxAttempts', retry.maxAttempts, 'an integer of at least 1');
    }
    // Defaults: a first retry after 1 s, none more than 30 s apart.
    this.#backoff = new Backoff(retry, { initialDelayMs: 1_000, maxDelayMs: 30_000, jitter: 0.2 });
  }

  /**
   * Sends `payload` (worth `items` in the drop count) until it succeeds, fails for good, or runs out
   * of attempts. Never rejects.
   */
  async send(payload: P, items: number): Promise<ExportResult> {
    for (let attempt = 1; ; attempt++) {
      const result = await this.#attempt(payload);
      if (result.code === 'success') return result;
      this.#stats.failed(result.reason);
      if (result.code === 'failure' || attempt >= this.#maxAttempts || this.#closing) {
        this.#stats.dropped(result.reason, items, result.message);
        return result;
      }
      await this.#sleep(this.backoffMs(attempt, result.retryAfterMs));
    }
  }

  /** The wait after failed attempt number `attempt` (1-based). */
  backoffMs(attempt: number, retryAfterMs?: number): number {
    return this.#backoff.delayMs(attempt, retryAfterMs);
  }

  /**
   * From now on, a payload makes no attempt after the one under way, and one waiting out a backoff
   * tries once more at once: `close()` of a reporter then ends after its in-flight requests, not
   * after a backoff whose (unref'd) timer would not even keep the process alive.
   */
  close(): void {
    this.#closing = true;
    for (const wake of this.#wakers) wake();
    this.#wakers.clear();
  }

  async #attempt(payload: P): Promise<ExportResult> {
    const controller = new AbortController();
    const cancel = after(this.#clock, this.#timeoutMs, () =>
      controller.abort(new DOMException(`no answer within ${this.#timeoutMs} ms`, 'TimeoutError')),
    );
    try {
      return await this.#inner.send(payload, controller.signal);
    } catch (error) {
      // Transports report failures as values; this only guards the promise that reporters never throw.
      return unexpected(error);
    } finally {
      cancel();
    }
  }

  #sleep(ms: number): Promise<void> {
    if (this.#closing || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      // Clock timers never keep the process alive, so `await gateway.push()` at the end of a
      // script would see Node exit (code 13, unsettled await) in the middle of a backoff. This
      // handle keeps the process up while a payload waits, as the request before it did; it never
      // fires, the clock still decides when the wait ends.
      const hold = setInterval(() => {}, KEEP_ALIVE_MS);
      const wake = () => {
        clearInterval(hold);
        cancel();
        this.#wakers.delete(wake);
        resolve();
      };
      const cancel = after(this.#clock, ms, wake);
      this.#wakers.add(wake);
    });
  }
}

const KEEP_ALIVE_MS = 2 ** 30;

function unexpected(error: unknown): FailedResult {
  return failure('network', `transport threw: ${error instanceof Error ? error.message : String(error)}`);
}
