import type { ComponentSource } from '../config/status-pages-config.js';
import type { QueryEngine } from '../query/query-engine.js';
import { Pacer } from '../store/pacer.js';
import type { LabelMatcher, RollupResolution, SeriesStore } from '../store/series-store.js';
import { componentSeries } from './component-series.js';
import { GAPS, missedSpans } from './heartbeat-gaps.js';

/** Runs (samples, or query steps) in one bucket of time and their sum: 1 each up, 0 down, a fraction degraded. */
export interface UptimeBucket {
  readonly startMs: number;
  readonly runs: number;
  readonly up: number;
}

export interface UptimeSources {
  readonly store: SeriesStore;
  readonly engine: QueryEngine;
}

/**
 * Query components over long ranges are evaluated at most this many times: 90 days once an hour,
 * the last day once a minute. Each step costs the engine a full evaluation (about 0.2 ms for a
 * quantile over a 5m window here), so finer steps would make a page build take seconds.
 */
const MAX_STEPS = 2200;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/**
 * How far before a window a push monitor's heartbeats are read: its usual gap at the window's start,
 * and a silence that began before it, are told from them.
 */
const LOOKBEHIND_MS = 30 * DAY_MS;
/**
 * How far before a window a push monitor's raw heartbeats are read first: the window's missed spans
 * need only the GAPS + 1 heartbeats at or before its start (missedSpans `after`), which a day holds for
 * a monitor pushing every two hours or more often. Reading the month raw for each was most of the
 * cost of /api/health's push monitors.
 */
const NEAR_MS = DAY_MS;
const STEPS_MS = [60_000, 300_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 21_600_000];

/**
 * Uptime of a component in buckets of `bucketMs` from `startMs` (aligned down) to `endMs`: from the
 * store's rollups for series (daily or hourly beyond two days, per-minute below, raw samples for the
 * part not rolled up yet), so 90 day bars read about 120 points a series; a query component is evaluated as a
 * range query at a step of at least a minute (an hour for 90 days: a sample
 * of each hour, not every moment of it). All the series of a component count together: a job
 * with two instances, one of them down, is half up. A push monitor's time without heartbeats past
 * twice its usual gap counts as down (heartbeat-gaps.ts), a run for each usual gap of it.
 */
export async function componentUptime(
  sources: UptimeSources,
  source: ComponentSource,
  startMs: number,
  endMs: number,
  bucketMs: number,
): Promise<UptimeBucket[]> {
  if (source.kind !== 'query') return seriesUptime(sources.store, source, startMs, endMs, bucketMs);
  const { from, add, buckets } = new Buckets(startMs, endMs, bucketMs);
  // A step that divides the hour and the day, on a grid from the bucket's start (each day gets the
  // same steps), from the first step at or after startMs: the window is startMs to endMs, as for series.
  const stepMs = STEPS_MS.find((s) => (endMs - startMs) / s <= MAX_STEPS) ?? DAY_MS;
  const first = from + Math.ceil((startMs - from) / stepMs) * stepMs;
  const result = await sources.engine.rangeQuery(source.expr, first, endMs, stepMs);
  if (result.resultType === 'matrix') {
    // Several series: the component is as up as its worst one at each step.
    const worst = new Map<number, number>();
    for (const series of result.result)
      for (let i = 0; i < series.timesMs.length; i++) {
        const v = clamp(series.values[i]!);
        if (Number.isNaN(v)) continue;
        const t = series.timesMs[i]!;
        worst.set(t, Math.min(worst.get(t) ?? 1, v));
      }
    for (const [t, v] of worst) add(t, 1, v);
  }
  return buckets();
}

/**
 * componentUptime for a component of series (a scrape target, a health check, a push monitor),
 * which needs only the store: /api/health reads a push monitor's uptime with it, so that it and the
 * status page never disagree.
 */
