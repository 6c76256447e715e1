import type { HistogramSeriesData, HistogramVisitor, SeriesLabels } from '../store/series-store.js';
import { type Grouping, groupLabels } from './aggregate.js';
import type { FloatHistogram } from './float-histogram.js';
import { type HistogramWindow, resetsOf, type ScaledHistogram } from './histogram-functions.js';
import { HistogramSeriesReader, SlidingWindow } from './histogram-series-reader.js';
import { HistogramSum } from './histogram-sum.js';
import { dropName, type Metric, makeMetric, type Vector } from './metric.js';

/** The aggregations of histograms that fold series by series: sum, avg and count. */
export type HistogramSeriesWiseOp = 'sum' | 'avg' | 'count';

export interface HistogramSeriesWiseOptions {
  readonly op: HistogramSeriesWiseOp;
  readonly grouping: Grouping;
  /** The range function (SCALED_HISTOGRAM_RANGE_FUNCTIONS). */
  readonly fn: (w: HistogramWindow) => ScaledHistogram | undefined;
  /** Each step's range ends here (ms, included) and starts `rangeMs` earlier (excluded); ends never decrease. */
  readonly ends: Float64Array;
  readonly rangeMs: number;
  /** Every series has the same name: dropping it cannot make two label sets equal. */
  readonly namePinned: boolean;
  /**
   * Called after each series with what is held then, in FloatHistogram.weight units: the series'
   * samples and every per-step sum. Throws to stop the scan (deadline, memory).
   */
  readonly held: (weight: number) => void;
  /**
   * Called with the work done, in FloatHistogram.weight units, as each step's histogram is added;
   * hands the event loop back now and then, and throws to stop (deadline).
   */
  readonly pace: (units: number) => Promise<void>;
}

interface Group {
  readonly metric: Metric;
  /** Histograms added at each step. */
  readonly count: Float64Array;
  readonly sums: (HistogramSum | undefined)[];
}

/**
 * `sum|avg|count by (...) (fn(selector[range]))` over native histograms, folded series by series as
 * the store's histogram scan hands them over: only one series' samples are held at a time, its
 * windows computed in one pass (counter resets found once per sample pair, not once per window) and
 * added straight into one running sum per group and step. The step-wise path held every sample of
 * every series and one result histogram per series and step: for 100 series of 645 buckets over
 * 24 hours, gigabytes. Each (group, step) adds in series order, as the step-wise path and
 * Prometheus do, so the sums are the same.
 *
 * `collided` says two series would collide once their names are dropped: the step-wise path reports
 * that at the step where it happens, and `result()` is not to be used.
 */
export class HistogramSeriesWise implements HistogramVisitor {
  /** Samples received, over all series (staleness markers included). */
  loaded = 0;
  /** Series that had samples in the range. */
  seen = 0;
  collided = false;
  readonly #o: HistogramSeriesWiseOptions;
  readonly #groups = new Map<string, Group>();
  readonly #named: Set<string> | undefined;
  /** Weight of the per-step sums made so far. */
  #sumsWeight = 0;
  /** One series at a time (the sums copy what they add). */
  readonly #reader = new HistogramSeriesReader();

  constructor(options: HistogramSeriesWiseOptions) {
    this.#o = options;
    this.#named = options.namePinned ? undefined : new Set();
  }

  async series(data: HistogramSeriesData): Promise<boolean> {
    this.seen++;
    this.loaded += data.timestamps.length;
    if (this.#named) {
      const key = dropName(makeMetric(data.labels)).key;
      if (this.#named.has(key)) {
        // The step-wise path answers instead: no need to read on.
        this.collided = true;
        return false;
      }
      this.#named.add(key);
    }
    const { ts, hs, weight } = this.#reader.read(data);
    await this.#fold(data.labels, ts, hs);
    this.#o.held(weight + this.#sumsWeight);
    return true;
  }

  /**
   * The aggregate at every step; call once after the scan. With `toFloat` (sum and avg only), each
   * group's histogram at step `i` is handed to `toFloat(h, i)` as it is made, and the answer is
   * that float (histogram_quantile and the like over the aggregate): its running sum is dropped
   * then, so no more than the sums is ever held.
   */
  result(toFloat?: (h: FloatHistogram, step: number) => number): Vector[] {
    const { op, ends } = this.#o;
    const out: Vector[] = Array.from({ length: ends.length }, () => []);
    for (const { metric, count, sums } of this.#groups.values()) {
      for (let i = 0; i < ends.length; i++) {
        const n = count[i]!;
        if (n === 0) continue;
        if (op === 'count') {
          out[i]!.push({ metric, value: n });
          continue;
        }
        const sum = sums[i]!.result();
        const histogram = op === 'avg' ? sum.times(1 / n).withHint('gauge') : sum;
        if (!toFloat) {
          out[i]!.push({ metric, value: Number.NaN, histogram });
          continue;
        }
        sums[i] = undefined;
        out[i]!.push({ metric, value: toFloat(histogram, i) });
      }
    }
    return out;
  }

  #group(labels: SeriesLabels): Group {
    const metric = makeMetric(groupLabels(dropName(makeMetric(labels)), this.#o.grouping));
    let group = this.#groups.get(metric.key);
    if (!group) {
      const n = this.#o.ends.length;
      group = { metric, count: new Float64Array(n), sums: new Array(n).fill(undefined) };
      this.#groups.set(metric.key, group);
    }
    return group;
  }

  async #fold(labels: SeriesLabels, ts: Float64Array, hs: readonly FloatHistogram[]): Promise<void> {
    const { op, fn, ends, rangeMs, pace } = this.#o;
    const group = this.#group(labels);
    const resets = resetsOf(hs);
    const window = new SlidingWindow(ts, rangeMs);
    for (let i = 0; i < ends.length; i++) {
      const end = ends[i]!;
      if (!window.moveTo(end)) continue;
      const { from, to } = window;
      const scaled = fn({ ts, hs, from, to, rangeStart: end - rangeMs, rangeEnd: end, resets });
      if (!scaled) continue;
      group.count[i]!++;
      if (op === 'count') continue;
      const sum = group.sums[i] ?? new HistogramSum();
      const before = group.sums[i] ? sum.weight : 0;
      group.sums[i] = sum;
      sum.add(scaled.h, scaled.factor, scaled.minus);
      this.#sumsWeight += sum.weight - before;
      await pace(scaled.h.weight);
    }
  }
}
