import { BitReader, BitWriter } from './bit-stream.js';
import { HI, LO } from './float-bits.js';
import type { SampleBuffer } from './sample-buffer.js';
import { TimestampDecoder, TimestampEncoder } from './timestamp-codec.js';
import { ValueDecoder, ValueEncoder } from './value-codec.js';

/**
 * One series' samples in ascending time, as one bit stream: each sample is its timestamp
 * (timestamp-codec.ts) followed by its value (value-codec.ts). The stream holds neither the first
 * timestamp nor the sample count: the row that stores the chunk has both (`min_t`, `count`), and
 * the first timestamp is coded against `min_t`, which costs one bit.
 */
export class ChunkEncoder {
  readonly writer: BitWriter;
  readonly minT: number;
  /** Starts as a number (see TimestampEncoder): updated on every append. */
  maxT = 0;
  count = 0;
  readonly #timestamps: TimestampEncoder;
  readonly #values = new ValueEncoder();

  constructor(minT: number, capacity = 64) {
    this.writer = new BitWriter(capacity);
    this.minT = minT;
    this.maxT = minT;
    this.#timestamps = new TimestampEncoder(minT);
  }

  /** Appends a sample later than every one before; `hi:lo` are the bits of `v`. */
  append(t: number, v: number, hi: number, lo: number): void {
    this.#timestamps.encode(this.writer, t);
    this.#values.encode(this.writer, v, hi, lo);
    this.maxT = t;
    this.count++;
  }
}

/**
 * Appends to `out` the samples of a chunk with `start <= t <= end`. Returns how many samples of the
 * chunk were decoded, which is fewer than `count` when decoding stopped past `end`.
 */
export function decodeChunk(
  data: Uint8Array,
  minT: number,
  count: number,
  out: SampleBuffer,
  start = Number.NEGATIVE_INFINITY,
  end = Number.POSITIVE_INFINITY,
): number {
  out.reserve(count);
  const reader = new BitReader(data);
  const times = new TimestampDecoder(minT);
  const values = new ValueDecoder();
  const timestamps = out.timestamps;
  const floats = out.values;
  const words = out.words;
  let n = out.length;
  for (let i = 0; i < count; i++) {
    times.decode(reader);
    values.decode(reader);
    const t = times.t;
    if (t > end) {
      out.length = n;
      return i + 1;
    }
    if (t < start) continue;
    timestamps[n] = t;
    if (values.isFloat) {
      words[2 * n + HI] = values.hi;
      words[2 * n + LO] = values.lo;
    } else {
      floats[n] = values.value;
    }
    n++;
  }
  out.length = n;
  return count;
}
