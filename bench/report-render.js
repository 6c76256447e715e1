// Scenario: the weekly report (issue 19's target: "a weekly report over 10,000 series renders in < 2 s
// from the store's rollups"), built and rendered in this process as `vigil report` and
// `GET /api/reports` do: buildReport over the embedded SqliteStore, reading its rollups (a figure over
// the week and the week before, in one read: the daily ones for each week's 6 whole UTC days, hourly
// ones for the hours around them; trends: hourly; cli/report-rollups.ts, store/rollup-samples.ts),
// then the Markdown, the HTML with its sparkline PNGs
// in data: URIs (the API's heaviest answer) and the JSON. No peer: Grafana's scheduled reports are a
// paid feature, and nothing free renders this document; the figure is set against the target.
//
// Data: 10,170 series of what the report reads, as @vigil/metrics exports them, from 6 instances:
// the latency tracker's histogram `latency_operation_duration_seconds` (12 `le` buckets, _sum,
// _count) and `latency_operations_total` for 11 operations x 5 providers x 2 statuses; `vigil_provider_up`
// (5 providers) and `vigil_dependency_up` (10 dependencies) with short outages; `vigil_llm_tokens_total`
// (5 providers x 2 models x input/output) and `vigil_llm_cost_usd_total`. Two weeks and an hour
// (this week, the week before, and the hour before it) at one sample every 5 minutes (BENCH_REPORT_STEP_S;
// the rollups the report reads are the same hours at any scrape interval, and at 1 minute the writing
// alone outlasted bench/run.js's 5 minutes on the loaded machine), traffic following the day and 10%
// higher this week; one instance restarts in each week (its counters reset). Plus 20 incidents and 200
// alert state changes. The store computes its hourly and daily rollups as it flushes.
//
// Timed: buildReport for the 7 days ending on the hour + the three renderings, RUNS times (median),
// after one warm-up. With BENCH_REPORT_RAW=1 the same report is also built once from raw samples
// (as before rollups were read), and the two reports' figures compared.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, scenario, table } from './lib/harness.js';
import { loadStore } from './lib/server-dist.js';

const RUNS = Math.max(3, Number(process.env.BENCH_RUNS ?? 5));
const STEP = Number(process.env.BENCH_REPORT_STEP_S ?? 300) * 1000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const PERIOD = 7 * DAY;
const END = Date.UTC(2026, 10, 30, 9); // a Monday, 09:00 UTC: when a weekly report falls due
const START = END - 2 * PERIOD - HOUR;
const POINTS = (END - START) / STEP + 1;
const BATCH = 288;
const TARGET_MS = 2000;

const INSTANCES = 6;
const OPERATIONS = [
  'llm',
  'tts',
  'stt',
  'crm_api',
  'vector_search',
  'embedding',
  'webhook',
  'sms',
  'email',
  'auth',
  'billing',
];
const PROVIDERS = ['openai', 'anthropic', 'google', 'azure', 'aws'];
const STATUSES = ['success', 'error'];
const LE = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf'];
const DEPENDENCIES = [
  'postgres',
  'redis',
  'kafka',
  's3',
  'twilio',
  'stripe',
  'sendgrid',
  'salesforce',
  'qdrant',
  'vault',
];
const MODELS = ['large', 'small'];

const report = scenario('report-render', 'weekly report over 10,000 series from daily and hourly rollups');
const { openSqliteStore } = await loadStore();
const dist = (path) => import(new URL(`../packages/server/dist/${path}`, import.meta.url).href);
const { buildReport } = await dist('reports/build-report.js');
const { dataUriImages, reportHtml, reportMarkdown } = await dist('reports/render-report.js');
const { reportJson } = await dist('reports/report-json.js');
const { reportRollups } = await dist('cli/report-rollups.js');
const { PromqlEngine } = await dist('query/promql-engine.js');

