import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { queryJson } from '../../src/http/query-json.js';
import { formatApiValue, formatValue } from '../../src/query/format-value.js';
import type { QueryResult } from '../../src/query/query-result.js';

/** What Prometheus clients read: the answer as `[seconds, "value"]` points through JSON.stringify. */
function viaStringify(data: QueryResult): string {
  const point = (ms: number, v: number) => [ms / 1000, formatApiValue(v)];
  const scalar = (ms: number, v: number) => [ms / 1000, formatValue(v)];
  const api =
    data.resultType === 'matrix'
      ? {
          resultType: 'matrix',
          result: data.result.map((s) => ({
            metric: s.metric,
            values: Array.from(s.timesMs, (t, i) => point(t, s.values[i]!)),
          })),
        }
      : data.resultType === 'vector'
        ? {
            resultType: 'vector',
            result: data.result.map((s) => ({ metric: s.metric, value: point(data.timeMs, s.value) })),
          }
        : data.resultType === 'scalar'
          ? { resultType: 'scalar', result: scalar(data.timeMs, data.value) }
          : { resultType: 'string', result: [data.timeMs / 1000, data.value] };
  return JSON.stringify({ status: 'success', data: api });
}

function matrix(
  series: { metric: Record<string, string>; times: number[]; values: number[] }[],
): QueryResult {
  return {
    resultType: 'matrix',
    result: series.map((s) => ({
      metric: s.metric,
      timesMs: Float64Array.from(s.times),
      values: Float64Array.from(s.values),
    })),
  };
}

const values = fc.oneof(
  fc.double(),
  fc.integer({ min: -1e6, max: 1e6 }).map((n) => n / 1000),
  fc.integer().map((n) => n / 100),
  fc.double({ min: -1e-5, max: 1e-5 }),
  fc.double({ min: 1e14, max: 1e16 }),
  fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 2 ** 53, 1e21, 5e-324, 0.1 + 0.2, 123456789.123456),
);
const times = fc.oneof(
  fc.integer({ min: 1_600_000_000_000, max: 2_000_000_000_000 }),
  fc.integer({ min: -1e12, max: 1e12 }),
  fc.double({ min: -1e15, max: 1e16, noNaN: true }),
  fc.constantFrom(0, 1, 999, 1000, 1010, 1100, 1_000_000_000_000_000),
);

describe('queryJson', () => {
  it("writes a range query's points exactly as JSON.stringify writes them", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            metric: fc.dictionary(fc.string(), fc.string({ unit: 'grapheme' })),
            points: fc.array(fc.tuple(times, values), { maxLength: 40 }),
          }),
          { maxLength: 4 },
        ),
        (series) => {
          const data = matrix(
            series.map((s) => ({
              metric: s.metric,
              times: s.points.map((p) => p[0]),
              values: s.points.map((p) => p[1]),
            })),
          );
          expect(queryJson(data).toString('utf8')).toBe(viaStringify(data));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('keeps the answer a Prometheus client reads: points, NaN and infinities as strings, label text escaped', () => {
    const data = matrix([
      {
        metric: { __name__: 'g', path: '"/</script>\n\u2028ü' },
        times: [1_700_000_000_000, 1_700_000_000_500, 1_700_000_015_120],
        values: [84.49, NaN, -Infinity],
      },
    ]);
    expect(JSON.parse(queryJson(data).toString('utf8'))).toEqual({
      status: 'success',
      data: {
        resultType: 'matrix',
        result: [
          {
            metric: { __name__: 'g', path: '"/</script>\n\u2028ü' },
            values: [
              [1_700_000_000, '84.49'],
              [1_700_000_000.5, 'NaN'],
              [1_700_000_015.12, '-Inf'],
            ],
          },
        ],
      },
    });
  });

  it('writes instant vectors, scalars and strings as JSON.stringify writes their points', () => {
    fc.assert(
      fc.property(
        times,
        fc.array(fc.record({ metric: fc.dictionary(fc.string(), fc.string()), value: values }), {
          maxLength: 6,
        }),
        values,
        fc.string({ unit: 'grapheme' }),
        (timeMs, samples, scalar, text) => {
          const answers: QueryResult[] = [
            { resultType: 'vector', timeMs, result: samples },
            { resultType: 'scalar', timeMs, value: scalar },
            { resultType: 'string', timeMs, value: text },
          ];
          for (const data of answers) expect(queryJson(data).toString('utf8')).toBe(viaStringify(data));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("writes sample values as Prometheus's API does: Go's 'f' form, its 'e' form below 1e-6 and from 1e21", () => {
    const cases: [number, string][] = [
      [1e-9, '1e-09'],
      [-1.5e-7, '-1.5e-07'],
      [9.99e-7, '9.99e-07'],
      [5e-324, '5e-324'],
      [1e-6, '0.000001'],
      [0.1 + 0.2, '0.30000000000000004'],
      [0, '0'],
      [1e20, '100000000000000000000'],
      [1e21, '1e+21'],
      [1e22, '1e+22'],
      [-1.7976931348623157e308, '-1.7976931348623157e+308'],
      [Infinity, '+Inf'],
      [NaN, 'NaN'],
    ];
    // Each checked against Debian's Prometheus 2.42 (vector(v) at time 1000).
    for (const [v, want] of cases) {
      expect(formatApiValue(v)).toBe(want);
      const body = queryJson({ resultType: 'vector', timeMs: 1000, result: [{ metric: {}, value: v }] });
      expect(body.toString('utf8')).toBe(
        `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"${want}"]}]}}`,
      );
    }
    // A scalar result and count_values' label values keep the 'f' form, as Prometheus writes them.
    const scalar = queryJson({ resultType: 'scalar', timeMs: 1000, value: 1e-9 }).toString('utf8');
    expect(scalar).toBe('{"status":"success","data":{"resultType":"scalar","result":[1,"0.000000001"]}}');
    expect(formatValue(1e-9)).toBe('0.000000001');
  });

  it('writes an empty vector and an empty matrix as empty results', () => {
    expect(JSON.parse(queryJson({ resultType: 'vector', timeMs: 1000, result: [] }).toString())).toEqual({
      status: 'success',
      data: { resultType: 'vector', result: [] },
    });
    expect(queryJson({ resultType: 'matrix', result: [] }).toString()).toBe(
      '{"status":"success","data":{"resultType":"matrix","result":[]}}',
    );
  });
});

describe('queryJson over many points', () => {
  it('keeps every byte when a long value fills the buffer while its point is written', () => {
    // formatApiValue writes these in 21-25 characters (the fallback, not the digit writer); label
    // values of every length up to a point's size move the buffer's end across each part of a point.
    for (const value of [1.2345678901234567e-6, -9.876543210987654e-6, 1.2345678901234568e20]) {
      for (let pad = 0; pad < 64; pad++) {
        const times = Array.from({ length: 1_500 }, (_, i) => 1_700_000_000_000 + i * 15_000);
        const data = matrix([{ metric: { pad: 'x'.repeat(pad) }, times, values: times.map(() => value) }]);
        expect(queryJson(data).toString('utf8')).toBe(viaStringify(data));
      }
    }
  });
});
