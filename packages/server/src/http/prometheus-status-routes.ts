import { redactUrl } from '@vigil/metrics';
import type { TargetHealth } from '../ingest/scraper.js';
import { formatDuration, parseDuration } from '../query/duration.js';
import { formatPromql } from '../query/format-promql.js';
import { type ParseOptions, parsePromql } from '../query/parse.js';
import { PromqlParseError } from '../query/query-error.js';
import type { SeriesStore } from '../store/series-store.js';
import { badRequest } from './http-error.js';
import { parseMatchers, requestParams } from './params.js';
import { sendData } from './respond.js';
import type { Router } from './router.js';

/**
 * The Prometheus version `/api/v1/status/buildinfo` reports. Grafana's Prometheus data source turns
 * features on by this number; vigil has 3.0's range semantics and API (docs/grafana.md says which
 * features that enables).
 */
export const PROMETHEUS_COMPATIBLE_VERSION = '3.0.0';

export interface StatusRouteOptions {
  readonly store: SeriesStore;
  readonly bodyLimit: number;
  /** vigil's own version, reported beside the compatible one. */
  readonly version: string;
  readonly startedAtMs: number;
  /** vigil's configuration written as a Prometheus configuration file (scrape, rules, alerting). */
  readonly configYaml: string;
  /** The effective settings, by Prometheus's flag names where vigil has the same setting. */
  readonly flags: Readonly<Record<string, string>>;
  readonly retention: string;
  readonly alertmanagers: readonly string[];
  /** The scrape targets and how their last scrape went. */
  readonly targets: () => readonly TargetHealth[];
  /** The PromQL the engine accepts (its feature switches), for `format_query` and exemplars. */
  readonly promql?: ParseOptions;
}

/** RFC 3339 of a time never reached, as Go writes its zero time. */
const ZERO_TIME = '0001-01-01T00:00:00Z';
const ALL_TIME_END = 8_640_000_000_000_000;

/**
 * The parts of Prometheus's HTTP API around the query API that Grafana's data source and
 * Prometheus's own tools call: build information, exemplars (vigil stores none), query formatting,
 * targets and their metadata, configuration, flags, runtime and head statistics, Alertmanagers.
 */
export function prometheusStatusRoutes(router: Router, o: StatusRouteOptions): void {
  router.on('GET', '/api/v1/status/buildinfo', ({ res }) =>
    sendData(res, {
      version: PROMETHEUS_COMPATIBLE_VERSION,
      revision: '',
      branch: '',
      buildUser: '',
      buildDate: '',
      goVersion: '',
      application: 'vigil',
      vigilVersion: o.version,
    }),
  );

  router.on(['GET', 'POST'], '/api/v1/query_exemplars', async (ctx) => {
    const params = await requestParams(ctx, o.bodyLimit);
    parseQuery(params, o.promql);
    sendData(ctx.res, []);
  });

  router.on(['GET', 'POST'], '/api/v1/format_query', async (ctx) => {
    const params = await requestParams(ctx, o.bodyLimit);
    sendData(ctx.res, formatPromql(parseQuery(params, o.promql)));
  });

  router.on('GET', '/api/v1/targets', ({ res, url }) => {
    const state = url.searchParams.get('state') ?? 'any';
    const pool = url.searchParams.get('scrapePool');
    const active = state === 'dropped' ? [] : o.targets().filter((t) => !pool || t.target.job === pool);
    sendData(res, {
      activeTargets: active.map((t) => {
        const target = new URL(t.target.url);
        return {
          discoveredLabels: {
            __address__: target.host,
            __metrics_path__: target.pathname,
            __scheme__: target.protocol.replace(':', ''),
            job: t.target.job,
          },
          labels: t.labels,
          scrapePool: t.target.job,
          scrapeUrl: redactUrl(t.target.url),
          globalUrl: redactUrl(t.target.url),
          lastError: t.lastError,
          lastScrape: t.lastScrapeMs === undefined ? ZERO_TIME : new Date(t.lastScrapeMs).toISOString(),
          lastScrapeDuration: t.lastScrapeDurationSeconds,
          health: t.health,
          scrapeInterval: formatDuration(t.target.intervalMs),
          scrapeTimeout: formatDuration(t.target.timeoutMs),
        };
      }),
      droppedTargets: [],
      droppedTargetCounts: Object.fromEntries(o.targets().map((t) => [t.target.job, 0])),
    });
  });

  router.on('GET', '/api/v1/targets/metadata', ({ res, url }) => {
    const matchTarget = url.searchParams.get('match_target');
    const matchers = matchTarget
      ? parseMatchers(new URLSearchParams([['match[]', matchTarget]]), true)[0]!
      : [];
    const metric = url.searchParams.get('metric');
    const limitText = url.searchParams.get('limit');
    const limit = limitText === null || limitText === '' ? -1 : Number(limitText);
    if (!Number.isInteger(limit)) throw badRequest(`invalid parameter "limit": got "${limitText}"`);
    const out: unknown[] = [];
    for (const t of o.targets()) {
      if (!matchers.every((m) => matchesLabel(m, (t.labels as Record<string, string>)[m.name] ?? '')))
        continue;
      for (const entry of t.metadata) {
        if (metric && entry.metric !== metric) continue;
        if (limit >= 0 && out.length >= limit) break;
        out.push({ target: t.labels, ...entry });
      }
    }
    sendData(res, out);
  });

  router.on('GET', '/api/v1/status/config', ({ res }) => sendData(res, { yaml: o.configYaml }));
  router.on('GET', '/api/v1/status/flags', ({ res }) => sendData(res, o.flags));

  router.on('GET', '/api/v1/status/runtimeinfo', ({ res }) =>
    sendData(res, {
      startTime: new Date(o.startedAtMs).toISOString(),
      CWD: process.cwd(),
      reloadConfigSuccess: true,
      lastConfigTime: new Date(o.startedAtMs).toISOString(),
      corruptionCount: 0,
      goroutineCount: 0,
      GOMAXPROCS: 1,
      GOMEMLIMIT: 0,
      GOGC: '',
      GODEBUG: '',
      storageRetention: o.retention,
    }),
  );

  router.on('GET', '/api/v1/status/tsdb', async ({ res, url }) => {
    const limitText = url.searchParams.get('limit') ?? '10';
    const limit = Number(limitText);
    if (!Number.isInteger(limit) || limit < 1)
      throw badRequest(`invalid parameter "limit": got "${limitText}", expected a positive integer`);
    sendData(res, await tsdbStatus(o.store, limit));
  });

  router.on('GET', '/api/v1/alertmanagers', ({ res }) =>
    sendData(res, {
      activeAlertmanagers: o.alertmanagers.map((u) => ({ url: redactUrl(u) })),
      droppedAlertmanagers: [],
    }),
  );

  router.on('GET', '/graph', ({ res, url }) => {
    res.writeHead(302, { location: exploreLink(url.searchParams) }).end();
  });
}

