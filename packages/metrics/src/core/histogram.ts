import { invalidOption, VigilError } from '../base/errors.js';
import { epochFor } from '../sketch/epoch.js';
import { DEFAULT_NATIVE_BUCKET_LIMIT, NativeArena } from '../sketch/native-layout.js';
import { WindowedSketch } from '../sketch/windowed-sketch.js';
import { BucketFinder } from './bucket-finder.js';
import type { Drops } from './drops.js';
import { HistogramSeries, statsOf } from './histogram-series.js';
import type { LabelObject, LabelValue } from './label-index.js';
import { Metric, type MetricContext, type MetricOptions } from './metric.js';
import { type Outcome, outcomeOf, secondsSince } from './outcome.js';
import { HistogramPointOf } from './points.js';
import type { DistributionStats, HistogramPoint, HistogramSnapshot, SnapshotOptions } from './snapshot.js';

/** Prometheus's and prom-client's default buckets, in seconds. */
export const DEFAULT_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
export const DEFAULT_QUANTILES: readonly number[] = [0.5, 0.9, 0.95, 0.99, 0.999];
export { DEFAULT_NATIVE_BUCKET_LIMIT, NATIVE_ZERO_THRESHOLD } from '../sketch/native-layout.js';

export interface HistogramOptions extends MetricOptions {
  /** Upper bounds of the classic buckets, strictly increasing; +Inf is implied. */
  readonly buckets?: readonly number[];
  /** Quantiles reported in snapshots (JSON, Influx); `get()` always gives p50 to p99.9. */
  readonly quantiles?: readonly number[];
  /** Also keep percentiles over a sliding window: seconds, or `{ seconds, slots }` (default 5 slots). */
  readonly window?: number | { readonly seconds: number; readonly slots?: number };
  /** Expose the classic buckets (the `_bucket` series). Default true; the percentiles do not need them. */
  readonly classic?: boolean;
  /**
   * Expose the percentile sketch as a Prometheus native histogram (in the protobuf exposition, which
   * Prometheus asks for with native histograms on). Default true; `{ bucketLimit }` caps the buckets,
   * lowering the schema (halving the resolution) as often as needed, as Prometheus's
   * `native_histogram_bucket_limit` does (default 1024).
   */
  readonly native?: boolean | { readonly bucketLimit?: number };
}

/** What `get()` returns for one series. Empty series give NaN for everything but count and sum. */
export interface HistogramStats extends Omit<DistributionStats, 'quantiles'> {
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  readonly p999: number;
  /** The same over the sliding window, when the histogram has one. */
  readonly window?: Omit<HistogramStats, 'window'>;
}

export interface MeasureOptions {
  /** A call that takes longer than this is recorded with status `timeout` (it is not cancelled). */
  readonly timeoutMs?: number;
}

/** A histogram bound to one label set. */
export class HistogramHandle {
  readonly #series: HistogramSeries;
  readonly #drops: Drops;
  readonly #name: string;

  constructor(series: HistogramSeries, drops: Drops, name: string) {
    this.#series = series;
    this.#drops = drops;
    this.#name = name;
  }

  observe(value: number): void {
    if (!this.#series.observe(value)) this.#drops.count(this.#name, 'invalid_value');
  }

  /** Starts a timer; the returned function records the elapsed seconds and returns them. */
  startTimer(): () => number {
    const start = performance.now();
    return () => {
      const seconds = secondsSince(start);
      this.observe(seconds);
      return seconds;
    };
  }
}

/**
 * Classic buckets for Prometheus exposition and a relative-error sketch for percentiles, from one
 * `observe`. Timings are in seconds, as Prometheus names them (`_seconds`).
 */
export class Histogram extends Metric {
  readonly type = 'histogram';
  readonly bounds: readonly number[];
  readonly quantiles: readonly number[];
  readonly #finder: BucketFinder;
  readonly #window: { readonly slotMs: number; readonly slots: number } | undefined;
  readonly #series: Array<HistogramSeries | undefined> = [];
  readonly #handles: Array<HistogramHandle | undefined> = [];
  readonly #hasStatus: boolean;
  readonly #classic: boolean;
  readonly #nativeBucketLimit: number;
  /** How many native buckets the last snapshot laid out: its arena's size hint. */
  #nativeSize = 0;

