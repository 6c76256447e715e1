import { describe, expect, it } from 'vitest';
import { queryJson } from '../../src/http/query-json.js';
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
          { metric: { job: 'a' }, value: [1_700_000_000.25, '0.0000001'] },
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

  it('refuses an answer of an unknown type with a message naming it', () => {
    expect(() => readQueryResult({ resultType: 'histogram' } as unknown as ApiQueryData, 0)).toThrow(
      'the remote engine answered with an unknown result type "histogram"',
    );
  });
});
