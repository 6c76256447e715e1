import { nativeBucketBound } from '@vigil/metrics';
import { type CounterResetHint, forEachBucket, type NativeHistogram } from '../store/native-histogram.js';

/** One bucket with its bounds, as Prometheus's `histogram.Bucket`. */
export interface HistogramBucket {
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  /** Whether the bounds belong to the bucket: Prometheus's API boundary rule 0 (lower open), 1 (upper open), 3 (both closed). */
  readonly boundaryRule: 0 | 1 | 3;
}

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
    /** Index to count; empty buckets may be present. */
    readonly positive: ReadonlyMap<number, number>,
    readonly negative: ReadonlyMap<number, number>,
    readonly counterResetHint: CounterResetHint = 'unknown',
  ) {}

  static of(h: NativeHistogram): FloatHistogram {
    const side = (spans: NativeHistogram['positiveSpans'], counts: readonly number[], deltas: boolean) => {
      const out = new Map<number, number>();
      let c = 0;
      forEachBucket(spans, counts, (i, v) => {
        c = deltas ? c + v : v;
        out.set(i, c);
      });
      return out;
    };
    const int = h.kind === 'int';
    return new FloatHistogram(
      h.schema,
      h.zeroThreshold,
      h.zeroCount,
      h.count,
      h.sum,
      side(h.positiveSpans, int ? h.positiveDeltas : h.positiveCounts, int),
      side(h.negativeSpans, int ? h.negativeDeltas : h.negativeCounts, int),
      h.counterResetHint,
    );
  }

  /** The same observations at a coarser schema: `2^(schema - target)` buckets merge into one. */
  toSchema(target: number): FloatHistogram {
    if (target >= this.schema) return this;
    const factor = 2 ** (this.schema - target);
    const merge = (side: ReadonlyMap<number, number>) => {
      const out = new Map<number, number>();
      for (const [i, c] of side) {
        const j = Math.floor((i - 1) / factor) + 1;
        out.set(j, (out.get(j) ?? 0) + c);
      }
      return out;
    };
    return this.#with({ schema: target, positive: merge(this.positive), negative: merge(this.negative) });
  }

  /** A wider zero bucket: buckets entirely inside `[-threshold, threshold]` move into it. */
  withZeroThreshold(threshold: number): FloatHistogram {
    if (threshold <= this.zeroThreshold) return this;
    let zeroCount = this.zeroCount;
    const keep = (side: ReadonlyMap<number, number>) => {
      const out = new Map<number, number>();
      for (const [i, c] of side) {
        if (upperBound(i, this.schema) <= threshold) zeroCount += c;
        else out.set(i, c);
      }
      return out;
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
    const add = (x: ReadonlyMap<number, number>, y: ReadonlyMap<number, number>) => {
      const out = new Map(x);
      for (const [i, c] of y) out.set(i, (out.get(i) ?? 0) + sign * c);
      return out;
    };
    return new FloatHistogram(
      schema,
      zt,
      a.zeroCount + sign * b.zeroCount,
      a.count + sign * b.count,
      a.sum + sign * b.sum,
      add(a.positive, b.positive),
      add(a.negative, b.negative),
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
    const scale = (side: ReadonlyMap<number, number>) => new Map([...side].map(([i, c]) => [i, c * k]));
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
    const dropped = (x: ReadonlyMap<number, number>, y: ReadonlyMap<number, number>) => {
      for (const [i, c] of y) if ((x.get(i) ?? 0) < c) return true;
      return false;
    };
    return dropped(cur.positive, prev.positive) || dropped(cur.negative, prev.negative);
  }

  /**
   * Prometheus's FloatHistogram.Equals: the same schema, zero bucket, count, sum and bucket layout
   * (empty buckets included), values compared as stored (NaN equals NaN).
   */
  equals(other: FloatHistogram): boolean {
    const same = (x: ReadonlyMap<number, number>, y: ReadonlyMap<number, number>) => {
      if (x.size !== y.size) return false;
      for (const [i, c] of x) if (!y.has(i) || !Object.is(c, y.get(i))) return false;
      return true;
    };
    return (
      this.schema === other.schema &&
      Object.is(this.zeroThreshold, other.zeroThreshold) &&
      Object.is(this.zeroCount, other.zeroCount) &&
      Object.is(this.count, other.count) &&
      Object.is(this.sum, other.sum) &&
      same(this.positive, other.positive) &&
      same(this.negative, other.negative)
    );
  }

  /** Buckets with observations, ascending: negative ones, the zero bucket, positive ones. */
  buckets(): HistogramBucket[] {
    const out: HistogramBucket[] = [];
    const negative = [...this.negative].filter(([, c]) => c !== 0).sort((a, b) => b[0] - a[0]);
    for (const [i, count] of negative)
      out.push({
        lower: -upperBound(i, this.schema),
        upper: -lowerBound(i, this.schema),
        count,
        boundaryRule: 1,
      });
    if (this.zeroCount !== 0)
      out.push({
        lower: -this.zeroThreshold,
        upper: this.zeroThreshold,
        count: this.zeroCount,
        boundaryRule: 3,
      });
    const positive = [...this.positive].filter(([, c]) => c !== 0).sort((a, b) => a[0] - b[0]);
    for (const [i, count] of positive)
      out.push({
        lower: lowerBound(i, this.schema),
        upper: upperBound(i, this.schema),
        count,
        boundaryRule: 0,
      });
    return out;
  }

  get hasNegative(): boolean {
    for (const c of this.negative.values()) if (c !== 0) return true;
    return false;
  }

  get hasPositive(): boolean {
    for (const c of this.positive.values()) if (c !== 0) return true;
    return false;
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
