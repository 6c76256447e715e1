import { nativeBucketBound } from '@vigil/metrics';
import type { CounterResetHint, NativeHistogram } from '../store/native-histogram.js';

/** One bucket with its bounds, as Prometheus's `histogram.Bucket`. */
export interface HistogramBucket {
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  /** Whether the bounds belong to the bucket: Prometheus's API boundary rule 0 (lower open), 1 (upper open), 3 (both closed). */
  readonly boundaryRule: 0 | 1 | 3;
}

/**
 * One side of a histogram: the counts of consecutive buckets from index `offset` (empty buckets are
 * zeros). Dense, not a map: a schema-6 latency histogram has hundreds of buckets, and a range query
 * holds one per series and step.
 */
export interface BucketSide {
  readonly offset: number;
  readonly counts: Float64Array;
}

const EMPTY_SIDE: BucketSide = { offset: 0, counts: new Float64Array(0) };

/**
 * A native histogram sample as PromQL computes on it (Prometheus's FloatHistogram): absolute float
 * counts, by bucket index. Bucket `i` of schema `s` covers `(2^(i·2^-s - 2^-s), 2^(i·2^-s)]` on the
 * positive side, its mirror image on the negative side; the zero bucket `[-zeroThreshold, zeroThreshold]`.
 */
export class FloatHistogram {
  constructor(
    readonly schema: number,
    readonly zeroThreshold: number,
    readonly zeroCount: number,
    readonly count: number,
    readonly sum: number,
    readonly positive: BucketSide,
    readonly negative: BucketSide,
    readonly counterResetHint: CounterResetHint = 'unknown',
  ) {}

  /**
   * `h` with dense counts; `memory(n)` gives each side's `n` zeroed counts (new arrays unless a
   * caller that reads many samples and drops them together hands out views of one buffer).
   */
  static of(h: NativeHistogram, memory: (n: number) => Float64Array = newCounts): FloatHistogram {
    const int = h.kind === 'int';
    return new FloatHistogram(
      h.schema,
      h.zeroThreshold,
      h.zeroCount,
      h.count,
      h.sum,
      sideOfSpans(h.positiveSpans, int ? h.positiveDeltas : h.positiveCounts, int, memory),
      sideOfSpans(h.negativeSpans, int ? h.negativeDeltas : h.negativeCounts, int, memory),
      h.counterResetHint,
    );
  }

  /** A histogram from (index, count) pairs per side, as read back from the API's buckets. */
  static fromBuckets(
    schema: number,
    zeroThreshold: number,
    zeroCount: number,
    count: number,
    sum: number,
    positive: Iterable<readonly [number, number]>,
    negative: Iterable<readonly [number, number]>,
  ): FloatHistogram {
    return new FloatHistogram(
      schema,
      zeroThreshold,
      zeroCount,
      count,
      sum,
      sideOfPairs(positive),
      sideOfPairs(negative),
    );
  }

