import type { FloatHistogram, HistogramBucket } from './float-histogram.js';

/**
 * Prometheus 3's histogram_quantile over a native histogram: the bucket holding rank `q·count`,
 * interpolated exponentially inside it (linearly inside the zero bucket, whose lower bound is 0
 * when the histogram has no negative buckets).
 */
export function nativeQuantile(q: number, h: FloatHistogram): number {
  if (h.count === 0 || Number.isNaN(q)) return Number.NaN;
  if (q < 0) return Number.NEGATIVE_INFINITY;
  if (q > 1) return Number.POSITIVE_INFINITY;
  const buckets = h.buckets();
  if (buckets.length === 0) return Number.NaN;
  const rank = q * h.count;
  let count = 0;
  let bucket = buckets[0]!;
  for (const b of buckets) {
    bucket = b;
    count += b.count;
    if (count >= rank) break;
  }
  let { lower, upper } = bucket;
  if (lower < 0 && upper > 0) {
    if (!h.hasNegative && h.hasPositive) lower = 0;
    else if (!h.hasPositive && h.hasNegative) upper = 0;
  }
  // NaN observations are counted but in no bucket: a rank beyond the buckets is their upper end.
  if (count < rank) return upper;
  const fraction = 1 - (count - rank) / bucket.count;
  return interpolate(lower, upper, fraction, bucket === zeroBucketOf(buckets));
}

/** Where fraction `f` of a bucket's observations lies, and the inverse. */
function interpolate(lower: number, upper: number, f: number, zero: boolean): number {
  if (zero || lower === 0 || upper === 0) return lower + (upper - lower) * f;
  const logLower = Math.log2(Math.abs(lower));
  const logUpper = Math.log2(Math.abs(upper));
  if (lower > 0) return 2 ** (logLower + (logUpper - logLower) * f);
  return -(2 ** (logUpper + (logLower - logUpper) * (1 - f)));
}

function fractionBelow(b: HistogramBucket, v: number, zero: boolean): number {
  if (v <= b.lower) return 0;
  if (v >= b.upper) return 1;
  if (zero || b.lower === 0 || b.upper === 0) return (v - b.lower) / (b.upper - b.lower);
  if (b.lower > 0) return (Math.log2(v) - Math.log2(b.lower)) / (Math.log2(b.upper) - Math.log2(b.lower));
  return 1 - (Math.log2(-v) - Math.log2(-b.upper)) / (Math.log2(-b.lower) - Math.log2(-b.upper));
}

function zeroBucketOf(buckets: readonly HistogramBucket[]): HistogramBucket | undefined {
  return buckets.find((b) => b.boundaryRule === 3);
}

/** histogram_fraction: the share of observations between `lower` and `upper`, interpolated as histogram_quantile does. */
export function nativeFraction(lower: number, upper: number, h: FloatHistogram): number {
  if (h.count === 0 || Number.isNaN(lower) || Number.isNaN(upper)) return Number.NaN;
  if (lower >= upper) return 0;
  const buckets = h.buckets();
  const zero = zeroBucketOf(buckets);
  let inside = 0;
  for (const b of buckets) {
    let bucket = b;
    if (b === zero) {
      if (!h.hasNegative && h.hasPositive) bucket = { ...b, lower: 0 };
      else if (!h.hasPositive && h.hasNegative) bucket = { ...b, upper: 0 };
    }
    const z = b === zero;
    inside += b.count * (fractionBelow(bucket, upper, z) - fractionBelow(bucket, lower, z));
  }
  return inside / h.count;
}

/**
 * histogram_stdvar: the variance of the observations, each bucket's taken at its geometric mean (0 for
 * the zero bucket) around the mean sum/count, Kahan-summed as Prometheus does.
 */
export function nativeStdvar(h: FloatHistogram): number {
  if (h.count === 0) return Number.NaN;
  const mean = h.sum / h.count;
  let variance = 0;
  let c = 0;
  for (const b of h.buckets()) {
    let value = 0;
    if (!(b.lower <= 0 && b.upper >= 0)) {
      value = Math.sqrt(b.upper * b.lower);
      if (b.upper < 0) value = -value;
    }
    const delta = value - mean;
    const inc = b.count * delta * delta;
    const t = variance + inc;
    c += Math.abs(variance) >= Math.abs(inc) ? variance - t + inc : inc - t + variance;
    variance = t;
  }
  return (variance + c) / h.count;
}

