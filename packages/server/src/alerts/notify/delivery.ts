import { setMaxListeners } from 'node:events';
import {
  after,
  Backoff,
  type Clock,
  type Counter,
  type Histogram,
  type Registry,
  redactUrls,
} from '@vigil/metrics';
import type { ExportResult, FailureReason } from '@vigil/metrics/push';
import { backgroundFailed } from '../../errors/background-tasks.js';
import type { AlertHistorySink, NotificationEvent } from '../alert-history-event.js';
import type { Notification, Notifier } from './notification.js';

export interface DeliveryOptions {
  readonly clock: Clock;
  readonly registry: Registry;
  readonly events?: AlertHistorySink | undefined;
  /** Longest wait for one attempt. Default 10 s. */
  readonly timeoutMs?: number;
  /** Attempts per notification, the first included. Default 5. */
  readonly maxAttempts?: number;
  /** Wait before the second attempt, doubled each time. Default 1 s. */
  readonly initialDelayMs?: number;
  /** Default 60 s. */
  readonly maxDelayMs?: number;
  /** Each wait spread uniformly over ±jitter of itself. Default 0.2. */
  readonly jitter?: number;
  readonly random?: () => number;
}

export interface DeliveryResult {
  readonly ok: boolean;
  readonly attempts: number;
  readonly error?: string;
  /**
   * True when the delivery stopped undelivered because it was no longer wanted (the caller's signal,
   * or vigil shutting down), not because the receiver failed it: not a dead letter.
   */
  readonly cancelled?: boolean;
}

/**
 * Delivers one notification through one integration: a timeout per attempt, exponential backoff with
 * jitter between attempts, and a deadline (the group interval, after which Alertmanager gives up
 * too, since the next flush carries the news anyway). Every attempt is counted and recorded as a
 * NotificationEvent; a notification given up on is a dead letter. Never rejects.
 */
export class Delivery {
  readonly #clock: Clock;
  readonly #events: AlertHistorySink | undefined;
  readonly #timeoutMs: number;
  readonly #maxAttempts: number;
  readonly #backoff: Backoff;
  readonly #notifications: Counter;
  readonly #requests: Counter;
  readonly #failed: Counter;
  readonly #deadLetters: Counter;
  readonly #latency: Histogram;
  /** The attempts under way, aborted by close(). */
  readonly #attempts = new Set<AbortController>();
  /** The deliveries under way, awaited by close(). */
  readonly #running = new Set<Promise<DeliveryResult>>();
  #closed = false;
  /**
   * Aborted by close(), to end what waits (a retry's pause, an attempt's answer). A listener, removed
   * when the wait ends, rather than a promise of the close: each `then` on a promise that settles only
   * at shutdown was held until then, a dozen objects per delivery (24,000 promises after 2,000).
   */
  readonly #closing = new AbortController();

