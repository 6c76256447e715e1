import type { AlertHistoryEvent } from '../alerts/alert-history-event.js';
import { queryVector, type RuleSample } from '../alerts/query-vector.js';
import { errorRate, failedRequests, REQUEST_SOURCES, requests } from '../figures/requests.js';
import type { Incident } from '../incidents/incident.js';
import { percentileQuery } from '../query/percentile-query.js';
import type { QueryEngine } from '../query/query-engine.js';
import type { SloSpec } from '../slo/slo-spec.js';
import { sloStatuses } from '../slo/slo-status.js';
import { componentUptime, uptimeOf } from '../status/component-uptime.js';
import { heartbeatName } from '../status/heartbeat-name.js';
import type { SeriesStore } from '../store/series-store.js';
import type { Column, Figure, Report, ReportRow, ReportSection } from './report.js';

export interface ReportSources {
  readonly engine: QueryEngine;
  /**
   * PromQL over the store's hourly rollups (reportRollups), which the figures read when given: each
   * hour's last value for counters, its mean for gauges. Without it (a remote store) every figure is
   * read through `engine`.
   */
  readonly rollups?: {
    readonly counters: QueryEngine;
    readonly gauges: QueryEngine;
    /** Whether ranges that meet at this time (ms) are each read exactly in one range query. */
    readonly meetExactly: (t: number) => boolean;
  };
  /** Incidents opened in either period. */
  readonly incidents: readonly Incident[];
  /** Alert state changes between two times (ms), oldest first or not. */
  readonly alertEvents: (sinceMs: number, untilMs: number) => readonly AlertHistoryEvent[];
  /** The SLOs defined, whose recorded error ratios `engine` reads. */
  readonly slos?: readonly SloSpec[];
  /** The store, for the push monitors' uptime as the status pages count it; without it, no such section. */
  readonly store?: SeriesStore;
}

interface QuerySpec {
  readonly key: string;
  readonly title: string;
  readonly unit: Column['unit'];
  /** PromQL with `$P` where the period goes. */
  readonly expr: string;
}

interface QuerySection {
  readonly id: string;
  readonly title: string;
  /** What the queries read: from rollups, an hour of a gauge is its mean, of a counter its last value. */
  readonly reads: 'counters' | 'gauges';
  readonly keys: readonly string[];
  readonly queries: readonly QuerySpec[];
  /** Figures computed from the queried ones (error rate = errors / requests). */
  readonly derived?: (figures: Record<string, number>) => Record<string, number>;
  readonly derivedColumns?: readonly Column[];
  /** A column drawn over the period: PromQL with `$S` where one step's range goes. */
  readonly trend?: { readonly key: string; readonly expr: string };
}

const OPERATIONS = REQUEST_SOURCES[1];
const HOUR_MS = 3_600_000;
/**
 * Shortest period read from hourly rollups: a day's trend steps are an hour, and a shorter period
 * would be a handful of hours, each read whole.
 */
const ROLLUPS_FROM_MS = 24 * 3_600_000;
/** Points of a trend over the period. */
const TREND_POINTS = 24;

const q = (by: string, quantile: number) =>
  percentileQuery(quantile, 'latency_operation_duration_seconds', '$P', { by: [by] });

