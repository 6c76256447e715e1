/**
 * Dense counts for a contiguous run of bucket indexes, grown on demand. Counts start one byte wide
 * and widen (8 → 16 → 32 → 64-bit float) the first time one would overflow: a latency histogram of
 * a hundred observations spans a few hundred buckets of mostly zeros and ones, and at one byte a
 * bucket its sketch stays near 1 KiB (bench/memory-histogram.js), while a count never wraps.
 */
type Counts = Uint8Array | Uint16Array | Uint32Array | Float64Array;

export class BucketStore {
  counts: Counts = EMPTY;
  /** Bucket index of counts[0]. */
  offset = 0;
  /** Lowest and highest index holding a count; min > max while empty. */
  min = Number.MAX_SAFE_INTEGER;
  max = Number.MIN_SAFE_INTEGER;

  add(index: number, n: number): void {
    if (index < this.min || index > this.max) this.#include(index);
    const i = index - this.offset;
    const next = this.counts[i]! + n;
    while (next > limitOf(this.counts)) this.#widen();
    this.counts[i] = next;
  }

  /**
   * For callers that increment `counts` directly (the sketch's hot path) and read back 0: the count
   * wrapped past its width. Widens and puts back the 2^bits the wrap lost.
   */
  unwrap(index: number): void {
    const lost = limitOf(this.counts) + 1;
    this.#widen();
    this.counts[index - this.offset] = lost;
  }

  #widen(): void {
    const counts = this.counts;
    const n = counts.length;
    // A Float64Array holds any count a process reaches exactly (2^53), so it is the last step.
    const wider =
      counts instanceof Uint8Array
        ? new Uint16Array(n)
        : counts instanceof Uint16Array
          ? new Uint32Array(n)
          : new Float64Array(n);
    wider.set(counts);
    this.counts = wider;
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
    this.reset();
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
      // A quarter of the span again as room on the side that grew: a widening range costs O(log n)
      // copies, and a settled one wastes at most a quarter.
      const span = hi - lo + 1;
      const slack = wasEmpty ? 0 : Math.max(8, span >> 2);
      const offset = wasEmpty ? lo : index < this.min ? lo - slack : this.offset;
      const end = wasEmpty
        ? hi + 1
        : Math.max(index > this.max ? hi + 1 + slack : hi + 1, this.offset + counts.length);
      const grown = wasEmpty ? new Uint8Array(end - offset) : sameWidth(counts, end - offset);
      if (!wasEmpty)
        grown.set(counts.subarray(this.min - this.offset, this.max - this.offset + 1), this.min - offset);
      this.counts = grown;
      this.offset = offset;
    }
    this.min = lo;
    this.max = hi;
  }
}

function limitOf(counts: Counts): number {
  if (counts instanceof Uint8Array) return 0xff;
  if (counts instanceof Uint16Array) return 0xffff;
  if (counts instanceof Uint32Array) return 0xffffffff;
  return Number.POSITIVE_INFINITY;
}

function sameWidth(counts: Counts, length: number): Counts {
  if (counts instanceof Uint8Array) return new Uint8Array(length);
  if (counts instanceof Uint16Array) return new Uint16Array(length);
  if (counts instanceof Uint32Array) return new Uint32Array(length);
  return new Float64Array(length);
}

const EMPTY = new Uint8Array(0);
