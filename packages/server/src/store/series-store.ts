import type { LabelMatcher } from '../matchers/label-matcher.js';
/**
 * What every store offers to ingest, query and the HTTP API: the embedded SQLite store today, a remote
 * engine (VictoriaMetrics, Prometheus, Mimir, Thanos) later. Nothing outside `store/` and `remote/`
 * knows which one it talks to.
 *
 * Labels include the metric name as `__name__`, as in Prometheus. Times are Unix milliseconds.
 */
import type { NativeHistogram } from './native-histogram.js';

export type SeriesLabels = Readonly<Record<string, string>>;

/** One series' new native histogram samples, ascending in time; `timestamps[i]` goes with `histograms[i]`. */
export interface SeriesHistograms {
  readonly labels: SeriesLabels;
  readonly timestamps: ArrayLike<number>;
  readonly histograms: readonly NativeHistogram[];
}

/** The native histogram samples of one series in a time range, ascending by time. */
export interface HistogramSeriesData {
  readonly labels: SeriesLabels;
  readonly timestamps: Float64Array;
  readonly histograms: readonly NativeHistogram[];
}

/** One series' new samples, in any order; `timestamps[i]` goes with `values[i]`. */
export interface SeriesSamples {
  readonly labels: SeriesLabels;
  readonly timestamps: ArrayLike<number>;
  /** A Float64Array keeps NaN payloads intact, which the staleness marker needs (see STALE_NAN). */
  readonly values: ArrayLike<number>;
}

export interface AppendResult {
  /** Samples stored. */
  readonly accepted: number;
  /** Samples refused, by reason (`out_of_order`, `duplicate`, `too_old`, `series_limit`, `memory_limit`, `invalid`). */
  readonly rejected: Readonly<Record<string, number>>;
}

// Selections take label matchers: part of the store's contract, defined with their compiler one layer down.
export type { LabelMatcher, MatchType } from '../matchers/label-matcher.js';

/** The samples of one series in a time range, ascending by time. */
export interface SeriesData {
  readonly labels: SeriesLabels;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
}

/** A downsampled point: count, sum, min, max and last over one bucket of time. */
export interface RollupData {
  readonly labels: SeriesLabels;
  /** Start of each bucket (rollupBucketStart). */
  readonly timestamps: Float64Array;
  readonly count: Float64Array;
  readonly sum: Float64Array;
  readonly min: Float64Array;
  readonly max: Float64Array;
  readonly last: Float64Array;
  /**
   * For counters: the sum, over the samples below the sample before them (a reset, as PromQL counts
   * one), of that sample before's value; so a counter rose by `last − (last before) + dropped` over
   * the bucket. NaN where unknown (rollups the embedded store wrote before its format 4).
   */
  readonly dropped: Float64Array;
}

const DAY_MS = 86_400_000;

/**
 * Rollup resolutions: a minute, an hour, or a day. Days are read only where they fit: a read at
 * 86_400_000 returns the whole days (UTC) after the one `start` is in and up to `end` as days, and
 * the hours around them as hours (rollupBucketStart), or the spans of whole days it is given
 * (RollupSelectOptions.days).
 */
export type RollupResolution = 60_000 | 3_600_000 | 86_400_000;

/** A run of whole UTC days, [from, to) in ms, both on midnight UTC. */
export type DaySpan = readonly [from: number, to: number];

/** The start of the bucket each time falls in, in a rollup read of [start, end] at `resolutionMs`. */
export function rollupBucketStart(
  start: number,
  end: number,
  resolutionMs: RollupResolution,
  days?: readonly DaySpan[],
): (t: number) => number {
  if (resolutionMs !== DAY_MS) return (t) => Math.floor(t / resolutionMs) * resolutionMs;
  const spans = daySpans(start, end, days);
  return (t) => {
    for (const [from, to] of spans) if (t >= from && t < to) return Math.floor(t / DAY_MS) * DAY_MS;
    return Math.floor(t / 3_600_000) * 3_600_000;
  };
}

