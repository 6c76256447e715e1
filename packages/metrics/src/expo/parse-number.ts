const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

/**
 * A sample value as Go's `strconv.ParseFloat` reads it, which is what Prometheus and promtool use:
 * decimal and exponent forms, and `NaN`, `Inf`, `+Inf`, `-Inf`, `Infinity` in any case. Hex floats
 * and `_` separators, which Go also rejects here, and anything `Number()` would take beyond that
 * (`0x1F`, `0b1`, `''`), give undefined. A decimal too large for float64 is an error, not +Inf, as
 * in Go (`ErrRange`) and OpenMetrics ("MUST fit within the range of a 64-bit floating point").
 */
export function parseNumber(token: string): number | undefined {
  if (DECIMAL.test(token)) {
    const value = Number(token);
    return Number.isFinite(value) ? value : undefined;
  }
  switch (token.toLowerCase()) {
    case 'nan':
      return Number.NaN;
    case 'inf':
    case '+inf':
    case 'infinity':
    case '+infinity':
      return Number.POSITIVE_INFINITY;
    case '-inf':
    case '-infinity':
      return Number.NEGATIVE_INFINITY;
    default:
      return undefined;
  }
}

/** A Prometheus text timestamp: integer milliseconds. */
export function parseMillis(token: string): number | undefined {
  return INTEGER.test(token) ? Number(token) : undefined;
}

/**
 * An OpenMetrics timestamp: a real number of seconds (no NaN or Inf), as whole milliseconds.
 * Rounded, because 1520879607.789 * 1000 is 1520879607789.0002 in binary floating point.
 */
export function parseSecondsAsMillis(token: string): number | undefined {
  if (!DECIMAL.test(token)) return undefined;
  const ms = Math.round(Number(token) * 1000);
  return Number.isFinite(ms) ? ms : undefined;
}
