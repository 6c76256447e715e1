import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type Clock, type Counter, type Gauge, type Registry, toCollectorDocument } from '@vigil/metrics';
import { type WebSocket, WebSocketServer } from 'ws';
import type { AlertHistoryEvent, AlertHistorySink } from '../alerts/alert-history-event.js';
import { background } from '../errors/background-tasks.js';
import { parseSelector } from '../matchers/matcher-syntax.js';
import { formatApiValue } from '../query/format-value.js';
import type { LabelMatcher, SeriesStore } from '../store/series-store.js';
import { errorAnswer } from './respond.js';
import { textFrame } from './text-frame.js';

export interface LiveStreamOptions {
  readonly store: SeriesStore;
  readonly registry: Registry;
  readonly clock: Clock;
  readonly intervalMs: number;
  /** Checked against `?token=` (browsers cannot set headers on a WebSocket) or the Authorization header. */
  readonly authorised: (req: IncomingMessage, token: string | null) => Promise<boolean>;
  /** A client whose unsent data passes this is dropped: it cannot keep up. Default 1 MiB. */
  readonly maxBufferedBytes?: number;
  readonly maxClients?: number;
}

interface Subscription {
  readonly matchers: LabelMatcher[];
  /** The matchers serialised: clients with equal keys share one read per round. */
  readonly key: string;
}

interface Client {
  readonly socket: WebSocket;
  /** ws's underlying TCP socket, written directly with frames shared between clients. */
  readonly raw: Duplex;
  snapshot: boolean;
  alerts: boolean;
  readonly series: Map<string, Subscription>;
  /** What the client receives each round, as a key: clients with equal keys share one Buffer. */
  roundKey: string | undefined;
  /** The slot of the refresh interval in which the client is served. */
  readonly slot: Set<Client>;
}

/** Prometheus's lookback: the latest sample of a series counts as its value for five minutes. */
const LOOKBACK_MS = 5 * 60_000;

/**
 * Each refresh interval is cut into this many slots (at most one per millisecond), each with its
 * own clients, its own store reads and its own `time`: a client waits for the socket writes of its
 * slot's clients, not of every client. Served all at once, the 1,000 clients of
 * bench/ws-fanout.js had the last one wait 15-20 ms behind the writes to the first 999 (one
 * write(2) on loopback ≈ 15 µs), and p99 delays of 48-213 ms on a busy machine; in slots, 7-27 ms.
 * The price: clients of different slots with the same selectors no longer share a read (server CPU
 * in that benchmark 28-46 ms per second, from 17-29).
 */
const SLOTS = 10;
/** Clients fill a slot up to this many before the next slot is used, so that few clients share one round of reads. */
const SLOT_CLIENTS = 100;

/**
 * `WS /ws/metrics`: each client gets vigil's own snapshot and/or the latest values of the series it
 * subscribed to, once per refresh interval, with `time` (seconds) the moment its values were read.
 * Beyond SLOT_CLIENTS clients, different clients are served at different moments of the interval
 * (see SLOTS). Messages from the client:
 *
 *     {"subscribe": "snapshot"}                          {"unsubscribe": "snapshot"}
 *     {"subscribe": "series", "id": "cpu", "match": "node_cpu_seconds_total{mode=\"idle\"}"}
 *     {"unsubscribe": "series", "id": "cpu"}
 *     {"subscribe": "alerts"}                            {"unsubscribe": "alerts"}
 *
 * Alert subscribers receive `{"type": "alert", "event": AlertHistoryEvent}` as the rule and notification
 * sides call `record(event)`, with `time` as RFC 3339, as `GET /api/alerts/history` writes it.
 *
 * A client that reads slower than updates arrive is closed (1013, "try again later") once its
 * unsent data passes `maxBufferedBytes`, so one slow consumer never grows the server's memory.
 */
