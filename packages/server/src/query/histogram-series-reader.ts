import { type HistogramSeriesData, isStaleNaN } from '../store/series-store.js';
import { FloatHistogram } from './float-histogram.js';

/** One series' native histograms as PromQL computes on them, ascending, staleness markers left out. */
export interface HistogramSeries {
  readonly ts: Float64Array;
  readonly hs: readonly FloatHistogram[];
  /** What they hold, in FloatHistogram.weight units. */
  readonly weight: number;
}

/**
 * Reads the series a histogram scan hands over one at a time, for the folds that compute on one
 * series and drop it before the next (histogram-series-wise.ts, histogram-to-floats.ts). The
 * counts of a series' histograms are views of a few large buffers reused series after series: a
 * Float64Array of their own each was an ArrayBuffer per sample and side, and its allocation and
 * collection were most of the fold's time. What a series read returns is good until the next read.
 */
export class HistogramSeriesReader {
  readonly #slab = new Slab();
  readonly #memory = (n: number) => this.#slab.take(n);

  /**
   * `weigh(weight)` is called with what the series will hold before any of it is made, and may
   * throw (a limit): a series of a month of wide histograms is refused before it takes the memory.
   */
  read(data: HistogramSeriesData, weigh: (weight: number) => void): HistogramSeries {
    let weight = 0;
    for (const native of data.histograms)
      if (!isStaleNaN(native.sum)) weight += FloatHistogram.weightOf(native);
    weigh(weight);
    const ts: number[] = [];
    const hs: FloatHistogram[] = [];
    this.#slab.reset();
    for (let i = 0; i < data.histograms.length; i++) {
      const native = data.histograms[i]!;
      if (isStaleNaN(native.sum)) continue;
      ts.push(data.timestamps[i]!);
      hs.push(FloatHistogram.of(native, this.#memory));
    }
    return { ts: Float64Array.from(ts), hs, weight };
  }
}

/**
 * The samples of `ts` in the range `(end - rangeMs, end]` of each step in turn, `ts[from..to)`.
 * Ends never decrease (steps ascend; offset and @ shift or pin them all alike): the window's bounds
 * slide forward instead of being searched for again.
 */
export class SlidingWindow {
  from = 0;
  to = 0;
  readonly #ts: Float64Array;
  readonly #rangeMs: number;

  constructor(ts: Float64Array, rangeMs: number) {
    this.#ts = ts;
    this.#rangeMs = rangeMs;
  }

  /** Moves to the range ending at `end`; whether it holds samples. */
  moveTo(end: number): boolean {
    const ts = this.#ts;
    const len = ts.length;
    while (this.from < len && ts[this.from]! <= end - this.#rangeMs) this.from++;
    if (this.to < this.from) this.to = this.from;
    while (this.to < len && ts[this.to]! <= end) this.to++;
    return this.to > this.from;
  }
}

/** Zeroed views handed out of a few large buffers, all given back at once by `reset`. */
class Slab {
  static readonly #BLOCK = 1 << 20;
  readonly #blocks: Float64Array[] = [];
  #block = 0;
  #at = 0;

  reset(): void {
    this.#block = 0;
    this.#at = 0;
  }

  take(n: number): Float64Array {
    let block = this.#blocks[this.#block];
    if (block && this.#at + n > block.length) {
      this.#block++;
      this.#at = 0;
      block = this.#blocks[this.#block];
    }
    if (!block || n > block.length) {
      block = new Float64Array(Math.max(n, Slab.#BLOCK));
      this.#blocks.splice(this.#block, 0, block);
    }
    const view = block.subarray(this.#at, this.#at + n);
    this.#at += n;
    return view.fill(0);
  }
}
