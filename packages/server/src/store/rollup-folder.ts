import { STALE_HI, STALE_LO } from './float-bits.js';

/** Receives each completed bucket of a RollupFolder; reads the folder's fields during the call. */
export interface RollupSink {
  bucket(folder: RollupFolder): void;
}

/**
 * Folds ascending samples into buckets of `resolution` ms: count, sum, min, max and last. min, max
 * and last are kept as words, so each is exactly one of the raw values, NaN payloads included.
 *
 * Staleness markers are skipped: they say the series ended, they are not observations, and a bucket
 * holding only markers does not exist. Other NaNs count, so a bucket's sum is NaN when one of its
 * samples is, and min/max follow Prometheus's min_over_time/max_over_time: a NaN is replaced by any
 * number after it. Counter resets need no care here: the bucket keeps raw values, a reset shows as a
 * `min` below the previous bucket's `last`, and rate() over rollups treats it as over raw samples.
 *
 * Samples at or before the last one folded are ignored, so folding the same chunk twice (a flush that
 * failed and is retried) changes nothing.
 */
export class RollupFolder {
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
  /** The newest sample folded. */
  foldedT = Number.NEGATIVE_INFINITY;
  readonly #sink: RollupSink;

  constructor(resolution: number, sink: RollupSink) {
    this.resolution = resolution;
    this.#sink = sink;
  }

  add(t: number, v: number, hi: number, lo: number): void {
    if (t <= this.foldedT) return;
    this.foldedT = t;
    if (hi === STALE_HI && lo === STALE_LO) return;
    const bucket = Math.floor(t / this.resolution) * this.resolution;
    if (bucket !== this.t || this.count === 0) {
      if (this.count > 0) this.#sink.bucket(this);
      this.t = bucket;
      this.count = 1;
      this.sum = v;
      this.min = this.max = this.last = v;
      this.minHi = this.maxHi = this.lastHi = hi;
      this.minLo = this.maxLo = this.lastLo = lo;
      return;
    }
    this.count++;
    this.sum += v;
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

  /** Hands the open bucket to the sink if it ends at or before `t`, or always without `t`. */
  seal(t = Number.POSITIVE_INFINITY): void {
    if (this.count > 0 && this.t + this.resolution <= t) {
      this.#sink.bucket(this);
      this.count = 0;
    }
  }
}
