import { plainDecimal } from './plain-decimal.js';

/** Parse failure of one line of line protocol; caught per line in lenient mode. */
export class LineError extends Error {}

const FLOAT = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
const INTEGER = /^-?\d+$/;
const UNSIGNED = /^\d+$/;
const INT64_MAX = '9223372036854775807';
const UINT64_MAX = '18446744073709551615';

/**
 * An Influx field value at text[start, end) as a sample value: floats, `123i` integers (int64),
 * `123u` unsigned (uint64), booleans t/T/true/True/TRUE and f/F/false/False/FALSE as 1 and 0.
 * Integers beyond 2^53 keep the nearest double. NaN and infinities are refused, as InfluxDB does.
 * Plain decimals and `123i` are read in place (see plainDecimal); anything else is cut out and parsed.
 */
export function fieldValue(text: string, start: number, end: number): number {
  const integer = text.charCodeAt(end - 1) === 105; /* i */
  const value = plainDecimal(text, start, integer ? end - 1 : end, integer);
  return Number.isNaN(value) ? slowFieldValue(text.slice(start, end)) : value;
}

function slowFieldValue(token: string): number {
  const last = token.charCodeAt(token.length - 1);
  if (last === 105 /* i */) {
    const digits = token.slice(0, -1);
    if (!INTEGER.test(digits)) throw new LineError('invalid number');
    if (
      outOfRange(
        digits.charCodeAt(0) === 45 ? digits.slice(1) : digits,
        INT64_MAX,
        digits.charCodeAt(0) === 45,
      )
    ) {
      throw new LineError(`unable to parse integer ${digits}: value out of range`);
    }
    return Number(digits);
  }
  if (last === 117 /* u */) {
    const digits = token.slice(0, -1);
    if (!UNSIGNED.test(digits)) throw new LineError('invalid number');
    if (outOfRange(digits, UINT64_MAX, false))
      throw new LineError(`unable to parse unsigned ${digits}: value out of range`);
    return Number(digits);
  }
  switch (token) {
    case 't':
    case 'T':
    case 'true':
    case 'True':
    case 'TRUE':
      return 1;
    case 'f':
    case 'F':
    case 'false':
    case 'False':
    case 'FALSE':
      return 0;
  }
  if (!FLOAT.test(token)) throw new LineError(/^[tTfF]/.test(token) ? 'invalid boolean' : 'invalid number');
  const value = Number(token);
  if (!Number.isFinite(value)) throw new LineError('invalid number');
  return value;
}

/** Whether the digit string is above `max` (or max+1 when negative, int64's extra negative value). */
function outOfRange(digits: string, max: string, negative: boolean): boolean {
  const trimmed = digits.replace(/^0+(?=\d)/, '');
  if (trimmed.length !== max.length) return trimmed.length > max.length;
  if (negative && trimmed === '9223372036854775808') return false;
  return trimmed > max;
}
