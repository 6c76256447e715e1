import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { PromqlEngine } from '../../src/query/promql-engine.js';
import type { QueryResult } from '../../src/query/query-result.js';
import { engineOverStore } from './engine-over-store.js';

/**
 * Prometheus 3's newer functions. The expected values are worked out by hand from Prometheus's
 * documentation and its functions' definitions, not read from vigil's answers.
 */
const T0 = Date.UTC(2026, 0, 10, 12);
const S = 1000;

const promql = engineOverStore({
  now: T0 + 3_600_000,
  experimentalFunctions: true,
  fill: async (store) => {
    const at = [0, 15, 30, 45, 60].map((t) => T0 + t * S);
    const series = (labels: Record<string, string>, values: number[]) => ({ labels, timestamps: at, values });
    await store.append([
      series({ __name__: 'm', i: 'a' }, [1, 5, 3, 5, 2]),
      series({ __name__: 'pod', name: 'a10', zone: 'x' }, [1, 1, 1, 1, 1]),
      series({ __name__: 'pod', name: 'a2', zone: 'y' }, [2, 2, 2, 2, 2]),
      series({ __name__: 'pod', name: 'b1', zone: 'x' }, [3, 3, 3, 3, 3]),
      series({ __name__: 'd_bucket', le: '1' }, [2, 2, 2, 2, 2]),
      series({ __name__: 'd_bucket', le: '2' }, [6, 6, 6, 6, 6]),
      series({ __name__: 'd_bucket', le: '4' }, [8, 8, 8, 8, 8]),
      series({ __name__: 'd_bucket', le: '+Inf' }, [10, 10, 10, 10, 10]),
    ]);
  },
});

const at = T0 + 60 * S;

async function values(query: string): Promise<Record<string, number>> {
  const result = await promql.engine.instantQuery(query, at);
  if (result.resultType !== 'vector') throw new Error(`expected a vector, got ${result.resultType}`);
  return Object.fromEntries(result.result.map((s) => [JSON.stringify(s.metric), s.value]));
}

function order(result: QueryResult): string[] {
  if (result.resultType !== 'vector') throw new Error(`expected a vector, got ${result.resultType}`);
  return result.result.map((s) => s.metric.name ?? '');
}