/** The histogram samples of one series inside one step's range. */
export interface HistogramWindow {
  readonly ts: Float64Array;
  readonly hs: readonly FloatHistogram[];
  readonly from: number;
  readonly to: number;
  readonly rangeStart: number;
  readonly rangeEnd: number;
}

/**
 * rate, increase and delta of native histograms (Prometheus's histogramRate with extrapolatedRate):
 * last minus first at the coarsest schema in the range, plus every sample before a counter reset,
 * extrapolated to the range's edges as floats are (without the floats' stop at zero).
 */
export function histogramRate(
  w: HistogramWindow,
  isCounter: boolean,
  isRate: boolean,
): FloatHistogram | undefined {
  const { ts, hs, from, to } = w;
  const n = to - from;
  if (n < 2) return undefined;
  let schema = hs[to - 1]!.schema;
  for (let i = from; i < to - 1; i++) if (hs[i]!.schema < schema) schema = hs[i]!.schema;
  let result = hs[to - 1]!.toSchema(schema).minus(hs[from]!);
  if (isCounter) {
    let previous = hs[from]!;
    for (let i = from + 1; i < to; i++) {
      const current = hs[i]!;
      if (current.followsResetOf(previous)) result = result.plus(previous);
      previous = current;
    }
  }
  const firstT = ts[from]!;
  const lastT = ts[to - 1]!;
  const durationToStart = (firstT - w.rangeStart) / 1000;
  const durationToEnd = (w.rangeEnd - lastT) / 1000;
  const sampledInterval = (lastT - firstT) / 1000;
  const averageInterval = sampledInterval / (n - 1);
  const threshold = averageInterval * 1.1;
  let extrapolateTo = sampledInterval;
  extrapolateTo += durationToStart < threshold ? durationToStart : averageInterval / 2;
  extrapolateTo += durationToEnd < threshold ? durationToEnd : averageInterval / 2;
  let factor = extrapolateTo / sampledInterval;
  if (isRate) factor /= (w.rangeEnd - w.rangeStart) / 1000;
  return result.times(factor).withHint('gauge');
}

/** irate and idelta of native histograms: the last two samples (after a reset, the last one alone). */
export function histogramInstant(w: HistogramWindow, isRate: boolean): FloatHistogram | undefined {
  const { ts, hs, to } = w;
  if (to - w.from < 2) return undefined;
  const last = hs[to - 1]!;
  const previous = hs[to - 2]!;
  let result = isRate && last.followsResetOf(previous) ? last : last.minus(previous);
  if (isRate) {
    const interval = (ts[to - 1]! - ts[to - 2]!) / 1000;
    if (interval === 0) return undefined;
    result = result.times(1 / interval);
  }
  return result.withHint('gauge');
}

/** sum_over_time of native histograms: their sum, at the coarsest schema in the range. */
function histogramSumOverTime(w: HistogramWindow): FloatHistogram | undefined {
  const { hs, from, to } = w;
  if (to <= from) return undefined;
  let sum = hs[from]!;
  for (let i = from + 1; i < to; i++) sum = sum.plus(hs[i]!);
  return sum;
}

/**
 * avg_over_time of native histograms, as Prometheus 3 computes it: an incremental mean
 * (`mean += h/n - mean/n`), which stays finite where a sum would overflow.
 */
function histogramAvgOverTime(w: HistogramWindow): FloatHistogram | undefined {
  const { hs, from, to } = w;
  if (to <= from) return undefined;
  let mean = hs[from]!;
  for (let i = from + 1; i < to; i++) {
    const n = i - from + 1;
    mean = mean.plus(hs[i]!.times(1 / n).minus(mean.times(1 / n)));
  }
  return mean;
}

/**
 * The range functions that take native histograms and answer with one; a range holding both floats
 * and histograms has no answer for them, as in Prometheus (which warns). Range functions missing here
 * and from MIXED_RANGE_FUNCTIONS read only the floats of a range (Prometheus 3 notes the ignored
 * histograms with an info annotation).
 */
export const HISTOGRAM_RANGE_FUNCTIONS: ReadonlyMap<
  string,
  (w: HistogramWindow) => FloatHistogram | undefined
> = new Map([
  ['rate', (w: HistogramWindow) => histogramRate(w, true, true)],
  ['increase', (w: HistogramWindow) => histogramRate(w, true, false)],
  ['delta', (w: HistogramWindow) => histogramRate(w, false, false)],
  ['irate', (w: HistogramWindow) => histogramInstant(w, true)],
  ['idelta', (w: HistogramWindow) => histogramInstant(w, false)],
  ['sum_over_time', histogramSumOverTime],
  ['avg_over_time', histogramAvgOverTime],
]);
