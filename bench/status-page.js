// Scenario: the public status page (/status/<slug>) with 90 days of history, built and then painted.
//
// History: 90 days and today up to now, one sample a minute (push heartbeats every 5 minutes), of a
// page of 20 components, about what a small company's Uptime Kuma page shows: 6 health checks
// (`vigil_provider_up{provider}` and its response time), 8 scrape targets (12 `up{job,instance}`
// series with `scrape_duration_seconds`; three jobs of several instances), 4 push monitors and 2
// PromQL conditions over those series. Each series has its own outages (about one day in seven, 1 to
// 90 minutes, seeded). Written in this process into the embedded store (as vigil's own store computes
// its hourly and daily rollups while it flushes), then retention at vigil's default of 30 days:
// older days are left as rollups only, as on a server that has run for 90 days. The same server
// scrapes 1,000 other targets every 15 s that the page does not show (their last day is written):
// /api/health lists them, the page must not pay for them.
//
// Build: the page as a visitor's first request after the 30 s cache makes it (statusPageView: the
// 90 day bars, 24 h and 30 d uptime, the current state from /api/health's checks; then the HTML), in
// this process over that store, median of BUILD_RUNS (each after a full gc) after three warm-ups. Set against the first
// paint target, not a peer: nothing free builds this page (Uptime Kuma keeps its bars in its own
// per-day table); bench/compare.js sets it against an older vigil.
//
// First paint: `vigil serve` on the same data, the page in Debian's Chromium (headless,
// playwright-core) at phone size (390x844), `first-contentful-paint` from the Paint Timing API in a
// fresh browser context (cold cache) each run, median of RUNS (15; the machine is shared and single
// paints vary twofold); the page is one document with its CSS inline, so its first paint is the whole
// page. Beside it in the same runs, interleaved: the first contentful paint of the dashboard's
// overview on the same server (with a day of demo-shaped history, lib/dashboard-history.js), the page
// people would otherwise be sent to (its shell: the panels fill in later). Also the server's time to
// answer the page (Node fetch, median of RUNS): the page is served from its 30 s cache, which is what
// visitors meet.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { writeHistory } from './lib/dashboard-history.js';
import { gc, median, scenario } from './lib/harness.js';
import { loadStore } from './lib/server-dist.js';
import { startVigil } from './lib/vigil-server.js';

const RUNS = Number(process.env.BENCH_STATUS_RUNS ?? 15);
const BUILD_RUNS = Number(process.env.BENCH_STATUS_BUILD_RUNS ?? 9);
const TARGET_MS = 500;
const MINUTE = 60_000;
const DAY = 86_400_000;
const DAYS = 90;
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const PROVIDERS = ['mistral', 'cohere', 'groq', 'together', 'fireworks', 'replicate'];
/** Jobs and their instances: a target component per job, the first three covering several instances. */
const JOBS = [
  ['api', 3],
  ['web', 2],
  ['worker', 2],
  ['postgres', 1],
  ['redis', 1],
  ['kafka', 1],
  ['search', 1],
  ['billing', 1],
];
const PUSH = ['nightly-backup-7f3a9c', 'invoice-run-1b2e4d', 'cert-renewal-9c8d7e', 'etl-load-5a6b7c'];
const PAGE = {
  slug: 'bench',
  title: 'Bench status',
  description: '90 days of history, 20 components.',
  groups: [
    { name: 'AI providers', components: PROVIDERS.map((p) => ({ name: p, health: p })) },
    { name: 'Platform', components: JOBS.map(([job]) => ({ name: job, target: job })) },
    { name: 'Scheduled jobs', components: PUSH.map((token, i) => ({ name: `job ${i + 1}`, push: token })) },
    {
      name: 'Conditions',
      components: [
        { name: 'API fully up', query: 'min(up{job="api"})' },
        { name: 'Two providers up', query: 'avg(vigil_provider_up{provider=~"mistral|cohere"})' },
      ],
    },
  ],
};
const OTHER_TARGETS = 1000;
const COMPONENTS = PAGE.groups.reduce((n, g) => n + g.components.length, 0);

const report = scenario('status-page', 'public status page with 90 days of history: build and first paint');
const dist = (path) => import(new URL(`../packages/server/dist/${path}`, import.meta.url).href);
const { openSqliteStore } = await loadStore();
const { statusPageView } = await dist('status/status-page-view.js');
const { statusPageHtml } = await dist('status/render-status-page.js');
const { monitoredChecks } = await dist('status/monitored-checks.js');
const { PromqlEngine } = await dist('query/promql-engine.js');
const { resolveStatusPages, STATUS_PAGES_SCHEMA } = await dist('config/status-pages-config.js');
const { SeededRandom } = await dist('demo/seeded-random.js');

