import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Registry } from '../../src/core/registry.js';
import type { HistogramSnapshot } from '../../src/core/snapshot.js';
import { nativeBucketIndex } from '../../src/sketch/native-buckets.js';
import { NativeArena, type NativeHistogram, nativeHistogramOf } from '../../src/sketch/native-layout.js';
import { QuantileSketch } from '../../src/sketch/quantile-sketch.js';

/** A sketch's layout as plain numbers. */
const nativeLayout = (sketch: QuantileSketch, bucketLimit: number) => nativeHistogramOf(sketch, bucketLimit);

/** A layout's ranges of the shared arrays as plain numbers. */
function plain(h: NativeHistogram) {
  const side = (s0: number, s1: number, d0: number, d1: number) => ({
    spans: Array.from(h.spans.subarray(s0, s1)),
    deltas: Array.from(h.deltas.subarray(d0, d1)),
  });
  return {
    schema: h.schema,
    negative: side(h.spansFrom, h.positiveSpansFrom, h.deltasFrom, h.positiveDeltasFrom),
    positive: side(h.positiveSpansFrom, h.spansTo, h.positiveDeltasFrom, h.deltasTo),
  };
}

/** The layout's buckets as [Prometheus index, count], empty buckets inside spans included. */
function buckets(spans: number[], deltas: number[]): [number, number][] {
  const out: [number, number][] = [];
  let index = 0;
  let count = 0;
  let d = 0;
  for (let s = 0; s < spans.length; s += 2) {
    index += spans[s]!;
    for (let j = 0; j < spans[s + 1]!; j++) {
      count += deltas[d++]!;
      out.push([index++, count]);
    }
  }
  return out;
}

