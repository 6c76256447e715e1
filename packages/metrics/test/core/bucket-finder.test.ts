import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BucketFinder } from '../../src/core/bucket-finder.js';
import { bucketIndex, MIN_NORMAL } from '../../src/sketch/bucket-index.js';

function reference(bounds: readonly number[], value: number): number {
  const i = bounds.findIndex((b) => value <= b);
  return i < 0 ? bounds.length : i;
}

const boundsArb = fc
  .uniqueArray(fc.double({ min: 1e-9, max: 1e9, noNaN: true }), { minLength: 1, maxLength: 40 })
  .map((a) => a.sort((x, y) => x - y));

describe('BucketFinder', () => {
  it('agrees with a linear search for any bounds and value, on the table path and the fallback', () => {
    fc.assert(
      fc.property(boundsArb, fc.double({ min: -1e10, max: 1e10, noNaN: true }), (bounds, value) => {
        const finder = new BucketFinder(Float64Array.from(bounds));
        const found = value >= MIN_NORMAL ? finder.find(value, bucketIndex(value)) : finder.search(value);
        expect(found).toBe(reference(bounds, value));
      }),
      { numRuns: 2000 },
    );
  });

  it('puts values exactly on a bound in that bound (le means <=), as Prometheus does', () => {
    const bounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    const finder = new BucketFinder(Float64Array.from(bounds));
    bounds.forEach((b, i) => {
      expect(finder.find(b, bucketIndex(b))).toBe(i);
      const above = b * (1 + 1e-15);
      expect(finder.find(above, bucketIndex(above))).toBe(i + 1);
    });
  });
});
