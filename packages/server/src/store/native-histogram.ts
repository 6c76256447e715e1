import { ServerError } from '../errors/server-error.js';

/**
 * A native histogram sample, in Prometheus's model (model/histogram: `Histogram` and
 * `FloatHistogram`). Bucket `i` of schema `s` covers `(base^(i-1), base^i]` with `base = 2^(2^-s)`
 * on the positive side and the mirror image on the negative side; the zero bucket covers
 * `[-zeroThreshold, zeroThreshold]`. Buckets are listed as spans: the first span's offset is the index
 * of its first bucket, every later span's offset is the number of empty buckets since the previous
 * span ended.
 *
 * An integer histogram (`kind: 'int'`) carries its bucket counts as deltas, the first bucket's count
 * then each one's difference to the previous, as the protobuf exposition and remote write send them;
 * a float histogram (`kind: 'float'`) carries absolute counts (results of `rate`, remote-written float
 * histograms). Counts are JS numbers: integers are exact up to 2^53.
 */
export type NativeHistogram = IntNativeHistogram | FloatNativeHistogram;

export interface IntNativeHistogram extends NativeHistogramShape {
  readonly kind: 'int';
  /** The count of each bucket, as a delta to the previous bucket of the same sign (the first: to 0). */
  readonly positiveDeltas: readonly number[];
  readonly negativeDeltas: readonly number[];
}

export interface FloatNativeHistogram extends NativeHistogramShape {
  readonly kind: 'float';
  /** The absolute count of each bucket. */
  readonly positiveCounts: readonly number[];
  readonly negativeCounts: readonly number[];
}

interface NativeHistogramShape {
  /** −4…8: `base = 2^(2^-schema)`. */
  readonly schema: number;
  readonly zeroThreshold: number;
  readonly zeroCount: number;
  /** Observations in total, NaN observations included (those are in no bucket). */
  readonly count: number;
  readonly sum: number;
  readonly positiveSpans: readonly BucketSpan[];
  readonly negativeSpans: readonly BucketSpan[];
  readonly counterResetHint: CounterResetHint;
}

export interface BucketSpan {
  readonly offset: number;
  readonly length: number;
}

/**
 * Prometheus's `CounterResetHint`, numbered as in remote write's `Histogram.ResetHint`
 * (0 unknown, 1 yes, 2 no, 3 gauge): whether the histogram is known to follow a counter reset.
 */
export type CounterResetHint = 'unknown' | 'reset' | 'not_reset' | 'gauge';
export const COUNTER_RESET_HINTS: readonly CounterResetHint[] = ['unknown', 'reset', 'not_reset', 'gauge'];

export const MIN_SCHEMA = -4;
export const MAX_SCHEMA = 8;

/** A histogram that breaks the model: the message names the field and the value. */
export class NativeHistogramError extends ServerError {
  constructor(message: string) {
    super('VIGIL_INGEST_BAD_HISTOGRAM', message);
    this.name = 'NativeHistogramError';
  }
}

/**
 * Throws `NativeHistogramError` unless `h` is a histogram Prometheus would accept (its
 * `Histogram.Validate`), with two additions: counts must be finite (Prometheus lets a NaN bucket
 * count of a float histogram through; nothing can be computed from one) and a float histogram's
 * buckets may not hold more than its count beyond rounding. The sum may be NaN: a NaN observation
 * makes it so, and Prometheus's staleness marker is a histogram whose sum is a NaN.
 */