  constructor(options: DeliveryOptions) {
    // Every attempt and pause under way listens to it: a storm has hundreds, which is no leak, and
    // past 10 Node would warn of one.
    setMaxListeners(0, this.#closing.signal);
    this.#clock = options.clock;
    this.#events = options.events;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#maxAttempts = options.maxAttempts ?? 5;
    this.#backoff = new Backoff(
      options,
      { initialDelayMs: 1_000, maxDelayMs: 60_000, jitter: 0.2 },
      'delivery',
    );
    const r = options.registry;
    const labelNames = ['receiver', 'integration'];
    this.#notifications = r.counter({
      name: 'vigil_notifications_total',
      help: 'Notifications the pipeline set out to deliver, by receiver and integration.',
      labelNames,
    });
    this.#requests = r.counter({
      name: 'vigil_notification_requests_total',
      help: 'Delivery attempts (retries included), by receiver and integration.',
      labelNames,
    });
    this.#failed = r.counter({
      name: 'vigil_notifications_failed_total',
      help: 'Delivery attempts that failed, by receiver, integration and reason (timeout, network, http_5xx...).',
      labelNames: [...labelNames, 'reason'],
    });
    this.#deadLetters = r.counter({
      name: 'vigil_notifications_dead_letter_total',
      help: 'Notifications given up on after their last attempt, by receiver and integration.',
      labelNames,
    });
    this.#latency = r.histogram({
      name: 'vigil_notification_latency_seconds',
      help: 'Time of one delivery attempt, by receiver and integration.',
      labelNames,
    });
  }

  /** The wait after failed attempt number `attempt` (1-based). */
  backoffMs(attempt: number, retryAfterMs?: number): number {
    return this.#backoff.delayMs(attempt, retryAfterMs);
  }

  /**
   * `ok` once delivered; not when given up (counted as a dead letter), with the last error, nor
   * when cancelled: by `signal` (the news is stale: an incident acknowledged, say; recorded), or by
   * close() (nothing recorded then: what records the events is closing too). A signal stops the
   * retries, never an attempt under way: that request may already have reached someone, and its
   * outcome is what gets recorded.
   */
  deliver(
    notifier: Notifier,
    n: Notification,
    deadlineMs: number,
    signal?: AbortSignal,
  ): Promise<DeliveryResult> {
    const running = this.#deliver(notifier, n, deadlineMs, signal);
    this.#running.add(running);
    const done = () => this.#running.delete(running);
    running.then(done, done);
    return running;
  }

  /**
   * Stops at shutdown: attempts under way are aborted, none is retried, and nothing is recorded
   * after; resolves once every delivery has returned, so the event log can be closed behind it.
   */
  async close(): Promise<void> {
    this.#closed = true;
    this.#closing.abort();
    for (const controller of this.#attempts)
      controller.abort(new DOMException('vigil is shutting down', 'AbortError'));
    await Promise.allSettled([...this.#running]);
  }

  async #deliver(
    notifier: Notifier,
    n: Notification,
    deadlineMs: number,
    signal: AbortSignal | undefined,
  ): Promise<DeliveryResult> {
    const labels = { receiver: n.receiver, integration: notifier.integration };
    this.#notifications.inc(labels);
    const started = this.#clock.now();
    for (let attempt = 1; ; attempt++) {
      if (this.#closed) return shutDown(attempt - 1);
      if (signal?.aborted) return this.#cancel(n, attempt - 1, signal);
      this.#requests.inc(labels);
      const t0 = performance.now();
      const result = await this.#attempt(notifier, n);
      this.#latency.observe(labels, (performance.now() - t0) / 1000);
      if (this.#closed) return shutDown(attempt);
      if (result.code === 'success') {
        this.#record(n, 'success', attempt);
        return { ok: true, attempts: attempt };
      }
      this.#failed.inc({ ...labels, reason: result.reason });
      if (signal?.aborted) return this.#cancel(n, attempt, signal);
      const wait = this.backoffMs(attempt, result.code === 'retryable' ? result.retryAfterMs : undefined);
      const last =
        result.code === 'failure' ||
        attempt >= this.#maxAttempts ||
        this.#clock.now() + wait - started > deadlineMs;
      // The error goes to the history, the live stream and the log: no URL in it keeps a secret.
      const error = redactUrls(result.message);
      this.#record(n, last ? 'failed' : 'retry', attempt, error);
      if (last) {
        this.#deadLetters.inc(labels);
        return { ok: false, attempts: attempt, error };
      }
      await this.#pause(wait, signal);
    }
  }

  /** Waits `ms` on the clock, or less when vigil closes or `signal` aborts. */
  #pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
    const closing = this.#closing.signal;
    return new Promise((resolve) => {
      const done = () => {
        cancel();
        signal?.removeEventListener('abort', done);
        closing.removeEventListener('abort', done);
        resolve();
      };
      const cancel = after(this.#clock, ms, done);
      signal?.addEventListener('abort', done, { once: true });
      closing.addEventListener('abort', done, { once: true });
    });
  }

  #cancel(n: Notification, attempts: number, signal: AbortSignal): DeliveryResult {
    const error = messageOf(signal.reason);
    this.#record(n, 'cancelled', attempts, error);
    return { ok: false, attempts, error, cancelled: true };
  }

  async #attempt(notifier: Notifier, n: Notification): Promise<ExportResult> {
    const controller = new AbortController();
    this.#attempts.add(controller);
    let cancel = () => {};
    let stopListening = () => {};
    const closed = new Promise<ExportResult>((resolve) => {
      const closing = this.#closing.signal;
      const onClose = () => resolve(failed('closed', `${notifier.integration}: vigil is shutting down`));
      closing.addEventListener('abort', onClose, { once: true });
      stopListening = () => closing.removeEventListener('abort', onClose);
    });
    const timedOut = new Promise<ExportResult>((resolve) => {
      cancel = after(this.#clock, this.#timeoutMs, () => {
        // A clock that jumps (a test's ManualClock, a suspended VM) may pass the deadline before an
        // answer already received is read; a macrotask later, such an answer has won the race.
        setImmediate(() => {
          controller.abort(new DOMException(`no answer within ${this.#timeoutMs} ms`, 'TimeoutError'));
          resolve(failed('timeout', `${notifier.integration}: no answer within ${this.#timeoutMs} ms`));
        });
      });
    });
    try {
      // Raced, not only signalled: an SMTP client or a custom notifier may not honour the signal.
      return await Promise.race([
        notifier.send(n, controller.signal).catch((error: unknown) => failed('network', messageOf(error))),
        timedOut,
        closed,
      ]);
    } finally {
      cancel();
      stopListening();
      this.#attempts.delete(controller);
    }
  }

  /**
   * Notes an attempt in the alert history. A history that cannot be written (a full disk) is
   * reported, not thrown: the notification went out or not regardless, and a throw here rejected the
   * delivery, which no caller expects (a group's flush, an escalation step, a forwarder's callers).
   */
  #record(n: Notification, result: NotificationEvent['result'], attempt: number, error?: string): void {
    try {
      this.#events?.record({
        kind: 'notification',
        time: this.#clock.now(),
        receiver: n.receiver,
        groupKey: n.groupKey,
        status: n.status,
        alerts: n.alerts.map((a) => a.labels),
        result,
        attempt,
        ...(error === undefined ? {} : { error }),
      });
    } catch (failure) {
      backgroundFailed('recording notifications in the alert history', failure);
    }
  }
}

function shutDown(attempts: number): DeliveryResult {
  return { ok: false, attempts, error: 'vigil is shutting down', cancelled: true };
}

function failed(reason: FailureReason, message: string): ExportResult {
  return { code: 'retryable', reason, message };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
