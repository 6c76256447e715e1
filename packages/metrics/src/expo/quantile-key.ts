/**
 * The field name for a quantile in the JSON views and Influx fields, as the seeds spell them:
 * 0.5 → `p50`, 0.95 → `p95`, 0.999 → `p999`, 1 → `p100`. The quantile's own decimal digits are
 * used, padded to two, so no float arithmetic (0.999 * 1000) can produce `p998.9999`.
 */
export function quantileKey(quantile: number): `p${string}` {
  const text = String(quantile);
  if (text.startsWith('0.') && !text.includes('e')) return `p${text.slice(2).padEnd(2, '0')}`;
  return `p${String(quantile * 100).replace(/[^0-9]/g, '_')}`;
}
