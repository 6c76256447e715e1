import { HI, LO } from './float-bits.js';
import type { Float64Arena } from './float64-arena.js';
import type { RollupBucket, RollupSink } from './rollup-folder.js';

export interface RollupColumns {
  readonly timestamps: Float64Array;
  readonly count: Float64Array;
  readonly sum: Float64Array;
  readonly min: Float64Array;
  readonly max: Float64Array;
  readonly last: Float64Array;
  readonly dropped: Float64Array;
}

/** Rollup buckets in typed arrays, with word views that keep NaN payloads intact; a sink of folders and of itself (`bucket(b.at(i))` copies one). */
export class RollupBuffer implements RollupSink {
  timestamps: Float64Array;
  count: Float64Array;
  sum: Float64Array;
  min: Float64Array;
  max: Float64Array;
  last: Float64Array;
  dropped: Float64Array;
  sumWords: Uint32Array;
  minWords: Uint32Array;
  maxWords: Uint32Array;
  lastWords: Uint32Array;
  length = 0;
  readonly #cursor = new BufferCursor(this);

  constructor(capacity = 16) {
    this.timestamps = new Float64Array(capacity);
    this.count = new Float64Array(capacity);
    this.sum = new Float64Array(capacity);
    this.min = new Float64Array(capacity);
    this.max = new Float64Array(capacity);
    this.last = new Float64Array(capacity);
    this.dropped = new Float64Array(capacity);
    this.sumWords = new Uint32Array(this.sum.buffer);
    this.minWords = new Uint32Array(this.min.buffer);
    this.maxWords = new Uint32Array(this.max.buffer);
    this.lastWords = new Uint32Array(this.last.buffer);
  }

  reserve(n: number): void {
    const need = this.length + n;
    if (need <= this.timestamps.length) return;
    const size = Math.max(need, this.timestamps.length * 2);
    const grow = (a: Float64Array) => {
      const b = new Float64Array(size);
      b.set(a.subarray(0, this.length));
      return b;
    };
    this.timestamps = grow(this.timestamps);
    this.count = grow(this.count);
    this.sum = grow(this.sum);
    this.min = grow(this.min);
    this.max = grow(this.max);
    this.last = grow(this.last);
    this.dropped = grow(this.dropped);
    this.sumWords = new Uint32Array(this.sum.buffer);
    this.minWords = new Uint32Array(this.min.buffer);
    this.maxWords = new Uint32Array(this.max.buffer);
    this.lastWords = new Uint32Array(this.last.buffer);
  }

  bucket(f: RollupBucket): void {
    this.reserve(1);
    const i = this.length++;
    this.timestamps[i] = f.t;
    this.count[i] = f.count;
    this.sum[i] = f.sum;
    this.minWords[2 * i + HI] = f.minHi;
    this.minWords[2 * i + LO] = f.minLo;
    this.maxWords[2 * i + HI] = f.maxHi;
    this.maxWords[2 * i + LO] = f.maxLo;
    this.lastWords[2 * i + HI] = f.lastHi;
    this.lastWords[2 * i + LO] = f.lastLo;
    this.dropped[i] = f.dropped;
  }

  /** Bucket `i` through `cursor`, a view this buffer reuses: valid until the next call. */
  at(i: number): RollupBucket {
    this.#cursor.i = i;
    return this.#cursor;
  }

  /** Copies of the buckets, exactly `length` long, taken from `arena`. */
  take(arena: Float64Arena): RollupColumns {
    const n = this.length;
    return {
      timestamps: arena.copy(this.timestamps, n),
      count: arena.copy(this.count, n),
      sum: arena.copy(this.sum, n),
      min: arena.copy(this.min, n),
      max: arena.copy(this.max, n),
      last: arena.copy(this.last, n),
      dropped: arena.copy(this.dropped, n),
    };
  }
}

class BufferCursor implements RollupBucket {
  i = 0;
  readonly #b: RollupBuffer;

  constructor(b: RollupBuffer) {
    this.#b = b;
  }

  get t(): number {
    return this.#b.timestamps[this.i]!;
  }
  get count(): number {
    return this.#b.count[this.i]!;
  }
  get sum(): number {
    return this.#b.sum[this.i]!;
  }
  get min(): number {
    return this.#b.min[this.i]!;
  }
  get minHi(): number {
    return this.#b.minWords[2 * this.i + HI]!;
  }
  get minLo(): number {
    return this.#b.minWords[2 * this.i + LO]!;
  }
  get max(): number {
    return this.#b.max[this.i]!;
  }
  get maxHi(): number {
    return this.#b.maxWords[2 * this.i + HI]!;
  }
  get maxLo(): number {
    return this.#b.maxWords[2 * this.i + LO]!;
  }
  get last(): number {
    return this.#b.last[this.i]!;
  }
  get lastHi(): number {
    return this.#b.lastWords[2 * this.i + HI]!;
  }
  get lastLo(): number {
    return this.#b.lastWords[2 * this.i + LO]!;
  }
  get dropped(): number {
    return this.#b.dropped[this.i]!;
  }
}
