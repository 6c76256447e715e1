import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FloatHistogram } from '../../src/query/float-histogram.js';
import { HistogramSum } from '../../src/query/histogram-sum.js';

/** A float histogram of a few buckets per side, from a handful of schemas and zero buckets. */
const histogram: fc.Arbitrary<FloatHistogram> = fc
  .record({
    schema: fc.integer({ min: 0, max: 3 }),
    zeroThreshold: fc.constantFrom(0.001, 0.01),
    zeroCount: fc.integer({ min: 0, max: 20 }),
    sum: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
    positive: fc.array(fc.tuple(fc.integer({ min: -40, max: 40 }), fc.integer({ min: 0, max: 50 })), {
      maxLength: 8,
    }),
    negative: fc.array(fc.tuple(fc.integer({ min: -40, max: 40 }), fc.integer({ min: 0, max: 50 })), {
      maxLength: 3,
    }),
  })
  .map(({ schema, zeroThreshold, zeroCount, sum, positive, negative }) => {
    let count = zeroCount;
    for (const [, c] of [...positive, ...negative]) count += c;
    return FloatHistogram.fromBuckets(schema, zeroThreshold, zeroCount, count, sum, positive, negative);
  });

describe('HistogramSum', () => {
  it('adds (h - minus) * k in place exactly as plus(h.minus(minus).times(k)), across schemas and zero buckets', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            histogram,
            fc.option(histogram, { nil: undefined }),
            fc.double({ min: 0.001, max: 10, noNaN: true }),
          ),
          { minLength: 1, maxLength: 8 },
        ),
        (terms) => {
          const sum = new HistogramSum();
          let expected: FloatHistogram | undefined;
          for (const [h, minus, k] of terms) {
            sum.add(h, k, minus);
            const term = (minus ? h.minus(minus) : h).times(k);
            expected = expected ? expected.plus(term) : term;
          }
          const got = sum.result();
          expect(got.equals(expected!), `${JSON.stringify(got)} vs ${JSON.stringify(expected)}`).toBe(true);
          expect(got.counterResetHint).toBe('gauge');
        },
      ),
      { numRuns: 500 },
    );
  });
});
