import { addToMean, type CompensatedMean, KahanSum, meanOf, startMean } from './kahan-sum.js';
import { quantile } from './quantile.js';
import { QueryError } from './query-error.js';

/** The samples of one series inside one step's range, `ts[from..to)`, stale markers removed. */
export interface Window {
  readonly ts: Float64Array;
  readonly vs: Float64Array;
  readonly from: number;
  readonly to: number;
  /** The range's bounds in ms (after offset and @), as extrapolation needs them. */
  readonly rangeStart: number;
  readonly rangeEnd: number;
  /** The step's evaluation time in ms. */
  readonly stepTime: number;
  /** A scalar argument at this step (predict_linear's duration, quantile_over_time's φ, a smoothing factor). */
  readonly param: number;
  /** A second scalar argument (double_exponential_smoothing's trend factor). */
  readonly param2: number;
  /**
   * The series' countDrops(vs), when the caller counted them for a function in USES_DROPS: rate and
   * increase then look for counter resets only in windows that have one, instead of scanning every
   * sample of every window (half of `sum(rate(x[5m]))`'s evaluation, bench/query-rate-sum.js).
   */
  readonly drops: Int32Array | undefined;
  /** The function's answer, when it returned true. */
  result: number;
}

/** A Window to refill for every series and step: the range functions read it and keep only `result`. */
export type MutableWindow = { -readonly [K in keyof Window]: Window[K] };

export function emptyWindow(): MutableWindow {
  return {
    ts: new Float64Array(0),
    vs: new Float64Array(0),
    from: 0,
    to: 0,
    rangeStart: 0,
    rangeEnd: 0,
    stepTime: 0,
    param: Number.NaN,
    param2: Number.NaN,
    drops: undefined,
    result: Number.NaN,
  };
}

/** `drops[i]`: how many of `vs[1..i]` are lower than the sample before them (counter resets up to i). */
export function countDrops(vs: Float64Array): Int32Array {
  const drops = new Int32Array(vs.length);
  let n = 0;
  for (let i = 1; i < vs.length; i++) {
    if (vs[i]! < vs[i - 1]!) n++;
    drops[i] = n;
  }
  return drops;
}

/**
 * Leaves its answer in `w.result` and returns true, or returns false: no output sample for this
 * series at this step. A `number | undefined` return boxed every number in a heap object on its way
 * out, 4 MB per `sum by (job) (rate(x[5m]))` over 1,000 series and 241 steps
 * (bench/query-rate-sum.js), a fifth of its fold's time.
 */
export type RangeFunction = (w: Window) => boolean;

/**
 * Prometheus's extrapolatedRate (promql/functions.go, v2.42): the increase between the first and last
 * samples, corrected for counter resets, extrapolated to the range's edges unless a sample is farther
 * than 1.1 average intervals from the edge (then only half an interval), and never below zero for
 * counters.
 */
