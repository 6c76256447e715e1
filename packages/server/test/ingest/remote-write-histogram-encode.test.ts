import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeRemoteWrite, encodeRemoteWrite } from '../../src/ingest/remote-write.js';
import type { BucketSpan, NativeHistogram } from '../../src/store/native-histogram.js';
import type { SeriesHistograms } from '../../src/store/series-store.js';

/** Spans whose buckets hold `counts`, the first at any offset, the others after a gap. */
const spansArbitrary = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 4 })), { maxLength: 4 })
  .chain((shape) =>
    fc.tuple(
      fc.constant(shape),
      fc.integer({ min: -300, max: 300 }),
      fc.array(fc.integer({ min: 0, max: 1_000_000 }), {
        minLength: shape.reduce((n, [, l]) => n + l, 0),
        maxLength: shape.reduce((n, [, l]) => n + l, 0),
      }),
    ),
  )
  .map(([shape, first, counts]) => ({
    spans: shape.map(([gap, length], i): BucketSpan => ({ offset: i === 0 ? first : gap, length })),
    counts,
  }));

const deltas = (counts: readonly number[]) => counts.map((c, i) => c - (i === 0 ? 0 : counts[i - 1]!));

const histogramArbitrary: fc.Arbitrary<NativeHistogram> = fc
  .record({
    float: fc.boolean(),
    schema: fc.integer({ min: -4, max: 8 }),
    zeroThreshold: fc.constantFrom(0, 1e-128, 2.2250738585072014e-308, 0.001),
    zeroCount: fc.integer({ min: 0, max: 1000 }),
    sum: fc.double({ noNaN: true }),
    positive: spansArbitrary,
    negative: spansArbitrary,
    hint: fc.constantFrom('unknown', 'reset', 'not_reset', 'gauge'),
  })
  .map((r): NativeHistogram => {
    const count =
      r.zeroCount +
      r.positive.counts.reduce((a, b) => a + b, 0) +
      r.negative.counts.reduce((a, b) => a + b, 0);
    const shape = {
      schema: r.schema,
      zeroThreshold: r.zeroThreshold,
      zeroCount: r.zeroCount,
      count,
      sum: r.sum,
      positiveSpans: r.positive.spans,
      negativeSpans: r.negative.spans,
      counterResetHint: r.hint,
    } as const;
    return r.float
      ? { kind: 'float', ...shape, positiveCounts: r.positive.counts, negativeCounts: r.negative.counts }
      : {
          kind: 'int',
          ...shape,
          positiveDeltas: deltas(r.positive.counts),
          negativeDeltas: deltas(r.negative.counts),
        };
  });

describe('remote write of native histograms (TimeSeries.histograms)', () => {
  it('decode(encode(x)) gives every histogram back, field for field, beside float series', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            name: fc.constantFrom('a', 'b_seconds', 'c'),
            histograms: fc.array(histogramArbitrary, { minLength: 1, maxLength: 3 }),
          }),
          { maxLength: 4 },
        ),
        (input) => {
          const series: SeriesHistograms[] = input.map((s, i) => ({
            labels: { __name__: s.name, i: String(i) },
            timestamps: s.histograms.map((_, j) => 1_700_000_000_000 + j * 15_000),
            histograms: s.histograms,
          }));
          const floats = [{ labels: { __name__: 'up' }, timestamps: [1], values: Float64Array.of(1) }];
          const decoded = decodeRemoteWrite(encodeRemoteWrite(floats, series));
          expect(decoded.series.map((s) => s.labels)).toEqual([{ __name__: 'up' }]);
          expect(decoded.histogramSeries.map((s) => s.labels)).toEqual(series.map((s) => s.labels));
          decoded.histogramSeries.forEach((s, i) => {
            expect([...s.timestamps]).toEqual(series[i]!.timestamps);
            expect(s.histograms).toEqual(series[i]!.histograms);
          });
        },
      ),
      { numRuns: 150 },
    );
  }, 30_000);

  it('keeps the bits of a staleness marker sum', () => {
    const stale = new Float64Array(1);
    new BigUint64Array(stale.buffer)[0] = 0x7ff0000000000002n;
    const h: NativeHistogram = {
      kind: 'int',
      schema: 3,
      zeroThreshold: 0,
      zeroCount: 0,
      count: 0,
      sum: stale[0]!,
      positiveSpans: [],
      negativeSpans: [],
      positiveDeltas: [],
      negativeDeltas: [],
      counterResetHint: 'unknown',
    };
    const [back] = decodeRemoteWrite(
      encodeRemoteWrite([], [{ labels: { __name__: 'h' }, timestamps: [5], histograms: [h] }]),
    ).histogramSeries;
    const bits = new BigUint64Array(Float64Array.of(back!.histograms[0]!.sum).buffer)[0];
    expect(bits).toBe(0x7ff0000000000002n);
  });
});
