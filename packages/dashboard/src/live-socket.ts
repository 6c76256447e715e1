import type { VectorSample } from './prometheus-types.js';

export type SeriesListener = (samples: readonly VectorSample[], time: number) => void;
export type AlertListener = (event: unknown) => void;
export type StatusListener = (state: 'connecting' | 'open' | 'closed') => void;

interface SeriesMessage {
  readonly type: 'series';
  readonly id: string;
  readonly time: number;
  readonly data: readonly VectorSample[] | { readonly error: string };
}

/**
 * One WebSocket to /ws/metrics for the whole page (protocol: packages/server/src/http/live-stream.ts).
 * Panels subscribe selectors by id and get the latest sample of each matching series at every
 * server refresh; the socket reconnects with backoff and subscribes again.
 */
export class LiveSocket {
  readonly #token: () => string | undefined;
  readonly #series = new Map<string, { match: string; listener: SeriesListener }>();
  readonly #alerts = new Set<AlertListener>();
  readonly #status = new Set<StatusListener>();
  #socket: WebSocket | undefined;
  #retryMs = 500;
  #closed = false;
  #nextId = 0;
  #open = false;
  /** When (client clock, ms) the last round of series arrived, the server's time of it (s), and the newest sample in it (s). */
  #lastRound: { at: number; time: number; newest: number } | undefined;
  /** Seconds between the server's rounds, as seen: its refresh interval. */
  #interval: number | undefined;
  /** Seconds between new samples, as seen: a target scraped every 15 s is not stale at second 10. */
  #sampleInterval = 0;

  constructor(token: () => string | undefined) {
    this.#token = token;
  }

  connect(): void {
    if (this.#closed) return;
    const token = this.#token();
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const url = `${scheme}//${location.host}/ws/metrics${token ? `?token=${encodeURIComponent(token)}` : ''}`;
    this.#emit('connecting');
    const socket = new WebSocket(url);
    this.#socket = socket;
    socket.addEventListener('open', () => {
      this.#retryMs = 500;
      this.#open = true;
      this.#emit('open');
      // vigil's own snapshot is not shown here: only the series the panels asked for.
      socket.send(JSON.stringify({ unsubscribe: 'snapshot' }));
      socket.send(JSON.stringify({ subscribe: 'alerts' }));
      for (const [id, { match }] of this.#series) this.#send({ subscribe: 'series', id, match });
    });
    socket.addEventListener('message', (event) => this.#onMessage(String(event.data)));
    socket.addEventListener('close', () => {
      if (this.#socket !== socket) return;
      this.#open = false;
      this.#emit('closed');
      if (this.#closed) return;
      setTimeout(() => this.connect(), this.#retryMs);
      this.#retryMs = Math.min(this.#retryMs * 2, 15_000);
    });
  }

  /** Subscribes a selector; returns the function that ends the subscription. */
  subscribe(match: string, listener: SeriesListener): () => void {
    const id = `s${this.#nextId++}`;
    this.#series.set(id, { match, listener });
    this.#send({ subscribe: 'series', id, match });
    return () => {
      this.#series.delete(id);
      this.#send({ unsubscribe: 'series', id });
    };
  }

  onAlert(listener: AlertListener): () => void {
    this.#alerts.add(listener);
    return () => this.#alerts.delete(listener);
  }

  onStatus(listener: StatusListener): () => void {
    this.#status.add(listener);
    return () => this.#status.delete(listener);
  }

  close(): void {
    this.#closed = true;
    this.#socket?.close();
  }

  /**
   * Whether what the panels show is current: `closed` while the socket is down; `stale` when the
   * server's rounds stopped coming for two of its intervals, or come with no sample newer than two
   * intervals (the metrics stopped arriving) — so a frozen screen never passes for a calm one.
   */
  freshness(now = Date.now()): { state: 'connecting' | 'open' | 'closed' | 'stale'; detail: string } {
    if (!this.#open)
      return {
        state: this.#closed || this.#socket ? 'closed' : 'connecting',
        detail: 'disconnected, reconnecting',
      };
    const round = this.#lastRound;
    if (this.#series.size === 0 || !round || this.#interval === undefined)
      return { state: 'open', detail: 'live' };
    const allowed = 2 * this.#interval * 1000;
    if (now - round.at > allowed + 1000)
      return { state: 'stale', detail: `no update for ${Math.round((now - round.at) / 1000)} s` };
    const sampleAllowed = 2 * Math.max(this.#interval, this.#sampleInterval) * 1000;
    if (round.newest > 0 && (round.time - round.newest) * 1000 > sampleAllowed + 1000)
      return { state: 'stale', detail: `no new data for ${Math.round(round.time - round.newest)} s` };
    return { state: 'open', detail: 'live' };
  }

  #noteRound(time: number, data: readonly VectorSample[]): void {
    const previous = this.#lastRound;
    let newest = 0;
    for (const s of data) newest = Math.max(newest, Number(s.value[0]));
    if (previous && time === previous.time) {
      previous.newest = Math.max(previous.newest, newest);
      return;
    }
    if (previous && time > previous.time) {
      const gap = time - previous.time;
      this.#interval = this.#interval === undefined ? gap : Math.min(gap, this.#interval * 0.8 + gap * 0.2);
      if (newest > previous.newest && previous.newest > 0)
        this.#sampleInterval = Math.max(this.#sampleInterval * 0.9, newest - previous.newest);
    }
    this.#lastRound = { at: Date.now(), time, newest };
  }

  #send(message: unknown): void {
    if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(JSON.stringify(message));
  }

  #emit(state: 'connecting' | 'open' | 'closed'): void {
    for (const listener of this.#status) listener(state);
  }

  #onMessage(text: string): void {
    let message: { type?: string };
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (message.type === 'series') {
      const { id, time, data } = message as SeriesMessage;
      const entry = this.#series.get(id);
      if (entry && Array.isArray(data)) {
        this.#noteRound(time, data);
        entry.listener(data, time);
      }
    } else if (message.type === 'alert') {
      for (const listener of this.#alerts) listener((message as { event?: unknown }).event);
    }
  }
}