/** What the report reads, on the metric names @vigil/metrics exports (latency tracker, health, genai). */
const SECTIONS: readonly QuerySection[] = [
  {
    id: 'availability',
    title: 'Availability by provider',
    reads: 'gauges',
    keys: ['provider'],
    queries: [
      {
        key: 'availability',
        title: 'Up',
        unit: 'ratio',
        expr: 'avg by (provider) (avg_over_time(vigil_provider_up[$P]))',
      },
    ],
    trend: { key: 'availability', expr: 'avg by (provider) (avg_over_time(vigil_provider_up[$S]))' },
  },
  {
    id: 'dependencies',
    title: 'Availability by dependency',
    reads: 'gauges',
    keys: ['dependency'],
    queries: [
      {
        key: 'availability',
        title: 'Up',
        unit: 'ratio',
        expr: 'avg by (dependency) (avg_over_time(vigil_dependency_up[$P]))',
      },
    ],
  },
  {
    id: 'targets',
    title: 'Availability by scrape target',
    reads: 'gauges',
    keys: ['job', 'instance'],
    queries: [
      {
        key: 'availability',
        title: 'Up',
        unit: 'ratio',
        expr: 'avg by (job, instance) (avg_over_time(up[$P]))',
      },
    ],
  },
  {
    // The fleet's requests, errors and error rate as /api/metrics, the overview and vigil top count them.
    id: 'requests',
    title: 'Requests and errors',
    reads: 'counters',
    keys: [],
    queries: [
      { key: 'requests', title: 'Requests', unit: 'count', expr: requests('$P') },
      { key: 'errors', title: 'Errors', unit: 'count', expr: failedRequests('$P') },
      { key: 'errorRate', title: 'Error rate', unit: 'ratio', expr: errorRate('$P') },
    ],
  },
  {
    id: 'traffic',
    title: 'Traffic and errors by operation and provider',
    reads: 'counters',
    keys: ['operation', 'provider'],
    queries: [
      {
        key: 'requests',
        title: 'Requests',
        unit: 'count',
        expr: `sum by (operation, provider) (increase(${OPERATIONS.counter}[$P]))`,
      },
      {
        key: 'errors',
        title: 'Errors',
        unit: 'count',
        expr: `sum by (operation, provider) (increase(${OPERATIONS.counter}${OPERATIONS.failed}[$P]))`,
      },
    ],
    derived: (f) => ({ errorRate: f.errors! / f.requests! }),
    derivedColumns: [{ key: 'errorRate', title: 'Error rate', unit: 'ratio' }],
    trend: {
      key: 'requests',
      expr: `sum by (operation, provider) (increase(${OPERATIONS.counter}[$S]))`,
    },
  },
  {
    id: 'latency',
    title: 'Latency by operation and provider',
    reads: 'counters',
    keys: ['operation', 'provider'],
    queries: [
      { key: 'p50', title: 'p50', unit: 'seconds', expr: q('operation, provider', 0.5) },
      { key: 'p95', title: 'p95', unit: 'seconds', expr: q('operation, provider', 0.95) },
      { key: 'p99', title: 'p99', unit: 'seconds', expr: q('operation, provider', 0.99) },
    ],
  },
  {
    id: 'llm',
    title: 'LLM tokens and cost by provider and model',
    reads: 'counters',
    keys: ['provider', 'model'],
    queries: [
      {
        key: 'inputTokens',
        title: 'Input tokens',
        unit: 'count',
        expr: 'sum by (provider, model) (increase(vigil_llm_tokens_total{type="input"}[$P]))',
      },
      {
        key: 'outputTokens',
        title: 'Output tokens',
        unit: 'count',
        expr: 'sum by (provider, model) (increase(vigil_llm_tokens_total{type="output"}[$P]))',
      },
      {
        key: 'cost',
        title: 'Cost',
        unit: 'usd',
        expr: 'sum by (provider, model) (increase(vigil_llm_cost_usd_total[$P]))',
      },
    ],
  },
];

/**
 * The report over the `periodMs` ending at `endMs`, each figure beside the period before it: the
 * queries are evaluated at `endMs` and at `endMs − periodMs` over a range of one period, from the
 * hourly rollups for a period of a day or more when the sources have them. Sections with no data in
 * either period are left out, and named in `withoutData`.
 */
