import { HI, LO } from './float-bits.js';

/**
 * Decoded samples in typed arrays: values are written as words through `words`, a view on the
 * same memory as `values`, so that NaN payloads (the staleness marker) arrive intact.
 */
export class SampleBuffer {
  timestamps: Float64Array;
  values: Float64Array;
  words: Uint32Array;
  length = 0;

  constructor(capacity = 256) {
    this.timestamps = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
    this.words = new Uint32Array(this.values.buffer);
  }

  /** Makes room for `n` more samples. */
  reserve(n: number): void {
    const need = this.length + n;
    if (need <= this.timestamps.length) return;
    const size = Math.max(need, this.timestamps.length * 2);
    const timestamps = new Float64Array(size);
    timestamps.set(this.timestamps.subarray(0, this.length));
    const values = new Float64Array(size);
    values.set(this.values.subarray(0, this.length));
    this.timestamps = timestamps;
    this.values = values;
    this.words = new Uint32Array(values.buffer);
  }

  push(t: number, hi: number, lo: number): void {
    this.reserve(1);
    const i = this.length++;
    this.timestamps[i] = t;
    this.words[2 * i + HI] = hi;
    this.words[2 * i + LO] = lo;
  }

  hi(i: number): number {
    return this.words[2 * i + HI]!;
  }

  lo(i: number): number {
    return this.words[2 * i + LO]!;
  }

  /** Copies of the samples, exactly `length` long. */
  take(): { timestamps: Float64Array; values: Float64Array } {
    return { timestamps: this.timestamps.slice(0, this.length), values: this.values.slice(0, this.length) };
  }
}
