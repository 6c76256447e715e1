import { type BucketSide, FloatHistogram } from './float-histogram.js';

/**
 * A running sum of float histograms, added to in place: what `sum` keeps for one group at one
 * step while series are folded into it one by one (histogram-series-wise.ts). Adding a histogram
 * with `FloatHistogram.plus` allocates the union of both bucket ranges each time; for 100 series of
 * 645 buckets that was one array per series and step. The result is the same, bit for bit, as
 * `plus` over the same histograms in the same order: the coarser schema and the wider zero bucket
 * of the two, each count added once.
 */
export class HistogramSum {
  #schema = 0;
  #zeroThreshold = 0;
  #zeroCount = 0;
  #count = 0;
  #sum = 0;
  readonly #positive = new SideSum();
  readonly #negative = new SideSum();
  #empty = true;

  /**
   * Adds `(h - minus) * k`, as `plus(h.minus(minus).times(k))` would; the difference is not
   * allocated when both have this sum's layout.
   */
  add(h: FloatHistogram, k: number, minus?: FloatHistogram): void {
    if (minus) {
      if (this.#empty || !this.#sameLayout(h) || !this.#sameLayout(minus)) {
        this.add(h.minus(minus), k);
        return;
      }
      this.#zeroCount += (h.zeroCount - minus.zeroCount) * k;
      this.#count += (h.count - minus.count) * k;
      this.#sum += (h.sum - minus.sum) * k;
      this.#positive.addDifference(h.positive, minus.positive, k);
      this.#negative.addDifference(h.negative, minus.negative, k);
      return;
    }
    if (this.#empty) {
      this.#empty = false;
      this.#schema = h.schema;
      this.#zeroThreshold = h.zeroThreshold;
      this.#zeroCount = h.zeroCount * k;
      this.#count = h.count * k;
      this.#sum = h.sum * k;
      this.#positive.reset(h.positive, k);
      this.#negative.reset(h.negative, k);
      return;
    }
    if (!this.#sameLayout(h)) {
      // Rare (a schema change, another zero bucket): scaled first then coarsened, as plus() does it.
      const scaled = k === 1 ? h : h.times(k);
      const current = this.result().plus(scaled);
      this.#empty = true;
      this.add(current, 1);
      return;
    }
    this.#zeroCount += h.zeroCount * k;
    this.#count += h.count * k;
    this.#sum += h.sum * k;
    this.#positive.add(h.positive, k);
    this.#negative.add(h.negative, k);
  }

  #sameLayout(h: FloatHistogram): boolean {
    return h.schema === this.#schema && h.zeroThreshold === this.#zeroThreshold;
  }

  /** The sum so far (undefined before anything was added), with a gauge hint as aggregations give. */
  result(): FloatHistogram {
    return new FloatHistogram(
      this.#schema,
      this.#zeroThreshold,
      this.#zeroCount,
      this.#count,
      this.#sum,
      this.#positive.side(),
      this.#negative.side(),
      'gauge',
    );
  }

  /** Dense bucket weight held, as FloatHistogram.weight counts it. */
  get weight(): number {
    return 1 + Math.ceil((this.#positive.length + this.#negative.length) / 2);
  }
}

/** One side's bucket counts over the union of the ranges added, with room to grow either way. */
class SideSum {
  #buffer = new Float64Array(0);
  /** Bucket index of `#buffer[0]`. */
  #base = 0;
  /** The range in use, as bucket indexes: [#from, #to). */
  #from = 0;
  #to = 0;

  get length(): number {
    return this.#to - this.#from;
  }

  reset(side: BucketSide, k: number): void {
    this.#from = this.#to = this.#base = side.offset;
    if (this.#buffer.length < side.counts.length) this.#buffer = new Float64Array(side.counts.length);
    else this.#buffer.fill(0);
    this.add(side, k);
  }

  add(side: BucketSide, k: number): void {
    const { offset, counts } = side;
    const n = counts.length;
    if (n === 0) return;
    this.#cover(offset, offset + n);
    const buffer = this.#buffer;
    const at = offset - this.#base;
    for (let j = 0; j < n; j++) buffer[at + j]! += counts[j]! * k;
  }

  /** Makes [lo, hi) part of the range in use (lo < hi). */
  #cover(lo: number, hi: number): void {
    if (this.#to !== this.#from) {
      if (lo >= this.#from && hi <= this.#to) return;
      lo = Math.min(lo, this.#from);
      hi = Math.max(hi, this.#to);
    }
    this.#grow(lo, hi);
    this.#from = lo;
    this.#to = hi;
  }

  /** Adds `(x - y) * k` over the union of both ranges, each bucket as `addSides(x, y, -1)` makes it. */
  addDifference(x: BucketSide, y: BucketSide, k: number): void {
    const nx = x.counts.length;
    const ny = y.counts.length;
    if (ny === 0) {
      this.add(x, k);
      return;
    }
    const lo = nx === 0 ? y.offset : Math.min(x.offset, y.offset);
    const hi = nx === 0 ? y.offset + ny : Math.max(x.offset + nx, y.offset + ny);
    this.#cover(lo, hi);
    const buffer = this.#buffer;
    const base = this.#base;
    const xs = x.counts;
    const ys = y.counts;
    for (let i = lo; i < hi; i++) {
      const a = i - x.offset;
      const b = i - y.offset;
      const xv = a >= 0 && a < nx ? xs[a]! : 0;
      const yv = b >= 0 && b < ny ? ys[b]! : 0;
      buffer[i - base]! += (xv - yv) * k;
    }
  }

  side(): BucketSide {
    const at = this.#from - this.#base;
    return { offset: this.#from, counts: this.#buffer.slice(at, at + this.#to - this.#from) };
  }

  /** Makes room for [lo, hi), keeping the range in use; a quarter more either way for the next series. */
  #grow(lo: number, hi: number): void {
    if (lo >= this.#base && hi <= this.#base + this.#buffer.length) return;
    const slack = Math.ceil((hi - lo) / 4);
    const base = lo - slack;
    const next = new Float64Array(hi - lo + 2 * slack);
    if (this.#to > this.#from) {
      const at = this.#from - this.#base;
      next.set(this.#buffer.subarray(at, at + this.#to - this.#from), this.#from - base);
    }
    this.#buffer = next;
    this.#base = base;
  }
}
