import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@vigil/metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryJson } from '../../src/http/query-json.js';
import { PromqlEngine } from '../../src/query/promql-engine.js';
import type { QueryResult } from '../../src/query/query-result.js';
import type { NativeHistogram } from '../../src/store/native-histogram.js';
import { type SeriesHistograms, staleNaN } from '../../src/store/series-store.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite-store.js';

/**
 * `sum|avg|count (f(h[range]))` over native histograms, `F(f(h[range]))` and `F(sum|avg (f(h[range])))`
 * for F histogram_quantile, histogram_count and the like, are folded series by series from the
 * store's histogram scan; they must answer exactly what the step-wise path answers (`* 1` keeps every
 * count and forces the step-wise path), through counter resets, schema and zero-bucket changes,
 * staleness markers, negative buckets and series that start late.
 */
const T0 = Date.UTC(2026, 0, 10, 12);
const dirs: string[] = [];
const stores: SqliteStore[] = [];
let engine: PromqlEngine;

/** An integer histogram from absolute counts per bucket index. */
function histogram(
  schema: number,
  positive: Map<number, number>,
  negative: Map<number, number>,
  extra: Partial<NativeHistogram> = {},
): NativeHistogram {
  const side = (m: Map<number, number>) => {
    const indexes = [...m.keys()].sort((a, b) => a - b);
    if (indexes.length === 0) return { spans: [], deltas: [] as number[] };
    const first = indexes[0]!;
    const counts = Array.from({ length: indexes.at(-1)! - first + 1 }, (_, k) => m.get(first + k) ?? 0);
    return {
      spans: [{ offset: first, length: counts.length }],
      deltas: counts.map((c, k) => c - (k === 0 ? 0 : counts[k - 1]!)),
    };
  };
  const p = side(positive);
  const n = side(negative);
  let count = 0;
  for (const c of positive.values()) count += c;
  for (const c of negative.values()) count += c;
  return {
    kind: 'int',
    schema,
    zeroThreshold: 0.001,
    zeroCount: 0,
    count,
    sum: count * 0.7,
    positiveSpans: p.spans,
    positiveDeltas: p.deltas,
    negativeSpans: n.spans,
    negativeDeltas: n.deltas,
    counterResetHint: 'unknown',
    ...extra,
  } as NativeHistogram;
}

async function openStore(): Promise<SqliteStore> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-histogram-series-wise-'));
  dirs.push(dir);
  const store = await openSqliteStore({ dir, clock: new ManualClock(T0 + 7_200_000) });
  stores.push(store);
  return store;
}

beforeAll(async () => {
  const store = await openStore();
  let seed = 5;
  const random = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };
  const batch: SeriesHistograms[] = [];
  for (let s = 0; s < 12; s++) {
    const positive = new Map<number, number>();
    const negative = new Map<number, number>();
    const timestamps: number[] = [];
    const histograms: NativeHistogram[] = [];
    for (let i = 0; i < 120; i++) {
      // Series 3 resets at 60; series 4 drops to a coarser schema at 50, series 5 to a finer one
      // (a reset too); series 6 widens its zero bucket at 40; series 7 has a staleness marker at 70;
      // series 8 has negative buckets; series 9 starts late; series 10 says its resets in hints.
      if ((s === 3 || s === 10) && i === 60) positive.clear();
      for (let o = Math.floor(random() * 6); o > 0; o--) {
        const index = Math.floor(random() * 24) - 4;
        positive.set(index, (positive.get(index) ?? 0) + 1);
        if (s === 8) negative.set(index, (negative.get(index) ?? 0) + 2);
      }
      if (s === 9 && i < 50) continue;
      const schema = s === 4 ? (i < 50 ? 3 : 1) : s === 5 ? (i < 50 ? 1 : 2) : s % 3;
      const extra: Partial<NativeHistogram> = {};
      if (s === 6 && i >= 40) Object.assign(extra, { zeroThreshold: 0.01 });
      if (s === 10)
        Object.assign(extra, { counterResetHint: i === 60 ? 'reset' : i > 0 ? 'not_reset' : 'unknown' });
      if (s === 7 && i === 70) Object.assign(extra, { sum: staleNaN() });
      timestamps.push(T0 + i * 15_000 + s * 131);
      histograms.push(histogram(schema, positive, negative, extra));
    }
    batch.push({ labels: { __name__: 'h', job: `j${s % 3}`, instance: `i${s}` }, timestamps, histograms });
  }
  expect((await store.appendHistograms(batch)).accepted).toBe(12 * 120 - 50);
  engine = new PromqlEngine({ store });
});

