import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketIndex, MIN_NORMAL } from '../../src/sketch/bucket-index.js';
import { nativeBucketBound, nativeBucketIndex, SCHEMA_8_FRACTIONS } from '../../src/sketch/native-buckets.js';

/** Neighbours of x: the doubles one and two ulps either side. */
function around(x: number): number[] {
  const f = new Float64Array([x]);
  const b = new BigInt64Array(f.buffer);
  const out: number[] = [];
  for (const d of [-2n, -1n, 0n, 1n, 2n]) {
    const g = new BigInt64Array([b[0]! + d]);
    out.push(new Float64Array(g.buffer)[0]!);
  }
  return out;
}

describe('native histogram buckets', () => {
  it("holds Prometheus's schema-6 boundaries exactly, a few ulps off 2 ** (j/64)", () => {
    // Spot checks against client_golang's nativeHistogramBounds[6] literals.
    expect(SCHEMA_8_FRACTIONS[4 * 32]).toBe(0.7071067811865475);
    expect(SCHEMA_8_FRACTIONS[4 * 6]).toBe(0.5335702003384117);
    expect(SCHEMA_8_FRACTIONS[4 * 63]).toBe(0.9892280131939752);
    expect(2 ** (32 / 64) / 2).not.toBe(0.7071067811865475);
  });

  it('puts every boundary in the bucket it closes and its next double in the bucket above, at every schema', () => {
    const wrong: string[] = [];
    for (let schema = -4; schema <= 8; schema++) {
      // Indexes whose bounds are normal doubles.
      const last = Math.min(300, Math.floor(1000 * 2 ** schema));
      for (let index = -last; index <= last; index++) {
        const bound = nativeBucketBound(index, schema);
        const [, below, at, above] = around(bound);
        const got = [below!, at!, above!].map((v) => nativeBucketIndex(v, schema));
        if (got.join() !== [index, index, index + 1].join())
          wrong.push(`schema ${schema} index ${index}: ${got}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("gives the sketch's bucket k as Prometheus's bucket k + 1 at schema 6, boundaries and their neighbours included", () => {
    const wrong: number[] = [];
    const check = (v: number) => {
      if (bucketIndex(v) + 1 !== nativeBucketIndex(v, 6)) wrong.push(v);
    };
    for (let index = -64 * 40; index <= 64 * 40; index++)
      for (const v of around(nativeBucketBound(index, 6))) check(v);
    // Integers (token counts) and powers of two.
    for (let n = 1; n <= 20_000; n++) check(n);
    for (let e = -1022; e <= 1023; e++) check(2 ** e);
    expect(wrong).toEqual([]);
  });

  it('agrees with the formula on any normal double, and after downscaling by any n (k >> n is bucket (k >> n) + 1)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: MIN_NORMAL, max: 1.7e308, noNaN: true }),
        fc.integer({ min: 0, max: 10 }),
        (v, n) => {
          const k = bucketIndex(v);
          expect(k + 1).toBe(nativeBucketIndex(v, 6));
          expect((k >> n) + 1).toBe(nativeBucketIndex(v, 6 - n));
        },
      ),
      { numRuns: 5000 },
    );
  });
});