export async function buildReport(sources: ReportSources, endMs: number, periodMs: number): Promise<Report> {
  const window = `${Math.round(periodMs / 1000)}s`;
  const sections: ReportSection[] = [];
  const withoutData: string[] = [];
  const rollups = periodMs >= ROLLUPS_FROM_MS ? sources.rollups : undefined;
  // Raw samples are read a period at a time: a query's sample limit counts every one it reads.
  const onePass = rollups?.meetExactly(endMs - periodMs) ?? false;
  const monitors =
    sources.store && (await pushMonitorSection(sources.store, sources.engine, endMs, periodMs));
  for (const s of SECTIONS) {
    // The push monitors go with the other availabilities, before the traffic.
    if (s.id === 'requests' && monitors)
      if (monitors.rows.length > 0) sections.push(monitors);
      else withoutData.push(monitors.title);
    const engine = rollups?.[s.reads] ?? sources.engine;
    const rows = new Map<
      string,
      { labels: Record<string, string>; cur: Record<string, number>; prev: Record<string, number> }
    >();
    for (const spec of s.queries) {
      const expr = spec.expr.replaceAll('$P', window);
      const [cur, prev] = await bothPeriods(engine, expr, endMs, periodMs, onePass);
      for (const [which, samples] of [
        ['cur', cur],
        ['prev', prev],
      ] as const)
        for (const sample of samples) {
          const labels = Object.fromEntries(s.keys.map((k) => [k, sample.labels[k] ?? '']));
          const id = s.keys.map((k) => labels[k]).join('\u0000');
          let row = rows.get(id);
          if (!row) rows.set(id, (row = { labels, cur: {}, prev: {} }));
          row[which][spec.key] = sample.value;
        }
    }
    if (rows.size === 0) {
      withoutData.push(s.title);
      continue;
    }
    const trends = s.trend ? await trendOf(engine, s, s.trend.expr, endMs, periodMs) : undefined;
    const columns: Column[] = [
      ...s.queries.map(({ key, title, unit }) => ({ key, title, unit })),
      ...(s.derivedColumns ?? []),
    ];
    const out: ReportRow[] = [...rows.values()]
      .sort((a, b) => (JSON.stringify(a.labels) < JSON.stringify(b.labels) ? -1 : 1))
      .map((row) => {
        const complete = (f: Record<string, number>) => {
          const all: Record<string, number> = {};
          for (const c of s.queries) all[c.key] = f[c.key] ?? Number.NaN;
          return { ...all, ...(s.derived?.(all) ?? {}) };
        };
        const cur = complete(row.cur);
        const prev = complete(row.prev);
        const figures: Record<string, Figure> = {};
        for (const c of columns) figures[c.key] = { current: cur[c.key]!, previous: prev[c.key]! };
        const trend = trends?.get(s.keys.map((k) => row.labels[k]).join('\u0000'));
        return { labels: row.labels, figures, ...(trends && { trend: trend ?? [] }) };
      });
    const nothingBefore = out.every((row) =>
      Object.values(row.figures).every((f) => !Number.isFinite(f.previous)),
    );
    sections.push({
      id: s.id,
      title: s.title,
      keys: s.keys,
      columns,
      rows: out,
      ...(s.trend && { trendColumn: s.trend.key }),
      ...(nothingBefore && {
        note: 'No change is shown: the store holds none of this from the period before.',
      }),
    });
  }
  if (sources.slos && sources.slos.length > 0)
    sections.push(await sloSection(sources.engine, sources.slos, endMs, periodMs));
  sections.push(incidentSection(sources.incidents, endMs, periodMs));
  sections.push(topAlerts(sources, endMs, periodMs));
  return { startMs: endMs - periodMs, endMs, periodMs, sections, withoutData };
}

/**
 * Each push monitor's uptime in the period and in the one before, as its status page component
 * counts it (component-uptime.ts): its heartbeats that said up, and the time past twice its usual
 * gap without one as down. Named as on /api/health, never by its token, which is its credential.
 */