afterAll(async () => {
  for (const s of stores) await s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The answer as the API writes it, with its warnings and infos. */
function api(result: QueryResult): unknown {
  const { data, warnings, infos } = JSON.parse(queryJson(result).toString('utf8'));
  return { data, warnings, infos };
}

/** `folded` answers as `stepWise` does, over a range and at an instant; it answers something. */
async function expectSame(folded: string, stepWise: string): Promise<void> {
  const range = await engine.rangeQuery(folded, T0, T0 + 30 * 60_000, 20_000);
  expect(range.result.length, folded).toBeGreaterThan(0);
  expect(api(range), folded).toEqual(api(await engine.rangeQuery(stepWise, T0, T0 + 30 * 60_000, 20_000)));
  const at = T0 + 17 * 60_000;
  expect(api(await engine.instantQuery(folded, at)), folded).toEqual(
    api(await engine.instantQuery(stepWise, at)),
  );
}

const FUNCTIONS = ['rate', 'increase', 'delta', 'irate', 'idelta', 'sum_over_time', 'avg_over_time'];

describe('sum, avg and count of range functions over native histograms, series by series', () => {
  for (const op of ['sum', 'avg', 'count', 'sum by (job)', 'avg without (instance)']) {
    it(`${op} (f(h[1m])) equals the step-wise answer for ${FUNCTIONS.join(', ')}, range and instant`, async () => {
      for (const f of FUNCTIONS) await expectSame(`${op} (${f}(h[1m]))`, `${op} (${f}(h[1m]) * 1)`);
    });
  }

  const ofHistogram = [
    'histogram_quantile(0.9, ',
    'histogram_quantile(0, ',
    'histogram_quantile(1.5, ',
    'histogram_count(',
    'histogram_sum(',
    'histogram_avg(',
    'histogram_stddev(',
    'histogram_stdvar(',
    'histogram_fraction(0.5, 4, ',
    'histogram_fraction(-3, 0, ',
  ];
  for (const F of ofHistogram) {
    it(`${F}f(h[1m])) equals the step-wise answer for each f, range and instant`, async () => {
      for (const f of FUNCTIONS) await expectSame(`${F}${f}(h[1m]))`, `${F}${f}(h[1m]) * 1)`);
    });
  }

  for (const op of ['sum', 'avg', 'sum by (job)', 'avg without (instance)']) {
    it(`histogram_quantile and histogram_fraction of ${op} (f(h[1m])) equal the step-wise answers`, async () => {
      for (const f of FUNCTIONS) {
        for (const F of ['histogram_quantile(0.99, ', 'histogram_fraction(0.5, 4, '])
          await expectSame(`${F}${op} (${f}(h[1m])))`, `${F}${op} (${f}(h[1m]) * 1))`);
      }
    });
  }

  it('takes the quantile from a scalar expression per step, with its annotation where it is out of range', async () => {
    // From 0 at T0 to 1.8 half an hour later: past 1 after 16 minutes 40 seconds.
    const q = `(time() - ${T0 / 1000}) / 1000`;
    await expectSame(`histogram_quantile(${q}, rate(h[1m]))`, `histogram_quantile(${q}, rate(h[1m]) * 1)`);
    const range = await engine.rangeQuery(
      `histogram_quantile(${q}, rate(h[1m]))`,
      T0,
      T0 + 30 * 60_000,
      20_000,
    );
    expect(range.warnings?.[0]).toMatch(
      /^PromQL warning: quantile value should be between 0 and 1, got 1\.0/,
    );
  });

  it('answers as the step-wise path when a series comes that the index did not list (written since)', async () => {
    const store = stores[0]!;
    // The index's list misses the last series of each job: a job may be turned into floats before it.
    const unlisted = new Set(['i9', 'i10', 'i11']);
    const source = {
      select: store.select.bind(store),
      scan: store.scan.bind(store),
      selectHistograms: store.selectHistograms.bind(store),
      scanHistograms: store.scanHistograms.bind(store),
      series: async (...args: Parameters<SqliteStore['series']>) =>
        (await store.series(...args)).filter((labels) => !unlisted.has(labels.instance!)),
    };
    const partial = new PromqlEngine({ store: source });
    for (const q of [
      'histogram_quantile(0.9, sum by (job) (rate(h[1m])))',
      'histogram_sum(avg by (job) (delta(h[1m])))',
    ]) {
      const stepWise = q.replace('[1m])', '[1m]) * 1');
      expect(api(await partial.rangeQuery(q, T0, T0 + 30 * 60_000, 20_000)), q).toEqual(
        api(await engine.rangeQuery(stepWise, T0, T0 + 30 * 60_000, 20_000)),
      );
    }
  });

  it('takes the step-wise path, with its answer, when the selector finds floats beside histograms', async () => {
    const store = await openStore();
    await store.appendHistograms([
      {
        labels: { __name__: 'm', kind: 'h' },
        timestamps: [T0, T0 + 15_000, T0 + 30_000],
        histograms: [1, 2, 3].map((k) => histogram(0, new Map([[1, k]]), new Map())),
      },
    ]);
    await store.append([
      { labels: { __name__: 'm', kind: 'f' }, timestamps: [T0, T0 + 15_000, T0 + 30_000], values: [1, 2, 3] },
    ]);
    const mixed = new PromqlEngine({ store });
    // A group of a float and a histogram has no sum; grouped apart, each has its own.
    expect((await mixed.instantQuery('sum(rate(m[1m]))', T0 + 40_000)).result).toEqual([]);
    expect(api(await mixed.instantQuery('sum by (kind) (rate(m[1m]))', T0 + 40_000))).toEqual(
      api(await mixed.instantQuery('sum by (kind) (rate(m[1m]) * 1)', T0 + 40_000)),
    );
  });

  it('histogram_quantile of rate over floats and histograms: the step-wise answer, classic buckets included', async () => {
    const store = await openStore();
    await store.appendHistograms([
      {
        labels: { __name__: 'm' },
        timestamps: [T0, T0 + 15_000, T0 + 30_000],
        histograms: [1, 2, 3].map((k) => histogram(0, new Map([[1, k]]), new Map())),
      },
    ]);
    await store.append(
      ['1', '+Inf'].map((le, k) => ({
        labels: { __name__: 'm', kind: 'classic', le },
        timestamps: [T0, T0 + 15_000, T0 + 30_000],
        values: [1 + k, 2 + k, 4 + k],
      })),
    );
    const mixed = new PromqlEngine({ store });
    const folded = await mixed.instantQuery('histogram_quantile(0.5, rate(m[1m]))', T0 + 40_000);
    expect(folded.result).toHaveLength(2);
    expect(api(folded)).toEqual(
      api(await mixed.instantQuery('histogram_quantile(0.5, rate(m[1m]) * 1)', T0 + 40_000)),
    );
  });

  it('refuses as the step-wise path does when two series collide once their names are dropped', async () => {
    const store = await openStore();
    await store.appendHistograms(
      ['a', 'b'].map((name) => ({
        labels: { __name__: name, job: 'j' },
        timestamps: [T0, T0 + 15_000, T0 + 30_000],
        histograms: [1, 2, 3].map((k) => histogram(0, new Map([[1, k]]), new Map())),
      })),
    );
    const colliding = new PromqlEngine({ store });
    for (const q of [
      'sum(rate({__name__=~"a|b"}[1m]))',
      'sum(rate({__name__=~"a|b"}[1m]) * 1)',
      'histogram_quantile(0.5, rate({__name__=~"a|b"}[1m]))',
      'histogram_count(rate({__name__=~"a|b"}[1m]))',
    ])
      await expect(colliding.instantQuery(q, T0 + 40_000), q).rejects.toThrow(
        'vector cannot contain metrics with the same labelset',
      );
  });

  it('hands the event loop back while it folds one long series', async () => {
    const store = await openStore();
    // One series of 3,000 histograms of 400 buckets: folding it at 3,000 steps takes tens of milliseconds.
    const wide = new Map(Array.from({ length: 400 }, (_, k) => [k, k + 1] as [number, number]));
    const timestamps = Array.from({ length: 3_000 }, (_, i) => T0 + i * 1_000);
    await store.appendHistograms([
      {
        labels: { __name__: 'long' },
        timestamps,
        histograms: timestamps.map(() => histogram(0, wide, new Map())),
      },
    ]);
    const long = new PromqlEngine({ store });
    for (const q of [
      'histogram_quantile(0.5, rate(long[1m]))',
      'histogram_quantile(0.5, sum(rate(long[1m])))',
    ]) {
      const order: string[] = [];
      const query = long.rangeQuery(q, T0, T0 + 2_999_000, 1_000).then(() => order.push('query'));
      setImmediate(() => order.push('other work'));
      await query;
      expect(order, q).toEqual(['other work', 'query']);
    }
  });

  it('counts each histogram once against maxSamples and holds one series at a time, where the step-wise path holds all', async () => {
    const store = await openStore();
    // 20 series of 40 histograms of 400 buckets: weighed by their buckets, 20 x 40 x 201 = 160,800.
    const wide = new Map(Array.from({ length: 400 }, (_, k) => [k, k + 1] as [number, number]));
    await store.appendHistograms(
      Array.from({ length: 20 }, (_, s) => ({
        labels: { __name__: 'w', instance: `i${s}` },
        timestamps: Array.from({ length: 40 }, (_, i) => T0 + i * 15_000),
        histograms: Array.from({ length: 40 }, () => histogram(0, wide, new Map())),
      })),
    );
    const limited = new PromqlEngine({ store, maxSamples: 50_000 });
    const at = T0 + 39 * 15_000;
    expect((await limited.instantQuery('histogram_count(sum(rate(w[5m])))', at)).result).toHaveLength(1);
    await expect(limited.instantQuery('histogram_count(sum(rate(w[5m]) * 1))', at)).rejects.toMatchObject({
      code: 'VIGIL_QUERY_TOO_MANY_SAMPLES',
    });
    // What one series holds still counts: the 20 histograms of its last 5 minutes weigh 20 x 201 = 4,020.
    await expect(
      new PromqlEngine({ store, maxSamples: 4_000 }).instantQuery('histogram_count(sum(rate(w[5m])))', at),
    ).rejects.toMatchObject({ code: 'VIGIL_QUERY_TOO_MANY_SAMPLES' });
    // Per series, as a range query: 20 series x 40 steps of floats answered, one series' histograms held.
    for (const q of ['histogram_quantile(0.99, rate(w[5m]))', 'histogram_avg(irate(w[1m]))']) {
      const answered = await limited.rangeQuery(q, T0, at, 15_000);
      expect(answered.result, q).toHaveLength(20);
      await expect(limited.rangeQuery(q.replace('])', ']) * 1'), T0, at, 15_000), q).rejects.toMatchObject({
        code: 'VIGIL_QUERY_TOO_MANY_SAMPLES',
      });
    }
    await expect(
      new PromqlEngine({ store, maxSamples: 4_000 }).instantQuery('histogram_count(rate(w[5m]))', at),
    ).rejects.toMatchObject({ code: 'VIGIL_QUERY_TOO_MANY_SAMPLES' });
    // Grouped by instance, each group is done once its one series is folded: its sums become floats
    // at once. Held until the scan ended, they weighed 20 x 40 x 201 = 160,800.
    const perInstance = 'histogram_quantile(0.99, sum by (instance) (rate(w[5m])))';
    expect((await limited.rangeQuery(perInstance, T0, at, 15_000)).result).toHaveLength(20);
    await expect(
      limited.rangeQuery(perInstance.replace('])', ']) * 1'), T0, at, 15_000),
    ).rejects.toMatchObject({ code: 'VIGIL_QUERY_TOO_MANY_SAMPLES' });
  });
});
