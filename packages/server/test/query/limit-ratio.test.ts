import { describe, expect, it } from 'vitest';
import { queryJson } from '../../src/http/query-json.js';
import { PromqlEngine } from '../../src/query/promql-engine.js';
import type { QueryResult } from '../../src/query/query-result.js';
import { engineOverStore } from './engine-over-store.js';

/**
 * limit_ratio(r, v), Prometheus 3's experimental aggregation: a deterministic pseudo-random subset,
 * a series kept when its label hash over 2^64 is below r (r ≥ 0), or at or above 1 + r (r < 0), so
 * r and r − 1 split the input in two. The series are those of Prometheus's promqltest limit.test;
 * where each falls (0.095, 0.100, 0.978, 0.205, 0.862, 0.325) is checked in xxhash64.test.ts against
 * digests computed with the reference xxhsum.
 */
const T0 = Date.UTC(2026, 0, 10, 12);
const MIN = 60_000;

const SERIES: Array<[instance: string, group: string, slope: number]> = [
  ['0', 'production', 10],
  ['1', 'production', 20],
  ['0', 'canary', 30],
  ['1', 'canary', 40],
  ['2', 'canary', 50],
  ['3', 'canary', 60],
];

const promql = engineOverStore({
  now: T0 + 3_600_000,
  experimentalFunctions: true,
  fill: async (store) => {
    const at = Array.from({ length: 11 }, (_, i) => T0 + i * 5 * MIN);
    await store.append(
      SERIES.map(([instance, group, slope]) => ({
        labels: { __name__: 'http_requests', job: 'api-server', instance, group },
        timestamps: at,
        values: at.map((_, i) => i * slope),
      })),
    );
  },
});

const at = T0 + 50 * MIN;

/** `instance/group` of each series of an instant answer, sorted. */
async function picked(query: string): Promise<string[]> {
  const result = await promql.engine.instantQuery(query, at);
  if (result.resultType !== 'vector') throw new Error(`expected a vector, got ${result.resultType}`);
  return result.result.map((s) => `${s.metric.instance}/${s.metric.group}`).sort();
}

function warnings(result: QueryResult): string[] {
  return JSON.parse(queryJson(result).toString('utf8')).warnings ?? [];
}

describe('limit_ratio', () => {
  it('keeps the series whose hash falls below r, and for a negative r those at or above 1 + r', async () => {
    expect(await picked('limit_ratio(0.5, http_requests)')).toEqual([
      '0/production',
      '1/canary',
      '1/production',
      '3/canary',
    ]);
    expect(await picked('limit_ratio(-0.5, http_requests)')).toEqual(['0/canary', '2/canary']);
    expect(await picked('limit_ratio(0.1, http_requests)')).toEqual(['0/production', '1/production']);
    expect(await picked('limit_ratio(-0.1, http_requests)')).toEqual(['0/canary']);
    // The samples themselves, labels and values, as limitk keeps them.
    const result = await promql.engine.instantQuery('limit_ratio(-0.1, http_requests)', at);
    expect(result).toMatchObject({
      resultType: 'vector',
      result: [
        {
          metric: { __name__: 'http_requests', job: 'api-server', instance: '0', group: 'canary' },
          value: 300,
        },
      ],
    });
  });

  it('splits the input in two with r and r − 1, whatever r', async () => {
    for (const r of [0.05, 0.2, 0.5, 0.8, 0.97]) {
      const [kept, rest] = [
        await picked(`limit_ratio(${r}, http_requests)`),
        await picked(`limit_ratio(${r - 1}, http_requests)`),
      ];
      expect([...kept, ...rest].sort()).toHaveLength(6);
      expect(new Set([...kept, ...rest]).size).toBe(6);
      expect(
        await picked(`limit_ratio(${r}, http_requests) and limit_ratio(${r - 1}, http_requests)`),
      ).toEqual([]);
    }
  });

  it('keeps nothing at 0 and everything at 1 and -1; grouping does not change the choice', async () => {
    expect(await picked('limit_ratio(0, http_requests)')).toEqual([]);
    expect(await picked('limit_ratio(1, http_requests)')).toHaveLength(6);
    expect(await picked('limit_ratio(-1, http_requests)')).toHaveLength(6);
    expect(await picked('limit_ratio by (group) (0.5, http_requests)')).toEqual(
      await picked('limit_ratio(0.5, http_requests)'),
    );
  });

  it('keeps the same series at every step of a range, the ratio read per step', async () => {
    const range = await promql.engine.rangeQuery('limit_ratio(0.3, http_requests)', T0, at, 5 * MIN);
    if (range.resultType !== 'matrix') throw new Error('expected a matrix');
    expect(range.result.map((s) => `${s.metric.instance}/${s.metric.group}`).sort()).toEqual([
      '0/production',
      '1/canary',
      '1/production',
    ]);
    for (const s of range.result) expect(s.values).toHaveLength(11);
    // A ratio from time(): 0 at the first step keeps nothing there, 1 from the second on keeps all.
    const growing = await promql.engine.rangeQuery(
      'count(limit_ratio(time() - 1768046400 > bool 0, http_requests))',
      T0,
      T0 + 10 * MIN,
      5 * MIN,
    );
    if (growing.resultType !== 'matrix') throw new Error('expected a matrix');
    const counted = growing.result[0]!;
    expect(Array.from(counted.timesMs, (t) => (t - T0) / MIN)).toEqual([5, 10]);
    expect(Array.from(counted.values)).toEqual([6, 6]);
  });

  it('caps a ratio beyond ±1 with Prometheus’s warning, and refuses NaN', async () => {
    const over = await promql.engine.instantQuery('count(limit_ratio(1.1, http_requests))', at);
    expect(over).toMatchObject({ result: [{ value: 6 }] });
    expect(warnings(over)).toEqual([
      'PromQL warning: ratio value should be between -1 and 1, got 1.1, capping to 1 (1:19)',
    ]);
    const under = await promql.engine.instantQuery('count(limit_ratio(-1.1, http_requests))', at);
    expect(under).toMatchObject({ result: [{ value: 6 }] });
    expect(warnings(under)).toEqual([
      'PromQL warning: ratio value should be between -1 and 1, got -1.1, capping to -1 (1:19)',
    ]);
    await expect(promql.engine.instantQuery('limit_ratio(NaN, http_requests)', at)).rejects.toMatchObject({
      type: 'execution',
      message: 'Ratio value NaN is NaN',
    });
  });

  it('is experimental: refused unless enabled, with Prometheus’s message', async () => {
    const plain = new PromqlEngine({ store: promql.store });
    await expect(plain.instantQuery('limit_ratio(0.5, http_requests)', at)).rejects.toMatchObject({
      type: 'bad_data',
      message:
        'parse error at char 1: limit_ratio() is experimental and must be enabled with --enable-feature=promql-experimental-functions',
    });
  });
});
