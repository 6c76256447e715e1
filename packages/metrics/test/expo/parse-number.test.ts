import { describe, expect, it } from 'vitest';
import { parseMillis, parseNumber, parseSecondsAsMillis } from '../../src/expo/parse-number.js';

describe('parseNumber', () => {
  it.each([
    ['1', 1],
    ['-2.5', -2.5],
    ['+3', 3],
    ['1e3', 1000],
    ['1E-3', 0.001],
    ['.5', 0.5],
    ['5.', 5],
    ['0042', 42],
    ['1.7976931348623157e308', Number.MAX_VALUE],
    ['NaN', Number.NaN],
    ['nan', Number.NaN],
    ['+Inf', Number.POSITIVE_INFINITY],
    ['Inf', Number.POSITIVE_INFINITY],
    ['-inf', Number.NEGATIVE_INFINITY],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
  ])('reads %j as Go does', (token, value) => {
    expect(parseNumber(token)).toBe(value);
  });

  it.each(['', ' 1', '1 ', '0x1F', '0b1', '0o7', '1_000', 'e3', '1e', '--1', '+NaN', '1e400', 'abc', '1,5'])(
    'rejects %j',
    (token) => {
      expect(parseNumber(token)).toBeUndefined();
    },
  );
});

describe('timestamps', () => {
  it('reads integer milliseconds in the text format', () => {
    expect(parseMillis('1700000000000')).toBe(1_700_000_000_000);
    expect(parseMillis('-5')).toBe(-5);
    expect(parseMillis('1.5')).toBeUndefined();
    expect(parseMillis('')).toBeUndefined();
  });

  it('reads OpenMetrics seconds as whole milliseconds', () => {
    expect(parseSecondsAsMillis('1520879607.789')).toBe(1_520_879_607_789);
    expect(parseSecondsAsMillis('1604676851.123456789')).toBe(1_604_676_851_123);
    expect(parseSecondsAsMillis('123')).toBe(123_000);
    expect(parseSecondsAsMillis('NaN')).toBeUndefined();
    expect(parseSecondsAsMillis('+Inf')).toBeUndefined();
  });
});