function extrapolatedRate(w: Window, isCounter: boolean, isRate: boolean): boolean {
  const { ts, vs, from, to } = w;
  const n = to - from;
  if (n < 2) return false;
  const firstT = ts[from]!;
  const lastT = ts[to - 1]!;
  const firstV = vs[from]!;
  let result = vs[to - 1]! - firstV;
  if (isCounter && (w.drops === undefined || w.drops[to - 1] !== w.drops[from])) {
    let last = 0;
    for (let i = from; i < to; i++) {
      const v = vs[i]!;
      if (v < last) result += last;
      last = v;
    }
  }
  let durationToStart = (firstT - w.rangeStart) / 1000;
  const durationToEnd = (w.rangeEnd - lastT) / 1000;
  const sampledInterval = (lastT - firstT) / 1000;
  const averageInterval = sampledInterval / (n - 1);
  if (isCounter && result > 0 && firstV >= 0) {
    const durationToZero = sampledInterval * (firstV / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  const threshold = averageInterval * 1.1;
  let extrapolateTo = sampledInterval;
  extrapolateTo += durationToStart < threshold ? durationToStart : averageInterval / 2;
  extrapolateTo += durationToEnd < threshold ? durationToEnd : averageInterval / 2;
  result *= extrapolateTo / sampledInterval;
  if (isRate) result /= (w.rangeEnd - w.rangeStart) / 1000;
  w.result = result;
  return true;
}

function instantValue(w: Window, isRate: boolean): boolean {
  const { ts, vs, from, to } = w;
  if (to - from < 2) return false;
  const last = vs[to - 1]!;
  const previous = vs[to - 2]!;
  const result = isRate && last < previous ? last : last - previous;
  if (!isRate) {
    w.result = result;
    return true;
  }
  const interval = (ts[to - 1]! - ts[to - 2]!) / 1000;
  if (interval === 0) return false;
  w.result = result / interval;
  return true;
}

/** Kahan-compensated least squares, as Prometheus's linearRegression; x is seconds from `interceptMs`. */
function linearRegression(w: Window, interceptMs: number): [slope: number, intercept: number] {
  const { ts, vs, from, to } = w;
  const initY = vs[from]!;
  let constY = true;
  let n = 0;
  const x = new KahanSum();
  const y = new KahanSum();
  const xy = new KahanSum();
  const x2 = new KahanSum();
  for (let i = from; i < to; i++) {
    const v = vs[i]!;
    if (constY && i > from && v !== initY) constY = false;
    n++;
    const dx = (ts[i]! - interceptMs) / 1000;
    x.add(dx);
    y.add(v);
    xy.add(dx * v);
    x2.add(dx * dx);
  }
  if (constY) return Number.isFinite(initY) ? [0, initY] : [Number.NaN, Number.NaN];
  const sumX = x.value;
  const sumY = y.value;
  const covXY = xy.value - (sumX * sumY) / n;
  const varX = x2.value - (sumX * sumX) / n;
  const slope = covXY / varX;
  return [slope, sumY / n - (slope * sumX) / n];
}

function nonEmpty(fn: (w: Window) => number): RangeFunction {
  return (w) => {
    if (w.to <= w.from) return false;
    w.result = fn(w);
    return true;
  };
}

/** A function of at least two samples. */
function twoOrMore(fn: (w: Window) => number): RangeFunction {
  return (w) => {
    if (w.to - w.from < 2) return false;
    w.result = fn(w);
    return true;
  };
}

/** One state for every window: range functions run one at a time, and an object per window would be garbage. */
const windowMean: CompensatedMean = { value: 0, c: 0, incremental: false };

function averageOverTime(w: Window): number {
  startMean(windowMean, w.vs[w.from]!);
  for (let i = w.from + 1; i < w.to; i++) addToMean(windowMean, w.vs[i]!, i - w.from + 1);
  return meanOf(windowMean, w.to - w.from);
}

function variance(w: Window): number {
  let count = 0;
  const mean = new KahanSum();
  const aux = new KahanSum();
  for (let i = w.from; i < w.to; i++) {
    const v = w.vs[i]!;
    count++;
    const delta = v - mean.value;
    mean.add(delta / count);
    aux.add(delta * (v - mean.value));
  }
  return aux.value / count;
}

/** The median absolute deviation from the median (Prometheus 3's mad_over_time). */
function medianAbsoluteDeviation(w: Window): number {
  const values = Array.from(w.vs.subarray(w.from, w.to));
  const median = quantile(0.5, [...values]);
  return quantile(
    0.5,
    values.map((v) => Math.abs(v - median)),
  );
}

/**
 * The time in seconds of the last sample whose value `better` prefers to every earlier one's (ties
 * go to the later sample; a NaN is replaced by any value), as Prometheus 3's ts_of_min_over_time and
 * ts_of_max_over_time.
 */
function timeOfExtreme(better: (v: number, best: number) => boolean): RangeFunction {
  return nonEmpty((w) => {
    let best = w.vs[w.from]!;
    let at = w.ts[w.from]!;
    for (let i = w.from + 1; i < w.to; i++) {
      const v = w.vs[i]!;
      if (better(v, best) || Number.isNaN(best)) {
        best = v;
        at = w.ts[i]!;
      }
    }
    return at / 1000;
  });
}

/**
 * Holt's double exponential smoothing (Prometheus 2's holt_winters, renamed in 3): the smoothed
 * value after the last sample, with smoothing factor `param` and trend factor `param2`, both in (0, 1).
 */
function doubleExponentialSmoothing(w: Window): boolean {
  const sf = w.param;
  const tf = w.param2;
  if (!(sf > 0 && sf < 1))
    throw new QueryError(
      'VIGIL_QUERY_EXECUTION',
      `invalid smoothing factor. Expected: 0 < sf < 1, got: ${sf.toFixed(6)}`,
    );
  if (!(tf > 0 && tf < 1))
    throw new QueryError(
      'VIGIL_QUERY_EXECUTION',
      `invalid trend factor. Expected: 0 < tf < 1, got: ${tf.toFixed(6)}`,
    );
  if (w.to - w.from < 2) return false;
  let s0 = 0;
  let s1 = w.vs[w.from]!;
  let b = w.vs[w.from + 1]! - s1;
  for (let i = w.from + 1; i < w.to; i++) {
    const x = sf * w.vs[i]!;
    if (i > w.from + 1) b = tf * (s1 - s0) + (1 - tf) * b;
    const y = (1 - sf) * (s1 + b);
    s0 = s1;
    s1 = x + y;
  }
  w.result = s1;
  return true;
}

const rate: RangeFunction = (w) => extrapolatedRate(w, true, true);
const increase: RangeFunction = (w) => extrapolatedRate(w, true, false);

/** The range functions that read Window.drops. */
export const USES_DROPS: ReadonlySet<RangeFunction> = new Set([rate, increase]);

export const RANGE_FUNCTIONS: ReadonlyMap<string, RangeFunction> = new Map<string, RangeFunction>([
  ['rate', rate],
  ['increase', increase],
  ['delta', (w) => extrapolatedRate(w, false, false)],
  ['irate', (w) => instantValue(w, true)],
  ['idelta', (w) => instantValue(w, false)],
  ['deriv', twoOrMore((w) => linearRegression(w, w.ts[w.from]!)[0])],
  [
    'predict_linear',
    twoOrMore((w) => {
      const [slope, intercept] = linearRegression(w, w.stepTime);
      return slope * w.param + intercept;
    }),
  ],
  [
    'resets',
    nonEmpty((w) => {
      let resets = 0;
      for (let i = w.from + 1; i < w.to; i++) if (w.vs[i]! < w.vs[i - 1]!) resets++;
      return resets;
    }),
  ],
  [
    'changes',
    nonEmpty((w) => {
      let changes = 0;
      for (let i = w.from + 1; i < w.to; i++) {
        const a = w.vs[i - 1]!;
        const b = w.vs[i]!;
        if (a !== b && !(Number.isNaN(a) && Number.isNaN(b))) changes++;
      }
      return changes;
    }),
  ],
  ['avg_over_time', nonEmpty(averageOverTime)],
  [
    'sum_over_time',
    nonEmpty((w) => {
      const sum = new KahanSum();
      for (let i = w.from; i < w.to; i++) sum.add(w.vs[i]!);
      return sum.value;
    }),
  ],
  ['count_over_time', nonEmpty((w) => w.to - w.from)],
  ['first_over_time', nonEmpty((w) => w.vs[w.from]!)],
  ['last_over_time', nonEmpty((w) => w.vs[w.to - 1]!)],
  ['present_over_time', nonEmpty(() => 1)],
  [
    'min_over_time',
    nonEmpty((w) => {
      let min = w.vs[w.from]!;
      for (let i = w.from + 1; i < w.to; i++) if (w.vs[i]! < min || Number.isNaN(min)) min = w.vs[i]!;
      return min;
    }),
  ],
  [
    'max_over_time',
    nonEmpty((w) => {
      let max = w.vs[w.from]!;
      for (let i = w.from + 1; i < w.to; i++) if (w.vs[i]! > max || Number.isNaN(max)) max = w.vs[i]!;
      return max;
    }),
  ],
  ['quantile_over_time', nonEmpty((w) => quantile(w.param, Array.from(w.vs.subarray(w.from, w.to))))],
  ['stdvar_over_time', nonEmpty(variance)],
  ['stddev_over_time', nonEmpty((w) => Math.sqrt(variance(w)))],
  ['mad_over_time', nonEmpty(medianAbsoluteDeviation)],
  ['ts_of_min_over_time', timeOfExtreme((v, best) => v <= best)],
  ['ts_of_max_over_time', timeOfExtreme((v, best) => v >= best)],
  ['ts_of_first_over_time', nonEmpty((w) => w.ts[w.from]! / 1000)],
  ['ts_of_last_over_time', nonEmpty((w) => w.ts[w.to - 1]! / 1000)],
  ['double_exponential_smoothing', doubleExponentialSmoothing],
]);
