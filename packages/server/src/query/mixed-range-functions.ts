import type { FloatHistogram } from './float-histogram.js';
import type { HistogramWindow } from './histogram-functions.js';
import type { Window } from './range-functions.js';

/** One series' answer at one step: a float, or a native histogram (`value` then NaN). */
export interface RangeAnswer {
  readonly value: number;
  readonly histogram?: FloatHistogram;
}

/**
 * A range function that reads a series' float and histogram samples together, called when the range
 * holds at least one histogram (its float window may be empty).
 */
export type MixedRangeFunction = (f: Window, h: HistogramWindow) => RangeAnswer;

/** One sample of a range, float or histogram, for walking both kinds in time order. */
type Point = { readonly f: number; readonly h: FloatHistogram | undefined };

/**
 * How many consecutive pairs of the range's samples, floats and histograms merged in time order,
 * `differ` says differ; a float next to a histogram always counts (Prometheus's changes and resets).
 */
function countPairs(
  f: Window,
  h: HistogramWindow,
  differFloat: (prev: number, cur: number) => boolean,
  differHistogram: (prev: FloatHistogram, cur: FloatHistogram) => boolean,
): number {
  let i = f.from;
  let j = h.from;
  let previous: Point | undefined;
  let n = 0;
  while (i < f.to || j < h.to) {
    const takeFloat = j >= h.to || (i < f.to && f.ts[i]! <= h.ts[j]!);
    const current: Point = takeFloat ? { f: f.vs[i++]!, h: undefined } : { f: Number.NaN, h: h.hs[j++]! };
    if (previous) {
      if (previous.h && current.h) {
        if (differHistogram(previous.h, current.h)) n++;
      } else if (previous.h || current.h) n++;
      else if (differFloat(previous.f, current.f)) n++;
    }
    previous = current;
  }
  return n;
}

/**
 * The range functions that take floats and native histograms alike (Prometheus 3's count_over_time,
 * present_over_time, first_over_time, last_over_time, their ts_of_ forms, changes and resets).
 */
export const MIXED_RANGE_FUNCTIONS: ReadonlyMap<string, MixedRangeFunction> = new Map<
  string,
  MixedRangeFunction
>([
  ['count_over_time', (f, h) => ({ value: f.to - f.from + (h.to - h.from) })],
  ['present_over_time', () => ({ value: 1 })],
  [
    'first_over_time',
    (f, h) => {
      const firstFloat = f.to > f.from ? f.ts[f.from]! : Number.POSITIVE_INFINITY;
      if (firstFloat < h.ts[h.from]!) return { value: f.vs[f.from]! };
      return { value: Number.NaN, histogram: h.hs[h.from]! };
    },
  ],
  [
    'last_over_time',
    (f, h) => {
      const lastFloat = f.to > f.from ? f.ts[f.to - 1]! : Number.NEGATIVE_INFINITY;
      if (h.ts[h.to - 1]! < lastFloat) return { value: f.vs[f.to - 1]! };
      return { value: Number.NaN, histogram: h.hs[h.to - 1]! };
    },
  ],
  [
    'ts_of_first_over_time',
    (f, h) => ({
      value: Math.min(f.to > f.from ? f.ts[f.from]! : Number.POSITIVE_INFINITY, h.ts[h.from]!) / 1000,
    }),
  ],
  [
    'ts_of_last_over_time',
    (f, h) => ({
      value: Math.max(f.to > f.from ? f.ts[f.to - 1]! : Number.NEGATIVE_INFINITY, h.ts[h.to - 1]!) / 1000,
    }),
  ],
  [
    'changes',
    (f, h) => ({
      value: countPairs(
        f,
        h,
        (a, b) => a !== b && !(Number.isNaN(a) && Number.isNaN(b)),
        (a, b) => !b.equals(a),
      ),
    }),
  ],
  [
    'resets',
    (f, h) => ({
      value: countPairs(
        f,
        h,
        (a, b) => b < a,
        (a, b) => b.followsResetOf(a),
      ),
    }),
  ],
]);
