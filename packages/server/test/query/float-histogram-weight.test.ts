import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FloatHistogram } from '../../src/query/float-histogram.js';
import type { NativeHistogram } from '../../src/store/native-histogram.js';

/**
 * One side's spans as a valid sample has them (the first anywhere, the others after a gap of zero or
 * more; zero-length ones included) and as many counts as they cover.
 */
const side = fc
  .array(fc.record({ offset: fc.integer({ min: 0, max: 6 }), length: fc.integer({ min: 0, max: 5 }) }), {
    maxLength: 5,
  })
  .chain((spans) => {
    const first = spans[0];
    const shifted = first ? [{ ...first, offset: first.offset * 10 - 30 }, ...spans.slice(1)] : spans;
    const n = spans.reduce((a, s) => a + s.length, 0);
    return fc.tuple(
      fc.constant(shifted),
      fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }),
    );
  });

const native: fc.Arbitrary<NativeHistogram> = fc
  .record({ int: fc.boolean(), positive: side, negative: side })
  .map(({ int, positive: [positiveSpans, p], negative: [negativeSpans, n] }) => {
    const base = {
      schema: 3,
      zeroThreshold: 0.001,
      zeroCount: 0,
      count: 100,
      sum: 1,
      positiveSpans,
      negativeSpans,
      counterResetHint: 'unknown' as const,
    };
    return int
      ? { ...base, kind: 'int', positiveDeltas: p, negativeDeltas: n }
      : { ...base, kind: 'float', positiveCounts: p, negativeCounts: n };
  }) as fc.Arbitrary<NativeHistogram>;

describe('FloatHistogram.weightOf', () => {
  it('is the weight of the histogram made from the same sample, without making it', () => {
    fc.assert(
      fc.property(native, (h) => {
        expect(FloatHistogram.weightOf(h)).toBe(FloatHistogram.of(h).weight);
      }),
      { numRuns: 500 },
    );
  });
});
