import { STALE_HI, STALE_LO } from './float-bits.js';

/** Receives each completed bucket of a RollupFolder; reads the folder's fields during the call. */
export interface RollupSink {
  bucket(folder: RollupFolder): void;
}

/** One bucket's figures, as a RollupFolder holds them while it is open, or a RollupBuffer's cursor. */
export interface RollupBucket {
  readonly t: number;
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly minHi: number;
  readonly minLo: number;
  readonly max: number;
  readonly maxHi: number;
  readonly maxLo: number;
  readonly last: number;
  readonly lastHi: number;
  readonly lastLo: number;
  readonly dropped: number;
}

/**
 * What a counter lost to resets in a bucket: `dropped` when it was kept (format 4), else estimated
 * from the bucket's lowest value against the one before (`previous`, the last of the bucket before):
 * a reset then dropped the highest value before it, or at least `previous`. Never below `previous`
 * when a reset was seen, so that a rise from `previous` to it is not itself a reset.
 */
export function droppedIn(previous: number, min: number, max: number, last: number, dropped: number): number {
  if (!Number.isNaN(dropped)) return dropped;
  if (!(min < previous)) return 0;
  return max > last && max > previous ? max : previous;
}

/**
 * Folds ascending samples, or the buckets of a finer resolution (`merge`), into buckets of
 * `resolution` ms: count, sum, min, max, last and dropped. min, max and last are kept as words, so
 * each is exactly one of the raw values, NaN payloads included.
 *
 * Staleness markers are skipped: they say the series ended, they are not observations, and a bucket
 * holding only markers does not exist. Other NaNs count, so a bucket's sum is NaN when one of its
 * samples is, and min/max follow Prometheus's min_over_time/max_over_time: a NaN is replaced by any
 * number after it.
 *
 * Counter resets: `dropped` sums, over the samples below the sample before them (PromQL's reset, the
 * one before possibly in the bucket before), that sample before's value. A counter's increase over a
 * bucket is then `last − (last of the bucket before) + dropped` exactly, whatever the resets inside it
 * (rollup-samples.ts places points that PromQL counts so).
 *
 * Samples at or before the last one folded are ignored, so folding the same chunk twice (a flush that
 * failed and is retried) changes nothing.
 */
export class RollupFolder implements RollupBucket {
  readonly resolution: number;
  /** Start of the open bucket. */
  t = Number.NaN;
  count = 0;
  sum = 0;
  min = 0;
  minHi = 0;
  minLo = 0;
  max = 0;
  maxHi = 0;
  maxLo = 0;
  last = 0;
  lastHi = 0;
  lastLo = 0;
  dropped = 0;
  /** The newest sample folded (a merged bucket's start). */
  foldedT = Number.NEGATIVE_INFINITY;
  /** The newest value folded, whichever bucket it fell in: what a reset is measured against. */
  #previous = Number.NaN;
  readonly #sink: RollupSink;

  constructor(resolution: number, sink: RollupSink) {
    this.resolution = resolution;
    this.#sink = sink;
  }

  /** The value before the first sample to be folded (one before the folded range), for its reset. */
  prime(v: number, hi: number, lo: number): void {
    if (hi !== STALE_HI || lo !== STALE_LO) this.#previous = v;
  }

  add(t: number, v: number, hi: number, lo: number): void {
    if (t <= this.foldedT) return;
    this.foldedT = t;
    if (hi === STALE_HI && lo === STALE_LO) return;
    const dropped = v < this.#previous ? this.#previous : 0;
    this.#previous = v;
    const bucket = Math.floor(t / this.resolution) * this.resolution;
    if (bucket !== this.t || this.count === 0) {
      if (this.count > 0) this.#sink.bucket(this);
      this.t = bucket;
      this.count = 1;
      this.sum = v;
      this.dropped = dropped;
      this.min = this.max = this.last = v;
      this.minHi = this.maxHi = this.lastHi = hi;
      this.minLo = this.maxLo = this.lastLo = lo;
      return;
    }
    this.count++;
    this.sum += v;
    this.dropped += dropped;
    if (v < this.min || Number.isNaN(this.min)) {
      this.min = v;
      this.minHi = hi;
      this.minLo = lo;
    }
    if (v > this.max || Number.isNaN(this.max)) {
      this.max = v;
      this.maxHi = hi;
      this.maxLo = lo;
    }
    this.last = v;
    this.lastHi = hi;
    this.lastLo = lo;
  }

  /** Folds in a bucket of a finer resolution that starts after every one folded so far. */
  merge(b: RollupBucket): void {
    if (b.t <= this.foldedT) return;
    this.foldedT = b.t;
    const dropped = droppedIn(this.#previous, b.min, b.max, b.last, b.dropped);
    this.#previous = b.last;
    const bucket = Math.floor(b.t / this.resolution) * this.resolution;
    if (bucket !== this.t || this.count === 0) {
      if (this.count > 0) this.#sink.bucket(this);
      this.t = bucket;
      this.count = b.count;
      this.sum = b.sum;
      this.dropped = dropped;
      this.min = b.min;
      this.minHi = b.minHi;
      this.minLo = b.minLo;
      this.max = b.max;
      this.maxHi = b.maxHi;
      this.maxLo = b.maxLo;
      this.last = b.last;
      this.lastHi = b.lastHi;
      this.lastLo = b.lastLo;
      return;
    }
    this.count += b.count;
    this.sum += b.sum;
    this.dropped += dropped;
    if (b.min < this.min || Number.isNaN(this.min)) {
      this.min = b.min;
      this.minHi = b.minHi;
      this.minLo = b.minLo;
    }
    if (b.max > this.max || Number.isNaN(this.max)) {
      this.max = b.max;
      this.maxHi = b.maxHi;
      this.maxLo = b.maxLo;
    }
    this.last = b.last;
    this.lastHi = b.lastHi;
    this.lastLo = b.lastLo;
  }

  /** Hands the open bucket to the sink if it ends at or before `t`, or always without `t`. */
  seal(t = Number.POSITIVE_INFINITY): void {
    if (this.count > 0 && this.t + this.resolution <= t) {
      this.#sink.bucket(this);
      this.count = 0;
    }
  }
}
