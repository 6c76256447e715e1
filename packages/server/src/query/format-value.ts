/**
 * A sample value as Prometheus's HTTP API writes it (util/jsonutil's MarshalValue): Go's
 * `strconv.FormatFloat(v, 'e', -1, 64)` for a magnitude below 1e-6 or from 1e21 up (`1e-09`,
 * `1.5e+22`: the shortest digits, a signed exponent of two digits or more), formatValue otherwise.
 */
export function formatApiValue(v: number): string {
  const abs = Math.abs(v);
  if (abs === 0 || !(abs < 1e-6 || (abs >= 1e21 && abs !== Infinity))) return formatValue(v);
  // toExponential() without digits gives the shortest that round-trip, as Go's precision -1 does.
  const text = v.toExponential();
  const e = text.indexOf('e');
  const exponent = text.slice(e + 2);
  return `${text.slice(0, e + 2)}${exponent.length < 2 ? `0${exponent}` : exponent}`;
}

/**
 * A float as Go's `strconv.FormatFloat(v, 'f', -1, 64)` writes it: the shortest digits that
 * round-trip, never an exponent; `NaN`, `+Inf`, `-Inf`. Prometheus's API writes most values so
 * (formatApiValue) and a scalar result always so; count_values writes its label values so.
 */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  // String(-0) is "0"; Go keeps the sign, and count_values makes label values of it.
  if (Object.is(v, -0)) return '-0';
  const text = String(v);
  const e = text.indexOf('e');
  if (e < 0) return text;
  const negative = text.startsWith('-');
  const mantissa = text.slice(negative ? 1 : 0, e);
  const exponent = Number(text.slice(e + 1));
  const point = mantissa.indexOf('.');
  const digits = mantissa.replace('.', '');
  const at = (point < 0 ? mantissa.length : point) + exponent;
  const plain =
    at <= 0
      ? `0.${'0'.repeat(-at)}${digits}`
      : at >= digits.length
        ? digits + '0'.repeat(at - digits.length)
        : `${digits.slice(0, at)}.${digits.slice(at)}`;
  return negative ? `-${plain}` : plain;
}