async function pushMonitorSection(
  store: SeriesStore,
  engine: QueryEngine,
  endMs: number,
  periodMs: number,
): Promise<ReportSection> {
  const found = await store.series(
    [[{ name: '__name__', type: '=', value: 'vigil_push_up' }]],
    endMs - 2 * periodMs,
    endMs,
  );
  const tokens = [...new Set(found.map((labels) => labels.monitor ?? ''))];
  const uptime = async (token: string, end: number) =>
    uptimeOf(
      await componentUptime({ store, engine }, { kind: 'push', token }, end - periodMs, end, HOUR_MS),
    ) ?? Number.NaN;
  const rows = await Promise.all(
    tokens.map(async (token) => ({
      labels: { monitor: heartbeatName(token) },
      figures: {
        availability: {
          current: await uptime(token, endMs),
          previous: await uptime(token, endMs - periodMs),
        },
      },
    })),
  );
  return {
    id: 'monitors',
    title: 'Availability by push monitor',
    keys: ['monitor'],
    columns: [{ key: 'availability', title: 'Up', unit: 'ratio' }],
    rows: rows.sort((a, b) => (a.labels.monitor < b.labels.monitor ? -1 : 1)),
  };
}

/**
 * Each SLO's SLI over its own window and the error budget left, at the end of the period and of
 * the one before, from its recorded error ratios (as GET /api/slos reads them).
 */
async function sloSection(
  engine: QueryEngine,
  slos: readonly SloSpec[],
  endMs: number,
  periodMs: number,
): Promise<ReportSection> {
  const [cur, prev] = await Promise.all([
    sloStatuses(slos, engine, [], endMs),
    sloStatuses(slos, engine, [], endMs - periodMs),
  ]);
  const rows = cur.map((s, i) => ({
    labels: {
      slo: s.slo.name,
      objective: `${+(s.slo.objective * 100).toPrecision(8)}% over ${s.slo.windowDays}d`,
    },
    figures: {
      sli: { current: s.sli, previous: prev[i]!.sli },
      budgetLeft: { current: s.budgetRemaining, previous: prev[i]!.budgetRemaining },
    },
  }));
  const unrecorded = cur.some((s) => !Number.isFinite(s.sli));
  return {
    id: 'slos',
    title: 'SLOs and error budget left',
    keys: ['slo', 'objective'],
    columns: [
      { key: 'sli', title: 'SLI over its window', unit: 'ratio' },
      { key: 'budgetLeft', title: 'Error budget left', unit: 'ratio' },
    ],
    rows,
    ...(unrecorded && {
      note: '– where no error ratio is recorded yet: the SLO rules record them in vigil serve, from when the SLO is defined.',
    }),
  };
}

/**
 * A query's samples at the end of the period and at the end of the one before: with `onePass`, a
 * range query of two steps a period apart, which reads both periods in one pass over the store and
 * splits them by time; otherwise two instant queries.
 */
async function bothPeriods(
  engine: QueryEngine,
  expr: string,
  endMs: number,
  periodMs: number,
  onePass: boolean,
): Promise<[cur: RuleSample[], prev: RuleSample[]]> {
  if (!onePass)
    return Promise.all([queryVector(engine, expr, endMs), queryVector(engine, expr, endMs - periodMs)]);
  const result = await engine.rangeQuery(expr, endMs - periodMs, endMs, periodMs);
  if (result.resultType !== 'matrix')
    throw new Error(`report query answered a ${result.resultType}: ${expr}`);
  const cur: RuleSample[] = [];
  const prev: RuleSample[] = [];
  for (const series of result.result)
    for (let i = 0; i < series.timesMs.length; i++)
      (series.timesMs[i] === endMs ? cur : prev).push({ labels: series.metric, value: series.values[i]! });
  return [cur, prev];
}

/** A section's trend query over the period in TREND_POINTS steps, by row (the keys' values). */
async function trendOf(
  engine: QueryEngine,
  s: QuerySection,
  expr: string,
  endMs: number,
  periodMs: number,
): Promise<Map<string, number[]>> {
  const stepMs = Math.max(1000, Math.round(periodMs / TREND_POINTS / 1000) * 1000);
  const start = endMs - (TREND_POINTS - 1) * stepMs;
  const result = await engine.rangeQuery(expr.replaceAll('$S', `${stepMs / 1000}s`), start, endMs, stepMs);
  const out = new Map<string, number[]>();
  if (result.resultType !== 'matrix') return out;
  for (const series of result.result) {
    const values = new Array<number>(TREND_POINTS).fill(Number.NaN);
    for (let i = 0; i < series.timesMs.length; i++) {
      const at = Math.round((series.timesMs[i]! - start) / stepMs);
      if (at >= 0 && at < TREND_POINTS) values[at] = series.values[i]!;
    }
    out.set(s.keys.map((k) => series.metric[k] ?? '').join('\u0000'), values);
  }
  return out;
}

