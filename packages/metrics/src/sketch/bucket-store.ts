/**
 * Dense counts for a contiguous run of bucket indexes, grown on demand. Counts start as Uint32 (4
 * bytes a bucket keeps a typical latency histogram under 1 KiB) and move to Float64 the first time a
 * bucket would pass 2^32 - 1, so a long-running process never wraps a count.
 */
export class BucketStore {
  counts: Uint32Array | Float64Array = EMPTY;
  /** Bucket index of counts[0]. */
  offset = 0;
  /** Lowest and highest index holding a count; min > max while empty. */
  min = Number.MAX_SAFE_INTEGER;
  max = Number.MIN_SAFE_INTEGER;

  add(index: number, n: number): void {
    if (index < this.min || index > this.max) this.#include(index);
    const i = index - this.offset;
    const counts = this.counts;
    const next = counts[i]! + n;
    if (next > 0xffffffff && counts instanceof Uint32Array) this.counts = Float64Array.from(counts);
    this.counts[i] = next;
  }

  /** Span of indexes the store would need to also hold `index`. */
  spanWith(index: number): number {
    if (this.min > this.max) return 1;
    return Math.max(this.max, index) - Math.min(this.min, index) + 1;
  }

  get empty(): boolean {
    return this.min > this.max;
  }

  /** Halves the resolution: bucket i becomes i >> 1 (floor, also for negative indexes). */
  downscale(by: number): void {
    if (by <= 0 || this.empty) return;
    const old = this.counts;
    const oldOffset = this.offset;
    const lo = this.min;
    const hi = this.max;
    this.counts = EMPTY;
    this.min = Number.MAX_SAFE_INTEGER;
    this.max = Number.MIN_SAFE_INTEGER;
    this.#include(lo >> by);
    this.#include(hi >> by);
    if (old instanceof Float64Array) this.counts = new Float64Array(this.counts.length);
    for (let index = lo; index <= hi; index++) {
      const c = old[index - oldOffset]!;
      if (c !== 0) this.add(index >> by, c);
    }
  }

  reset(): void {
    this.counts = EMPTY;
    this.offset = 0;
    this.min = Number.MAX_SAFE_INTEGER;
    this.max = Number.MIN_SAFE_INTEGER;
  }

  bytes(): number {
    return this.counts.byteLength;
  }

  #include(index: number): void {
    const wasEmpty = this.empty;
    const lo = Math.min(this.min, index);
    const hi = Math.max(this.max, index);
    const counts = this.counts;
    if (lo < this.offset || hi >= this.offset + counts.length) {
      // Leave half the span again as room on the side that grew, so a widening range costs O(log n) copies.
      const span = hi - lo + 1;
      const slack = wasEmpty ? 0 : Math.max(8, span >> 1);
      const offset = wasEmpty ? lo : index < this.min ? lo - slack : this.offset;
      const end = wasEmpty
        ? hi + 1
        : Math.max(index > this.max ? hi + 1 + slack : hi + 1, this.offset + counts.length);
      const length = end - offset;
      const grown = counts instanceof Float64Array ? new Float64Array(length) : new Uint32Array(length);
      if (!wasEmpty)
        grown.set(counts.subarray(this.min - this.offset, this.max - this.offset + 1), this.min - offset);
      this.counts = grown;
      this.offset = offset;
    }
    this.min = lo;
    this.max = hi;
  }
}

const EMPTY = new Uint32Array(0);
