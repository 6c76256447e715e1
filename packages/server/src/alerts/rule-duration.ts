const UNITS: Record<string, number> = {
  y: 31_536_000_000,
  w: 604_800_000,
  d: 86_400_000,
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
};

/**
 * Milliseconds in a duration as Prometheus's rule files write them (model.ParseDuration): whole
 * numbers with units from largest to smallest (`1h30m`, `5m`, `0s`, `500ms`), or `0`. Stricter than
 * vigil.yaml's durations on purpose, so a file vigil accepts loads in Prometheus as well.
 */
export function parseRuleDuration(text: string): number | undefined {
  if (text === '0') return 0;
  const m = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/.exec(text);
  if (!m || text === '') return undefined;
  const units = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];
  let total = 0;
  units.forEach((unit, i) => {
    const n = m[i + 1];
    if (n !== undefined) total += Number(n) * UNITS[unit]!;
  });
  return total;
}