function incidentSection(incidents: readonly Incident[], endMs: number, periodMs: number): ReportSection {
  const stats = (from: number, to: number) => {
    const opened = incidents.filter((i) => i.openedAt > from && i.openedAt <= to);
    const mean = (xs: number[]) => (xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length);
    return {
      opened: opened.length,
      mtta: mean(
        opened.flatMap((i) =>
          i.acknowledgedAt === undefined ? [] : [(i.acknowledgedAt - i.openedAt) / 1000],
        ),
      ),
      mttr: mean(
        opened.flatMap((i) => (i.resolvedAt === undefined ? [] : [(i.resolvedAt - i.openedAt) / 1000])),
      ),
    };
  };
  const cur = stats(endMs - periodMs, endMs);
  const prev = stats(endMs - 2 * periodMs, endMs - periodMs);
  const note =
    cur.opened === 0
      ? 'No incident was opened in this period.'
      : [
          ...(Number.isNaN(cur.mtta)
            ? ['None of the incidents opened in this period was acknowledged.']
            : []),
          ...(Number.isNaN(cur.mttr) ? ['None of the incidents opened in this period was resolved.'] : []),
        ].join(' ');
  return {
    ...(note && { note }),
    id: 'incidents',
    title: 'Incidents',
    keys: [],
    columns: [
      { key: 'opened', title: 'Opened', unit: 'count' },
      { key: 'mtta', title: 'Mean time to acknowledge', unit: 'duration' },
      { key: 'mttr', title: 'Mean time to resolve', unit: 'duration' },
    ],
    rows: [
      {
        labels: {},
        figures: {
          opened: { current: cur.opened, previous: prev.opened },
          mtta: { current: cur.mtta, previous: prev.mtta },
          mttr: { current: cur.mttr, previous: prev.mttr },
        },
      },
    ],
  };
}

/** The ten alerts that fired longest in the period, by alert name, from the alert history. */
function topAlerts(sources: ReportSources, endMs: number, periodMs: number): ReportSection {
  const firing = (from: number, to: number) => {
    const since = new Map<string, number>();
    const total = new Map<string, number>();
    const events = sources
      .alertEvents(from - periodMs, to)
      .filter((e) => e.kind === 'state')
      .sort((a, b) => a.time - b.time);
    for (const e of events) {
      const key = JSON.stringify(e.labels);
      const name = e.labels.alertname ?? '';
      if (e.to === 'firing') since.set(key, e.time);
      else if (e.from === 'firing') {
        const start = since.get(key);
        since.delete(key);
        if (start !== undefined) add(total, name, Math.max(0, Math.min(e.time, to) - Math.max(start, from)));
        else if (e.time > from) add(total, name, Math.min(e.time, to) - from);
      }
    }
    for (const [key, start] of since)
      add(total, JSON.parse(key).alertname ?? '', Math.max(0, to - Math.max(start, from)));
    return total;
  };
  const cur = firing(endMs - periodMs, endMs);
  const prev = firing(endMs - 2 * periodMs, endMs - periodMs);
  const names = [...cur.entries()]
    .filter(([, ms]) => ms > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 10);
  return {
    ...(names.length === 0 && { note: 'No alert fired in this period.' }),
    id: 'alerts',
    title: 'Top alerts by firing time',
    keys: ['alertname'],
    columns: [{ key: 'firing', title: 'Firing', unit: 'duration' }],
    rows: names.map(([name, ms]) => ({
      labels: { alertname: name },
      figures: { firing: { current: ms / 1000, previous: (prev.get(name) ?? 0) / 1000 } },
    })),
  };
}

function add(map: Map<string, number>, key: string, ms: number): void {
  map.set(key, (map.get(key) ?? 0) + ms);
}
