import { isMainThread, type MessagePort, parentPort, threadId } from 'node:worker_threads';
import { invalidOption } from '../base/errors.js';
import { Counter } from '../core/counter.js';
import { Gauge, type GaugeColumns } from '../core/gauge.js';
import type { Metric } from '../core/metric.js';
import type { Registry } from '../core/registry.js';
import { isClusterMessage, type ScrapeMessage } from './messages.js';
import { type BareMetric, SnapshotEncoder } from './snapshot-encoder.js';

export interface ClusterWorkerOptions {
  /** The registry the primary collects. */
  readonly registry: Registry;
  /**
   * Where the primary's requests arrive. Default: `parentPort` in a worker thread, else the IPC
   * channel of a process forked by `node:cluster` or `child_process.fork`.
   */
  readonly port?: MessagePort;
}

/**
 * The worker's side of a `ClusterRegistry`: answers the primary's scrapes with snapshots of
 * `registry` (histogram sketches included, so the primary's percentiles are exact). Listens until
 * `close()`; while it listens on a MessagePort, that port keeps the thread alive.
 */
export class ClusterWorker {
  readonly #registry: Registry;
  readonly #encoder = new SnapshotEncoder();
  readonly #send: (message: unknown) => void;
  readonly #stop: () => void;

  constructor(options: ClusterWorkerOptions) {
    const registry = options?.registry;
    if (typeof registry?.read !== 'function' || typeof registry.getMetrics !== 'function') {
      throw invalidOption('registry', registry, 'a Registry');
    }
    this.#registry = registry;
    const onMessage = (message: unknown) => this.#receive(message);
    const port = options.port ?? (isMainThread ? undefined : parentPort);
    if (port) {
      if (typeof port.postMessage !== 'function') throw invalidOption('port', port, 'a MessagePort');
      port.on('message', onMessage);
      this.#send = (message) => port.postMessage(message);
      this.#stop = () => port.off('message', onMessage);
    } else if (typeof process.send === 'function') {
      process.on('message', onMessage);
      // With a callback, a primary that went away is not an 'error' event on the process.
      this.#send = (message) => process.send?.(message, undefined, undefined, ignore);
      this.#stop = () => process.off('message', onMessage);
    } else {
      throw invalidOption(
        'port',
        options.port,
        'a MessagePort, or a process forked with an IPC channel (node:cluster, child_process.fork) or a worker thread',
      );
    }
    this.#hello();
  }

  #hello(): void {
    this.#send({ vigil: 'hello', incarnation: this.#encoder.incarnation, pid: process.pid, threadId });
  }

  #receive(message: unknown): void {
    if (!isClusterMessage(message)) return;
    if (message.vigil === 'probe') this.#hello();
    else if (message.vigil === 'scrape') void this.#answer(message);
  }

  async #answer(request: ScrapeMessage): Promise<void> {
    let answer: unknown;
    try {
      await this.#registry.collect();
      // From here to the read nothing else runs, so these are the layouts the read sees.
      const metrics = this.#registry.getMetrics();
      const layouts = layoutsOf(metrics);
      const bare = bareMetrics(metrics, this.#encoder.held(request, layouts));
      const snapshot = this.#registry.read({ sketches: true, skip: new Set(bare.keys()) });
      answer = this.#encoder.encode(snapshot, request, layouts, [...bare.values()]);
    } catch (error) {
      answer = this.#encoder.failure(request, error);
    }
    this.#send(answer);
  }

  /** Stops answering; the primary reports this worker late from its next scrape on. */
  close(): void {
    this.#stop();
  }
}

function ignore(): void {}

/** Per exposed name, the layouts of the metrics behind it (a MetricsCollector name has variants). */
function layoutsOf(metrics: readonly Metric[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const metric of metrics) out.set(metric.name, `${out.get(metric.name) ?? ''}${metric.layout},`);
  return out;
}

/**
 * The counters and gauges among `held` names, read as values alone; variants of one name (all of
 * one type) one after the other, as `Registry.read` lists their points. Histograms are read whole.
 */
function bareMetrics(metrics: readonly Metric[], held: ReadonlySet<string>): Map<string, BareMetric> {
  const out = new Map<string, BareMetric>();
  for (const metric of metrics) {
    const { name, help, unit } = metric;
    if (!held.has(name)) continue;
    const seen = out.get(name);
    if (metric instanceof Counter) {
      const values = metric.values();
      out.set(name, {
        type: 'counter',
        name,
        help,
        unit,
        values: seen?.type === 'counter' ? joined(seen.values, values) : values,
      });
    } else if (metric instanceof Gauge) {
      const columns = metric.columns();
      out.set(name, {
        type: 'gauge',
        name,
        help,
        unit,
        columns: seen?.type === 'gauge' ? joinColumns(seen.columns, columns) : columns,
      });
    }
  }
  return out;
}

function joinColumns(a: GaugeColumns, b: GaugeColumns): GaugeColumns {
  return {
    value: joined(a.value, b.value),
    min: joined(a.min, b.min),
    max: joined(a.max, b.max),
    mean: joined(a.mean, b.mean),
  };
}

function joined(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