/** Each 0/1 series with its response-time series, its step and its outages ([start, end) pairs). */
function makeSeries(start, end) {
  const out = [];
  const add = (up, response, stepMs) => {
    const seeded = new SeededRandom(out.length + 1);
    const rand = () => seeded.next();
    const outages = [];
    for (let d = start; d < end; d += DAY)
      if (rand() < 1 / 7) {
        const at = d + Math.floor(rand() * 1440) * MINUTE;
        outages.push([at, at + (1 + Math.floor(rand() * 90)) * MINUTE]);
      }
    out.push({ up, response, stepMs, outages, rand });
  };
  for (const provider of PROVIDERS)
    add(
      { __name__: 'vigil_provider_up', provider, job: 'callbot', instance: 'callbot-0:9464' },
      {
        __name__: 'vigil_provider_response_time_seconds',
        provider,
        job: 'callbot',
        instance: 'callbot-0:9464',
      },
      MINUTE,
    );
  for (const [job, instances] of JOBS)
    for (let i = 0; i < instances; i++) {
      const labels = { job, instance: `10.0.${JOBS.findIndex(([j]) => j === job)}.${i + 1}:9100` };
      add({ __name__: 'up', ...labels }, { __name__: 'scrape_duration_seconds', ...labels }, MINUTE);
    }
  for (const monitor of PUSH)
    add({ __name__: 'vigil_push_up', monitor }, { __name__: 'vigil_push_ping_seconds', monitor }, 5 * MINUTE);
  return out;
}

/** The last day of OTHER_TARGETS scrape targets every 15 s, not on the page, in slices of 4 hours. */
async function fillOthers(store, end) {
  const step = 15_000;
  for (let from = end - DAY + step; from <= end; from += 4 * 3_600_000) {
    const n = Math.floor((Math.min(from + 4 * 3_600_000 - step, end) - from) / step) + 1;
    const timestamps = Float64Array.from({ length: n }, (_, k) => from + k * step);
    const ones = new Float64Array(n).fill(1);
    const seconds = new Float64Array(n).fill(0.012);
    const batch = [];
    for (let k = 0; k < OTHER_TARGETS; k++) {
      const labels = { job: 'node', instance: `10.1.${k >> 8}.${k & 255}:9100` };
      batch.push(
        { labels: { __name__: 'up', ...labels }, timestamps, values: ones },
        { labels: { __name__: 'scrape_duration_seconds', ...labels }, timestamps, values: seconds },
      );
    }
    store.appendSync(batch);
    await store.flush();
  }
}

