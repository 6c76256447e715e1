import { createSocket, type Socket } from 'node:dgram';
import type { Clock, Counter, Registry } from '@vigil/metrics';
import type { HostPort, StatsdCounterMode, StatsdTimerSeries } from '../config/config.js';
import { background } from '../errors/background-tasks.js';
import type { IngestWriter } from './ingest-writer.js';
import { StatsdAggregator } from './statsd-aggregator.js';

export interface StatsdServerOptions {
  readonly address: HostPort;
  readonly flushIntervalMs: number;
  /** Most series kept, and how long an idle one is kept (0: forever): see StatsdAggregator. */
  readonly maxSeries: number;
  readonly ttlMs: number;
  readonly writer: IngestWriter;
  readonly clock: Clock;
  readonly registry: Registry;
  readonly timers: StatsdTimerSeries;
  readonly counterMode: StatsdCounterMode;
  /** Where warnings go (a negative counter increment refused, once per metric); default console.warn. */
  readonly warn?: (message: string) => void;
}

/**
 * StatsD / DogStatsD over UDP, so hot-shots and other clients can send to vigil: datagrams are
 * aggregated as they arrive and written to the store once per flush interval. A large receive
 * buffer keeps bursts from being dropped by the kernel before they are read.
 */
export class StatsdServer {
  readonly #options: StatsdServerOptions;
  readonly #aggregator: StatsdAggregator;
  readonly #datagrams: Counter;
  readonly #expired: Counter;
  #reportedExpired = 0;
  #socket: Socket | undefined;
  #stopFlush: (() => void) | undefined;
  #reported: Record<string, number> = {};

  constructor(options: StatsdServerOptions) {
    this.#options = options;
    this.#aggregator = new StatsdAggregator({
      maxSeries: options.maxSeries,
      ttlMs: options.ttlMs,
      timers: options.timers,
      counterMode: options.counterMode,
      warn: options.warn ?? ((message) => console.warn(message)),
    });
    this.#datagrams = options.registry.counter({
      name: 'vigil_statsd_datagrams_total',
      help: 'StatsD datagrams received.',
    });
    this.#expired = options.registry.counter({
      name: 'vigil_statsd_expired_series_total',
      help: 'StatsD series forgotten after statsdTtl without an update (after a staleness marker).',
    });
    options.registry.gauge({
      name: 'vigil_statsd_series',
      help: 'StatsD series the aggregator holds; new ones past statsdMaxSeries are dropped (series_limit).',
      collect: (g) => g.set(this.#aggregator.counts().series),
    });
  }

  /** Binds the socket; resolves with the bound port (useful with port 0). */
  start(): Promise<number> {
    const { address } = this.#options;
    const socket = createSocket({
      type: address.host.includes(':') ? 'udp6' : 'udp4',
      recvBufferSize: 8 * 1024 * 1024,
    });
    this.#socket = socket;
    socket.on('message', (message) => {
      this.#datagrams.inc();
      this.#aggregator.ingest(message.toString('utf8'));
    });
    return new Promise((resolve, reject) => {
      socket.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'EADDRINUSE'
            ? new Error(
                `statsd: ${address.host}:${address.port} is already in use; pick another with --statsd HOST:PORT or off`,
              )
            : error,
        ),
      );
      socket.bind(address.port, address.host, () => {
        this.#stopFlush = this.#options.clock.every(this.#options.flushIntervalMs, () =>
          background('StatsD flush', () => this.flush()),
        );
        resolve(socket.address().port);
      });
    });
  }

  /** Writes what was aggregated since the last flush, and counts the lines refused. */
  async flush(): Promise<void> {
    const { writer, clock } = this.#options;
    const { rejected } = this.#aggregator.counts();
    for (const [reason, total] of Object.entries(rejected)) {
      const delta = (total ?? 0) - (this.#reported[reason] ?? 0);
      if (delta > 0) writer.malformed('statsd', reason, delta);
      this.#reported[reason] = total ?? 0;
    }
    const { samples, histograms } = this.#aggregator.flush(clock.now());
    const { expired } = this.#aggregator.counts();
    this.#expired.inc(expired - this.#reportedExpired);
    this.#reportedExpired = expired;
    try {
      await writer.write('statsd', samples, histograms);
    } catch {
      writer.malformed('statsd', 'store_error');
    }
  }

  /** Stops receiving and flushes what is left. */
  async stop(): Promise<void> {
    this.#stopFlush?.();
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
    await this.flush();
  }
}
