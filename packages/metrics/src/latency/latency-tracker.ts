import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Clock } from '../base/clock.js';
import { systemClock } from '../base/clock.js';
import { invalidOption } from '../base/errors.js';
import type { Counter } from '../core/counter.js';
import type { Histogram } from '../core/histogram.js';
import { outcomeOf } from '../core/outcome.js';
import { JsonlSink } from './jsonl-sink.js';
import type { LatencyThreshold } from './latency-config.js';
import { type LatencyDecorator, latencyDecorator, type Method, passThrough } from './latency-decorator.js';
import {
  type Correlation,
  type LatencyRecord,
  type LatencyStatus,
  messageOf,
  type OperationType,
  statusIndex,
  toLatencyJson,
} from './latency-record.js';
import { type LatencyTrackerOptions, resolveTrackerOptions } from './latency-tracker-options.js';
import {
  checkMeasureLatency,
  finalStatus,
  type MeasureLatencyOptions,
  type MeasureOptions,
  type RecordInput,
  type StopOptions,
} from './measure-options.js';
import { OperationEntry, type OperationTypeStats, statsByType } from './operation-entry.js';
import { EMPTY, RecordRing } from './record-ring.js';
import { ThresholdAlerts, type ThresholdListener } from './threshold-alerts.js';

const OVERFLOW = 'vigil_overflow';

/**
 * The callbot seed's latency tracker: records of operations (type, name, provider, status, ids),
 * thresholds with events, statistics with percentiles, the last records in a fixed ring, and
 * optionally a JSONL file and a registry's histogram and counter. Recording never throws.
 */
export class LatencyTracker {
  readonly enabled: boolean;
  readonly capacity: number;
  readonly #clock: Clock;
  readonly #elapsed: () => number;
  readonly #ring: RecordRing;
  readonly #thresholds: Readonly<Record<string, LatencyThreshold>>;
  readonly #entries = new Map<string, Map<string, OperationEntry>>();
  #entryCount = 0;
  readonly #maxOperations: number;
  #overflow: OperationEntry | undefined;
  readonly #histogram: Histogram | undefined;
  readonly #counter: Counter | undefined;
  readonly #sink: JsonlSink | undefined;
  readonly #alerts: ThresholdAlerts;
  #context: AsyncLocalStorage<Correlation> | undefined;
  #dropped = 0;

