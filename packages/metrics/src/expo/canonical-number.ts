/**
 * The text of an `le` or `quantile` label value. These are label values, so the same bound must be
 * written the same way by every exposer or a histogram splits into different series; the target is
 * Go's `strconv.FormatFloat(v, 'g', -1, 64)` (client_golang, and so most of the ecosystem), with `.0`
 * appended in OpenMetrics, whose spec asks for exactly that ("Canonical Numbers": `0.0`, `1.0`,
 * `100000.0`, `1e+06`, `1e-05`). JavaScript's `String(1e6)` would give `1000000` instead.
 */
export function canonicalNumber(value: number, openMetrics: boolean): string {
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  if (Number.isNaN(value)) return 'NaN';
  const text = goShortestG(value);
  return openMetrics && !text.includes('.') && !text.includes('e') ? `${text}.0` : text;
}

/** Go's %g on the shortest digits: exponent form when the decimal exponent is < -4 or >= 6 (strconv ftoa.go). */
function goShortestG(value: number): string {
  if (value === 0) return '0';
  const exponential = value.toExponential();
  const at = exponential.indexOf('e');
  const exponent = Number(exponential.slice(at + 1));
  if (exponent >= -4 && exponent < 6) return String(value);
  const sign = exponent < 0 ? '-' : '+';
  const digits = String(Math.abs(exponent)).padStart(2, '0');
  return `${exponential.slice(0, at)}e${sign}${digits}`;
}
