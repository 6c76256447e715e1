import { toLabelName, toPrometheusName } from '../base/names.js';
import type { Counter } from '../core/counter.js';
import type { Gauge } from '../core/gauge.js';
import type { Histogram, HistogramStats } from '../core/histogram.js';
import type { LabelObject } from '../core/label-index.js';
import { Registry } from '../core/registry.js';
import type { MetricType } from '../core/snapshot.js';
import { type CollectorDocument, toCollectorDocument } from '../expo/collector-json.js';

export type Tags = Readonly<Record<string, string | number | boolean>>;

export interface MetricsCollectorOptions {
  /** Where the metrics live; a new one by default. */
  readonly registry?: Registry;
  /** Default true. Can be switched at run time through `enabled`. */
  readonly enabled?: boolean;
  /** Buckets for timings, in the unit you record (seconds by default). */
  readonly buckets?: readonly number[];
  /** Also keep timing percentiles over a sliding window of this many seconds. */
  readonly window?: number;
}

/**
 * The event-server seed's `MetricsCollector`: dotted names and free-form tags per call, over the
 * same registry as the rest of vigil. `event.processing.duration` is exposed to Prometheus as
 * `event_processing_duration`, `events.processed` as `events_processed_total`.
 *
 * This is the convenient path: each call finds its series from the tag object's keys. Code that
 * records millions of times a second declares its metrics on the registry and binds handles.
 */
export class MetricsCollector {
  readonly registry: Registry;
  enabled: boolean;
  readonly #buckets: readonly number[] | undefined;
  readonly #window: number | undefined;
  /** Prometheus name to the name the caller used, for the JSON document. */
  readonly #names = new Map<string, string>();
  /** By kind, name and sorted label names. */
  readonly #metrics = new Map<string, Counter | Gauge | Histogram>();
  /** The same, by kind, name and the tag keys in the order a call gave them. */
  readonly #byOrder = new Map<string, Counter | Gauge | Histogram>();
  /** Counters that have been decremented: from then on an up-down counter, exposed as a gauge. */
  readonly #upDown = new Set<string>();

  constructor(options: MetricsCollectorOptions = {}) {
    this.registry = options.registry ?? new Registry({ enabled: options.enabled ?? true });
    this.enabled = options.enabled ?? this.registry.enabled;
    this.#buckets = options.buckets;
    this.#window = options.window;
  }

  /** Records a duration (or any distribution: sizes, counts) under `name`. */
  timing(name: string, value: number, tags?: Tags): void {
    if (!this.enabled) return;
    const [metric, labels] = this.#resolve('histogram', name, tags);
    (metric as Histogram).observe(labels, value);
  }

  /** Starts a timer; call the returned function to record the elapsed seconds (it returns them). */
  timer(name: string, tags?: Tags): () => number {
    const start = performance.now();
    return () => {
      const seconds = (performance.now() - start) / 1000;
      this.timing(name, seconds, tags);
      return seconds;
    };
  }

  increment(name: string, amount = 1, tags?: Tags): void {
    if (!this.enabled) return;
    if (this.#upDown.has(name)) {
      const [metric, labels] = this.#resolve('gauge', name, tags);
      (metric as Gauge).inc(labels, amount);
      return;
    }
    const [metric, labels] = this.#resolve('counter', name, tags);
    (metric as Counter).inc(labels, amount);
  }

