import { nativeHistogramOf, type QuantileSketch, type SketchData } from '@vigil/metrics';
import type { BucketSpan, IntNativeHistogram } from '../store/native-histogram.js';

/**
 * A library sketch (cumulative) as the native histogram sample the library's protobuf exposition
 * would carry for it, at the bucket limit given (the library's default otherwise).
 */
export function sketchNative(sketch: QuantileSketch | SketchData, bucketLimit?: number): IntNativeHistogram {
  const h = nativeHistogramOf(sketch, bucketLimit);
  const spans = (flat: readonly number[]) => {
    const out: BucketSpan[] = [];
    for (let i = 0; i < flat.length; i += 2) out.push({ offset: flat[i]!, length: flat[i + 1]! });
    return out;
  };
  return {
    kind: 'int',
    schema: h.schema,
    zeroThreshold: h.zeroThreshold,
    zeroCount: h.zeroCount,
    count: h.count,
    sum: h.sum,
    positiveSpans: spans(h.positive.spans),
    positiveDeltas: h.positive.deltas,
    negativeSpans: spans(h.negative.spans),
    negativeDeltas: h.negative.deltas,
    counterResetHint: 'unknown',
  };
}