export class LiveStream implements AlertHistorySink {
  readonly #options: LiveStreamOptions;
  readonly #wss = new WebSocketServer({
    noServer: true,
    maxPayload: 64 * 1024,
    // #write relies on ws writing each frame at once, which compression would defer.
    perMessageDeflate: false,
  });
  readonly #clients = new Set<Client>();
  readonly #slots: Set<Client>[];
  #nextSlot = 0;
  readonly #connected: Gauge;
  readonly #dropped: Counter;
  #stop: (() => void) | undefined;
  #ticking = false;

  constructor(options: LiveStreamOptions) {
    this.#options = options;
    this.#slots = Array.from(
      { length: Math.max(1, Math.min(SLOTS, Math.floor(options.intervalMs))) },
      () => new Set(),
    );
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
    this.#stop = this.#options.clock.every(this.#options.intervalMs / this.#slots.length, () =>
      background('live stream update', () => this.tick()),
    );
  }

  /** Takes an HTTP upgrade for /ws/metrics; returns false for any other path. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://vigil');
    if (url.pathname !== '/ws/metrics') return false;
    // Checking a password can take a while: a client gone meanwhile must not be an unhandled error.
    socket.on('error', () => socket.destroy());
    this.#options.authorised(req, url.searchParams.get('token')).then(
      (authorised) => {
        if (!authorised) {
          socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
          return;
        }
        if (this.#clients.size >= (this.#options.maxClients ?? 10_000)) {
          this.#dropped.inc({ reason: 'client_limit' });
          socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n');
          return;
        }
        this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws));
      },
      () => socket.destroy(),
    );
    return true;
  }

  #accept(socket: WebSocket): void {
    const raw = (socket as unknown as { _socket: Duplex })._socket;
    const client: Client = {
      socket,
      raw,
      snapshot: true,
      alerts: false,
      series: new Map(),
      roundKey: undefined,
      slot: this.#slotWithRoom(),
    };
    this.#clients.add(client);
    client.slot.add(client);
    this.#connected.set(this.#clients.size);
    socket.on('message', (data) => this.#onMessage(client, data.toString()));
    socket.on('close', () => this.#forget(client));
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
    client.roundKey = undefined;
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
      const matchers = parseSelector(String(message.match ?? ''));
      client.series.set(message.id, { matchers, key: JSON.stringify(matchers) });
    } catch (error) {
      this.#reply(client, { type: 'error', id: message.id, error: errorAnswer(error).message });
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

  /**
   * Updates the clients of the next slot; a slot's round still running when the next slot is due
   * makes that slot skip its round, not queue it.
   *
   * Every distinct message is serialised and framed once per round, and each client gets all of
   * its messages in one socket write: clients with the same subscriptions share one Buffer.
   * bench/ws-fanout.js, 1,000 clients: a round took 63 ms (median) with two `ws.send()`s per
   * client, each its own writev, and that was most of the p99 delivery delay.
   */
  async tick(): Promise<void> {
    const slot = this.#slots[this.#nextSlot]!;
    this.#nextSlot = (this.#nextSlot + 1) % this.#slots.length;
    if (this.#ticking || slot.size === 0) return;
    this.#ticking = true;
    try {
      let snapshot: Buffer | undefined;
      const reads = new Map<string, Subscription>();
      for (const client of slot) {
        if (client.snapshot && !snapshot) snapshot = textFrame(this.#snapshotMessage());
        for (const subscription of client.series.values()) reads.set(subscription.key, subscription);
      }
      const now = this.#options.clock.now();
      const results = new Map<string, string>();
      await Promise.all(
        [...reads.values()].map(async ({ key, matchers }) => {
          const data = await this.#latest(matchers, now).then(JSON.stringify, (error: Error) =>
            JSON.stringify({ error: error.message }),
          );
          results.set(key, data);
        }),
      );
      const seriesFrames = new Map<string, Buffer>();
      const rounds = new Map<string, Buffer>();
      for (const client of slot) {
        client.roundKey ??= roundKey(client);
        if (client.roundKey === '') continue;
        let bytes = rounds.get(client.roundKey);
        if (!bytes) {
          const frames = client.snapshot && snapshot ? [snapshot] : [];
          for (const [id, { key }] of client.series) {
            const frameKey = `${id}\u0000${key}`;
            let frame = seriesFrames.get(frameKey);
            if (!frame) {
              frame = textFrame(
                `{"type":"series","id":${JSON.stringify(id)},"time":${now / 1000},"data":${results.get(key)}}`,
              );
              seriesFrames.set(frameKey, frame);
            }
            frames.push(frame);
          }
          bytes = frames.length === 1 ? frames[0]! : Buffer.concat(frames);
          rounds.set(client.roundKey, bytes);
        }
        this.#write(client, bytes);
      }
    } finally {
      this.#ticking = false;
    }
  }

  /** Pushes an alert state change or notification attempt to the clients subscribed to alerts. */
  record(event: AlertHistoryEvent): void {
    let frame: Buffer | undefined;
    for (const client of this.#clients) {
      if (!client.alerts) continue;
      frame ??= textFrame(
        JSON.stringify({ type: 'alert', event: { ...event, time: new Date(event.time).toISOString() } }),
      );
      this.#write(client, frame);
    }
  }

  async #latest(matchers: readonly LabelMatcher[], now: number) {
    const series = await this.#options.store.select(matchers, now - LOOKBACK_MS, now, { maxSeries: 1000 });
    return series
      .filter((s) => s.values.length > 0)
      .map((s) => {
        const last = s.values.length - 1;
        return { metric: s.labels, value: [s.timestamps[last]! / 1000, formatApiValue(s.values[last]!)] };
      });
  }

  #sendTo(client: Client, text: string): void {
    if (this.#writable(client)) client.socket.send(text);
  }

  /**
   * Writes whole frames under ws: without permessage-deflate (off here) ws writes each `send()` to
   * the socket at once, so frames written here keep their order with ws's own, and
   * `bufferedAmount` still counts them.
   */
  #write(client: Client, frames: Buffer): void {
    if (this.#writable(client)) client.raw.write(frames);
  }

  #writable(client: Client): boolean {
    const socket = client.socket;
    if (socket.readyState !== socket.OPEN) return false;
    if (socket.bufferedAmount > (this.#options.maxBufferedBytes ?? 1024 * 1024)) {
      this.#dropped.inc({ reason: 'slow_client' });
      socket.close(1013, 'too slow: updates are not being read');
      socket.terminate();
      this.#forget(client);
      return false;
    }
    return true;
  }

  #forget(client: Client): void {
    this.#clients.delete(client);
    client.slot.delete(client);
    this.#connected.set(this.#clients.size);
  }

  /** The first slot with room, or the one with the fewest clients when all are full. */
  #slotWithRoom(): Set<Client> {
    let fewest = this.#slots[0]!;
    for (const slot of this.#slots) {
      if (slot.size < SLOT_CLIENTS) return slot;
      if (slot.size < fewest.size) fewest = slot;
    }
    return fewest;
  }

  close(): void {
    this.#stop?.();
    for (const client of this.#clients) client.socket.close(1001, 'vigil is stopping');
    this.#clients.clear();
    for (const slot of this.#slots) slot.clear();
    this.#wss.close();
  }
}

function roundKey(client: Client): string {
  let key = client.snapshot ? 's' : '';
  for (const [id, { key: selector }] of client.series) key += `\u0000${id}\u0000${selector}`;
  return key;
}
