import { describe, expect, it } from 'vitest';
import { canonicalNumber } from '../../src/expo/canonical-number.js';

describe('canonicalNumber', () => {
  it('renders the examples of the OpenMetrics spec ("Canonical Numbers")', () => {
    const examples = [0, 0.001, 0.002, 0.01, 0.1, 0.9, 0.95, 0.99, 0.999, 1, 1.7, 10];
    expect(examples.map((v) => canonicalNumber(v, true))).toEqual([
      '0.0',
      '0.001',
      '0.002',
      '0.01',
      '0.1',
      '0.9',
      '0.95',
      '0.99',
      '0.999',
      '1.0',
      '1.7',
      '10.0',
    ]);
    const powers = [1e-10, 1e-9, 1e-5, 1e-4, 0.1, 1, 1e5, 1e6, 1e10];
    expect(powers.map((v) => canonicalNumber(v, true))).toEqual([
      '1e-10',
      '1e-09',
      '1e-05',
      '0.0001',
      '0.1',
      '1.0',
      '100000.0',
      '1e+06',
      '1e+10',
    ]);
  });

  it('renders 0.0 to 10.0 in steps of 0.001 as plain decimals, as the spec asks', () => {
    for (let i = 0; i <= 10_000; i++) {
      const whole = Math.floor(i / 1000);
      const fraction = String(i % 1000)
        .padStart(3, '0')
        .replace(/0+$/, '');
      expect(canonicalNumber(i / 1000, true)).toBe(`${whole}.${fraction === '' ? '0' : fraction}`);
    }
  });

  it("matches Go's strconv.FormatFloat(v, 'g', -1, 64) in the text format", () => {
    const cases: [number, string][] = [
      [0.005, '0.005'],
      [1, '1'],
      [2.5, '2.5'],
      [123456, '123456'],
      [1234567, '1.234567e+06'],
      [1.1e23, '1.1e+23'],
      [-2.5, '-2.5'],
      [-1e-7, '-1e-07'],
      [0.00012, '0.00012'],
      [Number.POSITIVE_INFINITY, '+Inf'],
      [Number.NEGATIVE_INFINITY, '-Inf'],
      [Number.NaN, 'NaN'],
    ];
    for (const [value, go] of cases) expect(canonicalNumber(value, false)).toBe(go);
  });
});
