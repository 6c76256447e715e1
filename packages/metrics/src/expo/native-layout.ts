import { DEFAULT_NATIVE_BUCKET_LIMIT, NATIVE_ZERO_THRESHOLD } from '../core/histogram.js';
import type { BucketData, SketchData } from '../core/snapshot.js';

/** One side of a native histogram as the protobuf exposition writes it. */
export interface NativeSide {
  /** Offset and length pairs, flattened: [offset0, length0, offset1, length1, ...]. */
  readonly spans: number[];
  /** The first bucket's count, then each bucket's difference to the previous one. */
  readonly deltas: number[];
}

export interface NativeLayout {
  readonly schema: number;
  readonly positive: NativeSide;
  readonly negative: NativeSide;
}

/** A sketch as one native histogram sample, the way the protobuf exposition publishes it. */
export interface NativeHistogramData extends NativeLayout {
  readonly count: number;
  readonly sum: number;
  readonly zeroThreshold: number;
  readonly zeroCount: number;
}

/**
 * The native histogram of a sketch, for code that publishes it in another format than the
 * protobuf exposition (the server aggregating StatsD timers): the buckets of `nativeLayout`, the
 * zero bucket of the library's histograms.
 */
export function nativeHistogramOf(
  sketch: SketchData,
  bucketLimit: number = DEFAULT_NATIVE_BUCKET_LIMIT,
): NativeHistogramData {
  return {
    ...nativeLayout(sketch, bucketLimit),
    count: sketch.count,
    sum: sketch.sum,
    zeroThreshold: NATIVE_ZERO_THRESHOLD,
    zeroCount: sketch.zeroCount,
  };
}

/** Prometheus's lowest schema: base 2^16. */
const MIN_SCHEMA = -4;
/** Up to this many empty buckets between two filled ones cost less as zero deltas than as a new span. */
const MAX_GAP = 2;

/**
 * Lays a sketch out as Prometheus native histogram buckets. The sketch's bucket k at scale s covers
 * (2^(k/2^s), 2^((k+1)/2^s)], which is Prometheus's bucket k + 1 at schema s (see bucket-index.ts).
 * When the layout needs more than `bucketLimit` buckets (counted as Prometheus counts them, empty
 * buckets inside spans included), the schema drops one step at a time, merging neighbours, as
 * Prometheus's `native_histogram_bucket_limit` does, down to schema −4.
 */
export function nativeLayout(sketch: SketchData, bucketLimit: number): NativeLayout {
  for (let by = 0; ; by++) {
    const schema = sketch.scale - by;
    const positive = sideOf(sketch.positive, by);
    const negative = sketch.negative ? sideOf(sketch.negative, by) : EMPTY_SIDE;
    if (positive.deltas.length + negative.deltas.length <= bucketLimit || schema <= MIN_SCHEMA) {
      return { schema, positive, negative };
    }
  }
}

const EMPTY_SIDE: NativeSide = { spans: [], deltas: [] };

function sideOf(data: BucketData, by: number): NativeSide {
  const spans: number[] = [];
  const deltas: number[] = [];
  const { offset, counts } = data;
  const n = counts.length;
  let previous = 0;
  // The Prometheus index of the last bucket written; NaN before the first.
  let last = Number.NaN;
  let i = 0;
  // One plain loop, no closure: this runs for every histogram on every protobuf scrape.
  while (i < n) {
    let count = counts[i]!;
    if (count === 0) {
      i++;
      continue;
    }
    const index = ((offset + i) >> by) + 1;
    for (i++; i < n && ((offset + i) >> by) + 1 === index; i++) count += counts[i]!;
    const gap = index - last - 1;
    if (Number.isNaN(last)) spans.push(index, 1);
    else if (gap > MAX_GAP) spans.push(gap, 1);
    else {
      for (let g = 0; g < gap; g++) {
        // `0 - previous`, not `-previous`: an empty bucket after another is 0, never -0.
        deltas.push(0 - previous);
        previous = 0;
      }
      spans[spans.length - 1]! += gap + 1;
    }
    deltas.push(count - previous);
    previous = count;
    last = index;
  }
  return { spans, deltas };
}
