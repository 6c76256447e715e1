import { describe, expect, it } from 'vitest';
import { addExponential, exponentialToNative } from '../../src/ingest/otlp-exponential.js';
import type { ExponentialHistogramPoint } from '../../src/ingest/otlp-request.js';

function point(
  scale: number,
  positive: { offset: number; counts: number[] },
  extra: Partial<ExponentialHistogramPoint> = {},
): ExponentialHistogramPoint {
  const count = positive.counts.reduce((a, b) => a + b, 0) + (extra.zeroCount ?? 0);
  return {
    attributes: [],
    startMs: 0,
    timeMs: 1,
    noValue: false,
    count,
    sum: 10,
    scale,
    zeroCount: 0,
    positive,
    negative: { offset: 0, counts: [] },
    ...extra,
  };
}

// Expected layouts are what Prometheus 3's convertBucketsLayout makes of the same buckets, worked by hand.
describe('OTLP exponential histogram to native histogram', () => {
  it('moves every OTel bucket index up by one: OTel i is (base^i, base^(i+1)], Prometheus i+1 the same range', () => {
    const h = exponentialToNative(point(3, { offset: 0, counts: [3, 5] }, { zeroCount: 2 }));
    expect(h).toMatchObject({
      schema: 3,
      count: 10,
      sum: 10,
      zeroCount: 2,
      zeroThreshold: 1e-128,
      counterResetHint: 'unknown',
      positiveSpans: [{ offset: 1, length: 2 }],
      positiveDeltas: [3, 2],
      negativeSpans: [],
      negativeDeltas: [],
    });
    // Negative offsets: OTel bucket -3 of scale 0 is (1/8, 1/4], Prometheus bucket -2 of schema 0.
    expect(exponentialToNative(point(0, { offset: -3, counts: [1] }))).toMatchObject({
      positiveSpans: [{ offset: -2, length: 1 }],
      positiveDeltas: [1],
    });
  });

  it('lays out spans as Prometheus does: runs of more than two empty buckets split spans, shorter runs and a trailing empty bucket stay', () => {
    expect(exponentialToNative(point(0, { offset: 0, counts: [3, 0, 0, 0, 0, 5] }))).toMatchObject({
      positiveSpans: [
        { offset: 1, length: 1 },
        { offset: 4, length: 1 },
      ],
      positiveDeltas: [3, 2],
    });
    expect(exponentialToNative(point(0, { offset: 0, counts: [3, 0, 0, 5] }))).toMatchObject({
      positiveSpans: [{ offset: 1, length: 4 }],
      positiveDeltas: [3, -3, 0, 5],
    });
    expect(exponentialToNative(point(0, { offset: 0, counts: [5, 0] }))).toMatchObject({
      positiveSpans: [{ offset: 1, length: 2 }],
      positiveDeltas: [5, -5],
    });
    // Leading empty buckets: an empty first span at the offset given, then the gap.
    expect(exponentialToNative(point(0, { offset: 0, counts: [0, 0, 0, 0, 5] }))).toMatchObject({
      positiveSpans: [
        { offset: 1, length: 0 },
        { offset: 4, length: 1 },
      ],
      positiveDeltas: [5],
    });
  });

  it('merges 2^(scale-8) buckets into one above scale 8, flooring negative indexes', () => {
    // Scale 10: OTel buckets -5..-1 are, at schema 8, buckets -2, -1, -1, -1, -1; Prometheus -1 and 0.
    const h = exponentialToNative(point(10, { offset: -5, counts: [1, 1, 1, 1, 1] }));
    expect(h).toMatchObject({
      schema: 8,
      positiveSpans: [{ offset: -1, length: 2 }],
      positiveDeltas: [1, 3],
    });
    // Scale 20 (the OpenTelemetry SDK's start): 4096 buckets to one.
    const fine = exponentialToNative(point(20, { offset: 4095, counts: [2, 3] }));
    expect(fine).toMatchObject({
      schema: 8,
      positiveSpans: [{ offset: 1, length: 2 }],
      positiveDeltas: [2, 1],
    });
  });

  it('refuses a scale below -4 and a point whose buckets do not add up to its count, naming why', () => {
    expect(() => exponentialToNative(point(-5, { offset: 0, counts: [1] }))).toThrow(
      /scale -5 is below -4, the coarsest native histogram schema/,
    );
    expect(() => exponentialToNative(point(0, { offset: 0, counts: [1, 2] }, { count: 4 }))).toThrow(
      /the buckets hold 3 observations but count is 4/,
    );
  });

  it('adds delta points at the coarser of their scales', () => {
    const total = addExponential(
      point(2, { offset: 0, counts: [1, 1] }, { zeroCount: 1, sum: 1 }),
      point(1, { offset: -1, counts: [2, 0, 4] }, { sum: 2 }),
    );
    // At scale 1: OTel 0 and 1 of scale 2 are bucket 0; -1 stays -1; 1 stays 1.
    expect(total).toMatchObject({
      scale: 1,
      count: 9,
      sum: 3,
      zeroCount: 1,
      positive: { offset: -1, counts: [2, 2, 4] },
    });
    expect(exponentialToNative(total)).toMatchObject({
      schema: 1,
      positiveSpans: [{ offset: 0, length: 3 }],
      positiveDeltas: [2, 0, 2],
    });
  });
});
