import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketIndex, lowerBound, MIN_NORMAL } from '../../src/sketch/bucket-index.js';
import { QuantileSketch } from '../../src/sketch/quantile-sketch.js';

const BOUND = 0.0055; // (γ-1)/(γ+1) at scale 6 is 0.00541; the 1e-6 slack of 20-bit bound comparison on top.

function exact(sorted: number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

/** Subnormal values (below 2^-1022) share the zero bucket: their error is absolute, under 2^-1022. */
function relativeError(estimate: number, truth: number): number {
  if (Math.abs(truth) < MIN_NORMAL) return Math.abs(estimate - truth) < MIN_NORMAL ? 0 : 1;
  return Math.abs(estimate - truth) / Math.abs(truth);
}

const QS = [0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1];

describe('bucketIndex', () => {
  it('puts every value inside its bucket bounds', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-300, max: 1e300, noNaN: true }), (v) => {
        const i = bucketIndex(v);
        expect(lowerBound(i, 6) * (1 - 1e-6)).toBeLessThanOrEqual(v);
        expect(lowerBound(i + 1, 6) * (1 + 1e-6)).toBeGreaterThan(v);
      }),
    );
  });

  it('puts a power of two at the top of its bucket, as Prometheus does: (2^(e-1/64), 2^e]', () => {
    for (let e = -20; e <= 20; e++) expect(bucketIndex(2 ** e)).toBe(e * 64 - 1);
  });
});

describe('QuantileSketch', () => {
  it('keeps every quantile within 0.55% of the exact value over a 2^32 range (ns to an hour)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 1e-6, max: 4000, noNaN: true }), { minLength: 1, maxLength: 400 }),
        fc.boolean(),
        (magnitudes, mixSigns) => {
          const values = magnitudes.map((v, i) => (mixSigns && i % 3 === 0 ? -v : v));
          const sketch = new QuantileSketch();
          for (const v of values) sketch.add(v);
          expect(sketch.scale).toBe(6);
          const sorted = [...values].sort((a, b) => a - b);
          for (const q of QS)
            expect(relativeError(sketch.quantile(q), exact(sorted, q))).toBeLessThanOrEqual(BOUND);
        },
      ),
    );
  });

  it('gives each quantile of a batch as alone, walking up for the lower ranks and down for the upper', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 300 }),
        (values) => {
          const sketch = new QuantileSketch({ maxBuckets: 64 });
          for (const v of values) sketch.add(v);
          const batch: number[] = [];
          sketch.quantiles(QS, batch);
          expect(batch).toEqual(QS.map((q) => sketch.quantile(q)));
        },
      ),
    );
  });

  it('keeps the bound of whatever scale it had to drop to, for any finite data', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 300 }),
        (values) => {
          const sketch = new QuantileSketch();
          for (const v of values) sketch.add(v);
          const gamma = 2 ** (2 ** -sketch.scale);
          const bound = (gamma - 1) / (gamma + 1) + 1e-6;
          const sorted = [...values].sort((a, b) => a - b);
          for (const q of QS)
            expect(relativeError(sketch.quantile(q), exact(sorted, q))).toBeLessThanOrEqual(bound);
        },
      ),
    );
  });

  it('gives the same quantiles after merging as one sketch fed everything', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 1e-3, max: 1e4, noNaN: true }), { minLength: 1, maxLength: 200 }),
        fc.array(fc.double({ min: 1e-3, max: 1e4, noNaN: true }), { minLength: 1, maxLength: 200 }),
        (a, b) => {
          const left = new QuantileSketch();
          const right = new QuantileSketch();
          for (const v of a) left.add(v);
          for (const v of b) right.add(v);
          left.merge(right);
          const sorted = [...a, ...b].sort((x, y) => x - y);
          expect(left.count).toBe(sorted.length);
          for (const q of QS)
            expect(relativeError(left.quantile(q), exact(sorted, q))).toBeLessThanOrEqual(BOUND);
        },
      ),
    );
  });

  it('halves its resolution instead of growing past maxBuckets, keeping a bound at every quantile', () => {
    const sketch = new QuantileSketch({ maxBuckets: 128 });
    const values = Array.from({ length: 5000 }, (_, i) => 1.01 ** i); // spans 2^71
    for (const v of values) sketch.add(v);
    expect(sketch.scale).toBeLessThan(6);
    expect(sketch.positive.max - sketch.positive.min + 1).toBeLessThanOrEqual(128);
    const bound = (2 ** (2 ** -sketch.scale) - 1) / (2 ** (2 ** -sketch.scale) + 1) + 1e-6;
    for (const q of QS)
      expect(relativeError(sketch.quantile(q), exact(values, q))).toBeLessThanOrEqual(bound);
  });

  it('survives huge and tiny magnitudes without unbounded memory', () => {
    const sketch = new QuantileSketch();
    for (const v of [1e-300, 5e-324, 0, 1, 1e300, Number.MAX_VALUE, -Number.MAX_VALUE]) sketch.add(v);
    expect(sketch.count).toBe(7);
    expect(sketch.bytes()).toBeLessThan(40_000);
    expect(sketch.quantile(1)).toBe(Number.MAX_VALUE);
    expect(sketch.quantile(0)).toBe(-Number.MAX_VALUE);
  });

  it('reports mean and std like the textbook formulas', () => {
    const sketch = new QuantileSketch();
    const values = [2, 4, 4, 4, 5, 5, 7, 9];
    for (const v of values) sketch.add(v);
    expect(sketch.mean).toBeCloseTo(5, 12);
    expect(sketch.std).toBeCloseTo(2, 12);
  });

  it('widens its counts instead of wrapping: one byte, then 16 and 32 bits, then a float', () => {
    const sketch = new QuantileSketch();
    for (let i = 0; i < 300; i++) sketch.add(1);
    const at = bucketIndex(1) - sketch.positive.offset;
    expect(sketch.positive.counts).toBeInstanceOf(Uint16Array);
    expect(sketch.positive.counts[at]).toBe(300);
    const other = new QuantileSketch();
    other.add(1);
    other.positive.add(bucketIndex(1), 0xffffffff);
    sketch.merge(other);
    expect(sketch.positive.counts).toBeInstanceOf(Float64Array);
    expect(sketch.positive.counts[bucketIndex(1) - sketch.positive.offset]).toBe(300 + 1 + 0xffffffff);
  });
});

