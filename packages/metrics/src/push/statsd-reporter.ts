import { invalidOption } from '../base/errors.js';
import type { Registry } from '../core/registry.js';
import { type ExportResult, failure } from './export-result.js';
import { resolveInterval } from './push-options.js';
import { PushStats } from './push-stats.js';
import { StatsdClient, type StatsdClientOptions } from './statsd-client.js';

export interface StatsdReporterOptions extends Omit<StatsdClientOptions, 'registry'> {
  /** What is sent; the self-metrics are counted there too. */
  readonly registry: Registry;
  /** Send through this client (shared with the application). Default: a client made from these options. */
  readonly client?: StatsdClient;
  /** Report every `intervalMs` (and once more on `close()`). Default 10,000 ms, statsd's flush interval. */
  readonly intervalMs?: number;
}

/**
 * Sends what a registry holds to StatsD: each counter series as `|c` with the increase since the
 * previous report (a counter that went down was reset, so its whole value is the increase), each
 * gauge series as `|g`, labels as DogStatsD tags. Histograms are not sent: StatsD wants the raw
 * observations, which the registry does not keep; record those with the client's `timing`.
 */
export class StatsdReporter {
  readonly #registry: Registry;
  readonly #client: StatsdClient;
  readonly #ownsClient: boolean;
  readonly #stats: PushStats;
  readonly #stopInterval: () => void;
  /** Counter value at the last report, by name and label block. */
  #last = new Map<string, number>();
  #closed: Promise<void> | undefined;

  constructor(options: StatsdReporterOptions) {
    if (typeof options !== 'object' || options === null) {
      throw invalidOption('options', options, 'an object with at least { registry }');
    }
    const { registry, client, intervalMs, ...clientOptions } = options;
    if (typeof registry?.snapshot !== 'function') throw invalidOption('registry', registry, 'a Registry');
    if (client !== undefined && !(client instanceof StatsdClient)) {
      throw invalidOption('client', client, 'a StatsdClient');
    }
    this.#registry = registry;
    this.#ownsClient = client === undefined;
    this.#client = client ?? new StatsdClient({ clock: registry.clock, ...clientOptions, registry });
    this.#stats = new PushStats(registry, options.name ?? 'statsd');
    const clock = options.clock ?? registry.clock;
    const every = resolveInterval('intervalMs', intervalMs ?? 10_000) as number;
    this.#stopInterval = clock.every(every, () => void this.report());
  }

  /** Sends the registry's current counters (as increases) and gauges, then flushes. Never rejects. */
  async report(): Promise<ExportResult> {
    if (this.#closed) {
      const result = failure('closed', 'report() after close()');
      this.#stats.dropped('closed', 1, result.message);
      return result;
    }
    return this.#report();
  }

  /** Stops the interval, reports once more and flushes; closes the client when it made it. */
  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    this.#stopInterval();
    await this.#report();
    if (this.#ownsClient) await this.#client.close();
  }

  async #report(): Promise<ExportResult> {
    let snapshot: Awaited<ReturnType<Registry['snapshot']>>;
    try {
      snapshot = await this.#registry.snapshot();
    } catch (error) {
      const result = failure('snapshot', `a collect callback threw: ${String(error)}`);
      this.#stats.dropped('snapshot', 1, result.message);
      return result;
    }
    const seen = new Map<string, number>();
    for (const metric of snapshot.metrics) {
      if (metric.type === 'counter') {
        for (const point of metric.points) {
          const key = `${metric.name}{${point.block}}`;
          const before = this.#last.get(key) ?? 0;
          const increase = point.value >= before ? point.value - before : point.value;
          seen.set(key, point.value);
          if (increase > 0) this.#client.increment(metric.name, increase, 1, point.labels);
        }
      } else if (metric.type === 'gauge') {
        for (const point of metric.points) this.#client.gauge(metric.name, point.value, 1, point.labels);
      }
    }
    this.#last = seen;
    return this.#client.flush();
  }
}
