// Scenario: the web dashboard in Debian's Chromium (headless, playwright-core), against `vigil serve`
// in a child process holding a day of demo-shaped history (lib/dashboard-history.js: the names
// @vigil/metrics emits, 15 s resolution). No peer: the figures are set against the targets.
//
// 1. First meaningful paint of the overview: from navigation start (performance.timeOrigin) until
//    every panel has left its loading state and every chart has drawn, in a fresh browser context
//    (cold cache) each run; median of RUNS. For the overview as it opens (the last hour: the target)
//    and for the last 24 hours. Also the time until the first panel shows data, and the first load
//    after the server started (its query code not yet compiled, its caches cold), reported apart.
// 2. Responsiveness under live updates: a dashboard with one chart of 200 series, each updated once
//    a second over /ws/metrics (DASHBOARD_REFRESH_INTERVAL=1s, this process writing the 200 series
//    every second), watched for WATCH_S: the longest task (PerformanceObserver "longtask", which
//    reports tasks over 50 ms) and the longest gap between animation frames.
// 3. The bundle: dist/assets/*.js and *.css, and index.html, which carries src/boot.ts inline; raw
//    and gzipped. What every page loads (the overview's JavaScript) apart from import() chunks.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { importText, writeHistory } from './lib/dashboard-history.js';
import { median, scenario, table } from './lib/harness.js';
import { startVigil } from './lib/vigil-server.js';

const RUNS = Number(process.env.BENCH_DASHBOARD_RUNS ?? 7);
const WATCH_S = Number(process.env.BENCH_DASHBOARD_WATCH_S ?? 30);
const SERIES = 200;
const FMP_TARGET_MS = 1000;
const FRAME_TARGET_MS = 100;
const BUNDLE_TARGET = 200 * 1024;
const OVERVIEW_JS_TARGET = 50 * 1024;
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const report = scenario('dashboard', 'web dashboard: first paint, live updates, bundle size');