/** Every series: its labels and, at time t, its value (gauges) or how much it rises a minute (counters). */
function makeSeries() {
  const out = [];
  const add = (labels, kind, next) => {
    out.push({ labels, kind, next, value: 0 });
  };
  for (let i = 0; i < INSTANCES; i++) {
    const base = { job: 'callbot', instance: `callbot-${i}:9464` };
    for (const [o, operation] of OPERATIONS.entries())
      for (const [p, provider] of PROVIDERS.entries())
        for (const [s, status] of STATUSES.entries()) {
          const labels = { ...base, operation, provider, status };
          const perMinute = (s === 0 ? 40 : 0.6 + p * 0.2) * (1 + o / 5);
          const median = 0.04 * (1 + o) * (1 + p / 4);
          const rate = (t) => perMinute * load(t);
          for (const le of LE) {
            const share = le === '+Inf' ? 1 : logNormalCdf(Number(le), median);
            add(
              { __name__: 'latency_operation_duration_seconds_bucket', ...labels, le },
              'counter',
              (t) => rate(t) * share,
            );
          }
          add(
            { __name__: 'latency_operation_duration_seconds_sum', ...labels },
            'counter',
            (t) => rate(t) * median * 1.3,
          );
          add({ __name__: 'latency_operation_duration_seconds_count', ...labels }, 'counter', rate);
          add({ __name__: 'latency_operations_total', ...labels }, 'counter', rate);
        }
    for (const [p, provider] of PROVIDERS.entries())
      add({ __name__: 'vigil_provider_up', ...base, provider }, 'gauge', (t) => (outage(t, p) ? 0 : 1));
    for (const [d, dependency] of DEPENDENCIES.entries())
      add({ __name__: 'vigil_dependency_up', ...base, dependency }, 'gauge', (t) =>
        outage(t, 7 + d) ? 0 : 1,
      );
    for (const [p, provider] of PROVIDERS.entries())
      for (const [k, model] of MODELS.entries()) {
        const scale = (k + 1) * (1 + p / 5);
        for (const [type, per] of [
          ['input', 900],
          ['output', 300],
        ])
          add(
            { __name__: 'vigil_llm_tokens_total', ...base, provider, model, type },
            'counter',
            (t) => per * scale * load(t),
          );
        add(
          { __name__: 'vigil_llm_cost_usd_total', ...base, provider, model },
          'counter',
          (t) => 0.004 * scale * load(t),
        );
      }
  }
  return out;
}

/** Traffic at time t: a day's curve, 10% more in the report's week. */
function load(t) {
  return (1 + 0.6 * Math.sin((2 * Math.PI * (t % DAY)) / DAY)) * (t > END - PERIOD ? 1.1 : 1);
}

/** A scrape or two down now and then (about every 33 hours at 5 min), different for each provider or dependency. */
function outage(t, k) {
  return (Math.floor(t / STEP) + 97 * k) % 401 < 1 + (k % 2);
}

function logNormalCdf(x, median) {
  const z = Math.log(x / median) / 0.6;
  return 0.5 * (1 + erf(z / Math.SQRT2));
}

function erf(x) {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-x * x);
  return x >= 0 ? y : -y;
}

/** When instance 0 restarts (its counters reset): once in each week, in the afternoon. */
const RESTARTS = new Set([END - PERIOD - 3 * DAY - 9 * HOUR, END - 2 * DAY - 7 * HOUR - 20 * 60_000]);

function incidentsAndAlerts() {
  const incidents = [];
  const events = [];
  for (let k = 0; k < 20; k++) {
    const openedAt = START + HOUR + k * 17 * HOUR;
    incidents.push({
      id: `inc-${k}`,
      openedAt,
      ...(k % 4 !== 3 && { acknowledgedAt: openedAt + (3 + k) * 60_000 }),
      ...(k % 5 !== 4 && { resolvedAt: openedAt + (20 + 3 * k) * 60_000 }),
    });
  }
  for (let k = 0; k < 100; k++) {
    const time = START + HOUR + k * 3.3 * HOUR;
    const labels = { alertname: `Alert${k % 12}`, provider: PROVIDERS[k % 5] };
    events.push({ kind: 'state', time, labels, from: 'pending', to: 'firing' });
    events.push({
      kind: 'state',
      time: time + (5 + (k % 9) * 7) * 60_000,
      labels,
      from: 'firing',
      to: 'inactive',
    });
  }
  return {
    incidents,
    alertEvents: (since, until) => events.filter((e) => e.time >= since && e.time <= until),
  };
}

async function fill(store, series) {
  const minutes = STEP / 60_000;
  const entries = series.map((s) => ({
    labels: s.labels,
    timestamps: new Float64Array(BATCH),
    values: new Float64Array(BATCH),
  }));
  for (let m0 = 0; m0 < POINTS; m0 += BATCH) {
    const n = Math.min(BATCH, POINTS - m0);
    for (let j = 0; j < series.length; j++) {
      const s = series[j];
      const e = entries[j];
      for (let k = 0; k < n; k++) {
        const t = START + (m0 + k) * STEP;
        if (s.kind === 'gauge') s.value = s.next(t);
        else {
          if (RESTARTS.has(t) && s.labels.instance === 'callbot-0:9464') s.value = 0;
          s.value += s.next(t) * minutes;
        }
        e.timestamps[k] = t;
        e.values[k] = s.value;
      }
    }
    store.appendSync(
      n === BATCH
        ? entries
        : entries.map((e) => ({
            ...e,
            timestamps: e.timestamps.subarray(0, n),
            values: e.values.subarray(0, n),
          })),
    );
    await store.flush();
  }
}

