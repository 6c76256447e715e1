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
