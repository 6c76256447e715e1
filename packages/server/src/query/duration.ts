const UNITS: Record<string, number> = {
  y: 365 * 86_400_000,
  w: 7 * 86_400_000,
  d: 86_400_000,
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
};
const ORDER = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];

/** A Prometheus duration (`5m`, `1h30m`, `90s`, `1y`) in milliseconds; undefined if not one. Units must descend. */
export function parseDuration(text: string): number | undefined {
  const parts = /^(?:(\d+)(ms|[ywdhms]))+$/.test(text) ? [...text.matchAll(/(\d+)(ms|[ywdhms])/g)] : [];
  if (parts.length === 0) return undefined;
  let ms = 0;
  let last = -1;
  for (const [, count, unit] of parts) {
    const rank = ORDER.indexOf(unit!);
    if (rank <= last) return undefined;
    last = rank;
    ms += Number(count) * UNITS[unit!]!;
  }
  return ms;
}

/**
 * A duration as Prometheus prints one (model.Duration): `1h30m`, `5m`, `0s`; years and weeks only
 * when they divide it exactly, so 90 days stays `90d` rather than `12w6d`.
 */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const unit of ORDER) {
    const size = UNITS[unit]!;
    if ((unit === 'y' || unit === 'w') && rest % size !== 0) continue;
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
