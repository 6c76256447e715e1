import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Clock, ManualClock } from '@vigil/metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { PromqlEngine } from '../../src/query/promql-engine.js';
import { QueryError } from '../../src/query/query-error.js';
import type { QueryResult } from '../../src/query/query-result.js';
import { type SeriesLabels, type SeriesStore, staleNaN } from '../../src/store/series-store.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';

const T0 = Date.UTC(2026, 0, 10, 12);
const S = 1000;
const stores: SeriesStore[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** `'stale'` writes a staleness marker: a plain array would not keep its NaN payload, a Float64Array does. */
type Points = [offsetSeconds: number, value: number | 'stale'][];

function values(points: Points): Float64Array {
  const out = new Float64Array(points.length);
  points.forEach(([, v], i) => {
    out[i] = v === 'stale' ? staleNaN() : v;
  });
  return out;
}

async function engineWith(
  series: [SeriesLabels, Points][],
  options: { clock?: Clock; maxSamples?: number; maxSeries?: number } = {},
) {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-promql-'));
  dirs.push(dir);
  const store = await openSqliteStore({ dir, clock: new ManualClock(T0 + 3_600_000) });
  stores.push(store);
  await store.append(
    series.map(([labels, points]) => ({
      labels,
      timestamps: points.map(([t]) => T0 + t * S),
      values: values(points),
    })),
  );
  return new PromqlEngine({ store, ...options });
}

/** The vector as `labels → value`, order-independent. */
function vector(data: QueryResult): Record<string, number> {
  if (data.resultType !== 'vector') throw new Error(`expected a vector, got ${data.resultType}`);
  return Object.fromEntries(data.result.map((r) => [JSON.stringify(r.metric), r.value]));
}

const counterWithReset: [SeriesLabels, Points] = [
  { __name__: 'c_total', job: 'a' },
  [
    [0, 0],
    [10, 10],
    [20, 20],
    [30, 30],
    [40, 5],
    [50, 15],
  ],
];

describe('PromqlEngine', () => {
  it('rate and increase add the value before a counter reset and extrapolate to the range edges', async () => {
    const engine = await engineWith([counterWithReset]);
    // The range (0 s, 60 s] leaves out the sample at 0 s (left-open, Prometheus 3): 15 - 10 + 30
    // (reset) = 35 over 40 s sampled, extrapolated by 10 s to each edge (within 1.1 intervals): 52.5.
    expect(vector(await engine.instantQuery('increase(c_total[1m])', T0 + 60 * S))).toEqual({
      '{"job":"a"}': 52.5,
    });
    expect(vector(await engine.instantQuery('rate(c_total[1m])', T0 + 60 * S))).toEqual({
      '{"job":"a"}': 0.875,
    });
    expect(vector(await engine.instantQuery('resets(c_total[1m])', T0 + 60 * S))).toEqual({
      '{"job":"a"}': 1,
    });
    expect(vector(await engine.instantQuery('irate(c_total[1m])', T0 + 60 * S))).toEqual({
      '{"job":"a"}': 1,
    });
  });

  it('sums with compensation, as Prometheus 3 (2.42 added plainly)', async () => {
    const engine = await engineWith([
      [{ __name__: 'big', i: 'a' }, [[0, 1e100]]],
      [{ __name__: 'big', i: 'b' }, [[0, 1]]],
      [{ __name__: 'big', i: 'c' }, [[0, -1e100]]],
      [{ __name__: 'huge', i: 'a' }, [[0, Infinity]]],
      [{ __name__: 'huge', i: 'b' }, [[0, 1]]],
    ]);
    // 1e100 + 1 rounds to 1e100, compensation (1e100 - 1e100) + 1 = 1; + -1e100 gives 0, compensation
    // 1 + ((1e100 - 0) + -1e100) = 1; the answer is 0 + 1 = 1 in any order (plainly 0 in this one).
    expect(vector(await engine.instantQuery('sum(big)', T0 + 30 * S))).toEqual({ '{}': 1 });
    // The series-wise path (an aggregation over a range function) compensates alike.
    expect(vector(await engine.instantQuery('sum(max_over_time(big[1m]))', T0 + 30 * S))).toEqual({
      '{}': 1,
    });
    // An infinite sum drops its compensation: Inf, where (Inf - Inf) + 1 would have made it NaN.
    expect(vector(await engine.instantQuery('sum(huge)', T0 + 30 * S))).toEqual({ '{}': Infinity });
    expect(vector(await engine.instantQuery('sum(max_over_time(huge[1m]))', T0 + 30 * S))).toEqual({
      '{}': Infinity,
    });
  });

  it('extrapolates only half an interval when the samples are far from the range edges', async () => {
    const engine = await engineWith([
      [
        { __name__: 'c_total' },
        [
          [20, 100],
          [30, 110],
          [40, 120],
        ],
      ],
    ]);
    // 20 over 20 s; both edges 20 s away (> 1.1 × 10 s), so 5 s are added on each side: 20 × 30 / 20.
    expect(vector(await engine.instantQuery('increase(c_total[1m])', T0 + 60 * S))).toEqual({ '{}': 30 });
    expect(vector(await engine.instantQuery('rate(c_total[1m])', T0 + 60 * S))).toEqual({ '{}': 0.5 });
    expect(vector(await engine.instantQuery('delta(c_total[1m])', T0 + 60 * S))).toEqual({ '{}': 30 });
  });

  it('computes histogram_quantile over le buckets, fixing non-monotonic counts', async () => {
    const bucket = (le: string, v: number): [SeriesLabels, Points] => [
      { __name__: 'h_bucket', le },
      [[0, v]],
    ];
    const engine = await engineWith([
      bucket('0.5', 10),
      bucket('1', 20),
      bucket('2', 30),
      bucket('+Inf', 40),
    ]);
    const at = T0 + 10 * S;
    expect(vector(await engine.instantQuery('histogram_quantile(0.5, h_bucket)', at))).toEqual({ '{}': 1 });
    expect(vector(await engine.instantQuery('histogram_quantile(0.25, h_bucket)', at))).toEqual({
      '{}': 0.5,
    });
    expect(vector(await engine.instantQuery('histogram_quantile(0.9, h_bucket)', at))).toEqual({ '{}': 2 });
    const skewed = await engineWith([bucket('0.5', 10), bucket('1', 8), bucket('2', 30), bucket('+Inf', 40)]);
    expect(vector(await skewed.instantQuery('histogram_quantile(0.5, h_bucket)', at))).toEqual({ '{}': 1.5 });
  });

  it('matches many-to-one with group_left, copying the listed labels from the one side', async () => {
    const engine = await engineWith([
      [{ __name__: 'req', instance: 'a', code: '200' }, [[0, 10]]],
      [{ __name__: 'req', instance: 'a', code: '500' }, [[0, 20]]],
      [{ __name__: 'info', instance: 'a', team: 't1' }, [[0, 2]]],
    ]);
    const at = T0 + 10 * S;
    expect(vector(await engine.instantQuery('req / on (instance) group_left (team) info', at))).toEqual({
      '{"code":"200","instance":"a","team":"t1"}': 5,
      '{"code":"500","instance":"a","team":"t1"}': 10,
    });
    await expect(engine.instantQuery('info / on (instance) req', at)).rejects.toThrow(
      /many-to-many matching not allowed/,
    );
    // With nothing on one side nothing can match, and the other side's duplicates are no error, as
    // in Prometheus (found by the differential test against 2.42).
    expect(vector(await engine.instantQuery('info{instance="none"} / on (instance) req', at))).toEqual({});
    expect(
      vector(await engine.instantQuery('req / on (instance) group_right info{team="none"}', at)),
    ).toEqual({});
    expect(vector(await engine.instantQuery('req > bool 15', at))).toEqual({
      '{"code":"200","instance":"a"}': 0,
      '{"code":"500","instance":"a"}': 1,
    });
    expect(vector(await engine.instantQuery('req > 15', at))).toEqual({
      '{"__name__":"req","code":"500","instance":"a"}': 20,
    });
    expect(vector(await engine.instantQuery('req unless on (code) req{code="500"}', at))).toEqual({
      '{"__name__":"req","code":"200","instance":"a"}': 10,
    });
  });

  it('ends a series at its staleness marker instead of looking back 5 minutes', async () => {
    const engine = await engineWith([
      [
        { __name__: 'g' },
        [
          [0, 1],
          [10, 2],
          [20, 'stale'],
        ],
      ],
      [
        { __name__: 'h' },
        [
          [0, 1],
          [10, 2],
        ],
      ],
    ]);
    expect(vector(await engine.instantQuery('g', T0 + 15 * S))).toEqual({ '{"__name__":"g"}': 2 });
    expect(vector(await engine.instantQuery('g', T0 + 30 * S))).toEqual({});
    expect(vector(await engine.instantQuery('h', T0 + 30 * S))).toEqual({ '{"__name__":"h"}': 2 });
    expect(vector(await engine.instantQuery('h', T0 + 311 * S))).toEqual({});
    const range = await engine.rangeQuery('g', T0, T0 + 30 * S, 10 * S);
    expect(range).toEqual({
      resultType: 'matrix',
      result: [
        {
          metric: { __name__: 'g' },
          timesMs: Float64Array.of(T0, T0 + 10 * S),
          values: Float64Array.of(1, 2),
        },
      ],
    });
  });

  it('leaves a sample exactly at the start of a range or of the lookback out, as Prometheus 3', async () => {
    const engine = await engineWith([
      [
        { __name__: 'g' },
        [
          [0, 1],
          [60, 2],
          [120, 3],
        ],
      ],
    ]);
    const counts = async (q: string, at: number) => vector(await engine.instantQuery(q, at))['{}'];
    // Range selectors (step-wise and series by series): (60 s, 120 s] holds only the sample at 120 s.
    expect(await counts('count_over_time(g[1m])', T0 + 120 * S)).toBe(1);
    expect(await counts('sum(count_over_time(g[1m]))', T0 + 120 * S)).toBe(1);
    expect(await counts('count_over_time(g[1m])', T0 + 120 * S - 1)).toBe(1);
    expect(await counts('count_over_time(g[1m])', T0 + 120 * S + 1)).toBe(1);
    expect(await counts('count_over_time(g[61s])', T0 + 120 * S)).toBe(2);
    expect(vector(await engine.instantQuery('absent_over_time(g[1m])', T0 + 180 * S))).toEqual({ '{}': 1 });
    // The lookback: the sample at 120 s is 5 minutes old at 420 s, and no longer seen.
    expect(vector(await engine.instantQuery('g', T0 + 420 * S - 1))).toEqual({ '{"__name__":"g"}': 3 });
    expect(vector(await engine.instantQuery('g', T0 + 420 * S))).toEqual({});
    const range = await engine.rangeQuery('g', T0 + 419 * S, T0 + 421 * S, S);
    expect(range).toMatchObject({ result: [{ timesMs: Float64Array.of(T0 + 419 * S) }] });
    // Subqueries: the steps of g[2m:30s] at 120 s are 30, 60, 90 and 120 s, not 0 s.
    expect(await counts('count_over_time(g[2m:30s])', T0 + 120 * S)).toBe(4);
    expect(await counts('count_over_time((g + 0)[2m:30s])', T0 + 120 * S)).toBe(4);
    expect(await counts('count_over_time(g[2m:30s])', T0 + 121 * S)).toBe(4);
  });

  it('aggregates by and without, with topk and count_values', async () => {
    const engine = await engineWith([
      [{ __name__: 'm', job: 'a', i: '1' }, [[0, 1]]],
      [{ __name__: 'm', job: 'a', i: '2' }, [[0, 3]]],
      [{ __name__: 'm', job: 'b', i: '1' }, [[0, 3]]],
    ]);
    const at = T0 + S;
    expect(vector(await engine.instantQuery('sum by (job) (m)', at))).toEqual({
      '{"job":"a"}': 4,
      '{"job":"b"}': 3,
    });
    expect(vector(await engine.instantQuery('avg without (i) (m)', at))).toEqual({
      '{"job":"a"}': 2,
      '{"job":"b"}': 3,
    });
    expect(vector(await engine.instantQuery('topk(1, m) by (job)', at))).toEqual({
      '{"__name__":"m","i":"2","job":"a"}': 3,
      '{"__name__":"m","i":"1","job":"b"}': 3,
    });
    expect(vector(await engine.instantQuery('count_values("v", m)', at))).toEqual({
      '{"v":"1"}': 1,
      '{"v":"3"}': 2,
    });
    // The value replaces a label of the same name before grouping, as in Prometheus (found by the
    // differential test against 2.42): counting the counts, and keeping it with without.
    expect(vector(await engine.instantQuery('count_values("v", count_values("v", m))', at))).toEqual({
      '{"v":"1"}': 1,
      '{"v":"2"}': 1,
    });
    expect(vector(await engine.instantQuery('count_values without (i) ("job", m)', at))).toEqual({
      '{"job":"1"}': 1,
      '{"job":"3"}': 2,
    });
    expect(vector(await engine.instantQuery('count_values by (job) ("job", m)', at))).toEqual({
      '{"job":"1"}': 1,
      '{"job":"3"}': 2,
    });
    expect(vector(await engine.instantQuery('quantile(0.5, m)', at))).toEqual({ '{}': 3 });
    expect(vector(await engine.instantQuery('stddev(m)', at))).toEqual({ '{}': Math.sqrt(8 / 9) });
  });

  it('answers scalars, strings, offsets, @ and subqueries in the API shape', async () => {
    const engine = await engineWith([
      [
        { __name__: 'g', job: 'x' },
        [
          [0, 1],
          [60, 5],
          [120, 2],
        ],
      ],
    ]);
    const at = T0 + 120 * S;
    expect(await engine.instantQuery('1 + 2 * 3', at)).toEqual({
      resultType: 'scalar',
      timeMs: at,
      value: 7,
    });
    expect(await engine.instantQuery('"hi"', at)).toEqual({
      resultType: 'string',
      timeMs: at,
      value: 'hi',
    });
    expect(vector(await engine.instantQuery('g offset 1m', at))).toEqual({ '{"__name__":"g","job":"x"}': 5 });
    expect(vector(await engine.instantQuery(`g @ ${(T0 + 10 * S) / 1000}`, at))).toEqual({
      '{"__name__":"g","job":"x"}': 1,
    });
    expect(vector(await engine.instantQuery('max_over_time(g[2m:30s])', at))).toEqual({ '{"job":"x"}': 5 });
    expect(vector(await engine.instantQuery('label_replace(g, "j2", "$1-y", "job", "(.*)")', at))).toEqual({
      '{"__name__":"g","j2":"x-y","job":"x"}': 2,
    });
    expect(vector(await engine.instantQuery('absent(nope{job="z"})', at))).toEqual({ '{"job":"z"}': 1 });
    expect(vector(await engine.instantQuery('timestamp(g)', at))).toEqual({ '{"job":"x"}': at / 1000 });
    // The sample exactly at the range's start (60 s) is outside: ranges are left-open, as in Prometheus 3.
    expect(await engine.instantQuery('g[1m]', at)).toEqual({
      resultType: 'matrix',
      result: [
        { metric: { __name__: 'g', job: 'x' }, timesMs: Float64Array.of(at), values: Float64Array.of(2) },
      ],
    });
    expect(await engine.instantQuery('g[1m]', at + 1)).toMatchObject({
      result: [{ timesMs: Float64Array.of(at) }],
    });
    expect(await engine.instantQuery('g[1m]', at - 1)).toMatchObject({
      result: [{ timesMs: Float64Array.of(T0 + 60 * S) }],
    });
  });

  it('stops with typed errors past the sample limit and the timeout', async () => {
    const limited = await engineWith([counterWithReset], { maxSamples: 3 });
    const tooMany = await limited.instantQuery('c_total[1m]', T0 + 60 * S).catch((e: unknown) => e);
    expect(tooMany).toBeInstanceOf(QueryError);
    expect(tooMany).toMatchObject({ type: 'execution', code: 'VIGIL_QUERY_TOO_MANY_SAMPLES' });
    // Every reading of this clock is a second later, so a 2 s timeout passes after a few steps.
    let now = T0;
    const ticking: Clock = { now: () => (now += 1000), every: () => () => {} };
    const slow = await engineWith([counterWithReset], { clock: ticking });
    const timedOut = await slow
      .rangeQuery('c_total * 2', T0, T0 + 600 * S, 10 * S, { timeoutMs: 2000 })
      .catch((e: unknown) => e);
    expect(timedOut).toMatchObject({ type: 'timeout', code: 'VIGIL_QUERY_TIMEOUT' });
  });

  // The default limit is 500,000 series a selector; the same check at 1,000 keeps the test small.
  it('refuses a selector over more series than maxSeries, and runs one within it', async () => {
    const many: [SeriesLabels, Points][] = Array.from({ length: 1_001 }, (_, i) => [
      { __name__: 'wide', i: String(i) },
      [[0, i]],
    ]);
    const engine = await engineWith(many, { maxSeries: 1_000 });
    const refused = await engine.instantQuery('count(wide)', T0).catch((e: unknown) => e);
    expect(refused).toMatchObject({
      type: 'execution',
      code: 'VIGIL_QUERY_TOO_MANY_SERIES',
      message:
        'query processing would load more than 1000 series of one selector into memory (maxSeries); narrow the matchers',
    });
    expect(await engine.instantQuery('count(wide{i=~"1.*"})', T0)).toMatchObject({
      result: [{ value: 112 }],
    });
  });
});
