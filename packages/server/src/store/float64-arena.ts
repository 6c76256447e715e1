/**
 * Float64Arrays carved out of a few large allocations, for the many short columns of one read (a
 * weekly report reads 19,000 series of a few dozen points): a typed array of its own each cost
 * about as much as filling it, and each new array's first writes land on fresh memory. Parts are
 * views: the block behind them lives as long as any of them does.
 */
export class Float64Arena {
  #block = new Float64Array(0);
  #at = 0;

  /** A copy of the first `n` values of `from`. */
  copy(from: Float64Array, n: number): Float64Array {
    if (this.#at + n > this.#block.length) {
      this.#block = new Float64Array(Math.max(n, BLOCK));
      this.#at = 0;
    }
    const part = this.#block.subarray(this.#at, this.#at + n);
    part.set(from.subarray(0, n));
    this.#at += n;
    return part;
  }
}

/** 512 KiB a block. */
const BLOCK = 65_536;