async function renderAll(sources) {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const r = await buildReport(sources, END, PERIOD);
  const t1 = process.hrtime.bigint();
  const md = reportMarkdown(r);
  const t2 = process.hrtime.bigint();
  const html = reportHtml(r, dataUriImages(r));
  const t3 = process.hrtime.bigint();
  const json = JSON.stringify(reportJson(r));
  const t4 = process.hrtime.bigint();
  const used = process.cpuUsage(cpu0);
  const ms = (a, b) => Number(b - a) / 1e6;
  return {
    cpu: (used.user + used.system) / 1000,
    report: r,
    sizes: { md: md.length, html: html.length, json: json.length },
    build: ms(t0, t1),
    md: ms(t1, t2),
    html: ms(t2, t3),
    json: ms(t3, t4),
    total: ms(t0, t4),
  };
}

/** Largest relative difference between two reports' figures, with where it is. */
function compare(a, b) {
  let worst = { diff: 0, where: '' };
  for (const s of a.sections) {
    const other = b.sections.find((x) => x.id === s.id);
    if (!other) {
      worst = { diff: Number.POSITIVE_INFINITY, where: `${s.id} missing` };
      continue;
    }
    s.rows.forEach((row, i) => {
      for (const [key, f] of Object.entries(row.figures))
        for (const which of ['current', 'previous']) {
          const x = f[which];
          const y = other.rows[i]?.figures[key]?.[which];
          if (!Number.isFinite(x) && !Number.isFinite(y)) continue;
          const diff = Math.abs(x - y) / Math.max(Math.abs(y), 1e-9);
          if (!(diff <= worst.diff))
            worst = { diff, where: `${s.id} ${JSON.stringify(row.labels)} ${key} ${which}: ${x} vs ${y}` };
        }
    });
  }
  return worst;
}

const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-report-'));
try {
  const clock = { now: () => END, every: () => () => {} };
  const store = await openSqliteStore({ dir, clock, retentionDays: 30 });
  const series = makeSeries();
  const fillStarted = process.hrtime.bigint();
  await fill(store, series);
  const fillSeconds = Number(process.hrtime.bigint() - fillStarted) / 1e9;
  const stats = await store.stats();
  console.log(
    `${series.length.toLocaleString('en-US')} series x ${POINTS.toLocaleString('en-US')} samples (2 weeks and an hour every ${STEP / 1000} s), ${(stats.samples / 1e6).toFixed(0)} M samples, written in ${fillSeconds.toFixed(1)} s`,
  );
  const { incidents, alertEvents } = incidentsAndAlerts();
  const sources = () => ({
    engine: new PromqlEngine({ store }),
    rollups: reportRollups(store),
    incidents,
    alertEvents,
  });

  const warm = await renderAll(sources());
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await renderAll(sources()));
  const rows = ['build', 'md', 'html', 'json', 'total', 'cpu'].map((k) => {
    const xs = runs.map((r) => r[k]);
    return [k, median(xs).toFixed(1), `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`];
  });
  console.log(table(['step', 'median ms', 'min–max ms'], rows, 'lrr'));
  const sections = warm.report.sections.map((s) => `${s.id} ${s.rows.length}`).join(', ');
  console.log(
    `${RUNS} runs after a warm-up, each with new rollup engines (nothing kept between reports). Sections (rows): ${sections}. Sizes: md ${warm.sizes.md.toLocaleString('en-US')} B, html ${warm.sizes.html.toLocaleString('en-US')} B, json ${warm.sizes.json.toLocaleString('en-US')} B`,
  );
  const total = median(runs.map((r) => r.total));
  const cpu = median(runs.map((r) => r.cpu));
  console.log(
    `wall time (total) against this process's CPU time (cpu) for the same work: the machine is shared, load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores`,
  );
  report.data = {
    series: series.length,
    samples: stats.samples,
    runs: runs.map(({ report: _, ...times }) => times),
  };

  if (process.env.BENCH_REPORT_RAW === '1') {
    const raw = await renderAll({ ...sources(), rollups: undefined });
    const worst = compare(warm.report, raw.report);
    console.log(
      `from raw samples (one run): build ${(raw.build / 1000).toFixed(1)} s, total ${(raw.total / 1000).toFixed(1)} s (${(raw.total / total).toFixed(0)}x the rollups'); largest difference of a figure: ${(worst.diff * 100).toFixed(2)}% (${worst.where})`,
    );
    report.data.raw = { total: raw.total, build: raw.build, worstDiff: worst.diff, where: worst.where };
  }

  const pass = report.check(
    `weekly report over ${series.length.toLocaleString('en-US')} series (build + md, html, json) under ${TARGET_MS} ms median`,
    total < TARGET_MS,
    `${total.toFixed(0)} ms (build ${median(runs.map((r) => r.build)).toFixed(0)} ms, CPU ${cpu.toFixed(0)} ms)`,
  );
  report.row(
    `weekly report, ${series.length.toLocaleString('en-US')} series, daily and hourly rollups: build + md/html/json (ms)`,
    {
      vigil: `${total.toFixed(0)} (CPU ${cpu.toFixed(0)})`,
      prom: 'none free (Grafana reports are paid)',
      target: `< ${TARGET_MS}`,
      result: pass ? 'PASS' : 'MISS',
    },
  );
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
report.emit();
