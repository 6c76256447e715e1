import { HI, LO } from './float-bits.js';
import type { RollupFolder, RollupSink } from './rollup-folder.js';

export interface RollupColumns {
  readonly timestamps: Float64Array;
  readonly count: Float64Array;
  readonly sum: Float64Array;
  readonly min: Float64Array;
  readonly max: Float64Array;
  readonly last: Float64Array;
}

/** Rollup buckets in typed arrays, with word views that keep NaN payloads intact. */
export class RollupBuffer implements RollupSink {
  timestamps: Float64Array;
  count: Float64Array;
  sum: Float64Array;
  min: Float64Array;
  max: Float64Array;
  last: Float64Array;
  sumWords: Uint32Array;
  minWords: Uint32Array;
  maxWords: Uint32Array;
  lastWords: Uint32Array;
  length = 0;

  constructor(capacity = 16) {
    this.timestamps = new Float64Array(capacity);
    this.count = new Float64Array(capacity);
    this.sum = new Float64Array(capacity);
    this.min = new Float64Array(capacity);
    this.max = new Float64Array(capacity);
    this.last = new Float64Array(capacity);
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
    this.sumWords = new Uint32Array(this.sum.buffer);
    this.minWords = new Uint32Array(this.min.buffer);
    this.maxWords = new Uint32Array(this.max.buffer);
    this.lastWords = new Uint32Array(this.last.buffer);
  }

  bucket(f: RollupFolder): void {
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
  }

  /** Copies of the buckets, exactly `length` long. */
  take(): RollupColumns {
    const n = this.length;
    return {
      timestamps: this.timestamps.slice(0, n),
      count: this.count.slice(0, n),
      sum: this.sum.slice(0, n),
      min: this.min.slice(0, n),
      max: this.max.slice(0, n),
      last: this.last.slice(0, n),
    };
  }
}
