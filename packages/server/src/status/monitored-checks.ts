import type { CheckStatus, HealthState } from '@vigil/metrics/health';
import type { LabelMatcher, SeriesData, SeriesLabels, SeriesStore } from '../store/series-store.js';
import { isStaleNaN } from '../store/series-store.js';
import { heartbeatName } from './heartbeat-name.js';

const DAY_MS = 86_400_000;
const MONTH_MS = 30 * DAY_MS;
/** Prometheus's lookback: a target without an `up` sample this recent is no longer scraped. */
const TARGET_LOOKBACK_MS = 5 * 60_000;
/** As HealthMonitor's defaults: the seed's `alert_thresholds` (5 s, 5% of runs failing). */
const SLOW_MS = 5000;
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
 * Uptime over 24 hours is the share of runs that were up (raw samples); over 30 days, the same
 * from the rollups (count and sum of the 0/1 samples: daily ones for whole days, hourly around them). None is critical: a target that is
 * down degrades the picture, it does not make vigil itself unhealthy.
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
  // The response series of the same labels: the selector with the other metric name.
  const response = (m: readonly LabelMatcher[]) =>
    m.map((x) => (x.name === '__name__' ? eq(x.name, responseName) : x));
  const each = <T extends { labels: SeriesLabels }>(lists: T[][]): T[] => {
    // Two selectors of one page may select one series (a job, and one of its instances): once each.
    const seen = new Map<string, T>();
    for (const list of lists) for (const x of list) seen.set(JSON.stringify(x.labels), x);
    return [...seen.values()];
  };
  const [day, month, responses] = await Promise.all([
    Promise.all(selectors.map((m) => store.select(m, now - DAY_MS, now))).then(each),
    Promise.all(selectors.map((m) => store.selectRollup(m, now - MONTH_MS, now, DAY_MS))).then(each),
    Promise.all(selectors.map((m) => store.select(response(m), now - DAY_MS, now))).then(each),
  ]);
  const keyOf = (labels: SeriesLabels) => keys.map((k) => labels[k] ?? '').join('\u0000');
  const monthByKey = new Map(month.map((m) => [keyOf(m.labels), m]));
  const responseByKey = new Map(responses.map((r) => [keyOf(r.labels), lastSample(r)]));
  const heartbeat = name === 'vigil_push_up';
  const checks: CheckStatus[] = [];
  for (const series of day) {
    const last = lastSample(series);
    if (!last) continue;
    if (!heartbeat && now - last.time > TARGET_LOOKBACK_MS) continue;
    const key = keyOf(series.labels);
    let runs = 0;
    let ups = 0;
    for (const v of series.values) {
      if (Number.isNaN(v)) continue;
      runs++;
      if (v === 1) ups++;
    }
    const rollup = monthByKey.get(key);
    let monthRuns = 0;
    let monthUps = 0;
    for (let i = 0; i < (rollup?.count.length ?? 0); i++) {
      const sum = rollup!.sum[i]!;
      if (Number.isNaN(sum)) continue;
      monthRuns += rollup!.count[i]!;
      monthUps += sum;
    }
    const up = last.value === 1;
    const response = responseByKey.get(key);
    const responseTimeMs = response && response.time === last.time ? response.value * 1000 : undefined;
    const uptime24h = runs > 0 ? ups / runs : undefined;
    const errorRate24h = runs > 0 ? 1 - ups / runs : 0;
    const reasons: string[] = [];
    let state: HealthState;
    const gap = heartbeat ? usualGap(series) : undefined;
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
    const lastSuccess = lastUp(series);
    checks.push({
      name: heartbeat
        ? heartbeatName(series.labels.monitor ?? '')
        : keys.map((k) => series.labels[k] ?? '').join('/'),
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
          ? { type: 'scrape', job: series.labels.job ?? '', instance: series.labels.instance ?? '' }
          : { type: 'health_monitor', job: series.labels.job ?? '', instance: series.labels.instance ?? '' },
      errorRate24h,
      ...(uptime24h !== undefined && { uptime24h }),
      ...(monthRuns > 0
        ? { uptime30d: monthUps / monthRuns }
        : uptime24h !== undefined && { uptime30d: uptime24h }),
      runs24h: runs,
    });
  }
  return checks.sort((a, b) => a.name.localeCompare(b.name));
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

/** The median gap between the last (up to) ten heartbeats; undefined with fewer than two. */
function usualGap(series: SeriesData): number | undefined {
  const t = series.timestamps;
  const gaps: number[] = [];
  for (let i = t.length - 1; i > 0 && gaps.length < 10; i--) gaps.push(t[i]! - t[i - 1]!);
  if (gaps.length === 0) return undefined;
  gaps.sort((a, b) => a - b);
  return gaps[Math.floor(gaps.length / 2)]!;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10}s`;
}