function parseQuery(params: URLSearchParams, options: ParseOptions | undefined) {
  const query = params.get('query');
  if (!query) throw badRequest('invalid parameter "query": a query is required');
  try {
    return parsePromql(query, options);
  } catch (error) {
    if (error instanceof PromqlParseError) throw badRequest(`invalid parameter "query": ${error.message}`);
    throw error;
  }
}

/**
 * Prometheus's `/graph?g0.expr=…&g0.range_input=1h&g0.end_input=…` as the dashboard's Explore page
 * (`/#/explore?q=…&from=…&to=…`): the expression, and the range ending at `end_input` or now.
 */
export function exploreLink(params: URLSearchParams): string {
  const rangeMs = parseDuration(params.get('g0.range_input') ?? '') ?? 3_600_000;
  const endText = params.get('g0.end_input') ?? params.get('g0.moment_input');
  const endMs = endText
    ? Date.parse(/Z|[+-]\d\d:?\d\d$/.test(endText) ? endText : `${endText}Z`)
    : Number.NaN;
  const explore = new URLSearchParams();
  if (Number.isFinite(endMs)) {
    explore.set('from', String(endMs - rangeMs));
    explore.set('to', String(endMs));
  } else {
    explore.set('from', `now-${Math.max(1, Math.round(rangeMs / 1000))}s`);
    explore.set('to', 'now');
  }
  const expr = params.get('g0.expr');
  if (expr) explore.set('q', expr);
  return `/#/explore?${explore}`;
}

/** Head statistics as Prometheus's `/api/v1/status/tsdb` gives them, over every series vigil holds. */
async function tsdbStatus(store: SeriesStore, limit: number) {
  const stats = await store.stats();
  const all = await store.series([[{ name: '__name__', type: '=~', value: '.+' }]], 0, ALL_TIME_END);
  const byName = new Map<string, number>();
  const valuesByLabel = new Map<string, Set<string>>();
  const bytesByLabel = new Map<string, number>();
  const byPair = new Map<string, number>();
  for (const labels of all) {
    byName.set(labels.__name__ ?? '', (byName.get(labels.__name__ ?? '') ?? 0) + 1);
    for (const [name, value] of Object.entries(labels)) {
      let values = valuesByLabel.get(name);
      if (!values) valuesByLabel.set(name, (values = new Set()));
      if (!values.has(value)) {
        values.add(value);
        bytesByLabel.set(name, (bytesByLabel.get(name) ?? 0) + Buffer.byteLength(value));
      }
      const pair = `${name}=${value}`;
      byPair.set(pair, (byPair.get(pair) ?? 0) + 1);
    }
  }
  const top = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, limit)
      .map(([name, value]) => ({ name, value }));
  return {
    headStats: {
      numSeries: stats.series,
      numLabelPairs: byPair.size,
      chunkCount: 0,
      minTime: stats.oldestMs ?? 0,
      maxTime: stats.newestMs ?? 0,
    },
    seriesCountByMetricName: top(byName),
    labelValueCountByLabelName: top(new Map([...valuesByLabel].map(([k, v]) => [k, v.size]))),
    memoryInBytesByLabelName: top(bytesByLabel),
    seriesCountByLabelValuePair: top(byPair),
  };
}

function matchesLabel(m: { type: string; value: string }, value: string): boolean {
  if (m.type === '=') return value === m.value;
  if (m.type === '!=') return value !== m.value;
  const matched = new RegExp(`^(?:${m.value})$`).test(value);
  return m.type === '=~' ? matched : !matched;
}
