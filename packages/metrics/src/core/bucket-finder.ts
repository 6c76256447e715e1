import { bucketIndex, MIN_NORMAL } from '../sketch/bucket-index.js';

/**
 * Finds the classic bucket of a value from the sketch bucket index the histogram computes anyway, so
 * `observe` pays for one table read and one comparison instead of a binary search whose branches the
 * CPU cannot predict on real latencies.
 *
 * TABLE[k - first] counts the bounds whose sketch bucket is below k: all of them are below the value.
 * At most one more bound can share the value's sketch bucket (the layout is checked for that), so
 * one comparison with it settles the answer. bucketIndex is monotonic, which keeps this exact even
 * where it rounds a value into a neighbouring sketch bucket. Bounds that are not all positive, that
 * share a sketch bucket (closer than 1.09%), or that span more than 2^64 use the binary search.
 */
export class BucketFinder {
  readonly #bounds: Float64Array;
  readonly #table: Uint16Array | undefined;
  readonly #first: number;

  constructor(bounds: Float64Array) {
    this.#bounds = bounds;
    const indexes = Array.from(bounds, (b) => (b >= MIN_NORMAL ? bucketIndex(b) : Number.NaN));
    const distinct = indexes.every((k, i) => !Number.isNaN(k) && (i === 0 || k > indexes[i - 1]!));
    const first = indexes[0] ?? 0;
    const span = (indexes[indexes.length - 1] ?? 0) - first + 1;
    this.#first = first;
    if (!distinct || span > 64 * 64 || bounds.length >= 0xffff) return;
    const table = new Uint16Array(span);
    for (let k = 0, below = 0; k < span; k++) {
      while (below < indexes.length && indexes[below]! < first + k) below++;
      table[k] = below;
    }
    this.#table = table;
  }

  /** Bucket of a positive normal value whose sketch bucket index is `index`. */
  find(value: number, index: number): number {
    const table = this.#table;
    if (table === undefined) return this.search(value);
    const k = index - this.#first;
    let c = k < 0 ? 0 : k >= table.length ? this.#bounds.length : table[k]!;
    if (c < this.#bounds.length && value > this.#bounds[c]!) c++;
    return c;
  }

  /** Bucket of any finite value: the first bound >= value, or the +Inf bucket. */
  search(value: number): number {
    const bounds = this.#bounds;
    let lo = 0;
    let hi = bounds.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (value <= bounds[mid]!) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