describe("Prometheus 3's functions", () => {
  it('mad_over_time: the median of the distances from the median', async () => {
    // (0 s, 60 s]: 5 3 5 2, median 4, distances 1 1 1 2, their median 1.
    expect(await values('mad_over_time(m[1m])')).toEqual({ '{"i":"a"}': 1 });
    // All five: 1 5 3 5 2, median 3, distances 2 2 0 2 1, median 2.
    expect(await values('mad_over_time(m[2m])')).toEqual({ '{"i":"a"}': 2 });
    // Summed series by series, as sum(f(x[r])) is folded.
    expect(await values('sum(mad_over_time(m[2m]))')).toEqual({ '{}': 2 });
  });

  it('ts_of_min_over_time, ts_of_max_over_time, ts_of_last_over_time, first_over_time and ts_of_first_over_time', async () => {
    const t = (s: number) => T0 / 1000 + s;
    // The maximum 5 is at 15 s and at 45 s: the later one.
    expect(await values('ts_of_max_over_time(m[2m])')).toEqual({ '{"i":"a"}': t(45) });
    expect(await values('ts_of_min_over_time(m[2m])')).toEqual({ '{"i":"a"}': t(0) });
    expect(await values('ts_of_min_over_time(m[1m])')).toEqual({ '{"i":"a"}': t(60) });
    expect(await values('ts_of_last_over_time(m[2m])')).toEqual({ '{"i":"a"}': t(60) });
    // (0 s, 60 s]: the first sample is 5 at 15 s. first_over_time keeps the name, as last_over_time does.
    expect(await values('first_over_time(m[1m])')).toEqual({ '{"__name__":"m","i":"a"}': 5 });
    expect(await values('first_over_time(m[2m])')).toEqual({ '{"__name__":"m","i":"a"}': 1 });
    expect(await values('ts_of_first_over_time(m[1m])')).toEqual({ '{"i":"a"}': t(15) });
    expect(await values('sum(first_over_time(m[1m]))')).toEqual({ '{}': 5 });
  });

  it('double_exponential_smoothing: Holt smoothing, as holt_winters was', async () => {
    // s=1, b=4; then (s, b) = (5, 4), (6, 4), (6.75, 2.5), (5.1875, 1.625) with both factors 0.5.
    expect(await values('double_exponential_smoothing(m[2m], 0.5, 0.5)')).toEqual({ '{"i":"a"}': 5.1875 });
    await expect(
      promql.engine.instantQuery('double_exponential_smoothing(m[2m], 1, 0.5)', at),
    ).rejects.toMatchObject({
      type: 'execution',
      message: 'invalid smoothing factor. Expected: 0 < sf < 1, got: 1.000000',
    });
    await expect(
      promql.engine.instantQuery('double_exponential_smoothing(m[2m], 0.5, 0)', at),
    ).rejects.toMatchObject({
      message: 'invalid trend factor. Expected: 0 < tf < 1, got: 0.000000',
    });
  });

  it('sort_by_label and sort_by_label_desc: natural order of the labels, then the label set', async () => {
    expect(order(await promql.engine.instantQuery('sort_by_label(pod, "name")', at))).toEqual([
      'a2',
      'a10',
      'b1',
    ]);
    expect(order(await promql.engine.instantQuery('sort_by_label_desc(pod, "name")', at))).toEqual([
      'b1',
      'a10',
      'a2',
    ]);
    expect(order(await promql.engine.instantQuery('sort_by_label(pod, "zone", "name")', at))).toEqual([
      'a10',
      'b1',
      'a2',
    ]);
    // The name stays, as sort keeps it.
    expect(await promql.engine.instantQuery('sort_by_label(pod, "name")', at)).toMatchObject({
      result: [{ metric: { __name__: 'pod', name: 'a2' } }, {}, {}],
    });
  });

  it('limitk: k series of each group, the same ones at every step', async () => {
    expect(Object.keys(await values('limitk(2, pod)'))).toHaveLength(2);
    expect(
      Object.keys(await values('limitk(1, pod) by (zone)'))
        .map((k) => JSON.parse(k).zone)
        .sort(),
    ).toEqual(['x', 'y']);
    expect(await values('limitk(0, pod)')).toEqual({});
    const range = await promql.engine.rangeQuery('limitk(1, pod)', T0, at, 15 * S);
    expect(range).toMatchObject({
      resultType: 'matrix',
      result: [{ values: Float64Array.of(1, 1, 1, 1, 1) }],
    });
  });

  it('start(), end(), range() and step(): the query’s own times, in seconds', async () => {
    const instant = await promql.engine.instantQuery(
      'vector(start()) + end() + range() * 10 + step() * 100',
      at,
    );
    // An instant query starts and ends at its time, with range and step 0.
    expect(instant).toMatchObject({ resultType: 'vector', result: [{ value: (2 * at) / 1000 }] });
    const range = (q: string) => promql.engine.rangeQuery(q, T0, at, 15 * S);
    expect(await range('vector(end() - start())')).toMatchObject({
      result: [{ values: Float64Array.of(60, 60, 60, 60, 60) }],
    });
    expect(await range('vector(range() + step() / 100)')).toMatchObject({
      result: [{ values: Float64Array.of(60.15, 60.15, 60.15, 60.15, 60.15) }],
    });
    expect(await range('vector(start())')).toMatchObject({
      result: [{ values: Float64Array.of(...Array(5).fill(T0 / 1000)) }],
    });
    // Worked out once for the query, as Prometheus folds them: the query's step inside a subquery too.
    expect(await range('max_over_time(vector(step())[1m:10s])')).toMatchObject({
      result: [{ values: Float64Array.of(15, 15, 15, 15, 15) }],
    });
  });

  it('min_of and max_of: the smaller and larger of two scalars, outside durations too (Prometheus 3.13)', async () => {
    const scalar = async (q: string) => {
      const result = await promql.engine.instantQuery(q, at);
      if (result.resultType !== 'scalar') throw new Error(`expected a scalar, got ${result.resultType}`);
      return result.value;
    };
    expect(await scalar('min_of(1, 2)')).toBe(1);
    expect(await scalar('max_of(1, 2)')).toBe(2);
    // Nested, and as an operand: the grammar knows the names only in durations.
    expect(await scalar('max_of(min_of(4, 3), max_of (1, 2)) + 1')).toBe(4);
    expect(await values('m * max_of(2, time() - time())')).toEqual({ '{"i":"a"}': 4 });
    expect(await values('vector(min_of(time(), 5))')).toEqual({ '{}': 5 });
    // Go's math.Min and math.Max: the infinity on the chosen side wins over NaN, else NaN wins.
    expect(await scalar('max_of(Inf, NaN)')).toBe(Infinity);
    expect(await scalar('min_of(NaN, -Inf)')).toBe(-Infinity);
    expect(await scalar('max_of(1, NaN)')).toBeNaN();
    expect(await scalar('min_of(NaN, 1)')).toBeNaN();
    await expect(promql.engine.instantQuery('min_of(1)', at)).rejects.toMatchObject({
      message: 'parse error at char 1: expected 2 argument(s) in call to "min_of", got 1',
    });
    await expect(promql.engine.instantQuery('max_of(m, 1)', at)).rejects.toMatchObject({
      message: 'parse error at char 8: expected type scalar in call to function "max_of", got instant vector',
    });
  });

  it('min_of and max_of nested 500 deep are read in one pass, not one read of the query a level', async () => {
    // Found level by level in the parse tree, this query (30 KB) held the event loop for 150 s.
    const n = 500;
    // Inside: the last minute's samples of m but the newest, offset by 1 s: 4.
    const four = 'scalar(count_over_time(m[1m] offset 1s))';
    const query = `${'min_of('.repeat(n)}7${`, max_of(${four}, 9))`.repeat(n)}`;
    const t = performance.now();
    const result = await promql.engine.instantQuery(query, at);
    expect(performance.now() - t).toBeLessThan(4_000);
    expect(result).toMatchObject({ resultType: 'scalar', value: 7 });
    expect(await values(`vector(${four})`)).toEqual({ '{}': 4 });
  });

  it('histogram_fraction over classic buckets: linear inside a bucket, the first one from 0', async () => {
    // Cumulative 2 at 1, 6 at 2, 8 at 4, 10 in all.
    expect(await values('histogram_fraction(0, 1, d_bucket)')).toEqual({ '{}': 0.2 });
    expect(await values('histogram_fraction(0, 1.5, d_bucket)')).toEqual({ '{}': 0.4 });
    expect(await values('histogram_fraction(1.5, 3, d_bucket)')).toEqual({ '{}': 0.3 });
    expect(await values('histogram_fraction(0.5, +Inf, d_bucket)')).toEqual({ '{}': 0.9 });
    // Past the last finite bound the +Inf bucket counts as at that bound.
    expect(await values('histogram_fraction(0, 5, d_bucket)')).toEqual({ '{}': 0.8 });
    expect(await values('histogram_fraction(2, 1, d_bucket)')).toEqual({ '{}': 0 });
  });
});

