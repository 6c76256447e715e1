/**
 * Grafana's time-range language: `now`, `now-15m`, `now-6h`, `now-7d`, and absolute times
 * (`2026-12-01 10:00`, RFC 3339, or Unix milliseconds). Relative ones are resolved against the
 * clock at each refresh, so a `now-1h` page keeps moving.
 */
export interface TimeRange {
  readonly from: string;
  readonly to: string;
}

export interface ResolvedRange {
  /** Unix ms. */
  readonly start: number;
  readonly end: number;
}

/** Milliseconds of each unit a duration (`15m`, `24h`, `30d`) may end in. */
export const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

export const QUICK_RANGES: readonly { readonly label: string; readonly from: string }[] = [
  { label: 'Last 5 minutes', from: 'now-5m' },
  { label: 'Last 15 minutes', from: 'now-15m' },
  { label: 'Last 1 hour', from: 'now-1h' },
  { label: 'Last 6 hours', from: 'now-6h' },
  { label: 'Last 12 hours', from: 'now-12h' },
  { label: 'Last 24 hours', from: 'now-24h' },
  { label: 'Last 7 days', from: 'now-7d' },
  { label: 'Last 30 days', from: 'now-30d' },
];

export const DEFAULT_RANGE: TimeRange = { from: 'now-1h', to: 'now' };

/** Unix ms of one end of a range, or an Error naming what could not be read. */
export function parseTimeExpression(text: string, now: number): number | Error {
  const t = text.trim();
  const relative = /^now(?:-(\d+)([smhdw]))?$/.exec(t);
  if (relative) {
    const [, n, unit] = relative;
    return n === undefined ? now : now - Number(n) * UNIT_MS[unit!]!;
  }
  if (/^\d{12,}$/.test(t)) return Number(t);
  if (/^\d{4}-\d\d-\d\d([ T]\d\d:\d\d(:\d\d)?)?/.test(t)) {
    const ms = Date.parse(t.includes(' ') || !t.includes('T') ? t.replace(' ', 'T') : t);
    if (Number.isFinite(ms)) return ms;
  }
  return new Error(`"${text}" is not a time: use now, now-15m, now-6h, now-7d or 2026-12-01 10:00`);
}

export function resolveRange(range: TimeRange, now: number): ResolvedRange | Error {
  const start = parseTimeExpression(range.from, now);
  if (start instanceof Error) return start;
  const end = parseTimeExpression(range.to, now);
  if (end instanceof Error) return end;
  if (end <= start) return new Error(`"from" (${range.from}) must be before "to" (${range.to})`);
  return { start, end };
}

/** True when the range ends at the present, so live points may be appended to it. */
export function endsNow(range: TimeRange): boolean {
  return range.to.trim() === 'now';
}

const NICE_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400];

/**
 * A query step (seconds) giving about `points` points over the range, rounded to a readable value.
 * 150 points fill a half-width panel (about 4 px a point) and keep the server's work per panel low:
 * a range query costs the server about one evaluation per step (bench/dashboard.js).
 */
export function stepFor({ start, end }: ResolvedRange, points = 150): number {
  const raw = (end - start) / 1000 / points;
  return NICE_STEPS.find((s) => s >= raw) ?? Math.ceil(raw / 86400) * 86400;
}

/** A short label for the picker button: a quick range's name, or the from/to text. */
export function describeRange(range: TimeRange): string {
  if (endsNow(range)) {
    const quick = QUICK_RANGES.find((q) => q.from === range.from.trim());
    if (quick) return quick.label;
  }
  return `${range.from} to ${range.to}`;
}
