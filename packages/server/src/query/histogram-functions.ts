import { type FloatHistogram, type HistogramBucket, lowerBound, upperBound } from './float-histogram.js';

/**
 * Prometheus 3's histogram_quantile over a native histogram: the bucket holding rank `q·count`,
 * interpolated exponentially inside it (linearly inside the zero bucket, whose lower bound is 0
 * when the histogram has no negative buckets).
 */
export function nativeQuantile(q: number, h: FloatHistogram): number {
  if (h.count === 0 || Number.isNaN(q)) return Number.NaN;
  if (q < 0) return Number.NEGATIVE_INFINITY;
  if (q > 1) return Number.POSITIVE_INFINITY;
  const rank = q * h.count;
  const found = bucketAtRank(h, rank);
  if (!found) return Number.NaN;
  const { bucket, count } = found;
  let { lower, upper } = bucket;
  if (lower < 0 && upper > 0) {
    if (!h.hasNegative && h.hasPositive) lower = 0;
    else if (!h.hasPositive && h.hasNegative) upper = 0;
  }
  // NaN observations are counted but in no bucket: a rank beyond the buckets is their upper end.
  if (count < rank) return upper;
  const fraction = 1 - (count - rank) / bucket.count;
  return interpolate(lower, upper, fraction, bucket.boundaryRule === 3);
}

/**
 * The first bucket of `h.buckets()` at which the running count reaches `rank` (else the last), with
 * that running count; undefined when no bucket holds anything. Walks the counts without making
 * every bucket: a quantile of a 645-bucket sum at each of 1,441 steps made a million of them.
 */
function bucketAtRank(
  h: FloatHistogram,
  rank: number,
): { bucket: HistogramBucket; count: number } | undefined {
  let count = 0;
  // The last bucket with observations so far: side -1, 0 (the zero bucket) or 1, and its position.
  let side = 2;
  let at = -1;
  const negative = h.negative.counts;
  for (let k = negative.length - 1; k >= 0; k--) {
    if (negative[k] === 0) continue;
    count += negative[k]!;
    side = -1;
    at = k;
    if (count >= rank) return { bucket: bucketOf(h, side, at), count };
  }
  if (h.zeroCount !== 0) {
    count += h.zeroCount;
    side = 0;
    if (count >= rank) return { bucket: bucketOf(h, side, at), count };
  }
  const positive = h.positive.counts;
  for (let k = 0; k < positive.length; k++) {
    if (positive[k] === 0) continue;
    count += positive[k]!;
    side = 1;
    at = k;
    if (count >= rank) return { bucket: bucketOf(h, side, at), count };
  }
  return side === 2 ? undefined : { bucket: bucketOf(h, side, at), count };
}

/** The bucket at position `k` of a side (-1 negative, 1 positive) or the zero bucket (0), as buckets() makes it. */
function bucketOf(h: FloatHistogram, side: number, k: number): HistogramBucket {
  if (side === 0)
    return { lower: -h.zeroThreshold, upper: h.zeroThreshold, count: h.zeroCount, boundaryRule: 3 };
  const { offset, counts } = side < 0 ? h.negative : h.positive;
  const i = offset + k;
  const lower = lowerBound(i, h.schema);
  const upper = upperBound(i, h.schema);
  return side < 0
    ? { lower: -upper, upper: -lower, count: counts[k]!, boundaryRule: 1 }
    : { lower, upper, count: counts[k]!, boundaryRule: 0 };
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
  /** `resets[i]` is 1 when `hs[i]` follows a counter reset of `hs[i - 1]` (resetsOf), for a caller that keeps them. */
  readonly resets?: Uint8Array | undefined;
}

/**
 * Whether each sample follows a counter reset of the one before it (`followsResetOf`), once per
 * series: overlapping windows would otherwise compare the same pairs, every bucket of both, again
 * at each step.
 */
export function resetsOf(hs: readonly FloatHistogram[]): Uint8Array {
  const out = new Uint8Array(hs.length);
  for (let i = 1; i < hs.length; i++) if (hs[i]!.followsResetOf(hs[i - 1]!)) out[i] = 1;
  return out;
}

/**
 * A histogram result still to be worked out: `(h - minus) * factor`, rate's increase and the factor
 * that extrapolates it, for a caller that applies both as it adds (HistogramSum) instead of
 * allocating the difference and then its multiple.
 */
export interface ScaledHistogram {
  readonly h: FloatHistogram;
  readonly minus?: FloatHistogram | undefined;
  readonly factor: number;
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
  const parts = histogramRateParts(w, isCounter, isRate);
  if (!parts) return undefined;
  const increase = parts.minus ? parts.h.minus(parts.minus) : parts.h;
  return increase.times(parts.factor).withHint('gauge');
}

/** histogramRate as the increase over the samples and the factor that extrapolates it, not yet applied. */
export function histogramRateParts(
  w: HistogramWindow,
  isCounter: boolean,
  isRate: boolean,
): ScaledHistogram | undefined {
  const { ts, hs, from, to } = w;
  const n = to - from;
  if (n < 2) return undefined;
  let schema = hs[to - 1]!.schema;
  for (let i = from; i < to - 1; i++) if (hs[i]!.schema < schema) schema = hs[i]!.schema;
  const last = hs[to - 1]!.toSchema(schema);
  let result: FloatHistogram | undefined;
  if (isCounter) {
    const resets = w.resets;
    for (let i = from + 1; i < to; i++) {
      const reset = resets ? resets[i] === 1 : hs[i]!.followsResetOf(hs[i - 1]!);
      if (reset) result = (result ?? last.minus(hs[from]!)).plus(hs[i - 1]!);
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
  return result ? { h: result, factor } : { h: last, minus: hs[from]!, factor };
}

/** irate and idelta of native histograms: the last two samples (after a reset, the last one alone). */
export function histogramInstant(w: HistogramWindow, isRate: boolean): FloatHistogram | undefined {
  const { ts, hs, to } = w;
  if (to - w.from < 2) return undefined;
  const last = hs[to - 1]!;
  const previous = hs[to - 2]!;
  const reset = w.resets ? w.resets[to - 1] === 1 : last.followsResetOf(previous);
  let result = isRate && reset ? last : last.minus(previous);
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

/**
 * HISTOGRAM_RANGE_FUNCTIONS as a sum over series takes them (histogram-series-wise.ts): rate,
 * increase and delta hand over their increase and its factor, which the sum applies as it adds.
 */
export const SCALED_HISTOGRAM_RANGE_FUNCTIONS: ReadonlyMap<
  string,
  (w: HistogramWindow) => ScaledHistogram | undefined
> = new Map(
  [...HISTOGRAM_RANGE_FUNCTIONS].map(([name, fn]) => {
    const counter = name === 'rate' || name === 'increase';
    if (counter || name === 'delta')
      return [name, (w: HistogramWindow) => histogramRateParts(w, counter, name === 'rate')];
    return [
      name,
      (w: HistogramWindow): ScaledHistogram | undefined => {
        const h = fn(w);
        return h && { h, factor: 1 };
      },
    ];
  }),
);
