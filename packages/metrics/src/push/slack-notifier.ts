import type { Clock } from '../base/clock.js';
import { invalidOption } from '../base/errors.js';
import { Registry } from '../core/registry.js';
import { type AlertEvent, SEVERITY_RANK, type Severity } from './alert-event.js';
import { type ExportResult, SUCCESS } from './export-result.js';
import { httpPipeline } from './http-pipeline.js';
import type { HttpRequest } from './http-transport.js';
import { fromEnv, type PushOptions, resolveCount, resolveUrl } from './push-options.js';
import type { PushStats } from './push-stats.js';
import type { RetryingTransport } from './retrying-transport.js';
import { type SlackFormat, toSlackMessage } from './slack-message.js';

export interface SlackNotifierOptions extends PushOptions {
  /** Default: `SLACK_WEBHOOK_URL`. A secret: it is never written into a warning. */
  readonly webhookUrl?: string;
  /** Default: `SLACK_CHANNEL` (legacy webhooks only honour it). */
  readonly channel?: string;
  readonly username?: string;
  /** Default `blocks`. */
  readonly format?: SlackFormat;
  /** After a key is notified, its firing events are suppressed this long. Default 300,000 ms. */
  readonly cooldownMs?: number;
  /** Firing events below it are ignored. Default `critical`. */
  readonly minSeverity?: Severity;
  /** Events that arrive together go out in one post, up to this many. Default 10. */
  readonly maxEventsPerMessage?: number;
  /** Events waiting while Slack is slow or down; past it the oldest are dropped and counted. Default 100. */
  readonly maxQueued?: number;
  /** Where `vigil_push_failures_total` and `vigil_push_dropped_total` are counted. Default: a private registry. */
  readonly registry?: Registry;
}

/**
 * What `notify` did with an event: `queued` for sending, or why not: `cooldown` (the key was
 * notified less than `cooldownMs` ago), `ignored` (below `minSeverity`, or a resolution of a key
 * that was not firing), `invalid` (not an AlertEvent; counted as dropped), `closed`.
 */
export type NotifyOutcome = 'queued' | 'cooldown' | 'ignored' | 'invalid' | 'closed';

/**
 * Posts alert events to a Slack incoming webhook (the callbot seed's `SLACK_WEBHOOK_URL`,
 * `SLACK_CHANNEL`), with a cooldown per key so that a burst of slow calls makes one message, not
 * hundreds. A key's resolution is sent once if its firing was, and ends its cooldown: the next
 * incident is told at once. Events that arrive while a post is under way are batched into the next
 * one; posts go one at a time (Slack allows about one per second per webhook) through the shared
 * retry wrapper, which honours Slack's `Retry-After` on 429.
 */
export class SlackNotifier {
  readonly #url: string;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #channel: string | undefined;
  readonly #username: string | undefined;
  readonly #format: SlackFormat;
  readonly #cooldownMs: number;
  readonly #minRank: number;
  readonly #maxPerMessage: number;
  readonly #maxQueued: number;
  readonly #clock: Clock;
  readonly #stats: PushStats;
  readonly #transport: RetryingTransport<HttpRequest>;
  /** Key to when its last firing event was queued. */
  readonly #notifiedAt = new Map<string, number>();
  readonly #queue: AlertEvent[] = [];
  #draining: Promise<ExportResult> | undefined;
  #closed: Promise<void> | undefined;

