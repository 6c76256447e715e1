import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type FloatNativeHistogram,
  forEachBucket,
  type IntNativeHistogram,
  NativeHistogramError,
  toFloatHistogram,
  validateNativeHistogram,
} from '../../src/store/native-histogram.js';
import { example } from './fixtures/native-histogram-example.js';

function message(h: unknown): string {
  try {
    validateNativeHistogram(h as IntNativeHistogram);
  } catch (e) {
    expect(e).toBeInstanceOf(NativeHistogramError);
    return (e as Error).message;
  }
  throw new Error('accepted');
}

describe('native histogram', () => {
  it('accepts a well-formed integer histogram and lists its buckets by index', () => {
    expect(() => validateNativeHistogram(example)).not.toThrow();
    const seen: [number, number][] = [];
    const float = toFloatHistogram(example);
    forEachBucket(float.positiveSpans, float.positiveCounts, (i, c) => seen.push([i, c]));
    expect(seen).toEqual([
      [0, 2],
      [1, 1],
      [4, 3],
      [5, 2],
      [6, 1],
    ]);
    expect(float.negativeCounts).toEqual([3]);
    expect(() => validateNativeHistogram(float)).not.toThrow();
  });

  it('rejects schemas out of range, naming the schema', () => {
    expect(message({ ...example, schema: 9 })).toMatch(/schema 9 is out of range/);
    expect(message({ ...example, schema: -5 })).toMatch(/schema -5/);
    expect(message({ ...example, schema: 1.5 })).toMatch(/schema 1.5/);
  });

  it('rejects spans that overrun or fall short of the buckets', () => {
    expect(message({ ...example, positiveSpans: [{ offset: 0, length: 6 }] })).toMatch(
      /positive spans cover 6 buckets but 5 bucket counts are given/,
    );
    expect(message({ ...example, negativeSpans: [] })).toMatch(/negative spans cover 0 buckets but 1/);
    expect(
      message({
        ...example,
        positiveSpans: [
          { offset: 0, length: 2 },
          { offset: -1, length: 3 },
        ],
      }),
    ).toMatch(/positive span 1 has offset -1/);
  });

  it('rejects negative and non-finite counts', () => {
    expect(message({ ...example, positiveDeltas: [2, -3, 2, -1, -1] })).toMatch(
      /positive bucket 1 has a negative count/,
    );
    expect(message({ ...example, zeroCount: -1 })).toMatch(/zero count -1/);
    expect(message({ ...example, count: Number.NaN })).toMatch(/count NaN/);
    const float = toFloatHistogram(example);
    expect(message({ ...float, positiveCounts: [2, Number.NaN, 3, 2, 1] })).toMatch(
      /positive bucket 1 has count NaN/,
    );
    expect(message({ ...float, negativeCounts: [-3] })).toMatch(/negative bucket 0 has count -3/);
    expect(message({ ...example, zeroThreshold: Number.NaN })).toMatch(/zero threshold NaN/);
  });

  it('rejects a count that disagrees with the buckets, unless NaN observations explain the difference', () => {
    expect(message({ ...example, count: 13 })).toMatch(/buckets hold 14 observations but count is 13/);
    expect(message({ ...example, count: 15 })).toMatch(/count is 15/);
    expect(() => validateNativeHistogram({ ...example, count: 15, sum: Number.NaN })).not.toThrow();
    expect(message({ ...example, count: 13, sum: Number.NaN })).toMatch(/count is 13/);
  });

  it('accepts whatever a sketch-like generator makes, in both forms', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -4, max: 8 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.array(fc.nat(1000), { maxLength: 8 })), {
          maxLength: 5,
        }),
        fc.nat(100),
        (schema, runs, zeroCount) => {
          const positiveSpans = runs.map(([gap, counts], i) => ({
            offset: i === 0 ? gap - 10 : gap,
            length: counts.length,
          }));
          const counts = runs.flatMap(([, c]) => c);
          const positiveDeltas = counts.map((c, i) => c - (i > 0 ? counts[i - 1]! : 0));
          const h: IntNativeHistogram = {
            ...example,
            schema,
            zeroCount,
            count: zeroCount + counts.reduce((a, b) => a + b, 0) + 3,
            positiveSpans,
            positiveDeltas,
          };
          validateNativeHistogram(h);
          const f: FloatNativeHistogram = toFloatHistogram(h);
          expect(f.positiveCounts).toEqual(counts);
          validateNativeHistogram(f);
        },
      ),
    );
  });
});
