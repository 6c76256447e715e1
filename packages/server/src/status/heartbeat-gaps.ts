import type { Pacer } from '../store/pacer.js';

/** The gaps between heartbeats a push monitor's usual gap is the median of. */
export const GAPS = 10;

/**
 * The usual gap of a push monitor at its last heartbeat: the median of the gaps between it and the
 * (up to) GAPS heartbeats before it; undefined with fewer than two heartbeats.
 * A heartbeat is late once none came for more than twice this.
 */
export function usualGap(times: ArrayLike<number>): number | undefined {
  const gaps: number[] = [];
  for (let k = times.length - 1; k > 0 && gaps.length < GAPS; k--) gaps.push(times[k]! - times[k - 1]!);
  if (gaps.length === 0) return undefined;
  gaps.sort((a, b) => a - b);
  return gaps[Math.floor(gaps.length / 2)]!;
}

/** A stretch of time without the heartbeats a push monitor usually sends, and its usual gap then. */
export interface MissedSpan {
  readonly from: number;
  readonly to: number;
  readonly gapMs: number;
}

/**
 * When a push monitor was late: from twice its usual gap after each heartbeat (inferred from the
 * heartbeats up to it, as lateness is) to the next heartbeat, or to `end` after the last one. Uptime
 * Kuma records a down beat for each interval without a push; a span counts as down for
 * `(to − from) / gapMs` runs, so a backup job that stopped pushing shows down, not as no data.
 *
 * `after`: only the spans that end after it, which the heartbeats from the GAPS before the last one
 * at or before it give (the same spans: a heartbeat's usual gap is read from those before it). A
 * window read with a month of heartbeats before it, to find a silence that began then, walks the
 * window's. `pacer` hands the event loop back meanwhile: a year of heartbeats every 20 s is 1.6 million.
 */
export async function missedSpans(
  times: ArrayLike<number>,
  end: number,
  { after = Number.NEGATIVE_INFINITY, pacer }: { after?: number; pacer?: Pacer } = {},
): Promise<MissedSpan[]> {
  const spans: MissedSpan[] = [];
  // The first heartbeat after `after`: the one before it may be late into it.
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! > after) hi = mid;
    else lo = mid + 1;
  }
  // usualGap at each heartbeat, kept as a sorted window of the last GAPS gaps: a month of heartbeats
  // every minute is 43,200 medians, and sorting a fresh array for each took 1 µs a heartbeat.
  const window = new Float64Array(GAPS);
  let size = 0;
  for (let i = Math.max(1, lo - GAPS); i < times.length; i++) {
    if (pacer?.due()) await pacer.pause();
    if (size === GAPS) {
      const out = times[i - GAPS]! - times[i - GAPS - 1]!;
      let k = 0;
      while (window[k] !== out) k++;
      window.copyWithin(k, k + 1, size);
      size--;
    }
    const gap = times[i]! - times[i - 1]!;
    let k = size;
    while (k > 0 && window[k - 1]! > gap) {
      window[k] = window[k - 1]!;
      k--;
    }
    window[k] = gap;
    size++;
    const gapMs = window[size >> 1]!;
    if (gapMs <= 0) continue;
    const from = times[i]! + 2 * gapMs;
    const to = Math.min(i + 1 < times.length ? times[i + 1]! : end, end);
    if (to > from && to > after) spans.push({ from, to, gapMs });
  }
  return spans;
}