export function validateNativeHistogram(h: NativeHistogram): void {
  if (!Number.isInteger(h.schema) || h.schema < MIN_SCHEMA || h.schema > MAX_SCHEMA) {
    fail(`schema ${h.schema} is out of range: native histograms have schemas ${MIN_SCHEMA} to ${MAX_SCHEMA}`);
  }
  if (!(h.zeroThreshold >= 0) || h.zeroThreshold === Number.POSITIVE_INFINITY) {
    fail(`zero threshold ${h.zeroThreshold} is not a finite number ≥ 0`);
  }
  if (!COUNTER_RESET_HINTS.includes(h.counterResetHint)) {
    fail(`counter reset hint ${String(h.counterResetHint)} is not one of ${COUNTER_RESET_HINTS.join(', ')}`);
  }
  checkCount('count', h.count, h.kind);
  checkCount('zero count', h.zeroCount, h.kind);
  if (typeof h.sum !== 'number') fail(`sum ${String(h.sum)} is not a number`);
  const positive = h.kind === 'int' ? h.positiveDeltas : h.positiveCounts;
  const negative = h.kind === 'int' ? h.negativeDeltas : h.negativeCounts;
  checkSpans('positive', h.positiveSpans, positive.length);
  checkSpans('negative', h.negativeSpans, negative.length);
  const inBuckets =
    h.zeroCount +
    (h.kind === 'int'
      ? sumDeltas('positive', positive) + sumDeltas('negative', negative)
      : sumCounts('positive', positive) + sumCounts('negative', negative));
  if (h.kind === 'int') {
    // As Prometheus: NaN observations are counted but in no bucket, and only a NaN sum says there were some.
    if (Number.isNaN(h.sum) ? inBuckets > h.count : inBuckets !== h.count) {
      fail(`the buckets hold ${inBuckets} observations but count is ${h.count}`);
    }
  } else if (inBuckets > h.count * (1 + 1e-9) + 1e-9 && !Number.isNaN(h.sum)) {
    fail(`the buckets hold ${inBuckets} observations, more than count ${h.count}`);
  }
}

function checkCount(what: string, n: number, kind: NativeHistogram['kind']): void {
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || (kind === 'int' && !Number.isInteger(n))) {
    fail(`${what} ${n} is not a finite ${kind === 'int' ? 'integer' : 'number'} ≥ 0`);
  }
}

function checkSpans(side: string, spans: readonly BucketSpan[], buckets: number): void {
  let needed = 0;
  for (let i = 0; i < spans.length; i++) {
    const { offset, length } = spans[i]!;
    if (!Number.isInteger(offset) || (i > 0 && offset < 0)) {
      fail(
        `${side} span ${i} has offset ${offset}: ${i > 0 ? 'spans after the first need an integer offset ≥ 0' : 'not an integer'}`,
      );
    }
    if (!Number.isInteger(length) || length < 0)
      fail(`${side} span ${i} has length ${length}: not an integer ≥ 0`);
    needed += length;
  }
  if (needed !== buckets) {
    fail(`${side} spans cover ${needed} buckets but ${buckets} bucket counts are given`);
  }
}

function sumDeltas(side: string, deltas: readonly number[]): number {
  let count = 0;
  let total = 0;
  for (let i = 0; i < deltas.length; i++) {
    const d = deltas[i]!;
    if (!Number.isInteger(d)) fail(`${side} bucket delta ${i} is ${d}, not an integer`);
    count += d;
    if (count < 0) fail(`${side} bucket ${i} has a negative count (${count})`);
    total += count;
  }
  return total;
}

function sumCounts(side: string, counts: readonly number[]): number {
  let total = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (!Number.isFinite(c) || c < 0) fail(`${side} bucket ${i} has count ${c}, not a finite number ≥ 0`);
    total += c;
  }
  return total;
}

function fail(message: string): never {
  throw new NativeHistogramError(`invalid native histogram: ${message}`);
}

/** The same histogram with absolute float counts, as PromQL computes on them. */
export function toFloatHistogram(h: NativeHistogram): FloatNativeHistogram {
  if (h.kind === 'float') return h;
  return {
    kind: 'float',
    schema: h.schema,
    zeroThreshold: h.zeroThreshold,
    zeroCount: h.zeroCount,
    count: h.count,
    sum: h.sum,
    positiveSpans: h.positiveSpans,
    negativeSpans: h.negativeSpans,
    positiveCounts: deltasToCounts(h.positiveDeltas),
    negativeCounts: deltasToCounts(h.negativeDeltas),
    counterResetHint: h.counterResetHint,
  };
}

function deltasToCounts(deltas: readonly number[]): number[] {
  const counts = new Array<number>(deltas.length);
  let c = 0;
  for (let i = 0; i < deltas.length; i++) counts[i] = c += deltas[i]!;
  return counts;
}

/**
 * Calls `visit(index, count)` for every bucket of one side, in ascending index order, empty buckets
 * inside spans included.
 */
export function forEachBucket(
  spans: readonly BucketSpan[],
  counts: readonly number[],
  visit: (index: number, count: number) => void,
): void {
  let index = 0;
  let at = 0;
  for (let s = 0; s < spans.length; s++) {
    const span = spans[s]!;
    index += span.offset;
    for (let j = 0; j < span.length; j++) visit(index++, counts[at++]!);
  }
}