// 3. Bundle, first: it needs no server.
const dist = fileURLToPath(new URL('../packages/dashboard/dist/', import.meta.url));
let files;
try {
  files = ['index.html', ...readdirSync(join(dist, 'assets')).map((f) => `assets/${f}`)];
} catch {
  console.error('packages/dashboard/dist is missing: run `npm run build` first');
  process.exit(2);
}
const sizes = files.map((f) => {
  const bytes = readFileSync(join(dist, f));
  return { file: f, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
});
// What every page loads: index.html, the stylesheet and the modules it preloads. The other .js
// files are import() chunks (Explore's PromQL editor), fetched only by the page that imports them.
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const everyPage = (s) =>
  s.file === 'index.html' || s.file.endsWith('.css') || html.includes(`href="${s.file}"`);
const gzipTotal = sizes.filter(everyPage).reduce((a, s) => a + s.gzip, 0);
const overviewJs = sizes
  .filter((s) => everyPage(s) && s.file.endsWith('.js'))
  .reduce((a, s) => a + s.gzip, 0);
const lazyJs = sizes.filter((s) => !everyPage(s)).reduce((a, s) => a + s.gzip, 0);
console.log(
  table(
    ['asset', 'bytes', 'gzipped'],
    sizes.map((s) => [s.file, s.raw, s.gzip]),
    'lrr',
  ),
);

const dashboards = mkdtempSync(join(tmpdir(), 'vigil-bench-dashboards-'));
writeFileSync(
  join(dashboards, 'live200.json'),
  JSON.stringify({
    title: 'Live 200',
    panels: [
      {
        type: 'timeseries',
        title: `${SERIES} series, live`,
        width: 12,
        queries: [{ expr: 'bench_live_value', legend: '{{i}}' }],
        live: { match: 'bench_live_value', reduce: 'none' },
      },
    ],
  }),
);
const server = await startVigil({ env: { DASHBOARD_REFRESH_INTERVAL: '1s', VIGIL_DASHBOARDS: dashboards } });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS, headless: true });
try {
  const end = Date.now();
  const t0 = performance.now();
  await writeHistory(server.url, { end, durationMs: 86_400_000, stepMs: 15_000 });
  const liveLines = (ms) =>
    Array.from(
      { length: SERIES },
      (_, i) => `bench_live_value{i="${i}"} ${Math.sin(ms / 5000 + i) * 10 + i} ${ms}\n`,
    ).join('');
  let backfill = '';
  for (let ms = end - 15 * 60_000; ms <= end; ms += 1000) backfill += liveLines(ms);
  await importText(server.url, backfill);
  console.log(`history: a day at 15 s written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  await new Promise((resolve) => setTimeout(resolve, 1500));

  // 1. First meaningful paint.
  async function paintTimes(hash) {
    const paints = [];
    const firsts = [];
    let cold;
    for (let run = 0; run < RUNS + 1; run++) {
      const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
      const page = await context.newPage();
      await page.addInitScript(() => {
        new MutationObserver((_, observer) => {
          if (!document.querySelector('.panel[data-state="ok"]')) return;
          observer.disconnect();
          requestAnimationFrame(() => {
            window.__first = performance.now();
          });
        }).observe(document, { subtree: true, childList: true, attributes: true });
        const done = () => {
          const panels = document.querySelectorAll('.panel');
          if (panels.length === 0) return false;
          for (const p of panels) if (p.dataset.state === 'loading') return false;
          return document.querySelectorAll('.panel-timeseries canvas').length > 0;
        };
        new MutationObserver((_, observer) => {
          if (!done()) return;
          observer.disconnect();
          // The frame after the DOM is complete is the one that shows it.
          requestAnimationFrame(() => {
            window.__painted = performance.now();
            console.debug('vigil-bench-painted');
          });
        }).observe(document, { subtree: true, childList: true, attributes: true });
      });
      // Told by a console message rather than waitForFunction, which would inject Playwright's
      // script into the page while it loads: 27-57 ms of the renderer's main thread (traced).
      const painted = page.waitForEvent('console', {
        predicate: (message) => message.text() === 'vigil-bench-painted',
        timeout: 60_000,
      });
      await page.goto(`${server.url}/${hash}`);
      await painted;
      const [ms, first] = await page.evaluate(() => [window.__painted, window.__first]);
      // The first run warms the server's caches and the OS's, so it is kept apart: reported, not
      // in the median. It is what the first visitor after a restart sees.
      if (run === 0) cold = ms;
      else {
        paints.push(ms);
        firsts.push(first);
      }
      await context.close();
    }
    console.log(
      `${hash}: every panel drawn after ${paints.map((p) => p.toFixed(0)).join(', ')} ms (the run before them, unwarmed: ${cold.toFixed(0)} ms); the first panel after ${firsts.map((p) => p.toFixed(0)).join(', ')} ms (load average ${loadavg()[0].toFixed(1)})`,
    );
    return { paints, all: median(paints), first: median(firsts), cold };
  }
  const hour = await paintTimes('#/overview');
  const day = await paintTimes('#/overview?from=now-24h&to=now');
  const fmp = hour.all;

  // 2. 200 live series.
  let writing = true;
  const writer = (async () => {
    while (writing) {
      const ms = Date.now();
      await importText(server.url, liveLines(ms)).catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() - ms)));
    }
  })();
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(`${server.url}/#/live200?from=now-15m&to=now`);
  await page.waitForSelector('.panel-timeseries[data-state="ok"] canvas', { timeout: 30_000 });
  const watch = await page.evaluate(async (seconds) => {
    const tasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) tasks.push(entry.duration);
    }).observe({ type: 'longtask', buffered: false });
    let last = performance.now();
    let worstFrame = 0;
    let frames = 0;
    let running = true;
    const frame = (now) => {
      worstFrame = Math.max(worstFrame, now - last);
      last = now;
      frames++;
      if (running) requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    running = false;
    return { tasks, worstFrame, frames };
  }, WATCH_S);
  writing = false;
  await writer;
  const worstTask = watch.tasks.length ? Math.max(...watch.tasks) : 0;
  console.log(
    `(load average ${loadavg()[0].toFixed(1)}) ${SERIES} live series for ${WATCH_S} s: ${watch.tasks.length} long tasks (>50 ms), longest ${worstTask.toFixed(0)} ms; ` +
      `${watch.frames} frames, longest gap between frames ${watch.worstFrame.toFixed(0)} ms`,
  );

  report.check(
    `overview first meaningful paint < ${FMP_TARGET_MS} ms (last hour, a day stored)`,
    fmp < FMP_TARGET_MS,
    `${fmp.toFixed(0)} ms (first panel ${hour.first.toFixed(0)} ms; last 24 h: ${day.all.toFixed(0)} ms)`,
  );
  report.check(
    `no frame > ${FRAME_TARGET_MS} ms with ${SERIES} series updating every second`,
    worstTask < FRAME_TARGET_MS && watch.worstFrame < FRAME_TARGET_MS,
    `longest task ${worstTask.toFixed(0)} ms, longest frame ${watch.worstFrame.toFixed(0)} ms`,
  );
  report.check('bundle < 200 KiB gzipped', gzipTotal < BUNDLE_TARGET, `${(gzipTotal / 1024).toFixed(1)} KiB`);
  report.check(
    'overview JavaScript <= 50 KiB gzipped',
    overviewJs <= OVERVIEW_JS_TARGET,
    `${(overviewJs / 1024).toFixed(1)} KiB (Explore's editor chunk apart: ${(lazyJs / 1024).toFixed(1)} KiB)`,
  );
  report.row('overview first meaningful paint (last hour), a day of data stored', {
    vigil: `${fmp.toFixed(0)} ms`,
    target: `< ${FMP_TARGET_MS} ms`,
    result: fmp < FMP_TARGET_MS ? 'PASS' : 'MISS',
  });
  report.row('overview first paint, first load after the server started (one run, unwarmed)', {
    vigil: `${hour.cold.toFixed(0)} ms`,
  });
  report.row('overview, last 24 hours: every panel drawn / first panel', {
    vigil: `${day.all.toFixed(0)} ms / ${day.first.toFixed(0)} ms`,
  });
  report.row(`longest frame, ${SERIES} series live at 1/s`, {
    vigil: `${Math.max(worstTask, watch.worstFrame).toFixed(0)} ms`,
    target: `< ${FRAME_TARGET_MS} ms`,
    result: worstTask < FRAME_TARGET_MS && watch.worstFrame < FRAME_TARGET_MS ? 'PASS' : 'MISS',
  });
  report.row('dashboard bundle every page loads, gzipped (JS + CSS + index.html)', {
    vigil: `${(gzipTotal / 1024).toFixed(1)} KiB`,
    target: '< 200 KiB',
    result: gzipTotal < BUNDLE_TARGET ? 'PASS' : 'MISS',
  });
  report.row('overview JavaScript, gzipped', {
    vigil: `${(overviewJs / 1024).toFixed(1)} KiB`,
    target: '<= 50 KiB',
    result: overviewJs <= OVERVIEW_JS_TARGET ? 'PASS' : 'MISS',
  });
  report.row("Explore's PromQL editor chunk, gzipped (loaded by Explore alone)", {
    vigil: `${(lazyJs / 1024).toFixed(1)} KiB`,
  });
  report.data = {
    loadAverage: loadavg(),
    hourPaintsMs: hour.paints,
    hourColdPaintMs: hour.cold,
    dayPaintsMs: day.paints,
    longTasksMs: watch.tasks,
    worstFrameMs: watch.worstFrame,
    bundle: sizes,
  };
  report.emit();
} finally {
  await browser.close();
  await server.close();
  rmSync(dashboards, { recursive: true, force: true });
}
