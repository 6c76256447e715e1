import type { Counter, CounterOptions } from './counter.js';
import type { Gauge, GaugeOptions } from './gauge.js';
import type { Histogram, HistogramOptions, MeasureOptions } from './histogram.js';
import type { LabelObject, LabelValue } from './label-index.js';
import type { Metric } from './metric.js';
import type { ScopeSnapshot } from './snapshot.js';

export interface ScopeOptions {
  /** Closed after this many seconds without a recording or a `touch()`. Default: never. */
  readonly ttlSeconds?: number;
}

/** What a scope needs from its registry: the families, keyed by the scope label. */
export interface ScopeHost {
  readonly scopeLabel: string;
  counter(options: CounterOptions): Counter;
  gauge(options: GaugeOptions): Gauge;
  histogram(options: HistogramOptions): Histogram;
  closed(scope: Scope): void;
  now(): number;
}

/**
 * A session's own metric set (the streaming-server seed's `swift-neural-42`). Its metrics are series
 * of registry-wide families that carry the scope label, so Prometheus sees
 * `packets_sent{session="swift-neural-42"}` while the scope reads and drops them as a unit.
 */
export class Scope {
  readonly id: string;
  readonly createdAt: number;
  readonly ttlMs: number;
  running = true;
  paused = false;
  connections = 0;
  #open = true;
  readonly #host: ScopeHost | undefined;
  readonly #families = new Set<Metric>();
  #lastActive: number;
  #lastActivity = -1;

  /** A scope without a host records nothing (the registry is disabled or at maxScopes). */
  constructor(id: string, host: ScopeHost | undefined, now: number, options: ScopeOptions = {}) {
    this.id = id;
    this.#host = host;
    this.createdAt = now;
    this.#lastActive = now;
    this.ttlMs = (options.ttlSeconds ?? Number.POSITIVE_INFINITY) * 1000;
  }

  /** False once closed or expired, and for a scope the registry refused. */
  get open(): boolean {
    return this.#open && this.#host !== undefined;
  }

  counter(options: CounterOptions): ScopedCounter {
    return new ScopedCounter(this.#family(this.#host?.counter(this.#widen(options))), this);
  }

  gauge(options: GaugeOptions): ScopedGauge {
    return new ScopedGauge(this.#family(this.#host?.gauge(this.#widen(options))), this);
  }

  histogram(options: HistogramOptions): ScopedHistogram {
    return new ScopedHistogram(this.#family(this.#host?.histogram(this.#widen(options))), this);
  }

  #widen<T extends { labelNames?: readonly string[] }>(options: T): T {
    return { ...options, labelNames: [this.#host!.scopeLabel, ...(options.labelNames ?? [])] };
  }

  #family<M extends Metric>(metric: M | undefined): M | undefined {
    if (metric && this.#open) this.#families.add(metric);
    return this.#open ? metric : undefined;
  }

  /** The label object for a scoped series: the scope label plus the caller's labels. */
  labelsWith(labels: LabelObject | undefined): LabelObject {
    return { ...labels, [this.#host!.scopeLabel]: this.id };
  }

  /** Marks the scope as active now (recordings count too, checked at each sweep). */
  touch(): void {
    if (this.#host) this.#lastActive = this.#host.now();
  }

  setRunning(running: boolean): void {
    this.running = running;
    this.touch();
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
    this.touch();
  }

  connect(): void {
    this.connections++;
    this.touch();
  }

  disconnect(): void {
    if (this.connections > 0) this.connections--;
    this.touch();
  }

  /** Estimated heap bytes of the scope's series. */
  memoryBytes(): number {
    let total = 0;
    for (const family of this.#families) total += family.bytes([this.id]);
    return total;
  }

  /** Drops the scope's series from every family; recording through its metrics then does nothing. */
  close(): void {
    if (!this.#open) return;
    this.#open = false;
    for (const family of this.#families) family.remove(this.id);
    this.#families.clear();
    this.#host?.closed(this);
  }

  /** Called by the registry's sweep: true when the scope has been idle for its TTL. */
  idleSince(now: number): boolean {
    let activity = 0;
    for (const family of this.#families) activity += family.activity([this.id]);
    if (activity !== this.#lastActivity) {
      this.#lastActivity = activity;
      this.#lastActive = now;
    }
    return now - this.#lastActive >= this.ttlMs;
  }

  snapshot(): ScopeSnapshot {
    return {
      id: this.id,
      running: this.running,
      paused: this.paused,
      connections: this.connections,
      createdAt: this.createdAt,
      memoryBytes: this.memoryBytes(),
    };
  }
}

/** A family seen through a scope: every call carries the scope's id in the scope label. */
class Scoped<M extends Metric> {
  protected readonly family: M | undefined;
  protected readonly scope: Scope;

  constructor(family: M | undefined, scope: Scope) {
    this.family = family;
    this.scope = scope;
  }

  protected get live(): M | undefined {
    return this.scope.open ? this.family : undefined;
  }
}

export class ScopedCounter extends Scoped<Counter> {
  inc(labels?: LabelObject | number, value = 1): void {
    if (typeof labels === 'number') this.live?.inc(this.scope.labelsWith(undefined), labels);
    else this.live?.inc(this.scope.labelsWith(labels), value);
  }

  labels(...values: LabelValue[]) {
    return this.family?.labels(this.scope.id, ...values);
  }

  get(labels?: LabelObject): number {
    return this.live?.get(this.scope.labelsWith(labels)) ?? 0;
  }
}

export class ScopedGauge extends Scoped<Gauge> {
  set(labels: LabelObject | number | undefined, value?: number): void {
    if (typeof labels === 'number') this.live?.set(this.scope.labelsWith(undefined), labels);
    else this.live?.set(this.scope.labelsWith(labels), value);
  }

  inc(labels?: LabelObject | number, value = 1): void {
    if (typeof labels === 'number') this.live?.inc(this.scope.labelsWith(undefined), labels);
    else this.live?.inc(this.scope.labelsWith(labels), value);
  }

  dec(labels?: LabelObject | number, value = 1): void {
    if (typeof labels === 'number') this.live?.dec(this.scope.labelsWith(undefined), labels);
    else this.live?.dec(this.scope.labelsWith(labels), value);
  }

  labels(...values: LabelValue[]) {
    return this.family?.labels(this.scope.id, ...values);
  }

  get(labels?: LabelObject): number {
    return this.live?.get(this.scope.labelsWith(labels)) ?? 0;
  }
}

export class ScopedHistogram extends Scoped<Histogram> {
  observe(labels: LabelObject | number | undefined, value?: number): void {
    if (typeof labels === 'number') this.live?.observe(this.scope.labelsWith(undefined), labels);
    else this.live?.observe(this.scope.labelsWith(labels), value);
  }

  labels(...values: LabelValue[]) {
    return this.family?.labels(this.scope.id, ...values);
  }

  startTimer(labels?: LabelObject): () => number {
    const family = this.live;
    return family ? family.startTimer(this.scope.labelsWith(labels)) : () => 0;
  }

  measure<T>(labels: LabelObject | undefined, fn: () => T, options?: MeasureOptions): T {
    const family = this.live;
    return family ? family.measure(this.scope.labelsWith(labels), fn, options) : fn();
  }

  get(labels?: LabelObject) {
    return this.family?.get(this.scope.labelsWith(labels));
  }
}