  constructor(options: LatencyTrackerOptions = {}) {
    const o = resolveTrackerOptions(options);
    this.enabled = o.enabled;
    this.capacity = o.capacity;
    this.#maxOperations = o.maxOperations;
    this.#alerts = new ThresholdAlerts(o.cooldownMs, o.logThresholds);
    this.#thresholds = o.thresholds;
    const clock = options.clock;
    this.#clock = clock ?? systemClock;
    this.#elapsed = clock ? () => clock.now() : () => performance.now();
    this.#ring = new RecordRing(this.enabled ? this.capacity : 1);
    const prefix = o.prefix;
    const labelNames = ['operation', 'provider', 'status'];
    this.#histogram = options.registry?.histogram({
      name: `${prefix}_operation_duration_seconds`,
      help: 'Duration of tracked operations (speech to text, text to speech, CRM, RAG, ...).',
      unit: 'seconds',
      labelNames,
      ...(options.buckets ? { buckets: options.buckets } : {}),
    });
    this.#counter = options.registry?.counter({
      name: `${prefix}_operations_total`,
      help: 'Tracked operations, by type, provider and status.',
      labelNames,
    });
    this.#sink =
      this.enabled && options.file ? new JsonlSink({ ...options.file, clock: this.#clock }) : undefined;
  }

  /**
   * A wrapper for functions and a decorator for methods, sync or async: each call is timed and
   * recorded with status success, error (it threw or rejected; the error is rethrown unchanged) or
   * timeout (`outcomeOf`, or slower than `timeoutMs`).
   *
   *     const transcribe = tracker.measureLatency('speech_to_text', { provider: 'google' })(stt.transcribe);
   *     class Crm { @tracker.measureLatency('crm_api', { provider: 'salesforce' }) async findLead() {} }
   */
  measureLatency(type: OperationType, options: MeasureLatencyOptions = {}): LatencyDecorator {
    checkMeasureLatency(type, options);
    if (!this.enabled) return passThrough;
    const entry = this.#entry(type, options.provider ?? 'unknown');
    return latencyDecorator(<F extends Method>(fn: F, key: string | undefined): F => {
      const name = options.name ?? key ?? (fn.name || type);
      const tracker = this;
      return function (this: unknown, ...args: Parameters<F>) {
        return tracker.#run(entry, name, fn, this, args, options);
      } as F;
    });
  }

  /** Times `fn` (sync or async) as one operation; its result or error passes through. */
  measure<T>(type: OperationType, name: string, fn: () => T, options: MeasureOptions = {}): T {
    if (!this.enabled) return fn();
    const entry = this.#entry(String(type), options.provider ?? 'unknown');
    return this.#run(entry, String(name), fn, undefined, [], options) as T;
  }

  /** Starts a stopwatch; calling the result records the operation and returns its latency in ms. */
  start(type: OperationType, name: string, options: MeasureOptions = {}): (end?: StopOptions) => number {
    if (!this.enabled) return () => 0;
    const entry = this.#entry(String(type), options.provider ?? 'unknown');
    const started = this.#elapsed();
    let stopped = -1;
    return (end = {}) => {
      if (stopped >= 0) return stopped;
      stopped = this.#elapsed() - started;
      const status = end.status ?? (end.error === undefined ? 'success' : outcomeOf(end.error));
      const metadata = end.metadata ?? options.metadata;
      this.#store(
        entry,
        String(name),
        stopped,
        status,
        options.correlation,
        end.error,
        metadata,
        options.timeoutMs,
      );
      return stopped;
    };
  }

  /** Records an operation measured elsewhere. A negative or non-finite latency is dropped and counted. */
  record(input: RecordInput): void {
    if (!this.enabled) return;
    if (!(input.latencyMs >= 0) || input.latencyMs === Number.POSITIVE_INFINITY) {
      this.#dropped++;
      return;
    }
    const status = input.status ?? (input.error === undefined ? 'success' : outcomeOf(input.error));
    const entry = this.#entry(String(input.type), input.provider ?? 'unknown');
    this.#store(
      entry,
      String(input.name),
      input.latencyMs,
      status,
      input.correlation,
      input.error,
      input.metadata,
      input.timeoutMs,
    );
  }

  /**
   * Runs `fn` with `ids` attached to every record made inside it, across awaits (AsyncLocalStorage),
   * merged over the ids of an enclosing call. Created on first use: until then no async hook is installed.
   */
  withCorrelation<T>(ids: Correlation, fn: () => T): T {
    this.#context ??= new AsyncLocalStorage<Correlation>();
    const outer = this.#context.getStore();
    return this.#context.run(outer ? { ...outer, ...ids } : { ...ids }, fn);
  }

  /** Listens to threshold crossings; returns the function that stops listening. */
  on(event: 'threshold', listener: ThresholdListener): () => void {
    if (event !== 'threshold') throw invalidOption('on(event)', event, '"threshold"');
    return this.#alerts.on(listener);
  }

  off(event: 'threshold', listener: ThresholdListener): void {
    if (event === 'threshold') this.#alerts.off(listener);
  }

  /** The threshold in force for a type: configured, default, or none for an unknown type. */
  threshold(type: OperationType): LatencyThreshold | undefined {
    return this.#thresholds[type];
  }

  /** Since the last reset: per operation type, and per provider within it. Times in ms. */
  getStats(): Record<string, OperationTypeStats> {
    const entries: OperationEntry[] = [];
    for (const byProvider of this.#entries.values()) entries.push(...byProvider.values());
    if (this.#overflow) entries.push(this.#overflow);
    return statsByType(entries);
  }

  /** The `limit` most recent records held in memory, oldest first. */
  getRecentMetrics(limit = 50): LatencyRecord[] {
    return this.#ring.recent(limit);
  }

  /** Mean latency (ms) of the held records of `type` from the last `minutes`; NaN when there are none. */
  getAverageLatency(type: OperationType, minutes = 5, provider?: string): number {
    if (!(minutes > 0)) throw invalidOption('getAverageLatency(minutes)', minutes, 'a number > 0');
    return this.#ring.average(type, this.#clock.now() - minutes * 60_000, provider);
  }

  /** Writes the statistics and every held record (in the seed's JSON shape) to `path`. */
  async exportMetrics(path: string): Promise<void> {
    const document = {
      exported_at: new Date(this.#clock.now()).toISOString(),
      stats: this.getStats(),
      metrics: this.#ring.recent(this.#ring.size).map(toLatencyJson),
    };
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, `${JSON.stringify(document, null, 2)}\n`);
  }

  /**
   * Forgets the records and statistics (the seed's `reset_stats`). The registry's metrics are left
   * alone: Prometheus counters never go down; `registry.reset()` is there for that.
   */
  reset(): void {
    this.#ring.clear();
    for (const byProvider of this.#entries.values()) for (const entry of byProvider.values()) entry.reset();
    this.#overflow?.reset();
    this.#dropped = 0;
  }

  /** Records refused by `record()` for a negative or non-finite latency. */
  get dropped(): number {
    return this.#dropped;
  }

  /** The JSONL file sink, when `file` was given. */
  get sink(): JsonlSink | undefined {
    return this.#sink;
  }

  /** Flushes and closes the JSONL file. */
  async close(): Promise<void> {
    await this.#sink?.close();
  }

  #entry(type: string, provider: string): OperationEntry {
    let byProvider = this.#entries.get(type);
    const found = byProvider?.get(provider);
    if (found) return found;
    if (this.#entryCount >= this.#maxOperations) {
      this.#overflow ??= new OperationEntry(OVERFLOW, OVERFLOW, undefined);
      return new OperationEntry(type, provider, this.#thresholds[type], this.#overflow);
    }
    if (!byProvider) this.#entries.set(type, (byProvider = new Map()));
    const entry = new OperationEntry(type, provider, this.#thresholds[type]);
    byProvider.set(provider, entry);
    this.#entryCount++;
    return entry;
  }

  #run(
    entry: OperationEntry,
    name: string,
    fn: Method,
    self: unknown,
    args: unknown[],
    options: MeasureLatencyOptions,
  ): unknown {
    const started = this.#elapsed();
    let result: unknown;
    try {
      result = fn.apply(self, args as never[]);
    } catch (error) {
      this.#finish(entry, name, started, outcomeOf(error), error, self, args, options);
      throw error;
    }
    if (typeof (result as PromiseLike<unknown> | null)?.then === 'function') {
      return (result as PromiseLike<unknown>).then(
        (value) => {
          this.#finish(entry, name, started, 'success', undefined, self, args, options);
          return value;
        },
        (error: unknown) => {
          this.#finish(entry, name, started, outcomeOf(error), error, self, args, options);
          throw error;
        },
      );
    }
    this.#finish(entry, name, started, 'success', undefined, self, args, options);
    return result;
  }

  #finish(
    entry: OperationEntry,
    name: string,
    started: number,
    status: LatencyStatus,
    error: unknown,
    self: unknown,
    args: unknown[],
    options: MeasureLatencyOptions,
  ): void {
    const latencyMs = this.#elapsed() - started;
    let correlation: Correlation | undefined;
    const given = options.correlation;
    if (typeof given === 'function') {
      try {
        correlation = given(self, args);
      } catch {
        correlation = undefined;
      }
    } else correlation = given;
    this.#store(entry, name, latencyMs, status, correlation, error, options.metadata, options.timeoutMs);
  }

  #store(
    entry: OperationEntry,
    name: string,
    latencyMs: number,
    outcome: LatencyStatus,
    given: Correlation | undefined,
    error: unknown,
    metadata: Readonly<Record<string, unknown>> | undefined,
    timeoutMs: number | undefined,
  ): void {
    const status = finalStatus(outcome, latencyMs, timeoutMs);
    const s = statusIndex(status);
    const stats = entry.stats;
    stats.sketch.add(latencyMs);
    stats.counts[s]!++;
    if (this.#histogram) {
      (stats.durations[s] ??= this.#histogram.labels(stats.type, stats.provider, status)).observe(
        latencyMs / 1000,
      );
      (stats.totals[s] ??= this.#counter!.labels(stats.type, stats.provider, status)).inc();
    }
    const context = this.#context?.getStore();
    const correlation = context ? (given ? { ...context, ...given } : context) : (given ?? EMPTY);
    const message = error === undefined ? undefined : messageOf(error);
    const timestamp = this.#clock.now();
    const type = entry.type;
    this.#ring.push(
      type,
      name,
      entry.provider,
      latencyMs,
      s,
      timestamp,
      correlation,
      message,
      metadata ?? EMPTY,
    );
    const t = entry.threshold;
    const alert = t !== undefined && latencyMs >= t.warningMs;
    if (!alert && !this.#sink) return;
    const record: LatencyRecord = {
      type,
      name,
      latencyMs,
      status,
      timestamp,
      provider: entry.provider,
      correlation,
      error: message,
      metadata: metadata ?? EMPTY,
    };
    this.#sink?.write(toLatencyJson(record));
    if (alert) this.#alerts.raise(entry, record, latencyMs >= t.criticalMs ? 1 : 0);
  }
}