describe('native histogram layout', () => {
  it("puts each value in Prometheus's bucket for it, powers of two and integers included", () => {
    const sketch = new QuantileSketch();
    const values = [1, 2, 3, 4, 0.5, 0.001, 1000, 1024, -2, -0.25, 0, 7];
    for (const v of values) sketch.add(v);
    const layout = nativeLayout(sketch, 1000);
    expect(layout.schema).toBe(6);
    const expected = new Map<number, number>();
    for (const v of values.filter((x) => x > 0)) {
      const i = nativeBucketIndex(v, 6);
      expected.set(i, (expected.get(i) ?? 0) + 1);
    }
    const positive = buckets(layout.positive.spans, layout.positive.deltas).filter(([, c]) => c > 0);
    expect(positive).toEqual([...expected].sort((a, b) => a[0] - b[0]));
    const negative = buckets(layout.negative.spans, layout.negative.deltas).filter(([, c]) => c > 0);
    expect(negative).toEqual([
      [nativeBucketIndex(0.25, 6), 1],
      [nativeBucketIndex(2, 6), 1],
    ]);
  });

  it('joins buckets at most two apart into one span, with zero buckets between, and starts a new span past that', () => {
    const sketch = new QuantileSketch();
    // Prometheus schema-6 buckets 1, 3 (one empty between) and 10 (six empty between).
    for (const i of [1, 3, 10]) sketch.add(2 ** ((i - 0.5) / 64));
    const { spans, deltas } = nativeLayout(sketch, 1000).positive;
    expect(spans).toEqual([1, 3, 6, 1]);
    expect(deltas).toEqual([1, -1, 1, 0]);
  });

  it('lowers the schema until the buckets fit the limit, merging as Prometheus does', () => {
    const sketch = new QuantileSketch();
    // 1 ms to 10 s, every bucket filled: 851 buckets at schema 6.
    for (let v = 0.001; v <= 10; v *= 1.005) sketch.add(v);
    const full = nativeLayout(sketch, 1024);
    expect(full.schema).toBe(6);
    expect(full.positive.deltas.length).toBeGreaterThan(800);
    const limited = nativeLayout(sketch, 160);
    expect(limited.schema).toBe(3);
    expect(limited.positive.deltas.length).toBeLessThanOrEqual(160);
    const counts = buckets(limited.positive.spans, limited.positive.deltas);
    expect(counts.reduce((a, [, c]) => a + c, 0)).toBe(sketch.count);
    // Each value is where Prometheus's schema-3 formula puts it.
    const check = new QuantileSketch();
    check.add(1);
    check.add(3);
    const at3 = buckets(nativeLayout(check, 1).positive.spans, nativeLayout(check, 1).positive.deltas);
    const schema = nativeLayout(check, 1).schema;
    expect(at3.filter(([, c]) => c > 0).map(([i]) => i)).toEqual([
      ...new Set([nativeBucketIndex(1, schema), nativeBucketIndex(3, schema)]),
    ]);
  });

  it('keeps counts past 32 bits exact, laid out beside narrow sketches in one arena, at any schema', () => {
    const arena = new NativeArena();
    const laid: [NativeHistogram, [number, number][]][] = [];
    // [observations of 0.1 (and of -0.2), of 0.1002, bucket limit]; 30,000 of each are added to the last, 16 bits a bucket.
    for (const [times, big, bucketLimit] of [
      [3, 0, 1024],
      [70_000, 0, 1024],
      [2 ** 33 + 5, 2 ** 40, 1024],
      [2 ** 33 + 5, 2 ** 40, 1],
      [7, 0, 1],
    ] as const) {
      const sketch = new QuantileSketch();
      sketch.addTimes(0.1, times);
      if (big > 0) sketch.addTimes(0.1002, big);
      sketch.add(0.3);
      if (times === 7) for (const v of [0.1, 0.1002, 0.3]) sketch.addTimes(v, 30_000);
      sketch.addTimes(-0.2, times);
      const h = arena.layout(sketch, bucketLimit);
      const p = plain(h);
      const schema = h.schema;
      const expected = new Map<number, number>();
      const put = (v: number, n: number) => {
        const i = nativeBucketIndex(v, schema);
        expected.set(i, (expected.get(i) ?? 0) + n);
      };
      put(0.1, times);
      if (big > 0) put(0.1002, big);
      put(0.3, 1);
      if (times === 7) for (const v of [0.1, 0.1002, 0.3]) put(v, 30_000);
      laid.push([h, [...expected].sort((a, b) => a[0] - b[0])]);
      expect(buckets(p.negative.spans, p.negative.deltas).filter(([, c]) => c > 0)).toEqual([
        [nativeBucketIndex(0.2, schema), times],
      ]);
    }
    // Checked once all are laid out: a layout in one arena leaves the others' ranges as they were.
    for (const [h, expected] of laid) {
      const p = plain(h);
      expect(buckets(p.positive.spans, p.positive.deltas).filter(([, c]) => c > 0)).toEqual(expected);
    }
    expect(laid.map(([h]) => h.deltas.constructor)).toEqual([
      Int32Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Int32Array,
    ]);
    expect(laid[4]![0].schema).toBe(-4);
  });

  it('gives the same layout for a sketch and for its data, with count, sum and the zero bucket', () => {
    const sketch = new QuantileSketch();
    for (const v of [0, 0, 0.003, 0.2, 0.2, 1.5, -4, 1e-320]) sketch.add(v);
    const h = nativeHistogramOf(sketch, 1000);
    expect(nativeHistogramOf(sketch.toData(), 1000)).toEqual(h);
    expect(h).toMatchObject({ count: 8, sum: sketch.sum, zeroCount: 3, schema: 6 });
    expect(h.zeroThreshold).toBeGreaterThan(0);
  });

  it('keeps each layout of an arena as it was laid out, across the buffers it fills and replaces', () => {
    const arena = new NativeArena();
    const expected: ReturnType<typeof nativeHistogramOf>[] = [];
    const laid: ReturnType<NativeArena['layout']>[] = [];
    // Enough histograms, each wide enough, for the arena to replace its buffers several times.
    for (let k = 0; k < 300; k++) {
      const sketch = new QuantileSketch();
      for (let v = 0.001 * (1 + k / 100); v < 20; v *= 1.013 + (k % 7) / 100) sketch.add(v);
      if (k % 3 === 0) sketch.add(-0.5 * (k + 1));
      expected.push(nativeHistogramOf(sketch, 1024));
      laid.push(arena.layout(sketch, 1024));
    }
    for (let k = 0; k < laid.length; k++) {
      const { schema, positive, negative } = expected[k]!;
      expect(plain(laid[k]!)).toEqual({ schema, positive, negative });
    }
  });

  it('finds on its walk the quantiles that the sketch gives, for any values, at any bucket limit', () => {
    const qs = [0, 0.001, 0.5, 0.9, 0.95, 0.99, 0.999, 1];
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.double({ min: 1e-9, max: 1e9, noNaN: true }),
            fc.integer({ min: 0, max: 64 }),
            fc.double({ noNaN: true, noDefaultInfinity: true }),
          ),
          { maxLength: 300 },
        ),
        fc.integer({ min: 1, max: 1200 }),
        (values, bucketLimit) => {
          const sketch = new QuantileSketch();
          for (const v of values) sketch.add(v);
          const expected = qs.map(() => 0);
          sketch.quantiles(qs, expected);
          const found = qs.map(() => -1);
          const h = new NativeArena().layout(sketch, bucketLimit, qs, found);
          expect(found).toEqual(expected);
          expect(plain(h)).toEqual(plain(new NativeArena().layout(sketch, bucketLimit)));
        },
      ),
    );
  });

  it('is taken with the snapshot: what the histogram records afterwards is not in it', () => {
    const registry = new Registry();
    const h = registry.histogram({ name: 'h_seconds', help: 'H.' });
    h.observe(0.1);
    const snapshot = registry.snapshotSync({ native: true });
    const before = (snapshot.metrics.find((m) => m.name === 'h_seconds') as HistogramSnapshot).points[0]!;
    const laid = plain(before.native!);
    for (let i = 0; i < 1000; i++) h.observe(0.1 * (1 + i / 1000));
    expect(plain(before.native!)).toEqual(laid);
    expect(laid.positive.deltas).toEqual([1]);
    // The next snapshot lays out its own copy, in arrays of its own.
    const after = registry
      .snapshotSync({ native: true })
      .metrics.find((m) => m.name === 'h_seconds') as HistogramSnapshot;
    expect(after.points[0]!.native!.deltas).not.toBe(before.native!.deltas);
    let count = 0;
    let total = 0;
    for (const delta of plain(after.points[0]!.native!).positive.deltas) total += count += delta;
    expect(total).toBe(1001);
    const bare = registry.snapshotSync().metrics.find((m) => m.name === 'h_seconds') as HistogramSnapshot;
    expect(bare.points[0]!.native).toBeUndefined();
  });
});
