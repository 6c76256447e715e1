import { BitReader, BitWriter } from './bit-stream.js';
import { bitsHi, bitsLo, HI, joinFloat, LO, splitFloat } from './float-bits.js';
import type { RollupBuffer } from './rollup-buffer.js';
import type { RollupBucket } from './rollup-folder.js';
import { TimestampDecoder, TimestampEncoder } from './timestamp-codec.js';
import { ValueDecoder, ValueEncoder } from './value-codec.js';

/**
 * A block of rollup buckets as one bit stream: a 16-bit header, then per bucket its start as a
 * bucket number (t / resolution, delta-of-delta against the block's first bucket, so consecutive
 * buckets cost one bit), then count, sum, min, max, last and dropped, each column with its own value
 * coder (value-codec.ts). For a counter every column moves in small integer steps, a few bits each:
 * an hourly bucket of a counter scraped every 15 s costs about 4 bytes where six doubles would be 48;
 * dropped is 0 but where a counter reset, one bit.
 *
 * The header is the bucket count (at most 1,440, a day of minutes), with its top bit set since
 * format 4: blocks written before (format 3) have no dropped column, and decode it as NaN (unknown).
 */
/** The header's top bit (of its first byte): the block has the dropped column. */
const WITH_DROPPED = 0x80;

export class RollupEncoder {
  readonly #writer = new BitWriter(64);
  readonly #resolution: number;
  readonly #times: TimestampEncoder;
  readonly #count = new ValueEncoder();
  readonly #sum = new ValueEncoder();
  readonly #min = new ValueEncoder();
  readonly #max = new ValueEncoder();
  readonly #last = new ValueEncoder();
  readonly #dropped = new ValueEncoder();
  #buckets = 0;

  constructor(blockStart: number, resolution: number) {
    this.#resolution = resolution;
    this.#times = new TimestampEncoder(blockStart / resolution);
    this.#writer.write(0, 16);
  }

  add(f: RollupBucket): void {
    const w = this.#writer;
    this.#times.encode(w, f.t / this.#resolution);
    splitFloat(f.count);
    this.#count.encode(w, f.count, bitsHi(), bitsLo());
    splitFloat(f.sum);
    this.#sum.encode(w, f.sum, bitsHi(), bitsLo());
    this.#min.encode(w, f.min, f.minHi, f.minLo);
    this.#max.encode(w, f.max, f.maxHi, f.maxLo);
    this.#last.encode(w, f.last, f.lastHi, f.lastLo);
    splitFloat(f.dropped);
    this.#dropped.encode(w, f.dropped, bitsHi(), bitsLo());
    this.#buckets++;
  }

  get buckets(): number {
    return this.#buckets;
  }

  finish(): Uint8Array {
    const bytes = this.#writer.finish();
    bytes[0] = WITH_DROPPED | (this.#buckets >>> 8);
    bytes[1] = this.#buckets & 0xff;
    return bytes;
  }
}

/**
 * One reader and set of column decoders for every block decoded (decodeRollups runs to its end
 * without yielding): a weekly report decodes about 140,000 blocks, and their nine objects each were
 * a share of the report's garbage collection.
 */
const decoding = {
  r: new BitReader(new Uint8Array(0)),
  times: new TimestampDecoder(0),
  count: new ValueDecoder(),
  sum: new ValueDecoder(),
  min: new ValueDecoder(),
  max: new ValueDecoder(),
  last: new ValueDecoder(),
  dropped: new ValueDecoder(),
};

/** Appends to `out` the buckets of a block that start within [start, end]. */
export function decodeRollups(
  data: Uint8Array,
  blockStart: number,
  resolution: number,
  out: RollupBuffer,
  start = Number.NEGATIVE_INFINITY,
  end = Number.POSITIVE_INFINITY,
): void {
  const { r, times, count, sum, min, max, last, dropped } = decoding;
  r.reset(data);
  const header = r.read(16);
  const withDropped = header >= WITH_DROPPED << 8;
  const n = header & 0x7fff;
  out.reserve(n);
  times.reset(blockStart / resolution);
  count.reset();
  sum.reset();
  min.reset();
  max.reset();
  last.reset();
  dropped.reset();
  for (let i = 0; i < n; i++) {
    times.decode(r);
    const t = times.t * resolution;
    count.decode(r);
    sum.decode(r);
    min.decode(r);
    max.decode(r);
    last.decode(r);
    if (withDropped) dropped.decode(r);
    if (t < start) continue;
    if (t > end) break;
    const k = out.length++;
    out.timestamps[k] = t;
    put(count, out.count, undefined, k);
    put(sum, out.sum, out.sumWords, k);
    put(min, out.min, out.minWords, k);
    put(max, out.max, out.maxWords, k);
    put(last, out.last, out.lastWords, k);
    if (withDropped) put(dropped, out.dropped, undefined, k);
    else out.dropped[k] = Number.NaN;
  }
}

function put(d: ValueDecoder, to: Float64Array, words: Uint32Array | undefined, k: number): void {
  if (!d.isFloat) {
    to[k] = d.value;
  } else if (words) {
    words[2 * k + HI] = d.hi;
    words[2 * k + LO] = d.lo;
  } else {
    to[k] = joinFloat(d.hi, d.lo);
  }
}
