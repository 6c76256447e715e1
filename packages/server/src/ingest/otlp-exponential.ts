import {
  type BucketSpan,
  type IntNativeHistogram,
  MAX_SCHEMA,
  MIN_SCHEMA,
  NativeHistogramError,
  validateNativeHistogram,
} from '../store/native-histogram.js';
import type { ExponentialBuckets, ExponentialHistogramPoint } from './otlp-request.js';

/** Prometheus's zero threshold for translated points: OTLP's `zero_threshold` is not read, as Prometheus 3 does not. */
const ZERO_THRESHOLD = 1e-128;

/**
 * An OTLP exponential histogram point as Prometheus 3's OTLP translation makes it a native
 * histogram: scale above 8 merged down to schema 8, scale below −4 refused, OTel bucket `i`
 * (`(base^i, base^(i+1)]`) becoming Prometheus bucket `i + 1` (`(base^i, base^(i+1)]` there too),
 * the counter reset hint unknown. Throws a NativeHistogramError naming what is wrong.
 */
export function exponentialToNative(p: ExponentialHistogramPoint): IntNativeHistogram {
  if (!Number.isInteger(p.scale) || p.scale < MIN_SCHEMA) {
    throw new NativeHistogramError(
      `exponential histogram scale ${p.scale} is below ${MIN_SCHEMA}, the coarsest native histogram schema`,
    );
  }
  const scaleDown = Math.max(0, p.scale - MAX_SCHEMA);
  const positive = bucketLayout(p.positive, scaleDown);
  const negative = bucketLayout(p.negative, scaleDown);
  const h: IntNativeHistogram = {
    kind: 'int',
    schema: p.scale - scaleDown,
    zeroThreshold: ZERO_THRESHOLD,
    zeroCount: p.zeroCount,
    count: p.count,
    sum: p.sum ?? 0,
    positiveSpans: positive.spans,
    positiveDeltas: positive.deltas,
    negativeSpans: negative.spans,
    negativeDeltas: negative.deltas,
    counterResetHint: 'unknown',
  };
  validateNativeHistogram(h);
  return h;
}

/**
 * Dense OTel buckets as spans and deltas, `2^scaleDown` buckets merged into one, laid out as
 * Prometheus's `convertBucketsLayout` lays them out (so a histogram stored here is the one
 * Prometheus stores, span for span): the first span starts at the first bucket given, empty or not;
 * a run of more than two empty buckets starts a new span, a shorter one is written as empty buckets.
 */
function bucketLayout(
  { offset, counts }: ExponentialBuckets,
  scaleDown: number,
): { spans: BucketSpan[]; deltas: number[] } {
  if (counts.length === 0) return { spans: [], deltas: [] };
  // `>>` floors negative indexes as Go's does on int32; OTel bucket i is Prometheus bucket i + 1.
  const merged = (k: number) => ((offset + k) >> scaleDown) + 1;
  const spans: { offset: number; length: number }[] = [{ offset: merged(0), length: 0 }];
  const deltas: number[] = [];
  let previous = 0;
  const append = (count: number) => {
    spans[spans.length - 1]!.length++;
    deltas.push(count - previous);
    previous = count;
  };
  const close = (gap: number, count: number) => {
    if (gap > 2) spans.push({ offset: gap, length: 0 });
    else for (let j = 0; j < gap; j++) append(0);
    append(count);
  };
  let index = merged(0);
  let count = 0;
  for (let k = 0; k < counts.length; k++) {
    const next = merged(k);
    if (next === index) {
      count += counts[k]!;
      continue;
    }
    // Prometheus's quirk, kept: empty buckets before the first count are written through the gap.
    if (count === 0) {
      count = counts[k]!;
      continue;
    }
    close(next - index - 1, count);
    count = counts[k]!;
    index = next;
  }
  close(merged(counts.length - 1) - index, count);
  return { spans, deltas };
}

/**
 * Two delta points of one stream added into a running total (the OpenTelemetry Collector's
 * deltatocumulative processor does the same): at the coarser of the two scales, whose buckets each
 * hold `2^d` buckets of the finer one.
 */
export function addExponential(
  total: ExponentialHistogramPoint,
  delta: ExponentialHistogramPoint,
): ExponentialHistogramPoint {
  const scale = Math.min(total.scale, delta.scale);
  return {
    ...delta,
    count: total.count + delta.count,
    sum: total.sum === undefined && delta.sum === undefined ? undefined : (total.sum ?? 0) + (delta.sum ?? 0),
    scale,
    zeroCount: total.zeroCount + delta.zeroCount,
    positive: addBuckets(total.positive, total.scale - scale, delta.positive, delta.scale - scale),
    negative: addBuckets(total.negative, total.scale - scale, delta.negative, delta.scale - scale),
  };
}

function addBuckets(a: ExponentialBuckets, downA: number, b: ExponentialBuckets, downB: number) {
  const sums = new Map<number, number>();
  const add = ({ offset, counts }: ExponentialBuckets, down: number) => {
    for (let k = 0; k < counts.length; k++) {
      if (counts[k] === 0) continue;
      const i = (offset + k) >> down;
      sums.set(i, (sums.get(i) ?? 0) + counts[k]!);
    }
  };
  add(a, downA);
  add(b, downB);
  if (sums.size === 0) return { offset: 0, counts: [] };
  const indexes = [...sums.keys()];
  const low = Math.min(...indexes);
  const counts = new Array<number>(Math.max(...indexes) - low + 1).fill(0);
  for (const [i, c] of sums) counts[i - low] = c;
  return { offset: low, counts };
}