describe('experimental functions stay off unless enabled, as in Prometheus', () => {
  it('refuses them with Prometheus’s messages', async () => {
    const plain = new PromqlEngine({ store: promql.store });
    await expect(plain.instantQuery('sort_by_label(pod, "name")', at)).rejects.toMatchObject({
      type: 'bad_data',
      message: 'parse error at char 1: function "sort_by_label" is not enabled',
    });
    await expect(plain.instantQuery('sum(mad_over_time(m[1m]))', at)).rejects.toMatchObject({
      message: 'parse error at char 5: function "mad_over_time" is not enabled',
    });
    await expect(plain.instantQuery('1 + max_of(1, 2)', at)).rejects.toMatchObject({
      message: 'parse error at char 5: function "max_of" is not enabled',
    });
    await expect(plain.instantQuery('first_over_time(m[1m])', at)).rejects.toMatchObject({
      message: 'parse error at char 1: function "first_over_time" is not enabled',
    });
    await expect(plain.instantQuery('step()', at)).rejects.toMatchObject({
      message: 'parse error at char 1: function "step" is not enabled',
    });
    await expect(plain.instantQuery('limitk(1, pod)', at)).rejects.toMatchObject({
      message:
        'parse error at char 1: limitk() is experimental and must be enabled with --enable-feature=promql-experimental-functions',
    });
    // histogram_fraction is not experimental.
    expect(await plain.instantQuery('histogram_fraction(0, 1, d_bucket)', at)).toMatchObject({
      result: [{ value: 0.2 }],
    });
  });

  it('vigil serve takes --enable-feature=promql-experimental-functions, and refuses a feature it does not know', () => {
    expect(loadConfig({}, {}).query.experimentalFunctions).toBe(false);
    expect(
      loadConfig({ enableFeatures: ['promql-experimental-functions'] }, {}).query.experimentalFunctions,
    ).toBe(true);
    expect(() => loadConfig({ enableFeatures: ['exemplar-storage'] }, {})).toThrow(
      '--enable-feature=exemplar-storage: unknown feature; vigil knows promql-experimental-functions, promql-duration-expr',
    );
  });
});
