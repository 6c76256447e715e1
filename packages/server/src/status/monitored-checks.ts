import type { CheckStatus, HealthState } from '@vigil/metrics/health';
import type {
  LabelMatcher,
  RollupData,
  RollupResolution,
  SeriesData,
  SeriesLabels,
  SeriesStore,
} from '../store/series-store.js';
import { isStaleNaN } from '../store/series-store.js';
import { seriesUptime, uptimeOf } from './component-uptime.js';
import { GAPS, usualGap } from './heartbeat-gaps.js';
import { heartbeatName } from './heartbeat-name.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const MONTH_MS = 30 * DAY_MS;
/** Prometheus's lookback: a target without an `up` sample this recent is no longer scraped. */
const TARGET_LOOKBACK_MS = 5 * 60_000;
/** As HealthMonitor's defaults: the seed's `alert_thresholds` (5 s, 5% of runs failing). */
const SLOW_MS = 5000;
/** Longest stretch of checks between two turns of the event loop. */
const SLICE_MS = 10;
const EMPTY: SeriesData = { labels: {}, timestamps: new Float64Array(0), values: new Float64Array(0) };
const ERROR_RATE = 0.05;

/**
 * What vigil itself watches, as health checks, read from the store so that they survive restarts:
 *
 * - each scrape target (the `up` series, one per job and instance): a scrape is one run, its
 *   `scrape_duration_seconds` the response time;
 * - each Uptime Kuma-style push monitor (`vigil_push_up{monitor}`): a heartbeat is one run, its
 *   `ping` the response time, and a heartbeat that is late (more than twice the usual gap between
 *   the last ones) makes the monitor unhealthy, as Uptime Kuma marks a push monitor down.
 *
 * Uptime over 24 hours is the share of runs that were up; over 30 days, the same from the hour 30
 * days ago (both from the rollups' count and sum of the 0/1 samples, as checksOf reads them). A push
 * monitor's also counts its missed heartbeats as down, as its status page does (pushUptime). None
 * is critical: a target that is down degrades the picture, it does not make vigil itself unhealthy.
 *
 * A push token is the monitor's credential (anyone holding it can push), so it is never shown:
 * the check is named by its first four characters and a hash.
 *
 * `only`, when given, narrows the checks to the series those matcher lists select (a status page
 * reads its components' checks, not those of every target vigil scrapes: with 1,000 targets at 15 s,
 * all of them cost a page build about a second of CPU). Each list names one of the 0/1 series above.
 */
export async function monitoredChecks(
  store: SeriesStore,
  now: number,
  only?: readonly (readonly LabelMatcher[])[],
): Promise<CheckStatus[]> {
  const selectors = (name: string): LabelMatcher[][] =>
    only === undefined
      ? [[eq('__name__', name)]]
      : only
          .filter((m) => m.some((x) => x.name === '__name__' && x.type === '=' && x.value === name))
          .map((m) => [...m]);
  const [targets, heartbeats, providers, dependencies] = await Promise.all([
    checksOf(store, now, selectors('up'), ['job', 'instance'], 'scrape_duration_seconds'),
    checksOf(store, now, selectors('vigil_push_up'), ['monitor'], 'vigil_push_ping_seconds'),
    checksOf(
      store,
      now,
      selectors('vigil_provider_up'),
      ['provider'],
      'vigil_provider_response_time_seconds',
      'provider',
    ),
    checksOf(
      store,
      now,
      selectors('vigil_dependency_up'),
      ['dependency'],
      'vigil_dependency_response_time_seconds',
    ),
  ]);
  return [...targets, ...heartbeats, ...providers, ...dependencies];
}

function eq(name: string, value: string): LabelMatcher {
  return { name, type: '=', value };
}

/**
 * Checks from one kind of 0/1 series: scrape targets (`up`), push monitors, and the providers and
 * dependencies a service's HealthMonitor exports (`vigil_provider_up{provider}`, the series the
 * dashboard's Health page draws), so /api/health lists what that page shows. A sample is one run.
 *
 * Each read takes what the answer needs: the runs of the last 24 hours from the hourly rollups
 * (raw samples for the part-hour it starts in and a tail of the last hour or so, which gives the
 * state), and the 30 days from daily rollups up to where those hours start. A push monitor whose
 * tail holds too few heartbeats to tell its usual gap reads its day.
 */
