import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BucketStore } from '../../src/sketch/bucket-store.js';

describe('BucketStore', () => {
  it('holds exactly the counts added, in any order of indexes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -3000, max: 3000 }), { minLength: 1, maxLength: 300 }),
        (indexes) => {
          const store = new BucketStore();
          const expected = new Map<number, number>();
          for (const i of indexes) {
            store.add(i, 1);
            expected.set(i, (expected.get(i) ?? 0) + 1);
          }
          expect(store.min).toBe(Math.min(...indexes));
          expect(store.max).toBe(Math.max(...indexes));
          const held: number[] = [];
          const wanted: number[] = [];
          for (let i = store.min; i <= store.max; i++) {
            held.push(store.counts[i - store.offset]!);
            wanted.push(expected.get(i) ?? 0);
          }
          expect(held).toEqual(wanted);
        },
      ),
    );
  });

  it('merges neighbours when downscaled, flooring negative indexes too', () => {
    const store = new BucketStore();
    for (const i of [-3, -2, -1, 0, 1, 2, 3]) store.add(i, 1);
    store.downscale(1);
    expect([store.min, store.max]).toEqual([-2, 1]);
    expect(Array.from(store.counts.subarray(store.min - store.offset, store.max - store.offset + 1))).toEqual(
      [1, 2, 2, 2],
    );
  });
});
