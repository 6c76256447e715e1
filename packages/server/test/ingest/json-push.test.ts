import { describe, expect, it } from 'vitest';
import { parseJsonPush } from '../../src/ingest/json-push.js';

describe('parseJsonPush', () => {
  it('reads series with samples and single values, defaulting the time to now', () => {
    const series = parseJsonPush(
      '{"series":[{"labels":{"__name__":"q","queue":"a"},"samples":[[1000,1],[2000,"+Inf"]]}]}',
      5000,
    );
    expect(series[0]!.labels).toEqual({ __name__: 'q', queue: 'a' });
    expect(Array.from(series[0]!.values)).toEqual([1, Number.POSITIVE_INFINITY]);
    const single = parseJsonPush('[{"name":"g","value":"NaN","labels":{"a":"é🚀"}}]', 5000);
    expect(single[0]).toMatchObject({ labels: { __name__: 'g', a: 'é🚀' }, timestamps: [5000] });
    expect(Number.isNaN(single[0]!.values[0])).toBe(true);
  });

  it('names the JSON path of the first thing wrong', () => {
    expect(() => parseJsonPush('{"series":[{"labels":{"__name__":"q"},"samples":[[1,"x"]]}]}', 0)).toThrow(
      'series[0].samples[0][1]: got "x", expected a number, "NaN", "+Inf" or "-Inf"',
    );
    expect(() => parseJsonPush('[{"name":"bad name","value":1}]', 0)).toThrow('[0].name: got "bad name"');
    expect(() => parseJsonPush('{"series":[{"labels":{"a-b":"x"}}]}', 0)).toThrow(
      '"a-b" is not a valid label name',
    );
    expect(() => parseJsonPush('{', 0)).toThrow(/body is not JSON/);
  });
});
