import { Scope } from '../core/scope.js';
import {
  type CountHandle,
  checkHost,
  counterOn,
  gaugeOn,
  histogramOn,
  type LevelHandle,
  type MetricHost,
  type ObserveHandle,
} from './metric-host.js';

export interface ConnectionMetricsOptions {
  /** A session's scope or a registry. */
  readonly metrics: MetricHost;
  /** Metric name prefix. Default `stream`. */
  readonly prefix?: string;
}

/** Powers of 4 from 64 B to 1 MiB: a JSON event to a full snapshot. */
export const MESSAGE_SIZE_BUCKETS: readonly number[] = [64, 256, 1024, 4096, 16384, 65536, 262144, 1048576];

/**
 * The event-server seed's WebSocket health: clients connected, broadcasts that went out or failed,
 * and message sizes. On a scope, connecting and disconnecting also move the scope's `connections`,
 * which the sessions document reports.
 */
export class ConnectionMetrics {
  readonly #scope: Scope | undefined;
  readonly #clients: LevelHandle;
  readonly #ok: CountHandle;
  readonly #failed: CountHandle;
  readonly #sizes: ObserveHandle;

  constructor(options: ConnectionMetricsOptions) {
    const prefix = checkHost(options?.metrics, options?.prefix ?? 'stream');
    const host = options.metrics;
    this.#scope = host instanceof Scope ? host : undefined;
    this.#clients = gaugeOn(host, {
      name: `${prefix}_websocket_clients`,
      help: 'WebSocket clients connected.',
    });
    const broadcasts = {
      name: `${prefix}_broadcasts_total`,
      help: 'Broadcasts to WebSocket clients, by status.',
      labelNames: ['status'],
    };
    this.#ok = counterOn(host, broadcasts, 'success');
    this.#failed = counterOn(host, broadcasts, 'error');
    this.#sizes = histogramOn(host, {
      name: `${prefix}_message_size_bytes`,
      help: 'Size of broadcast messages.',
      unit: 'bytes',
      buckets: MESSAGE_SIZE_BUCKETS,
    });
  }

  connected(): void {
    this.#clients.inc();
    this.#scope?.connect();
  }

  disconnected(): void {
    if (this.#clients.get() > 0) this.#clients.dec();
    this.#scope?.disconnect();
  }

  /** Sets the client count outright, from the server's own list. */
  setClients(count: number): void {
    this.#clients.set(count);
    if (this.#scope) {
      this.#scope.connections = count;
      this.#scope.touch();
    }
  }

  get clients(): number {
    return this.#clients.get();
  }

  /** One broadcast of `bytes`, which reached every client (`ok`) or failed for some. */
  broadcast(bytes: number, ok = true): void {
    this.#sizes.observe(bytes);
    (ok ? this.#ok : this.#failed).inc();
  }
}