describe('QuantileSketch.toData / fromData', () => {
  const QS_ALL = [0, 0.1, 0.5, 0.9, 0.99, 1];

  function same(a: QuantileSketch, b: QuantileSketch): void {
    expect(b.count).toBe(a.count);
    expect(b.sum).toBe(a.sum);
    expect(b.scale).toBe(a.scale);
    expect(b.zeroCount).toBe(a.zeroCount);
    expect(b.mean).toBe(a.mean);
    expect(b.std).toBe(a.std);
    const [x, y] = [new Array<number>(QS_ALL.length), new Array<number>(QS_ALL.length)];
    a.quantiles(QS_ALL, x);
    b.quantiles(QS_ALL, y);
    expect(y).toEqual(x);
  }

  // Up to 1e100, so that Σx² stays finite: JSON would write an overflowed sum as null.
  it('gives back the same sketch, through JSON too (any values up to 1e100, downscaled or not)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ noNaN: true, min: -1e100, max: 1e100 }), {
          maxLength: 200,
        }),
        (values) => {
          const sketch = new QuantileSketch();
          for (const v of values) sketch.add(v);
          same(sketch, QuantileSketch.fromData(sketch.toData()));
          same(sketch, QuantileSketch.fromData(JSON.parse(JSON.stringify(sketch.toData()))));
        },
      ),
    );
  });

  it('merges sketches rebuilt from data exactly as the originals', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 1e-6, max: 4000, noNaN: true }), { minLength: 1, maxLength: 200 }),
        fc.array(fc.double({ min: 1e-6, max: 4000, noNaN: true }), { minLength: 1, maxLength: 200 }),
        (left, right) => {
          const [a, b, all] = [new QuantileSketch(), new QuantileSketch(), new QuantileSketch()];
          for (const v of left) a.add(v);
          for (const v of right) b.add(v);
          for (const v of [...left, ...right]) all.add(v);
          const merged = QuantileSketch.fromData(a.toData());
          merged.merge(QuantileSketch.fromData(b.toData()));
          const [x, y] = [new Array<number>(QS_ALL.length), new Array<number>(QS_ALL.length)];
          merged.quantiles(QS_ALL, x);
          all.quantiles(QS_ALL, y);
          expect(x).toEqual(y);
          expect(merged.count).toBe(all.count);
        },
      ),
    );
  });

  it('keeps an empty sketch JSON-safe: no infinities or NaN to turn into null', () => {
    const data = new QuantileSketch().toData();
    expect(JSON.parse(JSON.stringify(data))).toEqual(data);
    const back = QuantileSketch.fromData(data);
    expect(back.count).toBe(0);
    expect(back.quantile(0.5)).toBeNaN();
  });

  it('refuses data no sketch produced, naming what is wrong', () => {
    expect(() => QuantileSketch.fromData(null as never)).toThrow(/sketch data: got null/);
    const data = { ...sketchOf(1, 2).toData(), scale: 9 };
    expect(() => QuantileSketch.fromData(data)).toThrow(
      /sketch data: scale: got 9, expected an integer of at most 6/,
    );
    const broken = { ...sketchOf(1, 2).toData(), positive: { offset: 1.5, counts: [1] } };
    expect(() => QuantileSketch.fromData(broken)).toThrow(/sketch data: positive/);
  });
});

function sketchOf(...values: number[]): QuantileSketch {
  const sketch = new QuantileSketch();
  for (const v of values) sketch.add(v);
  return sketch;
}

describe('regression: -0 came back as 0 from JSON', () => {
  it('records -0 as 0, so toData survives JSON unchanged', () => {
    const sketch = new QuantileSketch();
    sketch.add(-0);
    const back = QuantileSketch.fromData(JSON.parse(JSON.stringify(sketch.toData())));
    expect(Object.is(sketch.min, 0)).toBe(true);
    expect(back.toData()).toEqual(sketch.toData());
  });
});
