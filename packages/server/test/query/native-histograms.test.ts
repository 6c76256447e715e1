import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@vigil/metrics';
import { afterAll, describe, expect, it } from 'vitest';
import { queryJson } from '../../src/http/query-json.js';
import { PromqlEngine } from '../../src/query/promql-engine.js';
import type { QueryResult } from '../../src/query/query-result.js';
import type { NativeHistogram } from '../../src/store/native-histogram.js';
import { staleNaN } from '../../src/store/series-store.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite-store.js';

const T0 = Date.UTC(2026, 0, 10, 12);
const S = 1000;
const stores: SqliteStore[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const s of stores) await s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A schema-0 integer histogram with positive buckets `counts` from index `first` (bucket i is (2^(i-1), 2^i]). */
function hist(
  first: number,
  counts: number[],
  sum: number,
  extra: Partial<NativeHistogram> = {},
): NativeHistogram {
  const deltas = counts.map((c, k) => c - (counts[k - 1] ?? 0));
  const zeroCount = (extra as { zeroCount?: number }).zeroCount ?? 0;
  return {
    kind: 'int',
    schema: 0,
    zeroThreshold: 0.001,
    zeroCount,
    count: counts.reduce((a, b) => a + b, 0) + zeroCount,
    sum,
    positiveSpans: [{ offset: first, length: counts.length }],
    positiveDeltas: deltas,
    negativeSpans: [],
    negativeDeltas: [],
    counterResetHint: 'unknown',
    ...extra,
  } as NativeHistogram;
}

async function engineWith(
  series: { labels: Record<string, string>; points: [seconds: number, NativeHistogram][] }[],
  floats: { labels: Record<string, string>; points: [number, number][] }[] = [],
  options: {
    maxSamples?: number;
    staleAt?: { labels: Record<string, string>; seconds: number }[];
    experimentalFunctions?: boolean;
  } = {},
): Promise<PromqlEngine> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-native-promql-'));
  dirs.push(dir);
  const store = await openSqliteStore({ dir, clock: new ManualClock(T0 + 3_600_000) });
  stores.push(store);
  await store.appendHistograms(
    series.map((s) => ({
      labels: s.labels,
      timestamps: s.points.map(([t]) => T0 + t * S),
      histograms: s.points.map(([, h]) => h),
    })),
  );
  await store.append(
    floats.map((s) => ({
      labels: s.labels,
      timestamps: s.points.map(([t]) => T0 + t * S),
      values: s.points.map(([, v]) => v),
    })),
  );
  // Float staleness markers, straight into a Float64Array: an array of numbers may lose their NaN payload.
  const { staleAt = [], ...engineOptions } = options;
  await store.append(
    staleAt.map((s) => ({
      labels: s.labels,
      timestamps: [T0 + s.seconds * S],
      values: Float64Array.of(staleNaN()),
    })),
  );
  return new PromqlEngine({ store, ...engineOptions });
}

/** The API's `data`, as a Prometheus client reads it. */
function api(result: QueryResult): unknown {
  return JSON.parse(queryJson(result).toString('utf8')).data;
}

function scalars(result: QueryResult): Record<string, number> {
  if (result.resultType !== 'vector') throw new Error(`expected a vector, got ${result.resultType}`);
  return Object.fromEntries(result.result.map((s) => [JSON.stringify(s.metric), s.value]));
}

// A counter: 4 observations in (1,2] and 2 in (2,4] every 15 s, sum growing by 10.
const counter = [0, 15, 30, 45, 60].map((t, k): [number, NativeHistogram] => [
  t,
  hist(1, [4 * k, 2 * k], 10 * k),
]);