async function checksOf(
  store: SeriesStore,
  now: number,
  selectors: readonly LabelMatcher[][],
  keys: readonly string[],
  responseName: string,
  kind: 'provider' | 'dependency' = 'dependency',
): Promise<CheckStatus[]> {
  const name = selectors[0]?.find((m) => m.name === '__name__')?.value;
  if (name === undefined) return [];
  const heartbeat = name === 'vigil_push_up';
  const dayStart = now - DAY_MS;
  // The day's whole hours, between the part-hour it starts in and a raw tail that holds at least
  // the lookback (the newest sample, and whether a target is still scraped).
  const firstHour = Math.ceil(dayStart / HOUR_MS) * HOUR_MS;
  const tailFrom = Math.floor((now - TARGET_LOOKBACK_MS) / HOUR_MS) * HOUR_MS;
  // The response series of the same labels: the matchers with the other metric name.
  const response = (m: readonly LabelMatcher[]) =>
    m.map((x) => (x.name === '__name__' ? eq(x.name, responseName) : x));
  // By series (two selectors of one page may select one series: a job, and one of its instances).
  const bySeries = <T extends { labels: SeriesLabels }>(lists: T[][]) =>
    new Map(lists.flat().map((x) => [keyOf(x.labels), x]));
  const raw = (m: readonly (readonly LabelMatcher[])[], from: number, to: number) =>
    from > to
      ? Promise.resolve(new Map<string, SeriesData>())
      : Promise.all(m.map((x) => store.select(x, from, to))).then(bySeries);
  const rollups = (from: number, to: number, resolution: RollupResolution) =>
    Promise.all(selectors.map((m) => store.selectRollup(m, from, to, resolution))).then(bySeries);
  const [heads, hours, tails, months, responses] = await Promise.all([
    raw(selectors, dayStart, firstHour - 1),
    rollups(firstHour, tailFrom - 1, HOUR_MS),
    raw(selectors, tailFrom, now),
    // From the hour 30 days ago to the day's first whole hour: the last of these hours holds the
    // day's first part-hour.
    rollups(now - MONTH_MS, firstHour - 1, DAY_MS),
    raw(selectors.map(response), tailFrom, now),
  ]);
  // A target without samples in the tail is past the lookback; a push monitor may be silent for hours.
  const found = new Map<string, SeriesLabels>();
  for (const list of heartbeat ? [tails, hours, heads] : [tails])
    for (const [key, s] of list) if (!found.has(key)) found.set(key, s.labels);
  const checks: CheckStatus[] = [];
  let sliceStart = performance.now();
  for (const [key, labels] of found) {
    // A check may read more (a down target's last up, a push monitor's day): the event loop is
    // handed back every SLICE_MS, as the store's reads do, or 1,000 targets down held it 110-160 ms.
    if (performance.now() - sliceStart >= SLICE_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
    let recent = tails.get(key) ?? EMPTY;
    let wholeDay = false;
    const hourly = hours.get(key);
    const first = heads.get(key);
    const tail = count(recent);
    const between = rollupCount(hourly);
    const before = rollupCount(months.get(key));
    const start = count(first ?? EMPTY);
    const runs = start.runs + between.runs + tail.runs;
    const ups = start.ups + between.ups + tail.ups;
    // The usual gap is read from the last eleven heartbeats: further back than the tail, the day's.
    if (heartbeat && recent.timestamps.length <= GAPS && runs > recent.timestamps.length) {
      recent = (await raw([exactly(labels)], dayStart, now)).get(key) ?? recent;
      wholeDay = true;
    }
    const last = lastSample(recent);
    if (!last) continue;
    if (!heartbeat && now - last.time > TARGET_LOOKBACK_MS) continue;
    const monthRuns = before.runs + between.runs + tail.runs;
    const monthUps = before.ups + between.ups + tail.ups;
    const up = last.value === 1;
    const answer =
      last.time >= tailFrom
        ? responses.get(key)
        : (await raw([response(exactly(labels))], last.time, last.time)).get(key);
    const newest = answer && lastSample(answer);
    const responseTimeMs = newest && newest.time === last.time ? newest.value * 1000 : undefined;
    const pushed = heartbeat ? await pushUptime(store, labels.monitor ?? '', now) : undefined;
    const uptime24h = pushed ? (pushed.day ?? undefined) : runs > 0 ? ups / runs : undefined;
    const uptime30d = pushed ? (pushed.month ?? undefined) : monthRuns > 0 ? monthUps / monthRuns : uptime24h;
    const errorRate24h = uptime24h === undefined ? 0 : 1 - uptime24h;
    const reasons: string[] = [];
    let state: HealthState;
    const gap = heartbeat ? usualGap(recent.timestamps) : undefined;
    if (gap !== undefined && now - last.time > 2 * gap) {
      reasons.push(`no heartbeat for ${seconds(now - last.time)} (usually every ${seconds(gap)})`);
      state = 'unhealthy';
    } else if (!up) {
      reasons.push(
        heartbeat
          ? 'the last heartbeat said down'
          : name === 'up'
            ? 'the last scrape failed'
            : 'the last check failed',
      );
      state = 'unhealthy';
    } else {
      if (responseTimeMs !== undefined && responseTimeMs > SLOW_MS) {
        reasons.push(`response time ${seconds(responseTimeMs)} above ${seconds(SLOW_MS)}`);
      }
      if (errorRate24h > ERROR_RATE) {
        reasons.push(`${(errorRate24h * 100).toFixed(1)}% down over 24h, above ${ERROR_RATE * 100}%`);
      }
      state = reasons.length > 0 ? 'degraded' : 'healthy';
    }
    const lastSuccess = await lastUpOfDay(store, exactly(labels), recent, wholeDay, hourly, first);
    checks.push({
      name: heartbeat ? heartbeatName(labels.monitor ?? '') : keys.map((k) => labels[k] ?? '').join('/'),
      kind,
      state,
      healthy: state !== 'unhealthy',
      critical: false,
      reasons,
      lastCheck: last.time,
      ...(lastSuccess !== undefined && { lastSuccess }),
      ...(responseTimeMs !== undefined && { responseTimeMs }),
      ...(reasons.length > 0 && state === 'unhealthy' && { error: reasons.join('; ') }),
      details: heartbeat
        ? { type: 'push' }
        : name === 'up'
          ? { type: 'scrape', job: labels.job ?? '', instance: labels.instance ?? '' }
          : { type: 'health_monitor', job: labels.job ?? '', instance: labels.instance ?? '' },
      errorRate24h,
      ...(uptime24h !== undefined && { uptime24h }),
      ...(uptime30d !== undefined && { uptime30d }),
      runs24h: runs,
    });
  }
  return checks.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * A push monitor's uptime over the last 24 hours and 30 days as its status page component and
 * uptime badges count it (component-uptime.ts): the heartbeats that said up, and the time past twice
 * its usual gap without one as down. Null without a run.
 */
async function pushUptime(
  store: SeriesStore,
  token: string,
  now: number,
): Promise<{ day: number | null; month: number | null }> {
  const over = async (ms: number) =>
    uptimeOf(await seriesUptime(store, { kind: 'push', token }, now - ms, now, ms));
  const [day, month] = await Promise.all([over(DAY_MS), over(MONTH_MS)]);
  return { day, month };
}

/** Matchers that select the series of these labels (and any with more labels besides). */
function exactly(labels: SeriesLabels): LabelMatcher[] {
  return Object.entries(labels).map(([n, v]) => eq(n, v));
}

/** A series' labels but its name, as a key: a 0/1 series and its response series share it. */
function keyOf(labels: SeriesLabels): string {
  return Object.keys(labels)
    .filter((k) => k !== '__name__')
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join('\u0000');
}

/** Runs and ups of rollup buckets (their count and sum of 0/1 samples). */
function rollupCount(rollup: RollupData | undefined): { runs: number; ups: number } {
  let runs = 0;
  let ups = 0;
  for (let i = 0; i < (rollup?.count.length ?? 0); i++) {
    const sum = rollup!.sum[i]!;
    if (Number.isNaN(sum)) continue;
    runs += rollup!.count[i]!;
    ups += sum;
  }
  return { runs, ups };
}

function count(series: SeriesData): { runs: number; ups: number } {
  let runs = 0;
  let ups = 0;
  for (const v of series.values) {
    if (Number.isNaN(v)) continue;
    runs++;
    if (v === 1) ups++;
  }
  return { runs, ups };
}

/**
 * The time of the day's last sample that said up: in the raw samples read last (the tail, or the
 * whole day), else in the newest whole hour whose rollup holds an up (its raw samples read to find
 * when), else in the day's first part-hour.
 */
async function lastUpOfDay(
  store: SeriesStore,
  exact: readonly LabelMatcher[],
  recent: SeriesData,
  wholeDay: boolean,
  hourly: RollupData | undefined,
  first: SeriesData | undefined,
): Promise<number | undefined> {
  const inRecent = lastUp(recent);
  if (inRecent !== undefined || wholeDay) return inRecent;
  for (let i = (hourly?.max.length ?? 0) - 1; i >= 0; i--) {
    if (hourly!.max[i] !== 1) continue;
    const start = hourly!.timestamps[i]!;
    const [hour] = await store.select(exact, start, start + HOUR_MS - 1);
    const found = hour && lastUp(hour);
    if (found !== undefined) return found;
  }
  return first && lastUp(first);
}

function lastSample(series: SeriesData): { time: number; value: number } | undefined {
  for (let i = series.values.length - 1; i >= 0; i--) {
    const value = series.values[i]!;
    if (isStaleNaN(value)) return undefined;
    if (!Number.isNaN(value)) return { time: series.timestamps[i]!, value };
  }
  return undefined;
}

function lastUp(series: SeriesData): number | undefined {
  for (let i = series.values.length - 1; i >= 0; i--) {
    if (series.values[i] === 1) return series.timestamps[i]!;
  }
  return undefined;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10}s`;
}
