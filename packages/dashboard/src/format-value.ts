/** Units a panel can show its values in; the names a dashboard file uses. */
export type Unit = 'none' | 'short' | 's' | 'ms' | 'bytes' | 'percent' | 'ratio' | 'ops' | 'usd' | 'tokens';

const SI = ['', 'k', 'M', 'G', 'T', 'P'];
const BYTES = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

function scaled(value: number, base: number, names: readonly string[], decimals: number): string {
  let v = value;
  let i = 0;
  while (Math.abs(v) >= base && i < names.length - 1) {
    v /= base;
    i++;
  }
  return `${v.toFixed(i === 0 && Number.isInteger(v) ? 0 : decimals)}${names[i] ? ` ${names[i]}` : ''}`;
}

/** A value as a person reads it: `12.3 ms`, `1.2 k`, `99.5%`, `$4.20`, `512 MiB`. */
export function formatValue(
  value: number | null | undefined,
  unit: Unit = 'short',
  decimals?: number,
): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  const d = decimals ?? 2;
  switch (unit) {
    case 'none':
      return String(value);
    case 's':
      if (Math.abs(value) < 1) return `${(value * 1000).toFixed(decimals ?? 1)} ms`;
      if (Math.abs(value) < 120) return `${value.toFixed(d)} s`;
      return `${(value / 60).toFixed(1)} min`;
    case 'ms':
      return Math.abs(value) < 1000 ? `${value.toFixed(decimals ?? 1)} ms` : `${(value / 1000).toFixed(d)} s`;
    case 'bytes':
      return scaled(value, 1024, BYTES, decimals ?? 1);
    case 'percent':
      return `${value.toFixed(decimals ?? 1)}%`;
    case 'ratio':
      return `${(value * 100).toFixed(decimals ?? 1)}%`;
    case 'ops':
      return `${scaled(value, 1000, SI, d)} ops/s`.replace(' ops/s', '/s');
    case 'usd':
      return Math.abs(value) < 0.01 && value !== 0
        ? `$${value.toFixed(decimals ?? 4)}`
        : `$${value.toFixed(d)}`;
    case 'tokens':
      return `${scaled(value, 1000, SI, decimals ?? 1)} tok`;
    default:
      return scaled(value, 1000, SI, d);
  }
}
