import type { HistogramSeriesData, HistogramVisitor } from '../store/series-store.js';
import type { FloatHistogram } from './float-histogram.js';
import { type HistogramWindow, resetsOf } from './histogram-functions.js';
import { HistogramSeriesReader, SlidingWindow } from './histogram-series-reader.js';
import { dropName, makeMetric, type Vector } from './metric.js';

export interface HistogramToFloatsOptions {
  /** The range function (HISTOGRAM_RANGE_FUNCTIONS). */
  readonly fn: (w: HistogramWindow) => FloatHistogram | undefined;
  /** What the answer at step `step` is for the histogram `fn` gave there (histogram_quantile's, ...). */
  readonly toFloat: (h: FloatHistogram, step: number) => number;
  /** Each step's range ends here (ms, included) and starts `rangeMs` earlier (excluded); ends never decrease. */
  readonly ends: Float64Array;
  readonly rangeMs: number;
  /** Every series has the same name: dropping it cannot make two label sets equal. */
  readonly namePinned: boolean;
  /**
   * Called before and after each series' fold with what is held then: the series' histograms, in
   * FloatHistogram.weight units, and the points answered so far. Throws to stop the scan
   * (deadline, limits).
   */
  readonly held: (weight: number, points: number) => void;
  /**
   * Called with the work done, in FloatHistogram.weight units, as each step's histogram is made;
   * hands the event loop back now and then, and throws to stop (deadline).
   */
  readonly pace: (units: number) => Promise<void>;
}

/**
 * `F(fn(selector[range]))` for a range function `fn` of native histograms and a function `F` from
 * a histogram to a float (`histogram_quantile(q, ·)`, `histogram_count`, ...), series by series
 * as the store's histogram scan hands them over: each series' histogram at each step is made as the
 * step-wise path makes it, turned into its float at once and dropped, so only one series'
 * samples and the floats answered are held. The step-wise path held every histogram of every
 * series in the range first: 100 series of 645 buckets over 24 hours weigh 93 million samples,
 * which the default limits refuse, for an answer of 144,100 floats.
 *
 * `collided` says two series would collide once their names are dropped: the step-wise path reports
 * that at the step where it happens, and `steps` is not to be used.
 */
export class HistogramToFloats implements HistogramVisitor {
  /** Samples received, over all series (staleness markers included). */
  loaded = 0;
  /** Series that had samples in the range. */
  seen = 0;
  collided = false;
  /** The answer at every step, filled as the scan goes. */
  readonly steps: Vector[];
  readonly #o: HistogramToFloatsOptions;
  readonly #named: Set<string> | undefined;
  readonly #reader = new HistogramSeriesReader();
  #points = 0;

  constructor(options: HistogramToFloatsOptions) {
    this.#o = options;
    this.#named = options.namePinned ? undefined : new Set();
    this.steps = Array.from({ length: options.ends.length }, () => []);
  }

  async series(data: HistogramSeriesData): Promise<boolean> {
    this.seen++;
    this.loaded += data.timestamps.length;
    const metric = dropName(makeMetric(data.labels));
    if (this.#named) {
      if (this.#named.has(metric.key)) {
        // The step-wise path answers instead: no need to read on.
        this.collided = true;
        return false;
      }
      this.#named.add(metric.key);
    }
    const { fn, toFloat, ends, rangeMs, pace } = this.#o;
    const { ts, hs, weight } = this.#reader.read(data, (w) => this.#o.held(w, this.#points));
    const resets = resetsOf(hs);
    const window = new SlidingWindow(ts, rangeMs);
    for (let i = 0; i < ends.length; i++) {
      const end = ends[i]!;
      if (!window.moveTo(end)) continue;
      const { from, to } = window;
      const h = fn({ ts, hs, from, to, rangeStart: end - rangeMs, rangeEnd: end, resets });
      if (!h) continue;
      this.steps[i]!.push({ metric, value: toFloat(h, i) });
      this.#points++;
      await pace(h.weight);
    }
    this.#o.held(weight, this.#points);
    return true;
  }
}