/** Writes [start, end] a day at a time, each day one append and one flush. */
async function fill(store, series, start, end) {
  for (let d = start; d <= end; d += DAY) {
    const batch = [];
    for (const s of series) {
      const n = Math.floor((Math.min(d + DAY - 1, end) - d) / s.stepMs) + 1;
      const timestamps = new Float64Array(n);
      const up = new Float64Array(n);
      const seconds = new Float64Array(n);
      for (let k = 0; k < n; k++) {
        const t = d + k * s.stepMs;
        timestamps[k] = t;
        up[k] = s.outages.some(([a, b]) => t >= a && t < b) ? 0 : 1;
        seconds[k] = 0.05 + 0.2 * s.rand();
      }
      batch.push(
        { labels: s.up, timestamps, values: up },
        { labels: s.response, timestamps, values: seconds },
      );
    }
    store.appendSync(batch);
    await store.flush();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-status-'));
const data = join(dir, 'data');
const config = join(dir, 'vigil.yaml');
// JSON is YAML: the page as vigil.yaml holds it.
writeFileSync(config, `status_pages: ${JSON.stringify([PAGE])}\n`);
let server;
let browser;
try {
  const END = Math.floor(Date.now() / MINUTE) * MINUTE;
  const START = END - (END % DAY) - (DAYS - 1) * DAY;
  const series = makeSeries(START, END);
  const clock = { now: () => END, every: () => () => {} };
  const t0 = performance.now();
  const writer = await openSqliteStore({ dir: data, clock, retentionDays: DAYS + 1 });
  await fill(writer, series, START, END);
  await fillOthers(writer, END);
  await writer.close();
  // Retention at the default 30 days, run to the end before anything is timed.
  const store = await openSqliteStore({ dir: data, clock, retentionDays: 30 });
  let samples = -1;
  for (let i = 0; i < 50 && samples !== (samples = (await store.stats()).samples); i++)
    await store.maintain();
  console.log(
    `history: ${series.length * 2} series over ${DAYS} days to now (${new Date(END).toISOString()}) and ${OTHER_TARGETS * 2} over the last day at 15 s, written and kept 30 days raw in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${(samples / 1e6).toFixed(2)} M raw samples left`,
  );

  const resolved = resolveStatusPages(STATUS_PAGES_SCHEMA.parse([PAGE]));
  if ('error' in resolved) throw new Error(resolved.error);
  const page = resolved.pages[0];
  const sources = {
    store,
    engine: new PromqlEngine({ store }),
    checks: (only) => monitoredChecks(store, END, only),
    incidents: () => [],
  };
  const build = async () => {
    const cpu0 = process.cpuUsage();
    const w0 = performance.now();
    const view = await statusPageView(sources, page, END);
    const html = statusPageHtml(view);
    const wall = performance.now() - w0;
    const cpu = process.cpuUsage(cpu0);
    return { wall, cpu: (cpu.user + cpu.system) / 1000, view, html };
  };
  // Warm-ups, and a full collection before each timed build: the history's writing left garbage
  // that would otherwise be collected on the first builds' clocks.
  const warm = await build();
  await build();
  await build();
  if ((warm.html.match(/<rect /g) ?? []).length !== COMPONENTS * DAYS)
    throw new Error(`the built page does not show ${COMPONENTS} components of ${DAYS} days`);
  const builds = [];
  for (let i = 0; i < BUILD_RUNS; i++) {
    gc();
    const { wall, cpu } = await build();
    builds.push({ wall, cpu });
  }
  const buildMs = median(builds.map((b) => b.wall));
  const buildCpu = median(builds.map((b) => b.cpu));
  console.log(
    `page build (view + HTML, ${COMPONENTS} components): ${builds.map((b) => b.wall.toFixed(0)).join(', ')} ms; CPU ${builds.map((b) => b.cpu.toFixed(0)).join(', ')} ms (load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores)`,
  );
  const uptimes = warm.view.groups.flatMap((g) => g.components.map((c) => c.uptime90d));
  console.log(
    `90-day uptime per component: ${uptimes.map((u) => (u === null ? '–' : (u * 100).toFixed(3))).join(' ')}`,
  );
  await store.close();

  server = await startVigil({ data, env: { VIGIL_CONFIG: config } });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS, headless: true });
  const h0 = performance.now();
  await writeHistory(server.url, { end: Date.now(), durationMs: DAY, stepMs: MINUTE });
  console.log(
    `overview history: a day at 1 min written in ${((performance.now() - h0) / 1000).toFixed(1)} s`,
  );
  const html = await (await fetch(`${server.url}/status/bench`)).text();
  if ((html.match(/<rect /g) ?? []).length !== COMPONENTS * DAYS || !html.includes('Two providers up'))
    throw new Error(`the server's status page does not show its ${COMPONENTS} components`);

  const fcp = async (url) => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const tab = await context.newPage();
    await tab.goto(url, { waitUntil: 'load' });
    const ms = await tab.evaluate(
      () =>
        new Promise((resolve) => {
          const entry = performance.getEntriesByName('first-contentful-paint')[0];
          if (entry) return resolve(entry.startTime);
          new PerformanceObserver((list) => resolve(list.getEntries()[0].startTime)).observe({
            type: 'paint',
            buffered: true,
          });
        }),
    );
    await context.close();
    return ms;
  };
  const status = [];
  const dashboard = [];
  const answer = [];
  for (let run = 0; run < RUNS + 1; run++) {
    const s = await fcp(`${server.url}/status/bench`);
    const d = await fcp(`${server.url}/#/overview`);
    const a0 = performance.now();
    await (await fetch(`${server.url}/status/bench`)).text();
    const a = performance.now() - a0;
    // The first round warms Chromium's and the OS's caches: left out of the medians.
    if (run === 0) continue;
    status.push(s);
    dashboard.push(d);
    answer.push(a);
  }
  const sMs = median(status);
  const dMs = median(dashboard);
  console.log(
    `status page first contentful paint: ${status.map((v) => v.toFixed(0)).join(', ')} ms; dashboard overview: ${dashboard.map((v) => v.toFixed(0)).join(', ')} ms (load average ${loadavg()[0].toFixed(1)})`,
  );
  console.log(`server answer of the page: median ${median(answer).toFixed(1)} ms, ${html.length} bytes`);
  const pass = sMs < TARGET_MS;
  report.check(
    `status page first paint < ${TARGET_MS} ms (phone viewport, 90 days stored)`,
    pass,
    `${sMs.toFixed(0)} ms; the dashboard overview's first paint ${dMs.toFixed(0)} ms in the same runs (ratio ${(sMs / dMs).toFixed(2)})`,
  );
  report.row(`status page first contentful paint (${COMPONENTS} components, 90 days stored)`, {
    vigil: `${sMs.toFixed(0)} ms`,
    target: `< ${TARGET_MS} ms`,
    result: pass ? 'PASS' : 'MISS',
  });
  report.row('dashboard overview first contentful paint, same runs (reference)', {
    vigil: `${dMs.toFixed(0)} ms (status page / overview: ${(sMs / dMs).toFixed(2)})`,
  });
  report.row(
    `status page build, 90 days of ${COMPONENTS} components, ${OTHER_TARGETS} other targets (view + HTML, uncached)`,
    {
      vigil: `${buildMs.toFixed(0)} ms (CPU ${buildCpu.toFixed(0)} ms)`,
    },
  );
  report.row('server time to answer the status page (cached build)', {
    vigil: `${median(answer).toFixed(1)} ms, ${(html.length / 1024).toFixed(0)} KiB`,
  });
  report.data = {
    loadAverage: loadavg(),
    buildMs: builds.map((b) => b.wall),
    buildCpuMs: builds.map((b) => b.cpu),
    statusFcpMs: status,
    dashboardFcpMs: dashboard,
    answerMs: answer,
  };
  report.emit();
} finally {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
}