describe('PromQL over native histograms', () => {
  it('answers a selector with the histogram as the API writes it: strings, bounds, boundary rules', async () => {
    const engine = await engineWith([
      {
        labels: { __name__: 'h', job: 'a' },
        points: [[0, hist(0, [1, 0, 3], 7.5, { zeroCount: 2 } as never)]],
      },
    ]);
    expect(api(await engine.instantQuery('h', T0))).toEqual({
      resultType: 'vector',
      result: [
        {
          metric: { __name__: 'h', job: 'a' },
          histogram: [
            T0 / 1000,
            {
              count: '6',
              sum: '7.5',
              buckets: [
                [3, '-0.001', '0.001', '2'],
                [0, '0.5', '1', '1'],
                [0, '2', '4', '3'],
              ],
            },
          ],
        },
      ],
    });
    // A range selector and a range query put the points under "histograms".
    expect(api(await engine.instantQuery('h[1m]', T0 + 30 * S))).toMatchObject({
      resultType: 'matrix',
      result: [{ metric: { __name__: 'h', job: 'a' }, histograms: [[T0 / 1000, { count: '6' }]] }],
    });
    const range = api(await engine.rangeQuery('h', T0, T0 + 30 * S, 15 * S)) as {
      result: { histograms: [number, unknown][]; values?: unknown }[];
    };
    expect(range.result[0]!.histograms.map(([t]) => t)).toEqual([T0 / 1000, T0 / 1000 + 15, T0 / 1000 + 30]);
    expect(range.result[0]!.values).toBeUndefined();
  });

  it('rates a counter histogram and reads count, sum and average of the result', async () => {
    const engine = await engineWith([{ labels: { __name__: 'h' }, points: counter }]);
    const at = T0 + 60 * S;
    // The range (0 s, 60 s] leaves out the sample at 0 s (left-open): 12 + 6 observations and 30 of
    // sum over the 45 s sampled, extrapolated by one interval to the start: 24 and 40 a minute.
    expect(api(await engine.instantQuery('rate(h[1m])', at))).toEqual({
      resultType: 'vector',
      result: [
        {
          metric: {},
          histogram: [
            at / 1000,
            {
              count: '0.39999999999999997',
              sum: '0.6666666666666666',
              buckets: [
                [0, '1', '2', '0.2666666666666666'],
                [0, '2', '4', '0.1333333333333333'],
              ],
            },
          ],
        },
      ],
    });
    expect(scalars(await engine.instantQuery('histogram_count(increase(h[1m]))', at))).toEqual({ '{}': 24 });
    expect(scalars(await engine.instantQuery('histogram_sum(increase(h[1m]))', at))).toEqual({ '{}': 40 });
    expect(scalars(await engine.instantQuery('histogram_avg(increase(h[1m]))', at))).toEqual({
      '{}': 40 / 24,
    });
    expect(scalars(await engine.instantQuery('histogram_count(irate(h[1m]))', at))).toEqual({ '{}': 6 / 15 });
    expect(scalars(await engine.instantQuery('histogram_count(h * 2)', at))).toEqual({ '{}': 48 });
    expect(scalars(await engine.instantQuery('histogram_count(h / 4)', at))).toEqual({ '{}': 6 });
  });

  it('interpolates quantiles exponentially inside a bucket, as Prometheus 3', async () => {
    const engine = await engineWith([{ labels: { __name__: 'h' }, points: [[0, hist(1, [10], 15)]] }]);
    // All 10 observations in (1, 2]: the median is 2^0.5, not the 1.5 of linear interpolation.
    expect(scalars(await engine.instantQuery('histogram_quantile(0.5, h)', T0))).toEqual({
      '{}': Math.SQRT2,
    });
    expect(scalars(await engine.instantQuery('histogram_quantile(0.25, h)', T0))).toEqual({
      '{}': 2 ** 0.25,
    });
    expect(scalars(await engine.instantQuery('histogram_quantile(1, h)', T0))).toEqual({ '{}': 2 });
    expect(scalars(await engine.instantQuery('histogram_quantile(1.5, h)', T0))).toEqual({ '{}': Infinity });
    expect(scalars(await engine.instantQuery('histogram_fraction(0, 1.5, h)', T0))['{}']).toBeCloseTo(
      Math.log2(1.5),
      15,
    );
    expect(scalars(await engine.instantQuery('histogram_fraction(0, 2, h)', T0))).toEqual({ '{}': 1 });
  });

  it('computes stddev and stdvar from bucket geometric means around the mean', async () => {
    // 5 in (1,2] and 5 in (4,8]: values sqrt(2) and sqrt(32); sum makes the mean their midpoint.
    const mean = (Math.SQRT2 + Math.sqrt(32)) / 2;
    const engine = await engineWith([
      { labels: { __name__: 'h' }, points: [[0, hist(1, [5, 0, 5], mean * 10)]] },
    ]);
    const half = (Math.sqrt(32) - Math.SQRT2) / 2;
    const stdvar = scalars(await engine.instantQuery('histogram_stdvar(h)', T0))['{}']!;
    expect(stdvar).toBeCloseTo(half * half, 12);
    expect(scalars(await engine.instantQuery('histogram_stddev(h)', T0))['{}']).toBeCloseTo(half, 12);
  });

  it('sums histograms of different schemas at the coarser one, and adds the samples before a counter reset', async () => {
    const fine: NativeHistogram = { ...hist(2, [3], 3), schema: 1 }; // bucket 2 of schema 1: (sqrt2, 2]
    const engine = await engineWith([
      { labels: { __name__: 'h', i: 'a' }, points: [[0, hist(1, [1], 1.5)]] },
      { labels: { __name__: 'h', i: 'b' }, points: [[0, fine]] },
      {
        labels: { __name__: 'c' },
        points: [
          [0, hist(1, [10], 15)],
          [15, hist(1, [20], 30)],
          [30, hist(1, [5], 7.5)], // reset
          [45, hist(1, [10], 15)],
          [60, hist(1, [15], 22.5)],
        ],
      },
    ]);
    expect(api(await engine.instantQuery('sum(h)', T0))).toEqual({
      resultType: 'vector',
      result: [
        {
          metric: {},
          histogram: [T0 / 1000, { count: '4', sum: '4.5', buckets: [[0, '1', '2', '4']] }],
        },
      ],
    });
    expect(scalars(await engine.instantQuery('count(h)', T0))).toEqual({ '{}': 2 });
    expect(scalars(await engine.instantQuery('histogram_count(avg(h))', T0))).toEqual({ '{}': 2 });
    // (0 s, 60 s] leaves out the 10 at 0 s: 20, reset, 5 → 15 is 15 - 20 + 20 = 15 over 45 s,
    // extrapolated by the 15 s to the range's start: 20.
    expect(scalars(await engine.instantQuery('histogram_count(increase(c[1m]))', T0 + 60 * S))).toEqual({
      '{}': 20,
    });
    // The fused sum(rate()) path gives the same as the step-wise one.
    expect(
      scalars(await engine.instantQuery('histogram_count(sum(rate(c[1m])))', T0 + 60 * S))['{}'],
    ).toBeCloseTo(20 / 60, 15);
  });

  it('rates a histogram that restarted empty: the buckets of the first sample are gone from the last', async () => {
    const engine = await engineWith([
      {
        labels: { __name__: 'r' },
        points: [
          [0, hist(3, [4, 2], 20)],
          [15, hist(3, [6, 3], 30)],
          [30, hist(3, [], 0)], // restarted, nothing observed yet
        ],
      },
    ]);
    // 9 - 6 observations up to the reset, none after, over the 30 s sampled: extrapolated to 45 s.
    for (const q of ['histogram_count(increase(r[45s]))', 'histogram_count(sum(increase(r[45s])))'])
      expect(scalars(await engine.instantQuery(q, T0 + 40 * S)), q).toEqual({ '{}': 4.5 });
  });

  it('keeps floats and histograms apart: a float-only function ignores histograms, a mixed sum has no answer', async () => {
    const engine = await engineWith(
      [{ labels: { __name__: 'm', kind: 'h' }, points: [[0, hist(1, [2], 3)]] }],
      [{ labels: { __name__: 'm', kind: 'f' }, points: [[0, 5]] }],
    );
    expect(scalars(await engine.instantQuery('abs(m)', T0))).toEqual({ '{"kind":"f"}': 5 });
    expect(api(await engine.instantQuery('sum by (kind) (m)', T0))).toEqual({
      resultType: 'vector',
      result: [
        { metric: { kind: 'f' }, value: [T0 / 1000, '5'] },
        {
          metric: { kind: 'h' },
          histogram: [T0 / 1000, { count: '2', sum: '3', buckets: [[0, '1', '2', '2']] }],
        },
      ],
    });
    expect(await engine.instantQuery('sum(m)', T0)).toMatchObject({ result: [] });
    expect(scalars(await engine.instantQuery('histogram_count(m)', T0))).toEqual({ '{"kind":"h"}': 2 });
  });

  it('stops at a histogram staleness marker', async () => {
    const stale: NativeHistogram = { ...hist(1, [1], 1), sum: staleNaN() };
    const engine = await engineWith([
      {
        labels: { __name__: 'h' },
        points: [
          [0, hist(1, [1], 1)],
          [15, stale],
        ],
      },
    ]);
    expect(scalars(await engine.instantQuery('histogram_count(h)', T0 + 10 * S))).toEqual({ '{}': 1 });
    expect(scalars(await engine.instantQuery('histogram_count(h)', T0 + 20 * S))).toEqual({});
  });

  it('stops at a float staleness marker after histograms, as a scrape writes one for a native series that went away', async () => {
    // Prometheus's head turns that float marker into a histogram one; here a series' newest sample
    // decides, marker or not. The other series must not lose its sample to it.
    const engine = await engineWith(
      [
        { labels: { __name__: 'h', s: 'gone' }, points: [[0, hist(1, [1], 1)]] },
        { labels: { __name__: 'h', s: 'back' }, points: [[20, hist(1, [1], 1)]] },
        { labels: { __name__: 'h', s: 'kept' }, points: [[0, hist(1, [2], 2)]] },
      ],
      [],
      {
        staleAt: [
          { labels: { __name__: 'h', s: 'gone' }, seconds: 15 },
          { labels: { __name__: 'h', s: 'back' }, seconds: 15 },
        ],
      },
    );
    expect(scalars(await engine.instantQuery('histogram_count(h)', T0 + 10 * S))).toEqual({
      '{"s":"gone"}': 1,
      '{"s":"kept"}': 2,
    });
    expect(scalars(await engine.instantQuery('histogram_count(h)', T0 + 25 * S))).toEqual({
      '{"s":"back"}': 1,
      '{"s":"kept"}': 2,
    });
  });
});