  /** The same observations at a coarser schema: `2^(schema - target)` buckets merge into one. */
  toSchema(target: number): FloatHistogram {
    if (target >= this.schema) return this;
    const factor = 2 ** (this.schema - target);
    return this.#with({
      schema: target,
      positive: mergeSide(this.positive, factor),
      negative: mergeSide(this.negative, factor),
    });
  }

  /** A wider zero bucket: buckets entirely inside `[-threshold, threshold]` move into it. */
  withZeroThreshold(threshold: number): FloatHistogram {
    if (threshold <= this.zeroThreshold) return this;
    let zeroCount = this.zeroCount;
    const keep = (side: BucketSide): BucketSide => {
      const { offset, counts } = side;
      let k = 0;
      while (k < counts.length && upperBound(offset + k, this.schema) <= threshold) zeroCount += counts[k++]!;
      return k === 0 ? side : { offset: offset + k, counts: counts.subarray(k) };
    };
    const positive = keep(this.positive);
    const negative = keep(this.negative);
    return this.#with({ zeroThreshold: threshold, zeroCount, positive, negative });
  }

  /** `this + other * sign`, at the coarser schema and the wider zero bucket of the two. */
  #combine(other: FloatHistogram, sign: 1 | -1): FloatHistogram {
    const schema = Math.min(this.schema, other.schema);
    const zt = Math.max(this.zeroThreshold, other.zeroThreshold);
    const a = this.toSchema(schema).withZeroThreshold(zt);
    const b = other.toSchema(schema).withZeroThreshold(zt);
    return new FloatHistogram(
      schema,
      zt,
      a.zeroCount + sign * b.zeroCount,
      a.count + sign * b.count,
      a.sum + sign * b.sum,
      addSides(a.positive, b.positive, sign),
      addSides(a.negative, b.negative, sign),
      'unknown',
    );
  }

  plus(other: FloatHistogram): FloatHistogram {
    return this.#combine(other, 1);
  }

  minus(other: FloatHistogram): FloatHistogram {
    return this.#combine(other, -1);
  }

  /** Every count and the sum times `k` (a negative `k` gives negative counts, as in Prometheus). */
  times(k: number): FloatHistogram {
    const scale = (side: BucketSide): BucketSide => ({
      offset: side.offset,
      counts: side.counts.map((c) => c * k),
    });
    return new FloatHistogram(
      this.schema,
      this.zeroThreshold,
      this.zeroCount * k,
      this.count * k,
      this.sum * k,
      scale(this.positive),
      scale(this.negative),
      this.counterResetHint,
    );
  }

  withHint(hint: CounterResetHint): FloatHistogram {
    return this.#with({ counterResetHint: hint });
  }

  /**
   * Whether this sample follows a counter reset after `previous` (Prometheus's DetectReset): its hint
   * says so, or the count, the zero bucket or any bucket went down, or the schema got finer, or the
   * zero bucket narrower.
   */
  followsResetOf(previous: FloatHistogram): boolean {
    if (this.counterResetHint === 'reset') return true;
    if (this.counterResetHint === 'not_reset') return false;
    if (this.count < previous.count) return true;
    if (this.schema > previous.schema || this.zeroThreshold < previous.zeroThreshold) return true;
    const prev = previous.withZeroThreshold(this.zeroThreshold);
    const cur = this.toSchema(previous.schema).withZeroThreshold(prev.zeroThreshold);
    if (cur.zeroCount < prev.zeroCount) return true;
    return anyDropped(cur.positive, prev.positive) || anyDropped(cur.negative, prev.negative);
  }

  /**
   * Prometheus's FloatHistogram.Equals: the same schema, zero bucket, count, sum and buckets, values
   * compared as stored (NaN equals NaN). Empty buckets at either end of a side do not count, where
   * Prometheus's span layouts would tell an explicit empty bucket from none.
   */
  equals(other: FloatHistogram): boolean {
    return (
      this.schema === other.schema &&
      Object.is(this.zeroThreshold, other.zeroThreshold) &&
      Object.is(this.zeroCount, other.zeroCount) &&
      Object.is(this.count, other.count) &&
      Object.is(this.sum, other.sum) &&
      sameSide(this.positive, other.positive) &&
      sameSide(this.negative, other.negative)
    );
  }

  /** Buckets with observations, ascending: negative ones, the zero bucket, positive ones. */
  buckets(): HistogramBucket[] {
    const out: HistogramBucket[] = [];
    const negative = this.negative;
    for (let k = negative.counts.length - 1; k >= 0; k--) {
      const count = negative.counts[k]!;
      if (count === 0) continue;
      const i = negative.offset + k;
      out.push({
        lower: -upperBound(i, this.schema),
        upper: -lowerBound(i, this.schema),
        count,
        boundaryRule: 1,
      });
    }
    if (this.zeroCount !== 0)
      out.push({
        lower: -this.zeroThreshold,
        upper: this.zeroThreshold,
        count: this.zeroCount,
        boundaryRule: 3,
      });
    const positive = this.positive;
    for (let k = 0; k < positive.counts.length; k++) {
      const count = positive.counts[k]!;
      if (count === 0) continue;
      const i = positive.offset + k;
      out.push({
        lower: lowerBound(i, this.schema),
        upper: upperBound(i, this.schema),
        count,
        boundaryRule: 0,
      });
    }
    return out;
  }

  get hasNegative(): boolean {
    return this.negative.counts.some((c) => c !== 0);
  }

  get hasPositive(): boolean {
    return this.positive.counts.some((c) => c !== 0);
  }

  /**
   * What the histogram counts for against a query's sample limit: one sample, plus one for every
   * two buckets it holds (empty ones inside a side included), as Prometheus 3 counts a histogram
   * by its size in 16-byte units, so that hundreds of buckets do not pass for one float.
   */
  get weight(): number {
    return weightOf(this.positive.counts.length + this.negative.counts.length);
  }

  /** What `FloatHistogram.of(h).weight` is, worked out from its spans without making its counts. */
  static weightOf(h: NativeHistogram): number {
    const int = h.kind === 'int';
    const positive = int ? h.positiveDeltas : h.positiveCounts;
    const negative = int ? h.negativeDeltas : h.negativeCounts;
    return weightOf(denseLength(h.positiveSpans, positive) + denseLength(h.negativeSpans, negative));
  }

  #with(changes: Partial<Record<keyof FloatHistogram, unknown>>): FloatHistogram {
    const c = changes as Partial<FloatHistogram>;
    return new FloatHistogram(
      c.schema ?? this.schema,
      c.zeroThreshold ?? this.zeroThreshold,
      c.zeroCount ?? this.zeroCount,
      c.count ?? this.count,
      c.sum ?? this.sum,
      c.positive ?? this.positive,
      c.negative ?? this.negative,
      c.counterResetHint ?? this.counterResetHint,
    );
  }
}

function newCounts(n: number): Float64Array {
  return new Float64Array(n);
}

/** A side from spans and their counts (absolute, or deltas to be summed as an integer histogram's are). */
function weightOf(buckets: number): number {
  return 1 + Math.ceil(buckets / 2);
}

