import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type Clock, type Counter, type Gauge, type Registry, toCollectorDocument } from '@vigil/metrics';
import { type WebSocket, WebSocketServer } from 'ws';
import type { AlertEvent } from '../alerts/alert-event.js';
import { formatValue } from '../query/format-value.js';
import { parseSelector } from '../query/selector.js';
import type { LabelMatcher, SeriesStore } from '../store/series-store.js';

export interface LiveStreamOptions {
  readonly store: SeriesStore;
  readonly registry: Registry;
  readonly clock: Clock;
  readonly intervalMs: number;
  /** Checked against `?token=` (browsers cannot set headers on a WebSocket) or the Authorization header. */
  readonly authorised: (req: IncomingMessage, token: string | null) => boolean;
  /** A client whose unsent data passes this is dropped: it cannot keep up. Default 1 MiB. */
  readonly maxBufferedBytes?: number;
  readonly maxClients?: number;
}

interface Client {
  readonly socket: WebSocket;
  snapshot: boolean;
  alerts: boolean;
  readonly series: Map<string, LabelMatcher[]>;
}

/** Prometheus's lookback: the latest sample of a series counts as its value for five minutes. */
const LOOKBACK_MS = 5 * 60_000;

/**
 * `WS /ws/metrics`: each client gets vigil's own snapshot and/or the latest values of the series it
 * subscribed to, once per refresh interval. Messages from the client:
 *
 *     {"subscribe": "snapshot"}                          {"unsubscribe": "snapshot"}
 *     {"subscribe": "series", "id": "cpu", "match": "node_cpu_seconds_total{mode=\"idle\"}"}
 *     {"unsubscribe": "series", "id": "cpu"}
 *     {"subscribe": "alerts"}                            {"unsubscribe": "alerts"}
 *
 * Alert subscribers get each alert event (a state change, a notification attempt) as it happens:
 * `{"type": "alert", "event": AlertEvent with time as RFC 3339}`.
 *
 * A client that reads slower than updates arrive is closed (1013, "try again later") once its
 * unsent data passes `maxBufferedBytes`, so one slow consumer never grows the server's memory.
 */
export class LiveStream {
  readonly #options: LiveStreamOptions;
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  readonly #clients = new Set<Client>();
  readonly #connected: Gauge;
  readonly #dropped: Counter;
  #stop: (() => void) | undefined;
  #ticking = false;

