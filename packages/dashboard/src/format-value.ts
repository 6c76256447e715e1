/** Units a panel can show its values in; the names a dashboard file uses. */
export type Unit = 'none' | 'short' | 's' | 'ms' | 'bytes' | 'percent' | 'ratio' | 'ops' | 'usd' | 'tokens';

/** How numbers of one magnitude are written in a unit: divide by `divisor`, then wrap. */
interface Scale {
  readonly divisor: number;
  readonly prefix: string;
  readonly suffix: string;
  /** How zero is written: `0/s`, `0 B`, not `0k/s`, `0 KiB`. */
  readonly zero?: string;
}

const SI = ['', ' k', ' M', ' G', ' T', ' P'];
const BYTES = [' B', ' KiB', ' MiB', ' GiB', ' TiB', ' PiB'];

function stepped(magnitude: number, base: number, names: readonly string[], after = ''): Scale {
  let i = 0;
  let divisor = 1;
  while (magnitude >= divisor * base && i < names.length - 1) {
    divisor *= base;
    i++;
  }
  return { divisor, prefix: '', suffix: `${names[i]}${after}`, zero: `0${names[0]}${after}` };
}

/**
 * The scale numbers of `magnitude` (the largest absolute value shown together) are written in:
 * seconds as µs, ms, s, min or h; bytes in powers of 1024; counts with SI prefixes.
 */
function scaleFor(unit: Unit, magnitude: number): Scale {
  switch (unit) {
    case 'ms':
      return msScale(magnitude);
    case 's': {
      const ms = msScale(magnitude * 1000);
      return { ...ms, divisor: ms.divisor / 1000 };
    }
    case 'bytes':
      return stepped(magnitude, 1024, BYTES);
    case 'percent':
      return { divisor: 1, prefix: '', suffix: '%' };
    case 'ratio':
      return { divisor: 0.01, prefix: '', suffix: '%' };
    case 'ops':
      return stepped(
        magnitude,
        1000,
        SI.map((s) => s.trim()),
        '/s',
      );
    case 'usd':
      return { divisor: 1, prefix: '$', suffix: '' };
    case 'tokens':
      return stepped(magnitude, 1000, SI, ' tok');
    case 'none':
      return { divisor: 1, prefix: '', suffix: '' };
    default:
      return stepped(magnitude, 1000, SI);
  }
}

/** The scale of a duration of `ms` milliseconds, with the divisor in milliseconds. */
function msScale(ms: number): Scale {
  const of = (divisor: number, suffix: string): Scale => ({ divisor, prefix: '', suffix });
  if (ms > 0 && ms < 1) return of(1e-3, ' µs');
  if (ms < 1000) return of(1, ' ms');
  if (ms < 120_000) return of(1000, ' s');
  if (ms < 7_200_000) return of(60_000, ' min');
  return of(3_600_000, ' h');
}

const DEFAULT_DECIMALS: Partial<Record<Unit, number>> = { usd: 2, percent: 1, ratio: 1 };

function write(value: number, scale: Scale, decimals: number): string {
  if (value === 0) return scale.zero ?? `${scale.prefix}0${scale.suffix}`;
  const scaled = value / scale.divisor;
  const sign = scaled < 0 ? '-' : '';
  return `${sign}${scale.prefix}${Math.abs(scaled).toFixed(decimals)}${scale.suffix}`;
}

/** A value as a person reads it: `12.3 ms`, `1.2 k`, `99.5%`, `$4.20`, `512 MiB`. */
export function formatValue(
  value: number | null | undefined,
  unit: Unit = 'short',
  decimals?: number,
): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  if (unit === 'none') return String(value);
  const scale = scaleFor(unit, Math.abs(value));
  const scaled = Math.abs(value / scale.divisor);
  // Whole numbers in a plain scale (a count, 3 B) need no decimals; dollars always have cents, and
  // less than a cent shows the fraction of a cent it is.
  let d =
    decimals ??
    DEFAULT_DECIMALS[unit] ??
    (scale.divisor === 1 && Number.isInteger(scaled) ? 0 : scaled >= 100 ? 0 : scaled >= 10 ? 1 : 2);
  if (unit === 'usd' && decimals === undefined && scaled > 0 && scaled < 0.01) d = 4;
  return write(value, scale, d);
}

/**
 * Axis labels for tick values shown together: one scale for all of them (never "0.0 ms" under
 * "1.00 s") and the fewest decimals that keep every tick exact, so no two ticks read the same.
 */
export function formatTicks(values: readonly number[], unit: Unit = 'short'): string[] {
  const finite = values.filter((v) => Number.isFinite(v));
  if (unit === 'none' || finite.length === 0) return values.map((v) => String(v));
  const magnitude = Math.max(...finite.map(Math.abs));
  const scale = scaleFor(unit, magnitude);
  const scaled = finite.map((v) => v / scale.divisor);
  let d = 0;
  while (d < 8 && !scaled.every((v) => Math.abs(Number(v.toFixed(d)) - v) <= 1e-9 * Math.max(1, Math.abs(v))))
    d++;
  if (unit === 'usd' && d === 1) d = 2;
  return values.map((v) => (Number.isFinite(v) ? write(v, scale, d) : String(v)));
}

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'and',
  'or',
  'unless',
]);

/**
 * The unit a query's values are in by the metric it reads, from Prometheus's base-unit suffixes
 * (`_seconds`, `_bytes`, `_ratio`): for charts whose definition names no unit (Explore).
 * A rate of a counter is per second.
 */
export function unitOfQuery(expr: string): Unit {
  const bare = expr
    .replace(/\{[^}]*\}/g, '')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
    .replace(/"[^"]*"/g, '');
  const rate = /\b(?:rate|irate|increase|deriv)\s*\(/.test(bare);
  const names = [...bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*(?!\s*\(|[a-zA-Z0-9_:])/g)]
    .map((m) => m[0])
    .filter((n) => !KEYWORDS.has(n));
  const name = names[0] ?? '';
  const base = name.replace(/_(total|count|sum|bucket)$/, '');
  if (base.endsWith('_seconds')) return rate && /_(total|count)$/.test(name) ? 'ops' : 's';
  if (base.endsWith('_bytes')) return rate ? 'short' : 'bytes';
  if (base.endsWith('_ratio')) return 'ratio';
  if (base.endsWith('_usd') || base.endsWith('_dollars')) return rate ? 'short' : 'usd';
  if (rate) return 'ops';
  return 'short';
}
