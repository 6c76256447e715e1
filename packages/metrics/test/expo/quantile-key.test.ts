import { expect, it } from 'vitest';
import { quantileKey } from '../../src/expo/quantile-key.js';

it.each([
  [0.5, 'p50'],
  [0.9, 'p90'],
  [0.95, 'p95'],
  [0.99, 'p99'],
  [0.999, 'p999'],
  [0.9999, 'p9999'],
  [0.25, 'p25'],
  [0.05, 'p05'],
  [1, 'p100'],
  [0, 'p0'],
])('quantileKey(%d) is %s', (quantile, key) => {
  expect(quantileKey(quantile)).toBe(key);
});