  /**
   * Counts down. A counter that is decremented becomes an up-down counter (OpenTelemetry's term) and is
   * exposed as a gauge from then on, carrying its value over: Prometheus counters never go down.
   */
  decrement(name: string, amount = 1, tags?: Tags): void {
    if (!this.enabled) return;
    if (!this.#upDown.has(name)) this.#toUpDown(name);
    const [metric, labels] = this.#resolve('gauge', name, tags);
    (metric as Gauge).dec(labels, amount);
  }

  gauge(name: string, value: number, tags?: Tags): void {
    if (!this.enabled) return;
    const [metric, labels] = this.#resolve('gauge', name, tags);
    (metric as Gauge).set(labels, value);
  }

  /** `{ count, sum, min, max, mean, std, p50, p90, p95, p99, p999 }`, or undefined if never recorded. */
  getTiming(name: string, tags?: Tags): HistogramStats | undefined {
    const found = this.#find('histogram', name, tags);
    return found && (found[0] as Histogram).get(found[1]);
  }

  getCounter(name: string, tags?: Tags): { value: number } | undefined {
    const found = this.#find(this.#upDown.has(name) ? 'gauge' : 'counter', name, tags);
    return found && { value: (found[0] as Counter | Gauge).get(found[1]) };
  }

  getGauge(
    name: string,
    tags?: Tags,
  ): { current: number; min: number; max: number; mean: number } | undefined {
    const found = this.#find('gauge', name, tags);
    return found && (found[0] as Gauge).stats(found[1]);
  }

  /** Prometheus name → the dotted name it was recorded under, for `metricsHandler({ names })` and `exposition`. */
  get names(): ReadonlyMap<string, string> {
    return this.#names;
  }

  /** The seed's document: `{ timestamp, uptime_seconds, metrics: { counters, gauges, timings } }`. */
  getAllMetrics(): CollectorDocument {
    return toCollectorDocument(this.registry.snapshotSync(), this.#names);
  }

  reset(): void {
    this.registry.reset();
  }

  resetCounters(): void {
    this.registry.resetCounters();
  }

  #prometheusName(kind: MetricType, name: string): string {
    const base = toPrometheusName(name);
    const full = kind === 'counter' && !base.endsWith('_total') ? `${base}_total` : base;
    this.#names.set(full, name);
    return full;
  }

  /**
   * The metric for `name` and these tag keys, and the label object to record with. Calls are cached by
   * the keys in the order given, so the usual call (same keys, same order) costs one Map lookup; the
   * sorted key set is computed only on a cache miss.
   */
  #resolve(
    kind: MetricType,
    name: string,
    tags: Tags | undefined,
  ): [Counter | Gauge | Histogram, LabelObject | undefined] {
    const keys = tags ? Object.keys(tags) : NO_KEYS;
    const orderKey = `${kind}\u0000${name}\u0000${keys.join('\u0000')}`;
    let metric = this.#byOrder.get(orderKey);
    if (!metric) {
      const labelNames = keys.map(toLabelName).sort();
      const canonical = canonicalKey(kind, name, labelNames);
      metric = this.#metrics.get(canonical);
      if (!metric) {
        metric = this.registry.variant(kind, {
          name: this.#prometheusName(kind, name),
          help: `${name} (recorded through MetricsCollector)`,
          labelNames,
          ...(kind === 'histogram' && this.#buckets ? { buckets: this.#buckets } : {}),
          ...(kind === 'histogram' && this.#window ? { window: this.#window } : {}),
        });
        this.#metrics.set(canonical, metric);
      }
      this.#byOrder.set(orderKey, metric);
    }
    return [metric, tags && needsRenaming(keys) ? renamed(tags) : tags];
  }

  /** Like #resolve, without creating anything. */
  #find(kind: MetricType, name: string, tags: Tags | undefined) {
    const keys = tags ? Object.keys(tags) : NO_KEYS;
    const metric = this.#metrics.get(canonicalKey(kind, name, keys.map(toLabelName).sort()));
    return metric && ([metric, tags && needsRenaming(keys) ? renamed(tags) : tags] as const);
  }

  #toUpDown(name: string): void {
    this.#upDown.add(name);
    const counterName = this.#prometheusName('counter', name);
    const counters = this.registry.getMetrics().filter((m) => m.name === counterName && m.type === 'counter');
    for (const counter of counters) {
      for (const point of counter.snapshot().points) {
        if ('value' in point) {
          const keys = Object.keys(point.labels);
          const [gauge] = this.#resolve('gauge', name, keys.length ? point.labels : undefined);
          (gauge as Gauge).set(keys.length ? point.labels : undefined, point.value);
        }
      }
    }
    this.registry.removeMetric(counterName);
    this.#names.delete(counterName);
    for (const map of [this.#metrics, this.#byOrder]) {
      for (const key of [...map.keys()]) if (key.startsWith(`counter\u0000${name}\u0000`)) map.delete(key);
    }
  }
}

const NO_KEYS: readonly string[] = [];

function canonicalKey(kind: MetricType, name: string, labelNames: readonly string[]): string {
  return `${kind}\u0000${name}\u0000${labelNames.join('\u0000')}`;
}

function needsRenaming(keys: readonly string[]): boolean {
  return keys.some((k) => toLabelName(k) !== k);
}

function renamed(tags: Tags): LabelObject {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(tags)) out[toLabelName(k)] = v;
  return out;
}
