import { MIN_NORMAL } from './bucket-index.js';
import type { BucketStore } from './bucket-store.js';
import { QuantileSketch, type SketchData } from './quantile-sketch.js';

/**
 * Native histogram buckets before the schema is lowered. At schema 6 (±0.54%), 1 ms to 10 s is 851
 * buckets: a latency histogram anywhere in that range keeps the full resolution, 1% or better.
 */
export const DEFAULT_NATIVE_BUCKET_LIMIT = 1024;
/**
 * The sketch's zero bucket as a native histogram's zero threshold: it holds the values of magnitude
 * below MIN_NORMAL, and this is the largest such double (2^-1022 − 2^-1074).
 */
export const NATIVE_ZERO_THRESHOLD = MIN_NORMAL - Number.MIN_VALUE;

/**
 * A sketch laid out as a Prometheus native histogram, as the protobuf exposition writes it. Spans
 * and deltas sit in arrays that the histograms of one snapshot share, each at its own range (a view
 * per histogram cost a fifth of the layout's time): the negative side's first, then the positive side's.
 */
export interface NativeHistogram {
  readonly schema: number;
  readonly zeroThreshold: number;
  readonly zeroCount: number;
  /** Offset and length pairs, flattened: [offset0, length0, offset1, length1, ...]. */
  readonly spans: Int32Array;
  readonly spansFrom: number;
  /** Where the positive side's spans start (and the negative side's end). */
  readonly positiveSpansFrom: number;
  readonly spansTo: number;
  /**
   * The first bucket's count, then each bucket's difference to the previous one, per side: int32
   * when every bucket of the sketch holds at most 65,535 observations, doubles past that.
   */
  readonly deltas: Int32Array | Float64Array;
  readonly deltasFrom: number;
  readonly positiveDeltasFrom: number;
  readonly deltasTo: number;
}

/** One side of a native histogram as plain numbers. */
export interface NativeSide {
  /** Offset and length pairs, flattened: [offset0, length0, offset1, length1, ...]. */
  readonly spans: number[];
  /** The first bucket's count, then each bucket's difference to the previous one. */
  readonly deltas: number[];
}

export interface NativeLayout {
  readonly schema: number;
  readonly positive: NativeSide;
  readonly negative: NativeSide;
}

/** A sketch as one native histogram sample, in plain numbers. */
export interface NativeHistogramData extends NativeLayout {
  readonly count: number;
  readonly sum: number;
  readonly zeroThreshold: number;
  readonly zeroCount: number;
}

/**
 * The native histogram of a sketch as plain numbers, for code that publishes it in another format
 * than the protobuf exposition (the server aggregating StatsD timers).
 */
export function nativeHistogramOf(
  sketch: QuantileSketch | SketchData,
  bucketLimit: number = DEFAULT_NATIVE_BUCKET_LIMIT,
): NativeHistogramData {
  const live = sketch instanceof QuantileSketch ? sketch : QuantileSketch.fromData(sketch);
  const h = new NativeArena().layout(live, bucketLimit);
  const plain = (spansFrom: number, spansTo: number, deltasFrom: number, deltasTo: number): NativeSide => ({
    spans: Array.from(h.spans.subarray(spansFrom, spansTo)),
    deltas: Array.from(h.deltas.subarray(deltasFrom, deltasTo)),
  });
  return {
    schema: h.schema,
    negative: plain(h.spansFrom, h.positiveSpansFrom, h.deltasFrom, h.positiveDeltasFrom),
    positive: plain(h.positiveSpansFrom, h.spansTo, h.positiveDeltasFrom, h.deltasTo),
    count: live.count,
    sum: live.sum,
    zeroThreshold: h.zeroThreshold,
    zeroCount: h.zeroCount,
  };
}

/** Prometheus's lowest schema: base 2^16. */
const MIN_SCHEMA = -4;
/** Up to this many empty buckets between two filled ones cost less as zero deltas than as a new span. */
const MAX_GAP = 2;

function wide(store: BucketStore): boolean {
  return store.counts.BYTES_PER_ELEMENT > 2;
}

