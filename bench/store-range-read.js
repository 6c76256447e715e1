// Scenario: range read of one series over 30 days at a 15 s resolution (172,800 samples) through
// select(). The store holds 20 series over those 30 days, appended scrape by scrape, so one series'
// chunks are spread over the file as they are in real use. The store is closed and reopened before
// reading, so SQLite's page cache starts empty (the OS file cache is warm, as on a running server);
// each series is read once (cold), then the same series again (warm). Medians over the series.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, scenario, table } from './lib/harness.js';
import { loadStore } from './lib/server-dist.js';

const SERIES = 20;
const STEP = 15_000;
const DAYS = 30;
const POINTS = (DAYS * 86_400_000) / STEP;
const END = Date.UTC(2026, 10, 20);
const START = END - POINTS * STEP;
const TARGET_MS = 50;

const report = scenario('store-range-read', 'select() of one series over 30 days at 15 s');
const { openSqliteStore } = await loadStore();
const dir = mkdtempSync(join(tmpdir(), 'vigil-store-read-'));
try {
  const clock = { now: () => END, every: () => () => {} };
  let store = await openSqliteStore({ dir, clock, retentionDays: DAYS + 1 });
  const entries = Array.from({ length: SERIES }, (_, i) => ({
    labels: { __name__: 'http_requests_total', job: 'api', instance: `api-${i}:9100` },
    timestamps: new Float64Array(1),
    values: new Float64Array(1),
  }));
  const fillStarted = process.hrtime.bigint();
  for (let k = 0; k < POINTS; k++) {
    for (let i = 0; i < SERIES; i++) {
      entries[i].timestamps[0] = START + k * STEP;
      entries[i].values[0] += (k * 7 + i) % 13;
    }
    store.appendSync(entries);
    if (k % 40 === 0) await store.flush();
  }
  await store.close();
  const fillSeconds = Number(process.hrtime.bigint() - fillStarted) / 1e9;
  console.log(
    `${SERIES} series x ${POINTS.toLocaleString('en-US')} samples (${DAYS} days at ${STEP / 1000} s) written in ${fillSeconds.toFixed(1)} s; store closed and reopened`,
  );

  store = await openSqliteStore({ dir, clock, retentionDays: DAYS + 1 });
  const cold = [];
  const warm = [];
  for (let i = 0; i < SERIES; i++) {
    const matchers = [{ name: 'instance', type: '=', value: `api-${i}:9100` }];
    for (const runs of [cold, warm]) {
      const t0 = process.hrtime.bigint();
      const [series] = await store.select(matchers, START, END);
      runs.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (series?.timestamps.length !== POINTS) throw new Error(`read ${series?.timestamps.length} samples`);
    }
  }
  await store.close();
  const rows = [
    [
      'cold (first read after open)',
      median(cold).toFixed(2),
      `${Math.min(...cold).toFixed(2)}–${Math.max(...cold).toFixed(2)}`,
    ],
    [
      'warm (same series again)',
      median(warm).toFixed(2),
      `${Math.min(...warm).toFixed(2)}–${Math.max(...warm).toFixed(2)}`,
    ],
  ];
  console.log(table(['read', 'median ms', 'min–max ms'], rows, 'lrr'));
  console.log(`${SERIES} series read, each ${POINTS.toLocaleString('en-US')} samples`);
  report.data = { cold, warm, points: POINTS };
  const pass = report.check(
    `30-day range read under ${TARGET_MS} ms median`,
    median(cold) < TARGET_MS,
    `${median(cold).toFixed(2)} ms cold, ${median(warm).toFixed(2)} ms warm`,
  );
  report.row('30 d x 15 s range read, one series (ms)', {
    vigil: `${median(cold).toFixed(1)} cold / ${median(warm).toFixed(1)} warm`,
    target: `< ${TARGET_MS}`,
    result: pass ? 'PASS' : 'MISS',
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
report.emit();
