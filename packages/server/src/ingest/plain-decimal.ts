const POWERS_OF_10 = Array.from({ length: 16 }, (_, i) => 10 ** i);

/**
 * The number written at text[start, end) when it is a plain decimal, `-?digits[.digits]` (only
 * `-?digits` when `integer`) with at most 15 digits in all, else NaN (the caller then takes its general path). 15 digits fit a double
 * exactly, as does 10^k for k <= 22, so one division gives the correctly rounded value: the same
 * double Number() returns, without cutting the text out first (Clinger's fast path).
 */
export function plainDecimal(text: string, start: number, end: number, integer = false): number {
  const negative = text.charCodeAt(start) === 45;
  let mantissa = 0;
  let digits = 0;
  let decimals = -1;
  for (let i = negative ? start + 1 : start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      if (decimals >= 0) decimals++;
    } else if (c === 46 && decimals < 0 && !integer) {
      decimals = 0;
    } else {
      return Number.NaN;
    }
  }
  if (digits === 0 || digits > 15) return Number.NaN;
  const value = decimals > 0 ? mantissa / POWERS_OF_10[decimals]! : mantissa;
  return negative ? -value : value;
}