function spanOf(store: BucketStore): number {
  return store.empty ? 0 : store.max - store.min + 1;
}

/** Scratch for `#side`: the positions of a store's filled buckets, and their counts summed up to each. */
let filled = new Int32Array(256);
let cumulative = new Float64Array(256);

/**
 * Lays sketches out as Prometheus native histograms, read straight from the sketch's bucket arrays
 * and written into typed arrays shared by every histogram laid out here: one arena per snapshot,
 * so that a scrape of a thousand histograms makes a few large buffers, not thousands of arrays for
 * the garbage collector. A buffer that fills up is replaced, never resized, so the views handed out
 * before stay valid. Deltas are int32, half the bytes of doubles (a tenth less CPU time per scrape
 * on a busy machine), except for sketches with a bucket wider than 16 bits, laid out in an arena of
 * doubles of their own.
 */
export class NativeArena {
  #spans: Int32Array;
  #spanAt = 0;
  #deltas: Int32Array | Float64Array;
  #deltaAt = 0;
  /** Deltas in the buffers replaced. */
  #deltasBefore = 0;
  readonly #wide: boolean;
  /** The arena of doubles for the sketches whose deltas may not fit in int32. */
  #wideArena: NativeArena | undefined;

  /**
   * `sizeHint`: about how many deltas the arena will hold (the last snapshot's count), to start at
   * that size. `wide`: deltas as doubles.
   */
  constructor(sizeHint = 0, wide = false) {
    const length = Math.max(1024, sizeHint + (sizeHint >> 3));
    this.#wide = wide;
    this.#deltas = wide ? new Float64Array(length) : new Int32Array(length);
    this.#spans = new Int32Array(length >> 1);
  }

  /** How many deltas the arena holds, in all its buffers: the size hint for the next one. */
  get size(): number {
    return this.#deltasBefore + this.#deltaAt + (this.#wideArena?.size ?? 0);
  }

  /**
   * The sketch's bucket k at scale s covers (2^(k/2^s), 2^((k+1)/2^s)], which is Prometheus's bucket
   * k + 1 at schema s (see bucket-index.ts). When the layout needs more than `bucketLimit` buckets
   * (counted as Prometheus counts them, empty buckets inside spans included), the schema drops one
   * step at a time, merging neighbours, as Prometheus's `native_histogram_bucket_limit` does, down
   * to schema −4. With `quantiles`, also fills `values` with the sketch's quantiles (as
   * `sketch.quantiles` gives them) from the same walk of its buckets.
   */
  layout(
    sketch: QuantileSketch,
    bucketLimit: number,
    quantiles?: readonly number[],
    values?: number[],
  ): NativeHistogram {
    const negative = sketch.negative;
    // A bucket of at most 16 bits, even merged with the 2^10 neighbours a lowering to schema −4 can
    // join (scale 6 at most), and the differences of two such, fit in int32.
    if (!this.#wide && (wide(sketch.positive) || (negative !== undefined && wide(negative)))) {
      this.#wideArena ??= new NativeArena(0, true);
      return this.#wideArena.layout(sketch, bucketLimit, quantiles, values);
    }
    const n = spanOf(sketch.positive) + (negative ? spanOf(negative) : 0);
    for (let by = 0; ; by++) {
      // Each filled bucket adds at most one delta and one span (two numbers), and each side at most
      // MAX_GAP zero deltas written past its end: the stores' spans bound both.
      this.#room(2 * n + 4, n + 2 * MAX_GAP);
      const spansFrom = this.#spanAt;
      const deltasFrom = this.#deltaAt;
      if (negative) this.#side(negative, by);
      const positiveSpansFrom = this.#spanAt;
      const positiveDeltasFrom = this.#deltaAt;
      const filledCount = this.#side(sketch.positive, by);
      if (by === 0 && quantiles && values) {
        // The walk just made found the filled buckets that the quantiles need.
        if (negative && !negative.empty) sketch.quantiles(quantiles, values);
        else sketch.quantilesOfFilled(filled, cumulative, filledCount, quantiles, values);
      }
      const schema = sketch.scale - by;
      // A layout over the limit is left in the buffers unused: it is rare (the sketch keeps at most
      // 2,048 buckets), and taking it back would need marks that survive a buffer's replacement.
      if (this.#deltaAt - deltasFrom <= bucketLimit || schema <= MIN_SCHEMA) {
        return {
          schema,
          zeroThreshold: NATIVE_ZERO_THRESHOLD,
          zeroCount: sketch.zeroCount,
          spans: this.#spans,
          spansFrom,
          positiveSpansFrom,
          spansTo: this.#spanAt,
          deltas: this.#deltas,
          deltasFrom,
          positiveDeltasFrom,
          deltasTo: this.#deltaAt,
        };
      }
    }
  }

