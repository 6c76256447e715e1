import { TemplateError } from './template-parser.js';

/**
 * Go's float and printf formatting, as alert templates and the rules API print numbers: Prometheus
 * renders `{{ $value }}` with `%v`, `humanize` with `%.4g` and API values with `FormatFloat(v, 'e')`.
 */

/** Go's `%g` with a precision (`%.4g`), or the shortest round-trip digits when `precision` is undefined (`%v`). */
export function formatG(v: number, precision?: number): string {
  const special = nonFinite(v);
  if (special) return special;
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [digits, exp] = decompose(v, precision);
  // strconv: `%e` when the exponent is below -4 or at least the precision, 6 for the shortest form.
  const limit = precision === undefined ? 6 : Math.max(precision, 1);
  const sign = v < 0 ? '-' : '';
  if (exp < -4 || exp >= limit) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return sign + placeDigits(digits, exp);
}

/** `strconv.FormatFloat(v, 'e', -1, 64)`: how Prometheus's API writes an alert's value (`1e+00`, `1.5e+01`). */
export function formatE(v: number): string {
  const special = nonFinite(v);
  if (special) return special;
  if (v === 0) return '0e+00';
  const [digits, exp] = decompose(v, undefined);
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${v < 0 ? '-' : ''}${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/** Go's `%.Nf` (`%f` is `%.6f`). */
export function formatF(v: number, precision = 6): string {
  return nonFinite(v) ?? v.toFixed(precision);
}

/**
 * A subset of Go's fmt.Sprintf: `%s %v %d %f %g %e %q %x %%` with optional width and precision, which
 * is what rule files use (`printf "%.2f" $value`). A verb without an argument prints `%!v(MISSING)` as Go does.
 * A width or precision past `maxLength` is refused before anything that long is built.
 */
export function sprintf(format: string, args: readonly unknown[], maxLength = Infinity): string {
  let next = 0;
  return format.replace(/%([-+ 0#]*)(\d+)?(?:\.(\d+))?([%a-zA-Z])/g, (_whole, flags, width, prec, verb) => {
    if (verb === '%') return '%';
    if (Number(width ?? 0) > maxLength || Number(prec ?? 0) > maxLength)
      throw new TemplateError(
        `printf: the width or precision of %${flags}${width ?? ''}${prec === undefined ? '' : `.${prec}`}${verb} is more than ${maxLength} characters, the limit of a template`,
      );
    if (next >= args.length) return `%!${verb}(MISSING)`;
    const arg = args[next++];
    const precision = prec === undefined ? undefined : Number(prec);
    let out: string;
    switch (verb) {
      case 'd':
        out = typeof arg === 'number' ? String(Math.trunc(arg)) : `%!d(${goString(arg)})`;
        break;
      case 'f':
      case 'F':
        out = typeof arg === 'number' ? formatF(arg, precision ?? 6) : `%!f(${goString(arg)})`;
        break;
      case 'g':
        out = typeof arg === 'number' ? formatG(arg, precision) : `%!g(${goString(arg)})`;
        break;
      case 'e':
        out =
          typeof arg === 'number'
            ? (nonFinite(arg) ?? goExponent(arg.toExponential(precision ?? 6)))
            : `%!e(${goString(arg)})`;
        break;
      case 'q':
        out = JSON.stringify(goString(arg));
        break;
      case 'x':
        out =
          typeof arg === 'number'
            ? Math.trunc(arg).toString(16)
            : Buffer.from(goString(arg), 'utf8').toString('hex');
        break;
      case 's':
      case 'v':
        out = goString(arg);
        if (precision !== undefined && verb === 's') out = out.slice(0, precision);
        break;
      default:
        return `%!${verb}(${goString(arg)})`;
    }
    if (flags.includes('+') && typeof arg === 'number' && arg >= 0 && !out.startsWith('+')) out = `+${out}`;
    if (width !== undefined) {
      const w = Number(width);
      if (flags.includes('-')) out = out.padEnd(w);
      else if (flags.includes('0') && typeof arg === 'number') {
        const sign = /^[+-]/.test(out) ? out[0]! : '';
        out = sign + out.slice(sign.length).padStart(w - sign.length, '0');
      } else out = out.padStart(w);
    }
    return out;
  });
}

/** How Go's `%v` prints a template value. */
export function goString(v: unknown): string {
  if (typeof v === 'number') return formatG(v);
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (v === undefined || v === null) return '<no value>';
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `map[${entries.map(([k, x]) => `${k}:${goString(x)}`).join(' ')}]`;
  }
  return String(v);
}

function nonFinite(v: number): string | undefined {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return undefined;
}

/** Significant digits (trailing zeros removed) and decimal exponent of |v|. */
function decompose(v: number, precision: number | undefined): [string, number] {
  const text = Math.abs(v).toExponential(precision === undefined ? undefined : Math.max(precision - 1, 0));
  const e = text.indexOf('e');
  const digits = text.slice(0, e).replace('.', '').replace(/0+$/, '') || '0';
  return [digits, Number(text.slice(e + 1))];
}

function placeDigits(digits: string, exp: number): string {
  if (exp < 0) return `0.${'0'.repeat(-exp - 1)}${digits}`;
  if (exp + 1 >= digits.length) return digits + '0'.repeat(exp + 1 - digits.length);
  return `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

function goExponent(js: string): string {
  return js.replace(/e([+-])(\d)$/, 'e$10$2');
}