/**
 * The days a daily rollup read of [start, end] returns as days: `days` when given, checked (each
 * span on midnights, ascending, apart, inside wholeDays(start, end)), else wholeDays(start, end);
 * empty spans left out.
 */
export function daySpans(start: number, end: number, days?: readonly DaySpan[]): DaySpan[] {
  const [first, last] = wholeDays(start, end);
  if (!days) return last > first ? [[first, last]] : [];
  let after = first;
  for (const [from, to] of days)
    if (from % DAY_MS !== 0 || to % DAY_MS !== 0 || from < after || to < from || to > last)
      throw new TypeError(
        `days: got [${from}, ${to}), expected spans on midnight UTC, ascending and apart, within [${first}, ${last})`,
      );
    else after = to;
  return days.filter(([from, to]) => to > from);
}

/**
 * The days a daily rollup read of [start, end] returns as days, [from, to) (maybe empty): those that
 * start after the day `start` is in and end by `end + 1`. The day `start` is in is read in hours, so
 * that the first bucket of a read is the hour `start` is in, whatever the resolution.
 */
export function wholeDays(start: number, end: number): [number, number] {
  const from = (Math.floor(start / DAY_MS) + 1) * DAY_MS;
  return [from, Math.max(from, Math.floor((end + 1) / DAY_MS) * DAY_MS)];
}

export interface SelectOptions {
  /** Most series a select may return; beyond it the store throws a StoreLimitError. */
  readonly maxSeries?: number;
  /** Most samples a select may return, summed over series. */
  readonly maxSamples?: number;
  /**
   * Called whenever a long read has handed the event loop to other work and is about to go on: it
   * throws to end the read (a query past its deadline), and the read rejects with its error.
   */
  readonly checkpoint?: () => void;
  /**
   * The range each step of the query reads (a range function's), when it has one: a read whose
   * `end − start` is this serves a single range, which a rollup view may summarize by whole days.
   */
  readonly rangeMs?: number;
  /**
   * How far apart the ends of the query's ranges are (a range query's or a subquery's step; 0 when
   * they all end together). With `rangeMs` equal to it, a read of several ranges is those ranges
   * end to end.
   */
  readonly stepMs?: number;
}

export interface RollupSelectOptions extends SelectOptions {
  /**
   * For a daily read, the spans of whole days to read as days instead of wholeDays(start, end): a
   * read that serves several ranges (a report's period and the one before) keeps each range's days
   * apart, the hours between them read as hours.
   */
  readonly days?: readonly DaySpan[];
}

export interface StoreStats {
  readonly series: number;
  readonly samples: number;
  /** Bytes on disk, all files of the store. */
  readonly bytes: number;
  /** What the series take in memory, estimated; the embedded store only. */
  readonly memoryBytes?: number;
  /** Series of the database that start-up left out for want of memory, and why; the embedded store only. */
  readonly notLoaded?: { readonly series: number; readonly why: string };
  readonly oldestMs: number | undefined;
  readonly newestMs: number | undefined;
}

/** Receives a scan's samples: `series` once for each series that has any, then its samples in runs. */
export interface SampleVisitor {
  series(labels: SeriesLabels): void;
  /** The next `n` samples of the series, ascending; the arrays are the store's, reused after the call. */
  samples(timestamps: Float64Array, values: Float64Array, n: number): void;
}

/**
 * Receives a histogram scan's samples one series at a time: a series' samples are handed over
 * together and not kept by the store after the call, so a scan never holds more than one series'.
 * `series` answers whether to go on (a caller that only asks whether there are any stops at one),
 * or a promise of it: the scan waits for it before reading on, so a visitor that computes long on
 * a series can hand the event loop back while it does.
 */
export interface HistogramVisitor {
  series(data: HistogramSeriesData): boolean | Promise<boolean>;
}