  constructor(options: HistogramOptions, context: MetricContext) {
    super(options, context, ['le']);
    this.bounds = Object.freeze(checkBuckets(this.name, options.buckets ?? DEFAULT_BUCKETS));
    this.#finder = new BucketFinder(Float64Array.from(this.bounds));
    this.quantiles = Object.freeze(checkQuantiles(this.name, options.quantiles ?? DEFAULT_QUANTILES));
    this.#window = checkWindow(this.name, options.window);
    this.#hasStatus = this.labelNames.includes('status');
    this.#classic = checkFlag(this.name, 'classic', options.classic);
    this.#nativeBucketLimit = checkNative(this.name, options.native);
  }

  protected createSeries(id: number): void {
    const w = this.#window;
    const window = w && new WindowedSketch(epochFor(this.context.clock, w.slotMs), w.slots);
    this.#series[id] = new HistogramSeries(
      this.#finder,
      this.bounds.length,
      window,
      this.context.clock.now(),
    );
  }

  protected releaseSeries(id: number): void {
    this.#series[id] = undefined;
    this.#handles[id] = undefined;
  }

  observe(labels: LabelObject | number | undefined, value?: number): void {
    const id = this.seriesOf(labels);
    if (typeof labels === 'number') value = labels;
    if (!this.#series[id]!.observe(value ?? Number.NaN)) this.context.drops.count(this.name, 'invalid_value');
  }

  labels(...values: LabelValue[] | [LabelObject]): HistogramHandle {
    const id = this.idOf(values);
    return (this.#handles[id] ??= new HistogramHandle(this.#series[id]!, this.context.drops, this.name));
  }

  /** Starts a timer; the returned function records the elapsed seconds under `labels` and returns them. */
  startTimer(labels?: LabelObject): () => number {
    const start = performance.now();
    return () => {
      const seconds = secondsSince(start);
      this.observe(labels, seconds);
      return seconds;
    };
  }

  /**
   * Times `fn` (sync or async) and records the duration; when the histogram declares a `status` label
   * it is set to success, error or timeout. Errors are rethrown unchanged.
   */
  measure<T>(labels: LabelObject | undefined, fn: () => T, options: MeasureOptions = {}): T {
    const start = performance.now();
    const finish = (outcome: Outcome) => {
      const seconds = secondsSince(start);
      const timedOut = options.timeoutMs !== undefined && seconds * 1000 > options.timeoutMs;
      const status = outcome === 'success' && timedOut ? 'timeout' : outcome;
      this.observe(this.#hasStatus ? { ...labels, status } : labels, seconds);
    };
    let result: T;
    try {
      result = fn();
    } catch (error) {
      finish(outcomeOf(error));
      throw error;
    }
    if (isThenable(result)) {
      return result.then(
        (value) => {
          finish('success');
          return value;
        },
        (error: unknown) => {
          finish(outcomeOf(error));
          throw error;
        },
      ) as T;
    }
    finish('success');
    return result;
  }

  get(labels?: LabelObject): HistogramStats {
    const series = this.#series[this.index.lookup(labels)]!;
    const stats = toStats(statsOf(series.sketch, GET_QUANTILES));
    return series.window
      ? { ...stats, window: toStats(statsOf(series.window.merged(), GET_QUANTILES)) }
      : stats;
  }

  reset(): void {
    const now = this.context.clock.now();
    for (const series of this.#series) series?.reset(now);
  }

  snapshot(options?: SnapshotOptions): HistogramSnapshot {
    const points: HistogramPoint[] = [];
    const sketches = options?.sketches === true;
    const arena =
      options?.native === true && this.#nativeBucketLimit > 0 ? new NativeArena(this.#nativeSize) : undefined;
    const { ids, heads, leaves } = this.index.blocks();
    for (let k = 0; k < ids.length; k++) {
      const series = this.#series[ids[k]!]!;
      const buckets: number[] = new Array(series.counts.length);
      let cumulative = 0;
      for (let i = 0; i < series.counts.length; i++) buckets[i] = cumulative += series.counts[i]!;
      // A native layout walks the sketch's buckets: the quantiles are found on that walk.
      const values: number[] | undefined = arena && new Array(this.quantiles.length);
      const native = arena?.layout(series.sketch, this.#nativeBucketLimit, this.quantiles, values);
      const stats = statsOf(series.sketch, this.quantiles, values);
      const merged = series.window?.merged();
      const window = merged && statsOf(merged, this.quantiles);
      const extra =
        sketches || arena
          ? {
              sketch: sketches ? series.sketch.toData() : undefined,
              windowSketch: sketches ? merged?.toData() : undefined,
              native,
            }
          : undefined;
      points.push(
        new HistogramPointOf(heads[k]!, leaves[k]!, buckets, stats, window, extra, series.createdMs),
      );
    }
    if (arena) this.#nativeSize = arena.size;
    return {
      name: this.name,
      help: this.help,
      unit: this.unit,
      type: 'histogram',
      bounds: this.bounds,
      quantiles: this.quantiles,
      classic: this.#classic,
      nativeBucketLimit: this.#nativeBucketLimit,
      points,
    };
  }

  activity(prefix?: readonly string[]): number {
    return this.sumOver(prefix, (id) => this.#series[id]?.sketch.count ?? 0);
  }

  bytes(prefix?: readonly string[]): number {
    return this.sumOver(prefix, (id) => 64 + (this.#series[id]?.bytes() ?? 0));
  }
}

const GET_QUANTILES = [0.5, 0.9, 0.95, 0.99, 0.999] as const;

function toStats(s: DistributionStats): Omit<HistogramStats, 'window'> {
  const [p50, p90, p95, p99, p999] = s.quantiles as [number, number, number, number, number];
  return {
    count: s.count,
    sum: s.sum,
    min: s.min,
    max: s.max,
    mean: s.mean,
    std: s.std,
    p50,
    p90,
    p95,
    p99,
    p999,
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function checkBuckets(name: string, buckets: unknown): number[] {
  if (!Array.isArray(buckets) || buckets.length === 0) {
    throw new VigilError('VIGIL_INVALID_BUCKETS', `${name}: buckets must be a non-empty array of numbers`);
  }
  const out = buckets[buckets.length - 1] === Number.POSITIVE_INFINITY ? buckets.slice(0, -1) : [...buckets];
  for (let i = 0; i < out.length; i++) {
    const b = out[i];
    if (typeof b !== 'number' || !Number.isFinite(b)) {
      throw new VigilError(
        'VIGIL_INVALID_BUCKETS',
        `${name}: buckets[${i}] is ${String(b)}, expected a finite number`,
      );
    }
    if (i > 0 && b <= out[i - 1]) {
      throw new VigilError(
        'VIGIL_INVALID_BUCKETS',
        `${name}: buckets[${i}] = ${b} is not greater than buckets[${i - 1}] = ${out[i - 1]}; buckets must be strictly increasing`,
      );
    }
  }
  return out as number[];
}

function checkQuantiles(name: string, quantiles: unknown): number[] {
  const ok =
    Array.isArray(quantiles) &&
    quantiles.every((q, i) => typeof q === 'number' && q >= 0 && q <= 1 && (i === 0 || q > quantiles[i - 1]));
  if (!ok) throw invalidOption(`${name}: quantiles`, quantiles, 'ascending numbers between 0 and 1');
  return [...(quantiles as number[])];
}

function checkFlag(name: string, option: string, value: unknown): boolean {
  if (value === undefined) return true;
  if (typeof value !== 'boolean') throw invalidOption(`${name}: ${option}`, value, 'true or false');
  return value;
}

/** The bucket limit, or 0 for no native histogram. */
function checkNative(name: string, native: HistogramOptions['native']): number {
  if (native === undefined || native === true) return DEFAULT_NATIVE_BUCKET_LIMIT;
  if (native === false) return 0;
  const limit =
    typeof native === 'object' && native !== null
      ? (native.bucketLimit ?? DEFAULT_NATIVE_BUCKET_LIMIT)
      : Number.NaN;
  if (!Number.isInteger(limit) || limit < 1) {
    throw invalidOption(`${name}: native`, native, 'true, false, or { bucketLimit: an integer ≥ 1 }');
  }
  return limit;
}

function checkWindow(name: string, window: HistogramOptions['window']) {
  if (window === undefined) return undefined;
  const seconds = typeof window === 'number' ? window : window?.seconds;
  const slots = typeof window === 'number' ? 5 : (window?.slots ?? 5);
  if (typeof seconds !== 'number' || !(seconds > 0) || !Number.isFinite(seconds)) {
    throw invalidOption(`${name}: window`, window, 'a number of seconds > 0, or { seconds, slots }');
  }
  if (!Number.isInteger(slots) || slots < 1 || slots > 60) {
    throw invalidOption(`${name}: window.slots`, slots, 'an integer from 1 to 60');
  }
  return { slotMs: (seconds * 1000) / slots, slots };
}