/** How many counts sideOfSpans makes of a side: from its first bucket to its last, gaps included. */
function denseLength(spans: NativeHistogram['positiveSpans'], counts: readonly number[]): number {
  if (counts.length === 0) return 0;
  let first = Number.NaN;
  let end = 0;
  let index = 0;
  for (const span of spans) {
    index += span.offset;
    if (span.length > 0 && Number.isNaN(first)) first = index;
    index += span.length;
    if (span.length > 0) end = index;
  }
  return end - first;
}

function sideOfSpans(
  spans: NativeHistogram['positiveSpans'],
  counts: readonly number[],
  deltas: boolean,
  memory: (n: number) => Float64Array,
): BucketSide {
  if (counts.length === 0) return EMPTY_SIDE;
  let first = Number.NaN;
  for (let s = 0, index = 0; s < spans.length && Number.isNaN(first); s++) {
    index += spans[s]!.offset;
    if (spans[s]!.length > 0) first = index;
    index += spans[s]!.length;
  }
  const out = memory(denseLength(spans, counts));
  // Plain loops, no visitor: this runs for every bucket of every sample a query reads.
  let c = 0;
  let at = 0;
  let k = -first;
  for (let s = 0; s < spans.length; s++) {
    const span = spans[s]!;
    k += span.offset;
    for (let j = 0; j < span.length; j++) {
      const v = counts[at++]!;
      c = deltas ? c + v : v;
      out[k++] = c;
    }
  }
  return { offset: first, counts: out };
}

function sideOfPairs(pairs: Iterable<readonly [number, number]>): BucketSide {
  const list = [...pairs];
  if (list.length === 0) return EMPTY_SIDE;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const [i] of list) {
    lo = Math.min(lo, i);
    hi = Math.max(hi, i);
  }
  const counts = new Float64Array(hi - lo + 1);
  for (const [i, c] of list) counts[i - lo]! += c;
  return { offset: lo, counts };
}

/** Bucket i of the finer schema is bucket ⌊(i − 1) / factor⌋ + 1 of the coarser one. */
function mergeSide(side: BucketSide, factor: number): BucketSide {
  const { offset, counts } = side;
  if (counts.length === 0) return side;
  const to = (i: number) => Math.floor((i - 1) / factor) + 1;
  const first = to(offset);
  const out = new Float64Array(to(offset + counts.length - 1) - first + 1);
  for (let k = 0; k < counts.length; k++) out[to(offset + k) - first]! += counts[k]!;
  return { offset: first, counts: out };
}

function addSides(x: BucketSide, y: BucketSide, sign: 1 | -1): BucketSide {
  if (y.counts.length === 0) return x;
  if (x.counts.length === 0 && sign === 1) return y;
  const lo = x.counts.length === 0 ? y.offset : Math.min(x.offset, y.offset);
  const hi =
    x.counts.length === 0
      ? y.offset + y.counts.length
      : Math.max(x.offset + x.counts.length, y.offset + y.counts.length);
  const out = new Float64Array(hi - lo);
  // An empty side's offset can lie outside the other's range, where set() throws even for nothing.
  if (x.counts.length > 0) out.set(x.counts, x.offset - lo);
  const at = y.offset - lo;
  for (let k = 0; k < y.counts.length; k++) out[at + k]! += sign * y.counts[k]!;
  return { offset: lo, counts: out };
}

/** Whether some bucket of `before` holds more than the same bucket of `after`. */
function anyDropped(after: BucketSide, before: BucketSide): boolean {
  for (let k = 0; k < before.counts.length; k++) {
    const j = before.offset + k - after.offset;
    const now = j >= 0 && j < after.counts.length ? after.counts[j]! : 0;
    if (now < before.counts[k]!) return true;
  }
  return false;
}

function sameSide(x: BucketSide, y: BucketSide): boolean {
  const a = trimmed(x);
  const b = trimmed(y);
  if (a.counts.length !== b.counts.length) return false;
  if (a.counts.length > 0 && a.offset !== b.offset) return false;
  for (let k = 0; k < a.counts.length; k++) if (!Object.is(a.counts[k], b.counts[k])) return false;
  return true;
}

function trimmed(side: BucketSide): BucketSide {
  const { counts } = side;
  let from = 0;
  let to = counts.length;
  while (from < to && counts[from] === 0) from++;
  while (to > from && counts[to - 1] === 0) to--;
  return { offset: side.offset + from, counts: counts.subarray(from, to) };
}

/**
 * Upper bound of positive bucket `i` at `schema`: `2^(i·2^-schema)` as Prometheus computes it (from
 * its table of fractions, which differs from `2 ** x` by an ulp at many boundaries, so the API writes
 * the same digits and histogram_quantile interpolates between the same numbers), the largest float
 * for the last bucket.
 */
export function upperBound(i: number, schema: number): number {
  const b = nativeBucketBound(i, schema);
  return b === Number.POSITIVE_INFINITY ? Number.MAX_VALUE : b;
}

export function lowerBound(i: number, schema: number): number {
  return upperBound(i - 1, schema);
}
