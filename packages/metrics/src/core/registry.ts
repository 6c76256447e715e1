import { type Clock, systemClock } from '../base/clock.js';
import { invalidOption } from '../base/errors.js';
import { Counter, type CounterOptions } from './counter.js';
import { Drops } from './drops.js';
import { Gauge, type GaugeOptions } from './gauge.js';
import { Histogram, type HistogramOptions } from './histogram.js';
import type { Metric, MetricContext } from './metric.js';
import { NoopCounter, NoopGauge, NoopHistogram } from './noop.js';
import { Scope, type ScopeHost, type ScopeOptions } from './scope.js';
import type {
  CounterSnapshot,
  MetricSnapshot,
  MetricType,
  RegistrySnapshot,
  SnapshotOptions,
} from './snapshot.js';

export interface RegistryOptions {
  /** A disabled registry hands out no-op metrics that cost next to nothing. Default true. */
  readonly enabled?: boolean;
  readonly clock?: Clock;
  /** Default cap on series per metric; label sets beyond it go to one overflow series. Default 10,000. */
  readonly maxSeriesPerMetric?: number;
  /** Most open scopes; `scope()` past it returns a scope that records nothing. Default 1,000. */
  readonly maxScopes?: number;
  /** The label that carries a scope's id. Default `session`. */
  readonly scopeLabel?: string;
}

/** Holds metrics by name and takes consistent snapshots of them. It never formats: see `expo`. */
export class Registry {
  readonly enabled: boolean;
  readonly clock: Clock;
  readonly startTime: number;
  readonly scopeLabel: string;
  readonly #metrics = new Map<string, Metric>();
  /** Exposed name to type, across variants. */
  readonly #families = new Map<string, MetricType>();
  readonly #drops = new Drops();
  readonly #context: MetricContext;
  readonly #scopes = new Map<string, Scope>();
  readonly #maxScopes: number;
  readonly #host: ScopeHost;
  #stopSweep: (() => void) | undefined;

  constructor(options: RegistryOptions = {}) {
    this.enabled = options.enabled ?? true;
    if (typeof this.enabled !== 'boolean') throw invalidOption('enabled', options.enabled, 'true or false');
    this.clock = options.clock ?? systemClock;
    this.startTime = this.clock.now();
    const maxSeries = options.maxSeriesPerMetric ?? 10_000;
    if (!Number.isInteger(maxSeries) || maxSeries < 1) {
      throw invalidOption('maxSeriesPerMetric', maxSeries, 'an integer of at least 1');
    }
    this.#maxScopes = options.maxScopes ?? 1_000;
    if (!Number.isInteger(this.#maxScopes) || this.#maxScopes < 0) {
      throw invalidOption('maxScopes', options.maxScopes, 'an integer of at least 0');
    }
    this.scopeLabel = options.scopeLabel ?? 'session';
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(this.scopeLabel)) {
      throw invalidOption('scopeLabel', options.scopeLabel, 'a label name such as "session"');
    }
    this.#context = { clock: this.clock, drops: this.#drops, maxSeries };
    this.#host = {
      scopeLabel: this.scopeLabel,
      counter: (o) => this.counter(o),
      gauge: (o) => this.gauge(o),
      histogram: (o) => this.histogram(o),
      closed: (scope) => {
        if (this.#scopes.get(scope.id) === scope) this.#scopes.delete(scope.id);
      },
      now: () => this.clock.now(),
    };
  }