export async function seriesUptime(
  store: SeriesStore,
  source: Exclude<ComponentSource, { kind: 'query' }>,
  startMs: number,
  endMs: number,
  bucketMs: number,
): Promise<UptimeBucket[]> {
  const { from, n, runs, add, buckets } = new Buckets(startMs, endMs, bucketMs);
  const resolution = rollupResolution(startMs, endMs, bucketMs);
  // The store reads the day a read starts in by hours: from the millisecond before a bucket that
  // starts a day, that day is read whole too, and the hour before falls outside every bucket.
  const readFrom =
    resolution === DAY_MS && from === startMs && startMs % DAY_MS === 0 ? startMs - 1 : startMs;
  const lists = await Promise.all(
    componentSeries(source).up.map((m) => store.selectRollup(m, readFrom, endMs, resolution)),
  );
  for (const list of lists)
    for (const r of list)
      for (let i = 0; i < r.timestamps.length; i++) add(r.timestamps[i]!, r.count[i]!, r.sum[i]!);
  // A push monitor's missed heartbeats are down runs, spread over the buckets their time is in.
  // The event loop is handed back meanwhile, as the store's reads do: a year of a monitor pushing
  // every 20 s is 1.6 million heartbeats, which held it for 69-78 ms.
  const pacer = new Pacer(() => {});
  if (source.kind === 'push')
    for (const m of componentSeries(source).up)
      for (const times of await windowHeartbeats(store, m, startMs, endMs, pacer))
        for (const { from: a, to: b, gapMs } of await missedSpans(times, endMs, { after: startMs, pacer })) {
          const lo = Math.max(a, startMs);
          const hi = Math.min(b, endMs);
          for (let i = Math.max(0, Math.floor((lo - from) / bucketMs)); i < n; i++) {
            const start = from + i * bucketMs;
            if (start >= hi) break;
            const ms = Math.min(hi, start + bucketMs) - Math.max(lo, start);
            if (ms > 0) runs[i]! += ms / gapMs;
          }
        }
  return buckets();
}

/** Runs and their sum in buckets of `bucketMs` from `startMs` (aligned down) to `endMs`. */
class Buckets {
  readonly from: number;
  readonly n: number;
  readonly runs: Float64Array;
  readonly up: Float64Array;

  constructor(
    startMs: number,
    endMs: number,
    readonly bucketMs: number,
  ) {
    this.from = startMs - (startMs % bucketMs);
    this.n = Math.max(1, Math.ceil((endMs - this.from) / bucketMs));
    this.runs = new Float64Array(this.n);
    this.up = new Float64Array(this.n);
  }

  /** Adds `count` runs summing to `sum` at `t` (a NaN sum, or a time outside, is left out). */
  readonly add = (t: number, count: number, sum: number): void => {
    const i = Math.floor((t - this.from) / this.bucketMs);
    if (i < 0 || i >= this.n || Number.isNaN(sum)) return;
    this.runs[i]! += count;
    this.up[i]! += sum;
  };

  readonly buckets = (): UptimeBucket[] =>
    Array.from({ length: this.n }, (_, i) => ({
      startMs: this.from + i * this.bucketMs,
      runs: this.runs[i]!,
      up: this.up[i]!,
    }));
}

/**
 * The heartbeats a window's missed spans are found from: those of the day before it and in it, when
 * each series the month before it holds has more than GAPS of them at or before its start (its raw
 * samples: the same spans as from the month's heartbeats); else the month's (heartbeatTimes).
 */
async function windowHeartbeats(
  store: SeriesStore,
  matchers: readonly LabelMatcher[],
  startMs: number,
  endMs: number,
  pacer: Pacer,
): Promise<Float64Array[]> {
  const [near, all] = await Promise.all([
    store.select(matchers, startMs - NEAR_MS, endMs),
    store.series([matchers], startMs - LOOKBEHIND_MS, endMs),
  ]);
  const enough = (times: Float64Array) => times.length > GAPS && times[GAPS]! <= startMs;
  if (near.length === all.length && near.every((s) => enough(s.timestamps)))
    return near.map((s) => s.timestamps);
  return heartbeatTimes(store, matchers, startMs - LOOKBEHIND_MS, endMs, pacer);
}

