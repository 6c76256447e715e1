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
   * With `sum` or `avg`, what the answer at step `step` is for the group's histogram there
   * (histogram_quantile's, ...), instead of the histogram itself.
   */
  readonly toFloat?: ((h: FloatHistogram, step: number) => number) | undefined;
  /**
   * With `toFloat`, every series the scan may hand over (or more: those of the store's index over
   * the same range): a group whose listed series have all been folded is turned into its floats at
   * once and its sums dropped, so that a grouping into many groups does not hold every group's
   * sums until the scan ends.
   */
  readonly listed?: readonly SeriesLabels[] | undefined;
  /**
   * Called before and after each series' fold with what is held then: in FloatHistogram.weight
   * units the series' samples and every per-step sum, and the floats answered by groups already
   * done. Throws to stop the scan (deadline, memory).
   */
  readonly held: (weight: number, points: number) => void;
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
  /** Listed series not folded yet (Infinity when not listed). */
  remaining: number;
  /** The answer at each step once the group is done (with `toFloat`): its sums are dropped then. */
  floats?: Float64Array;
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
 * that at the step where it happens, and `result()` is not to be used. Neither is it when `late`:
 * a series came for a group already turned into floats (not listed: written since).
 */
export class HistogramSeriesWise implements HistogramVisitor {
  /** Samples received, over all series (staleness markers included). */
  loaded = 0;
  /** Series that had samples in the range. */
  seen = 0;
  collided = false;
  late = false;
  readonly #o: HistogramSeriesWiseOptions;
  readonly #groups = new Map<string, Group>();
  readonly #named: Set<string> | undefined;
  /** Weight of the per-step sums held. */
  #sumsWeight = 0;
  /** Floats answered by groups already done. */
  #points = 0;
  /** Listed series by group key. */
  readonly #listed = new Map<string, number>();
  /** One series at a time (the sums copy what they add). */
  readonly #reader = new HistogramSeriesReader();

  constructor(options: HistogramSeriesWiseOptions) {
    this.#o = options;
    this.#named = options.namePinned ? undefined : new Set();
    if (options.toFloat && options.op !== 'count')
      for (const labels of options.listed ?? []) {
        const key = this.#metricOf(labels).key;
        this.#listed.set(key, (this.#listed.get(key) ?? 0) + 1);
      }
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
    const group = this.#group(data.labels);
    if (group.floats) {
      this.late = true;
      return false;
    }
    const { ts, hs, weight } = this.#reader.read(data, (w) =>
      this.#o.held(w + this.#sumsWeight, this.#points),
    );
    await this.#fold(group, ts, hs);
    if (--group.remaining === 0) this.#done(group);
    this.#o.held(weight + this.#sumsWeight, this.#points);
    return true;
  }

  /** The aggregate at every step, in the order the groups were first seen; call once after the scan. */
  result(): Vector[] {
    const { op, ends } = this.#o;
    const out: Vector[] = Array.from({ length: ends.length }, () => []);
    for (const group of this.#groups.values()) {
      const { metric, count, floats } = group;
      for (let i = 0; i < ends.length; i++) {
        const n = count[i]!;
        if (n === 0) continue;
        if (op === 'count') out[i]!.push({ metric, value: n });
        else if (floats) out[i]!.push({ metric, value: floats[i]! });
        else {
          const histogram = this.#answer(group, i);
          const toFloat = this.#o.toFloat;
          out[i]!.push(
            toFloat ? { metric, value: toFloat(histogram, i) } : { metric, value: Number.NaN, histogram },
          );
        }
      }
    }
    return out;
  }

  /** The group's histogram at step `i` (where it has one), its running sum dropped. */
  #answer(group: Group, i: number): FloatHistogram {
    const sum = group.sums[i]!;
    group.sums[i] = undefined;
    this.#sumsWeight -= sum.weight;
    const total = sum.result();
    return this.#o.op === 'avg' ? total.times(1 / group.count[i]!).withHint('gauge') : total;
  }

  /** Turns a group whose every series is folded into its floats. */
  #done(group: Group): void {
    const toFloat = this.#o.toFloat!;
    const floats = new Float64Array(group.count.length);
    for (let i = 0; i < floats.length; i++) {
      if (group.count[i] === 0) continue;
      floats[i] = toFloat(this.#answer(group, i), i);
      this.#points++;
    }
    group.floats = floats;
  }

  #metricOf(labels: SeriesLabels): Metric {
    return makeMetric(groupLabels(dropName(makeMetric(labels)), this.#o.grouping));
  }

  #group(labels: SeriesLabels): Group {
    const metric = this.#metricOf(labels);
    let group = this.#groups.get(metric.key);
    if (!group) {
      const n = this.#o.ends.length;
      const remaining = this.#listed.get(metric.key) ?? Number.POSITIVE_INFINITY;
      group = { metric, count: new Float64Array(n), sums: new Array(n).fill(undefined), remaining };
      this.#groups.set(metric.key, group);
    }
    return group;
  }

  async #fold(group: Group, ts: Float64Array, hs: readonly FloatHistogram[]): Promise<void> {
    const { op, fn, ends, rangeMs, pace } = this.#o;
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
