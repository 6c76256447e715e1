import { describe, expect, it } from 'vitest';
import { nativeLayout } from '../../src/expo/native-layout.js';
import { nativeBucketIndex } from '../../src/sketch/native-buckets.js';
import { QuantileSketch } from '../../src/sketch/quantile-sketch.js';

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

describe('nativeLayout', () => {
  it("puts each value in Prometheus's bucket for it, powers of two and integers included", () => {
    const sketch = new QuantileSketch();
    const values = [1, 2, 3, 4, 0.5, 0.001, 1000, 1024, -2, -0.25, 0, 7];
    for (const v of values) sketch.add(v);
    const layout = nativeLayout(sketch.toData(), 1000);
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
    const { spans, deltas } = nativeLayout(sketch.toData(), 1000).positive;
    expect(spans).toEqual([1, 3, 6, 1]);
    expect(deltas).toEqual([1, -1, 1, 0]);
  });

  it('lowers the schema until the buckets fit the limit, merging as Prometheus does', () => {
    const sketch = new QuantileSketch();
    // 1 ms to 10 s, every bucket filled: 851 buckets at schema 6.
    for (let v = 0.001; v <= 10; v *= 1.005) sketch.add(v);
    const full = nativeLayout(sketch.toData(), 1024);
    expect(full.schema).toBe(6);
    expect(full.positive.deltas.length).toBeGreaterThan(800);
    const limited = nativeLayout(sketch.toData(), 160);
    expect(limited.schema).toBe(3);
    expect(limited.positive.deltas.length).toBeLessThanOrEqual(160);
    const counts = buckets(limited.positive.spans, limited.positive.deltas);
    expect(counts.reduce((a, [, c]) => a + c, 0)).toBe(sketch.count);
    // Each value is where Prometheus's schema-3 formula puts it.
    const check = new QuantileSketch();
    check.add(1);
    check.add(3);
    const at3 = buckets(
      nativeLayout(check.toData(), 1).positive.spans,
      nativeLayout(check.toData(), 1).positive.deltas,
    );
    const schema = nativeLayout(check.toData(), 1).schema;
    expect(at3.filter(([, c]) => c > 0).map(([i]) => i)).toEqual([
      ...new Set([nativeBucketIndex(1, schema), nativeBucketIndex(3, schema)]),
    ]);
  });
});