/**
 * The times of a push monitor's heartbeats in [from, to], each series' ascending: its raw samples,
 * and before the first of them (raw samples are kept 30 days by default, the hourly rollups a year)
 * each hour's heartbeats spread evenly over it, so that a job silent for longer than the raw samples
 * are kept still shows down.
 */
async function heartbeatTimes(
  store: SeriesStore,
  matchers: readonly LabelMatcher[],
  from: number,
  to: number,
  pacer: Pacer,
): Promise<Float64Array[]> {
  const raw = await store.select(matchers, from, to);
  const firstRaw = new Map(raw.map((s) => [JSON.stringify(s.labels), s.timestamps[0]!]));
  const until = Math.min(to + 1, ...firstRaw.values());
  const hours = until > from ? await store.selectRollup(matchers, from, until - 1, HOUR_MS) : [];
  const rollups = new Map(hours.map((r) => [JSON.stringify(r.labels), r]));
  const keys = new Set([...rollups.keys(), ...firstRaw.keys()]);
  const rawOf = new Map(raw.map((s) => [JSON.stringify(s.labels), s.timestamps]));
  const all: Float64Array[] = [];
  for (const key of keys) {
    const r = rollups.get(key);
    const rawTimes = rawOf.get(key) ?? new Float64Array(0);
    const before = firstRaw.get(key) ?? Number.POSITIVE_INFINITY;
    // The hours before the one the raw samples start in, spread over each hour.
    let hoursKept = 0;
    let beats = rawTimes.length;
    while (r && hoursKept < r.timestamps.length && r.timestamps[hoursKept]! + HOUR_MS <= before)
      beats += r.count[hoursKept++]!;
    // The hour the raw samples start in: retention deletes whole chunks, which start anywhere in an
    // hour, so its heartbeats before the oldest raw one are in its rollup only (those not in the raw
    // samples), spread over that part of it.
    const partStart = r?.timestamps[hoursKept];
    let early = 0;
    if (partStart !== undefined && partStart < before && before < partStart + HOUR_MS) {
      let inRaw = 0;
      while (inRaw < rawTimes.length && rawTimes[inRaw]! < partStart + HOUR_MS) inRaw++;
      early = Math.max(0, r!.count[hoursKept]! - inRaw);
    }
    const times = new Float64Array(beats + early);
    let at = 0;
    for (let i = 0; i < hoursKept; i++) {
      const start = r!.timestamps[i]!;
      const count = r!.count[i]!;
      for (let k = 0; k < count; k++) times[at++] = start + ((k + 0.5) * HOUR_MS) / count;
      if (pacer.due(count)) await pacer.pause();
    }
    for (let k = 0; k < early; k++) times[at++] = partStart! + ((k + 0.5) * (before - partStart!)) / early;
    times.set(rawTimes, at);
    all.push(times);
  }
  return all;
}

/**
 * The rollups to read [startMs, endMs] by in buckets of `bucketMs`: per minute up to two days;
 * beyond, by day where buckets are whole UTC days (the store reads whole days from its daily rollups
 * and the hours and part-hours around them from hourly rollups and raw samples: the same counts as
 * hours, about 24 times fewer rows), else by hour.
 */
export function rollupResolution(startMs: number, endMs: number, bucketMs: number): RollupResolution {
  if (endMs - startMs <= 2 * DAY_MS) return 60_000;
  return bucketMs % DAY_MS === 0 ? DAY_MS : 3_600_000;
}

/** The uptime of buckets taken together, or null when none had a run. */
export function uptimeOf(buckets: readonly UptimeBucket[]): number | null {
  let runs = 0;
  let up = 0;
  for (const b of buckets) {
    runs += b.runs;
    up += b.up;
  }
  return runs > 0 ? up / runs : null;
}

function clamp(v: number): number {
  return Number.isNaN(v) ? v : Math.min(1, Math.max(0, v));
}