  /**
   * Appends the spans and deltas of one side; room made by the caller. Returns how many buckets
   * hold a count, whose positions (indexes into the store's counts) are then in `filled`, and their
   * counts summed up to each in `cumulative`.
   */
  #side(store: BucketStore, by: number): number {
    if (store.empty) return 0;
    const { counts, offset } = store;
    const from = store.min - offset;
    const end = from + store.max - store.min + 1;
    const n = end - from;
    // First the positions of the filled buckets, without a branch: whether a bucket is empty is as
    // good as random, and a mispredicted branch per bucket was most of the time of one plain loop.
    if (filled.length < n) {
      filled = new Int32Array(n);
      cumulative = new Float64Array(n);
    }
    const sums = cumulative;
    const at = filled;
    let k = 0;
    let i = from;
    for (; i + 3 < end; i += 4) {
      at[k] = i;
      k += Number(counts[i] !== 0);
      at[k] = i + 1;
      k += Number(counts[i + 1] !== 0);
      at[k] = i + 2;
      k += Number(counts[i + 2] !== 0);
      at[k] = i + 3;
      k += Number(counts[i + 3] !== 0);
    }
    for (; i < end; i++) {
      at[k] = i;
      k += Number(counts[i] !== 0);
    }
    const spans = this.#spans;
    const deltas = this.#deltas;
    let s = this.#spanAt;
    let d = this.#deltaAt;
    i = at[0]!;
    let previous = counts[i]!;
    // Prometheus's index of the last bucket written: the sketch's index + 1, `by` scales down.
    let last = ((offset + i) >> by) + 1;
    // The current span's length, written into its slot when the span ends.
    let length = 1;
    spans[s] = last;
    s += 2;
    deltas[d++] = previous;
    let total = previous;
    sums[0] = total;
    for (let j = 1; j < k; j++) {
      i = at[j]!;
      const count = counts[i]!;
      sums[j] = total += count;
      const index = ((offset + i) >> by) + 1;
      if (index === last) {
        // Merged into the bucket just written (a lower schema than the sketch's).
        deltas[d - 1]! += count;
        previous += count;
        continue;
      }
      const gap = index - last - 1;
      if (gap > MAX_GAP) {
        spans[s - 1] = length;
        spans[s] = gap;
        s += 2;
        length = 1;
        deltas[d++] = count - previous;
      } else {
        // Up to MAX_GAP empty buckets as zero deltas, written whatever the gap and then stepped over:
        // `0 - previous`, not `-previous`, so that an empty bucket after another is 0, never -0.
        length += gap + 1;
        deltas[d] = 0 - previous;
        deltas[d + 1] = 0;
        d += gap;
        deltas[d++] = gap === 0 ? count - previous : count;
      }
      previous = count;
      last = index;
    }
    spans[s - 1] = length;
    this.#spanAt = s;
    this.#deltaAt = d;
    return k;
  }

  #room(spans: number, deltas: number): void {
    if (this.#spanAt + spans > this.#spans.length) {
      this.#spans = new Int32Array(Math.max(this.#spans.length * 2, spans));
      this.#spanAt = 0;
    }
    if (this.#deltaAt + deltas > this.#deltas.length) {
      this.#deltasBefore += this.#deltaAt;
      const length = Math.max(this.#deltas.length * 2, deltas);
      this.#deltas = this.#wide ? new Float64Array(length) : new Int32Array(length);
      this.#deltaAt = 0;
    }
  }
}
