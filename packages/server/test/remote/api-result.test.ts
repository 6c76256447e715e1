import { describe, expect, it } from 'vitest';
import { queryJson } from '../../src/http/query-json.js';
import { FloatHistogram } from '../../src/query/float-histogram.js';
import type { QueryResult } from '../../src/query/query-result.js';
import { type ApiQueryData, readQueryResult } from '../../src/remote/api-result.js';

describe("a remote engine's answer as typed values", () => {
  it('reads Go infinities, NaN, -0 and millisecond timestamps back into numbers', () => {
    const data: ApiQueryData = {
      resultType: 'matrix',
      result: [
        {
          metric: { __name__: 'g' },
          values: [
            [1_700_000_000.123, '+Inf'],
            [1_700_000_015, '-Inf'],
            [1_700_000_030.5, 'NaN'],
            [1_700_000_045, '-0'],
            [1_700_000_060, '0.1'],
          ],
        },
      ],
    };
    const result = readQueryResult(data, 0);
    expect(result).toEqual({
      resultType: 'matrix',
      result: [
        {
          metric: { __name__: 'g' },
          timesMs: Float64Array.of(
            1_700_000_000_123,
            1_700_000_015_000,
            1_700_000_030_500,
            1_700_000_045_000,
            1_700_000_060_000,
          ),
          values: Float64Array.of(Infinity, -Infinity, NaN, -0, 0.1),
        },
      ],
    });
  });

  it('serves what the remote answered byte for byte, for every result type', () => {
    const answers: ApiQueryData[] = [
      { resultType: 'scalar', result: [1_700_000_000.5, '+Inf'] },
      { resultType: 'string', result: [1_700_000_000, 'hi "there"'] },
      {
        resultType: 'vector',
        result: [
          // Below 1e-6 Prometheus writes the exponent form.
          { metric: { job: 'a' }, value: [1_700_000_000.25, '1e-07'] },
          { metric: {}, value: [1_700_000_000.25, '-Inf'] },
        ],
      },
      { resultType: 'vector', result: [] },
      {
        resultType: 'matrix',
        result: [
          {
            metric: { a: 'ü' },
            values: [
              [1, '123456789.123456'],
              [2, 'NaN'],
            ],
          },
        ],
      },
    ];
    for (const data of answers) {
      const served = queryJson(readQueryResult(data, 1_700_000_000_250)).toString('utf8');
      expect(served).toBe(JSON.stringify({ status: 'success', data }));
    }
  });

  it('reads native histograms back from their buckets, so they are served byte for byte, at any schema', () => {
    const h = (schema: number, positive: [number, number][], negative: [number, number][] = []) =>
      FloatHistogram.fromBuckets(schema, 0.001, 1, 40, 25.5, positive, negative);
    const results: QueryResult[] = [
      {
        resultType: 'vector',
        timeMs: 1_700_000_000_250,
        result: [
          {
            metric: { a: 'b' },
            value: Number.NaN,
            histogram: h(
              3,
              [
                [1, 2],
                [2, 0],
                [9, 5],
              ],
              [[4, 4]],
            ),
          },
          { metric: { a: 'c' }, value: 7 },
        ],
      },
      {
        resultType: 'matrix',
        result: [
          {
            metric: { a: 'b' },
            timesMs: new Float64Array(0),
            values: new Float64Array(0),
            histograms: {
              timesMs: Float64Array.of(1_700_000_000_000, 1_700_000_015_000),
              values: [
                h(8, [
                  [-300, 3],
                  [0, 1],
                  [257, 2],
                ]),
                h(-4, [[1, 6]], [[-1, 2]]),
              ],
            },
          },
        ],
      },
    ];
    for (const result of results) {
      const served = queryJson(result).toString('utf8');
      const { data } = JSON.parse(served) as { data: ApiQueryData };
      expect(queryJson(readQueryResult(data, 0)).toString('utf8')).toBe(served);
    }
  });

  it('refuses an answer of an unknown type with a message naming it', () => {
    expect(() => readQueryResult({ resultType: 'histogram' } as unknown as ApiQueryData, 0)).toThrow(
      'the remote engine answered with an unknown result type "histogram"',
    );
  });
});