export interface SeriesStore {
  append(batch: readonly SeriesSamples[]): Promise<AppendResult>;
  /** Raw samples of every series matching all `matchers`, with start <= t <= end. */
  select(
    matchers: readonly LabelMatcher[],
    start: number,
    end: number,
    options?: SelectOptions,
  ): Promise<SeriesData[]>;
  /**
   * The samples `select` returns, handed to `visitor` a run at a time from a buffer the store
   * reuses, for a caller that needs only some of them: a read never holds all its samples at once.
   */
  scan(
    matchers: readonly LabelMatcher[],
    start: number,
    end: number,
    visitor: SampleVisitor,
    options?: SelectOptions,
  ): Promise<void>;
  /**
   * Native histogram samples, beside the float samples of the same or other series. Refused by
   * reason as `append` refuses floats; a histogram Prometheus would not accept is `invalid`. Absent
   * from a store that keeps no native histograms (the remote store).
   */
  appendHistograms?(batch: readonly SeriesHistograms[]): Promise<AppendResult>;
  /** The native histogram samples of every series matching all `matchers`, with start <= t <= end. */
  selectHistograms?(
    matchers: readonly LabelMatcher[],
    start: number,
    end: number,
    options?: SelectOptions,
  ): Promise<HistogramSeriesData[]>;
  /** What `selectHistograms` returns, handed to `visitor` series by series as each is read. */
  scanHistograms?(
    matchers: readonly LabelMatcher[],
    start: number,
    end: number,
    visitor: HistogramVisitor,
    options?: SelectOptions,
  ): Promise<void>;
  /**
   * Per-minute, per-hour or per-day rollups (RollupResolution), for long ranges: the buckets that
   * start within [start, end], the first one being the bucket `start` is in.
   */
  selectRollup(
    matchers: readonly LabelMatcher[],
    start: number,
    end: number,
    resolutionMs: RollupResolution,
    options?: RollupSelectOptions,
  ): Promise<RollupData[]>;
  /** Label sets of the series matching any of the matcher lists with samples in [start, end]. */
  series(matchers: readonly (readonly LabelMatcher[])[], start: number, end: number): Promise<SeriesLabels[]>;
  labelNames(matchers: readonly (readonly LabelMatcher[])[], start: number, end: number): Promise<string[]>;
  labelValues(
    name: string,
    matchers: readonly (readonly LabelMatcher[])[],
    start: number,
    end: number,
  ): Promise<string[]>;
  /** Makes everything appended so far durable. */
  flush(): Promise<void>;
  /**
   * Called after an acknowledged write's append, before it is acknowledged: resolves once the write
   * may be acknowledged (the embedded store flushes first while its disk is low), or rejects with a
   * StoreUnwritableError (HTTP 503: the sender retries). Stores that acknowledge from memory safely
   * need not have it.
   */
  beforeAcknowledge?(): Promise<void>;
  /**
   * Why new samples cannot be made durable now (the disk below its free-space watermark, writes
   * failing), or undefined when they can. Samples already appended wait in memory and are written
   * once the store can write again; ingest that acknowledges writes refuses new ones meanwhile.
   */
  unwritable(): string | undefined;
  stats(): Promise<StoreStats>;
  /** Flushes and releases the store. */
  close(): Promise<void>;
}

/**
 * What PromQL reads from a store: its samples, raw or as another view of them (rollup-samples.ts),
 * and, where the store has it, its index's list of series.
 */
export type SampleSource = Pick<SeriesStore, 'select' | 'scan' | 'selectHistograms' | 'scanHistograms'> &
  Partial<Pick<SeriesStore, 'series'>>;

/**
 * Prometheus's staleness marker: a NaN with this exact bit pattern (0x7ff0000000000002) says "the
 * series ended here". Stores keep NaN payloads bit for bit so it survives a round trip.
 */
export const STALE_NAN_BITS = 0x7ff0000000000002n;

export function staleNaN(): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, STALE_NAN_BITS);
  return view.getFloat64(0);
}

export function isStaleNaN(value: number): boolean {
  if (!Number.isNaN(value)) return false;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  return view.getBigUint64(0) === STALE_NAN_BITS;
}
