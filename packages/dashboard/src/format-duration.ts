import { UNIT_MS } from './time-range.js';

/**
 * A length of time as people say it, in its two largest units: "45 s", "14 min", "2 h 14 min",
 * "24 h", "3 d 4 h" (days from two on). Rounded down at the smaller unit, so "based on the last 2 h 14 min" never claims data
 * that is not there.
 */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return min % 60 === 0 ? `${h} h` : `${h} h ${min % 60} min`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d} d` : `${d} d ${h % 24} h`;
}

/** Milliseconds of a duration such as `15m`, `24h` or `30d`; undefined for anything else. */
export function durationMs(text: string): number | undefined {
  const m = /^(\d+)([smhdw])$/.exec(text);
  return m ? Number(m[1]) * UNIT_MS[m[2]!]! : undefined;
}
