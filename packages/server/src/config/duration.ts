const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)/y;

/**
 * Milliseconds in a Prometheus-style duration (`15s`, `1m30s`, `500ms`, `2h`), or undefined when the
 * text is not one. A bare number is taken as seconds, as the seeds' variables are
 * (DASHBOARD_REFRESH_INTERVAL=30).
 */
export function parseDuration(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text * 1000 : undefined;
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  let total = 0;
  PART.lastIndex = 0;
  let at = 0;
  while (at < trimmed.length) {
    PART.lastIndex = at;
    const m = PART.exec(trimmed);
    if (!m) return undefined;
    total += Number(m[1]) * UNITS[m[2]!]!;
    at = PART.lastIndex;
  }
  return trimmed === '' ? undefined : total;
}