  constructor(options: LiveStreamOptions) {
    this.#options = options;
    this.#connected = options.registry.gauge({
      name: 'vigil_ws_clients',
      help: 'Clients connected to /ws/metrics.',
    });
    this.#dropped = options.registry.counter({
      name: 'vigil_ws_dropped_clients_total',
      help: 'Clients closed because they could not keep up, or past the client limit.',
      labelNames: ['reason'],
    });
  }

  start(): void {
    this.#stop = this.#options.clock.every(this.#options.intervalMs, () => void this.tick());
  }

  /** Takes an HTTP upgrade for /ws/metrics; returns false for any other path. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://vigil');
    if (url.pathname !== '/ws/metrics') return false;
    if (!this.#options.authorised(req, url.searchParams.get('token'))) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
      return true;
    }
    if (this.#clients.size >= (this.#options.maxClients ?? 10_000)) {
      this.#dropped.inc({ reason: 'client_limit' });
      socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n');
      return true;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws));
    return true;
  }

  #accept(socket: WebSocket): void {
    const client: Client = { socket, snapshot: true, alerts: false, series: new Map() };
    this.#clients.add(client);
    this.#connected.set(this.#clients.size);
    socket.on('message', (data) => this.#onMessage(client, data.toString()));
    socket.on('close', () => {
      this.#clients.delete(client);
      this.#connected.set(this.#clients.size);
    });
    socket.on('error', () => socket.terminate());
    this.#sendTo(client, this.#snapshotMessage());
  }

  #onMessage(client: Client, text: string): void {
    let message: { subscribe?: unknown; unsubscribe?: unknown; id?: unknown; match?: unknown };
    try {
      message = JSON.parse(text);
    } catch {
      this.#reply(client, { type: 'error', error: 'messages are JSON objects' });
      return;
    }
    const kind = message.subscribe ?? message.unsubscribe;
    const subscribing = message.subscribe !== undefined;
    if (kind === 'snapshot') {
      client.snapshot = subscribing;
      return;
    }
    if (kind === 'alerts') {
      client.alerts = subscribing;
      return;
    }
    if (kind !== 'series' || typeof message.id !== 'string' || message.id === '') {
      this.#reply(client, {
        type: 'error',
        error: 'expected {"subscribe": "snapshot" | "alerts" | "series", "id", "match"}',
      });
      return;
    }
    if (!subscribing) {
      client.series.delete(message.id);
      return;
    }
    if (client.series.size >= 100) {
      this.#reply(client, {
        type: 'error',
        id: message.id,
        error: 'at most 100 series subscriptions per client',
      });
      return;
    }
    try {
      client.series.set(message.id, parseSelector(String(message.match ?? '')));
    } catch (error) {
      this.#reply(client, { type: 'error', id: message.id, error: (error as Error).message });
    }
  }

  #reply(client: Client, body: unknown): void {
    this.#sendTo(client, JSON.stringify(body));
  }

  #snapshotMessage(): string {
    return JSON.stringify({
      type: 'snapshot',
      data: toCollectorDocument(this.#options.registry.snapshotSync()),
    });
  }

  /** One round of updates; a round still running when the next is due is skipped, not queued. */
  async tick(): Promise<void> {
    if (this.#ticking || this.#clients.size === 0) return;
    this.#ticking = true;
    try {
      const snapshot = [...this.#clients].some((c) => c.snapshot) ? this.#snapshotMessage() : undefined;
      const now = this.#options.clock.now();
      // Clients with the same selector share one read and one serialisation per round
      // (bench/ws-fanout.js: per-client JSON cost 10–15 ms a round at 1,000 clients).
      const cache = new Map<string, Promise<string>>();
      for (const client of this.#clients) {
        if (snapshot && client.snapshot) this.#sendTo(client, snapshot);
        for (const [id, matchers] of client.series) {
          const key = JSON.stringify(matchers);
          let latest = cache.get(key);
          if (!latest) {
            latest = this.#latest(matchers, now).then(JSON.stringify, (error: Error) =>
              JSON.stringify({ error: error.message }),
            );
            cache.set(key, latest);
          }
          const data = await latest;
          this.#sendTo(
            client,
            `{"type":"series","id":${JSON.stringify(id)},"time":${now / 1000},"data":${data}}`,
          );
        }
      }
    } finally {
      this.#ticking = false;
    }
  }

  async #latest(matchers: readonly LabelMatcher[], now: number) {
    const series = await this.#options.store.select(matchers, now - LOOKBACK_MS, now, { maxSeries: 1000 });
    return series
      .filter((s) => s.values.length > 0)
      .map((s) => {
        const last = s.values.length - 1;
        return { metric: s.labels, value: [s.timestamps[last]! / 1000, formatValue(s.values[last]!)] };
      });
  }

  #sendTo(client: Client, text: string): void {
    const socket = client.socket;
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > (this.#options.maxBufferedBytes ?? 1024 * 1024)) {
      this.#dropped.inc({ reason: 'slow_client' });
      socket.close(1013, 'too slow: updates are not being read');
      socket.terminate();
      this.#clients.delete(client);
      this.#connected.set(this.#clients.size);
      return;
    }
    socket.send(text);
  }

  /** Sends an alert event to the clients subscribed to alerts. */
  publishAlert(event: AlertEvent): void {
    let text: string | undefined;
    for (const client of this.#clients) {
      if (!client.alerts) continue;
      text ??= JSON.stringify({
        type: 'alert',
        event: { ...event, time: new Date(event.time).toISOString() },
      });
      this.#sendTo(client, text);
    }
  }

  close(): void {
    this.#stop?.();
    for (const client of this.#clients) client.socket.close(1001, 'vigil is stopping');
    this.#clients.clear();
    this.#wss.close();
  }
}