  counter(options: CounterOptions): Counter {
    if (!this.enabled) return new NoopCounter(options, this.#context);
    return this.#register('counter', options, () => new Counter(options, this.#context));
  }

  gauge(options: GaugeOptions): Gauge {
    if (!this.enabled) return new NoopGauge(options, this.#context);
    return this.#register('gauge', options, () => new Gauge(options, this.#context));
  }

  histogram(options: HistogramOptions): Histogram {
    if (!this.enabled) return new NoopHistogram(options, this.#context);
    return this.#register('histogram', options, () => new Histogram(options, this.#context));
  }

  /** Asking twice for the same name and shape returns the same metric; another shape throws. */
  #register<M extends Metric>(
    type: MetricType,
    options: { name: string },
    make: () => M,
    key = options?.name,
  ): M {
    const existing = this.#metrics.get(key);
    if (existing) {
      existing.assertSame(type, options);
      return existing as M;
    }
    const metric = make();
    const family = this.#families.get(metric.name);
    if (family && family !== type) metric.assertSame(family, options);
    if (metric.name === DROPPED)
      metric.assertSame('counter', { name: DROPPED, labelNames: ['metric', 'reason'] });
    this.#metrics.set(key, metric);
    this.#families.set(metric.name, type);
    return metric;
  }

  /**
   * A metric for free-form tags (the MetricsCollector facade): one per name and set of label names,
   * all exposed as one family. Snapshots merge the variants of a name into one.
   */
  variant<T extends MetricType>(
    type: T,
    options: HistogramOptions,
  ): T extends 'counter' ? Counter : T extends 'gauge' ? Gauge : Histogram {
    const key = `${options.name}{${(options.labelNames ?? []).join(',')}}`;
    const make = { counter: Counter, gauge: Gauge, histogram: Histogram }[type];
    if (!this.enabled)
      return new { counter: NoopCounter, gauge: NoopGauge, histogram: NoopHistogram }[type](
        options,
        this.#context,
      ) as never;
    return this.#register(type, options, () => new make(options, this.#context), key) as never;
  }

  getMetric(name: string): Metric | undefined {
    return this.#metrics.get(name);
  }

  /** Every registered metric, variants included. */
  getMetrics(): Metric[] {
    return [...this.#metrics.values()];
  }

  /** Unregisters a metric and its variants; their handles keep working but are no longer exposed. */
  removeMetric(name: string): boolean {
    let removed = false;
    for (const [key, metric] of this.#metrics) {
      if (metric.name === name) removed = this.#metrics.delete(key);
    }
    this.#families.delete(name);
    return removed;
  }

  /** How many recordings were dropped for `metric` and `reason` (see `vigil_dropped_total`). */
  dropped(metric: string, reason: Parameters<Drops['get']>[1]): number {
    return this.#drops.get(metric, reason);
  }

  /** Every metric back to zero; series, handles and scopes stay. */
  reset(): void {
    for (const metric of this.#metrics.values()) metric.reset();
  }

  /** Only counters back to zero, as the event-server seed's `reset_counters`. */
  resetCounters(): void {
    for (const metric of this.#metrics.values()) if (metric.type === 'counter') metric.reset();
  }

  /** Runs every `collect` callback (awaiting async ones), then reads every metric. */
  async snapshot(options?: SnapshotOptions): Promise<RegistrySnapshot> {
    await this.collect();
    return this.read(options);
  }

  /** The same without waiting: async `collect` callbacks land in the next snapshot. */
  snapshotSync(options?: SnapshotOptions): RegistrySnapshot {
    for (const metric of this.#metrics.values()) void metric.collect();
    return this.read(options);
  }

  /** Runs every metric's `collect` callback, awaiting async ones: the first half of `snapshot()`. */
  async collect(): Promise<void> {
    await Promise.all([...this.#metrics.values()].map((m) => m.collect()));
  }

  /**
   * Reads every metric, running no callback: the second half of `snapshot()`. The metrics named in
   * `skip` are left out: a `ClusterWorker` reads only their values when the primary already holds
   * their series (`Counter.values()`, `Gauge.columns()`).
   */
  read(options?: SnapshotOptions & { readonly skip?: ReadonlySet<string> }): RegistrySnapshot {
    const byName = new Map<string, MetricSnapshot>();
    for (const metric of this.#metrics.values()) {
      if (options?.skip?.has(metric.name)) continue;
      const snapshot = metric.snapshot(options);
      const seen = byName.get(snapshot.name);
      byName.set(
        snapshot.name,
        seen ? ({ ...seen, points: [...seen.points, ...snapshot.points] } as MetricSnapshot) : snapshot,
      );
    }
    const metrics = [...byName.values()];
    if (this.enabled && !this.#metrics.has(DROPPED)) metrics.push(this.#droppedSnapshot());
    return {
      timestamp: this.clock.now(),
      startTime: this.startTime,
      metrics,
      scopeLabel: this.scopeLabel,
      scopes: [...this.#scopes.values()].map((s) => s.snapshot()),
    };
  }

  #droppedSnapshot(): CounterSnapshot {
    return {
      name: DROPPED,
      help: 'Recordings vigil dropped instead of throwing, by metric and reason.',
      unit: '',
      type: 'counter',
      points: this.#drops.entries().map(([metric, reason, value]) => ({
        labels: { metric, reason },
        block: `metric="${metric}",reason="${reason}"`,
        value,
      })),
    };
  }

  /**
   * The metric set of one session, created on first call and returned again for the same id while
   * open. Past `maxScopes`, the returned scope records nothing and the refusal is counted.
   */
  scope(id: string, options: ScopeOptions = {}): Scope {
    if (typeof id !== 'string' || id === '') throw invalidOption('scope id', id, 'a non-empty string');
    const ttl = options.ttlSeconds;
    if (ttl !== undefined && !(ttl > 0)) throw invalidOption(`scope ${id}: ttlSeconds`, ttl, 'a number > 0');
    const existing = this.#scopes.get(id);
    if (existing) return existing;
    const now = this.clock.now();
    if (!this.enabled) return new Scope(id, undefined, now, options);
    if (this.#scopes.size >= this.#maxScopes) {
      this.#drops.count(DROPPED_SCOPES, 'scope_limit');
      return new Scope(id, undefined, now, options);
    }
    const scope = new Scope(id, this.#host, now, options);
    this.#scopes.set(id, scope);
    if (ttl !== undefined) this.#stopSweep ??= this.clock.every(SWEEP_MS, () => this.#sweep());
    return scope;
  }

  getScope(id: string): Scope | undefined {
    return this.#scopes.get(id);
  }

  scopes(): Scope[] {
    return [...this.#scopes.values()];
  }

  #sweep(): void {
    const now = this.clock.now();
    for (const scope of this.#scopes.values()) {
      if (Number.isFinite(scope.ttlMs) && scope.idleSince(now)) scope.close();
    }
  }

  /** Stops the TTL sweep timer and closes every scope. */
  close(): void {
    this.#stopSweep?.();
    this.#stopSweep = undefined;
    for (const scope of [...this.#scopes.values()]) scope.close();
  }
}

const DROPPED = 'vigil_dropped_total';
const DROPPED_SCOPES = 'vigil_scopes';
const SWEEP_MS = 1000;