describe('range functions and subqueries over native histograms', () => {
  // Evaluated at 65 s over 1 m: the samples at 15, 30, 45 and 60 s (k = 1..4), none on the range's edge.
  const at = T0 + 65 * S;

  it('sums and averages histograms over time, and counts, keeps and watches them as Prometheus 3 does', async () => {
    const engine = await engineWith([{ labels: { __name__: 'h', job: 'a' }, points: counter }]);
    expect(api(await engine.instantQuery('sum_over_time(h[1m])', at))).toEqual({
      resultType: 'vector',
      result: [
        {
          metric: { job: 'a' },
          histogram: [
            at / 1000,
            {
              count: '60',
              sum: '100',
              buckets: [
                [0, '1', '2', '40'],
                [0, '2', '4', '20'],
              ],
            },
          ],
        },
      ],
    });
    expect(api(await engine.instantQuery('avg_over_time(h[1m])', at))).toMatchObject({
      result: [{ metric: { job: 'a' }, histogram: [at / 1000, { count: '15', sum: '25' }] }],
    });
    expect(scalars(await engine.instantQuery('count_over_time(h[1m])', at))).toEqual({ '{"job":"a"}': 4 });
    expect(scalars(await engine.instantQuery('present_over_time(h[1m])', at))).toEqual({ '{"job":"a"}': 1 });
    // last_over_time keeps the name, and answers with the histogram itself.
    expect(api(await engine.instantQuery('last_over_time(h[1m])', at))).toMatchObject({
      result: [{ metric: { __name__: 'h', job: 'a' }, histogram: [at / 1000, { count: '24', sum: '40' }] }],
    });
    expect(scalars(await engine.instantQuery('changes(h[1m])', at))).toEqual({ '{"job":"a"}': 3 });
    expect(scalars(await engine.instantQuery('resets(h[1m])', at))).toEqual({ '{"job":"a"}': 0 });
    // Functions of floats only have no answer for a range of histograms.
    for (const fn of ['max_over_time', 'min_over_time', 'stddev_over_time', 'stdvar_over_time', 'deriv'])
      expect(await engine.instantQuery(`${fn}(h[1m])`, at), fn).toMatchObject({ result: [] });
    expect(await engine.instantQuery('quantile_over_time(0.5, h[1m])', at)).toMatchObject({ result: [] });
    expect(await engine.instantQuery('absent_over_time(h[1m])', at)).toMatchObject({ result: [] });
    expect(scalars(await engine.instantQuery('absent_over_time(nothing[1m])', at))).toEqual({ '{}': 1 });
  });

  it('counts a counter reset of histograms in resets() and an unchanged histogram not in changes()', async () => {
    const engine = await engineWith([
      {
        labels: { __name__: 'c' },
        points: [
          [15, hist(1, [10], 15)],
          [30, hist(1, [10], 15)], // unchanged
          [45, hist(1, [5], 7.5)], // reset
          [60, hist(1, [8], 12)],
        ],
      },
    ]);
    expect(scalars(await engine.instantQuery('changes(c[1m])', at))).toEqual({ '{}': 2 });
    expect(scalars(await engine.instantQuery('resets(c[1m])', at))).toEqual({ '{}': 1 });
  });

  it('treats a range of floats and histograms of one series as Prometheus 3: no sum, floats alone for max, both for count', async () => {
    const engine = await engineWith(
      [
        {
          labels: { __name__: 'm' },
          points: [
            [30, hist(1, [2], 3)],
            [45, hist(1, [4], 6)],
          ],
        },
      ],
      [
        {
          labels: { __name__: 'm' },
          points: [
            [15, 7],
            [60, 9],
          ],
        },
      ],
      { experimentalFunctions: true },
    );
    expect(await engine.instantQuery('sum_over_time(m[1m])', at)).toMatchObject({ result: [] });
    expect(await engine.instantQuery('avg_over_time(m[1m])', at)).toMatchObject({ result: [] });
    expect(await engine.instantQuery('rate(m[1m])', at)).toMatchObject({ result: [] });
    expect(scalars(await engine.instantQuery('max_over_time(m[1m])', at))).toEqual({ '{}': 9 });
    expect(scalars(await engine.instantQuery('count_over_time(m[1m])', at))).toEqual({ '{}': 4 });
    // 7 → histogram → another histogram → 9: every pair differs, and a float next to a histogram is a reset.
    expect(scalars(await engine.instantQuery('changes(m[1m])', at))).toEqual({ '{}': 3 });
    expect(scalars(await engine.instantQuery('resets(m[1m])', at))).toEqual({ '{}': 2 });
    // The last sample is the float at 60 s; at 50 s it is the histogram at 45 s.
    expect(scalars(await engine.instantQuery('last_over_time(m[1m])', at))).toEqual({
      '{"__name__":"m"}': 9,
    });
    expect(scalars(await engine.instantQuery('histogram_count(last_over_time(m[1m]))', T0 + 50 * S))).toEqual(
      { '{}': 4 },
    );
    // Prometheus 3's experimental first_over_time keeps the name too: the float at 15 s, and at 75 s
    // (range (15 s, 75 s]) the histogram at 30 s; ts_of_first_over_time says when, either kind.
    expect(scalars(await engine.instantQuery('first_over_time(m[1m])', at))).toEqual({
      '{"__name__":"m"}': 7,
    });
    expect(
      scalars(await engine.instantQuery('histogram_count(first_over_time(m[1m]))', T0 + 75 * S)),
    ).toEqual({ '{}': 2 });
    expect(scalars(await engine.instantQuery('ts_of_first_over_time(m[1m])', at))).toEqual({
      '{}': T0 / 1000 + 15,
    });
    expect(scalars(await engine.instantQuery('ts_of_first_over_time(m[1m])', T0 + 75 * S))).toEqual({
      '{}': T0 / 1000 + 30,
    });
  });

  it('carries histograms through subqueries, into histogram_quantile and the *_over_time functions', async () => {
    const engine = await engineWith([{ labels: { __name__: 'h', job: 'a' }, points: counter }]);
    // The inner steps are 15, 30, 45 and 60 s; each picks that moment's histogram.
    const matrix = api(await engine.instantQuery('h[1m:15s]', at)) as {
      result: { metric: unknown; histograms: [number, { count: string }][] }[];
    };
    expect(matrix.result).toHaveLength(1);
    expect(matrix.result[0]!.histograms.map(([t, h]) => [t - T0 / 1000, h.count])).toEqual([
      [15, '6'],
      [30, '12'],
      [45, '18'],
      [60, '24'],
    ]);
    expect(scalars(await engine.instantQuery('histogram_count(last_over_time(h[1m:15s]))', at))).toEqual({
      '{"job":"a"}': 24,
    });
    expect(scalars(await engine.instantQuery('count_over_time(rate(h[30s])[1m:15s])', at))).toEqual({
      '{"job":"a"}': 4,
    });
    // Every rate holds two thirds of its observations in (1, 2]: the median is 3/4 of the way into it,
    // exponentially, however the rates are summed.
    const median = scalars(
      await engine.instantQuery('histogram_quantile(0.5, sum_over_time(rate(h[30s])[1m:15s]))', at),
    )['{"job":"a"}']!;
    expect(median).toBeCloseTo(2 ** 0.75, 12);
    // A float computed from histograms inside a subquery, taken over time outside it.
    const worst = scalars(
      await engine.instantQuery('max_over_time(histogram_quantile(0.9, rate(h[30s]))[1m:15s])', at),
    )['{"job":"a"}']!;
    expect(worst).toBeGreaterThan(2);
    expect(worst).toBeLessThanOrEqual(4);
    // A range query over a subquery answers at every step.
    const range = api(
      await engine.rangeQuery('histogram_count(sum_over_time(h[30s:15s]))', T0 + 30 * S, at, 15 * S),
    ) as { result: { values: [number, string][] }[] };
    expect(range.result).toHaveLength(1);
    expect(range.result[0]!.values.length).toBeGreaterThanOrEqual(3);
  });
  it('counts a histogram against the sample limit by its buckets, not as one sample', async () => {
    const wide = hist(
      1,
      Array.from({ length: 200 }, (_, k) => k + 1),
      100,
    );
    const points: [number, NativeHistogram][] = [0, 15, 30, 45, 60].map((t) => [t, wide]);
    // Five histograms of 200 buckets weigh 5 x 101 samples: past a limit of 400 that five floats are far inside.
    const limited = await engineWith([{ labels: { __name__: 'h' }, points }], [], { maxSamples: 400 });
    await expect(limited.instantQuery('h[2m]', T0 + 60 * S)).rejects.toMatchObject({
      code: 'VIGIL_QUERY_TOO_MANY_SAMPLES',
    });
    await expect(limited.instantQuery('histogram_count(rate(h[2m]))', T0 + 60 * S)).rejects.toMatchObject({
      code: 'VIGIL_QUERY_TOO_MANY_SAMPLES',
    });
    const roomy = await engineWith([{ labels: { __name__: 'h' }, points }], [], { maxSamples: 1000 });
    expect(scalars(await roomy.instantQuery('histogram_count(rate(h[2m]))', T0 + 60 * S))).toEqual({
      '{}': 0,
    });
  });
});
