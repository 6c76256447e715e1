import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pacedSort } from '../../src/store/paced-sort.js';
import { Pacer } from '../../src/store/pacer.js';

describe('pacedSort', () => {
  it('orders as Array.prototype.sort does, equal items kept in their order, across runs and merges', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 5000 }), async (keys) => {
        const items = keys.map((key, at) => ({ key, at }));
        const expected = [...items].sort((a, b) => a.key - b.key);
        const sorted = await pacedSort(items, (a, b) => a.key - b.key, new Pacer(() => {}));
        expect(sorted).toEqual(expected);
      }),
      { numRuns: 40 },
    );
  });

  it('hands the event loop back while sorting and stops when the check throws', async () => {
    const items = Array.from({ length: 200_000 }, (_, i) => `${(i * 7919) % 200_000}`);
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 0);
    const sorting = pacedSort(
      items,
      (a, b) => (a < b ? -1 : a > b ? 1 : 0),
      new Pacer(() => {
        if (ticks > 0) throw new Error('stopped');
      }),
    );
    await expect(sorting).rejects.toThrow('stopped');
    clearInterval(ticker);
  });
});