  constructor(options: SlackNotifierOptions = {}) {
    if (typeof options !== 'object' || options === null) throw invalidOption('options', options, 'an object');
    const env = options.env ?? process.env;
    const endpoint = resolveUrl('webhookUrl', options.webhookUrl, 'SLACK_WEBHOOK_URL', env);
    this.#url = endpoint.base;
    this.#headers = { 'content-type': 'application/json; charset=utf-8', ...endpoint.headers };
    this.#channel = fromEnv(options.channel, 'SLACK_CHANNEL', env);
    this.#username = options.username;
    this.#format = options.format ?? 'blocks';
    if (this.#format !== 'blocks' && this.#format !== 'attachments') {
      throw invalidOption('format', options.format, "'blocks' or 'attachments'");
    }
    this.#cooldownMs = options.cooldownMs ?? 300_000;
    if (!(this.#cooldownMs >= 0 && this.#cooldownMs < Number.POSITIVE_INFINITY)) {
      throw invalidOption('cooldownMs', options.cooldownMs, 'a finite number of milliseconds >= 0');
    }
    const minSeverity = options.minSeverity ?? 'critical';
    if (!Object.hasOwn(SEVERITY_RANK, minSeverity)) {
      throw invalidOption('minSeverity', options.minSeverity, "'info', 'warning' or 'critical'");
    }
    this.#minRank = SEVERITY_RANK[minSeverity];
    this.#maxPerMessage = resolveCount('maxEventsPerMessage', options.maxEventsPerMessage, 10);
    this.#maxQueued = resolveCount('maxQueued', options.maxQueued, 100);
    const registry = options.registry ?? new Registry(options.clock ? { clock: options.clock } : {});
    if (typeof registry?.counter !== 'function') throw invalidOption('registry', registry, 'a Registry');
    const { clock, stats, transport } = httpPipeline(registry, options, 'slack');
    this.#clock = clock;
    this.#stats = stats;
    this.#transport = transport;
  }

  /** Queues the event unless its key is cooling down; the post follows on its own. Never throws. */
  notify(event: AlertEvent): NotifyOutcome {
    if (this.#closed) {
      this.#stats.dropped('closed', 1, 'notify() after close()');
      return 'closed';
    }
    if (!isAlertEvent(event)) {
      this.#stats.dropped('invalid_value', 1, 'notify() got something else than { key, severity, title }');
      return 'invalid';
    }
    const now = this.#clock.now();
    if (event.status === 'resolved') {
      if (!this.#notifiedAt.delete(event.key)) return 'ignored';
    } else {
      if (SEVERITY_RANK[event.severity] < this.#minRank) return 'ignored';
      const last = this.#notifiedAt.get(event.key);
      if (last !== undefined && now - last < this.#cooldownMs) return 'cooldown';
      this.#notifiedAt.delete(event.key);
      this.#notifiedAt.set(event.key, now);
      this.#forget(now);
    }
    this.#queue.push(event);
    if (this.#queue.length > this.#maxQueued) {
      const excess = this.#queue.splice(0, this.#queue.length - this.#maxQueued);
      this.#stats.dropped('queue_full', excess.length, `more than ${this.#maxQueued} events waiting`);
    }
    void this.flush();
    return 'queued';
  }

  /** Posts everything queued; resolves to the first failure, or success. Never rejects. */
  flush(): Promise<ExportResult> {
    this.#draining ??= this.#drain().finally(() => {
      this.#draining = undefined;
    });
    return this.#draining;
  }

  /** Posts what is queued (a retry waiting out its backoff tries once more at once), then refuses more. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#transport.close();
      await this.flush();
    })();
    return this.#closed;
  }

  async #drain(): Promise<ExportResult> {
    // Lets the events notified in the same tick as the first one share its post.
    await null;
    let outcome = SUCCESS;
    while (this.#queue.length > 0) {
      const batch = this.#takeBatch();
      const body = JSON.stringify(
        toSlackMessage(batch, {
          format: this.#format,
          channel: this.#channel,
          username: this.#username,
          nowMs: this.#clock.now(),
        }),
      );
      const result = await this.#transport.send(
        { method: 'POST', url: this.#url, headers: this.#headers, body, description: 'POST Slack webhook' },
        batch.length,
      );
      if (outcome.code === 'success') outcome = result;
    }
    return outcome;
  }

  /** The longest run at the head of the queue that shares one status, up to the per-message cap. */
  #takeBatch(): AlertEvent[] {
    const resolved = this.#queue[0]?.status === 'resolved';
    let n = 0;
    while (
      n < this.#queue.length &&
      n < this.#maxPerMessage &&
      (this.#queue[n]?.status === 'resolved') === resolved
    ) {
      n++;
    }
    return this.#queue.splice(0, n);
  }

  /** Keys whose cooldown is over need not be remembered; checked only when the map has grown. */
  #forget(now: number): void {
    if (this.#notifiedAt.size <= 10_000) return;
    for (const [key, at] of this.#notifiedAt) {
      if (now - at < this.#cooldownMs) break;
      this.#notifiedAt.delete(key);
    }
  }
}

function isAlertEvent(event: unknown): event is AlertEvent {
  if (typeof event !== 'object' || event === null) return false;
  const e = event as Record<string, unknown>;
  return (
    typeof e.key === 'string' &&
    typeof e.title === 'string' &&
    typeof e.severity === 'string' &&
    Object.hasOwn(SEVERITY_RANK, e.severity) &&
    (e.status === undefined || e.status === 'firing' || e.status === 'resolved') &&
    (e.text === undefined || typeof e.text === 'string') &&
    (e.fields === undefined || (typeof e.fields === 'object' && e.fields !== null))
  );
}
