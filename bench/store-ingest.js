// Scenario: sustained ingest through the store API, samples/s, with the store's own 1 s flush timer
// writing to disk during the run (each batch awaits append() and then yields to the event loop, so
// the timer runs as it would in the server) and a final flush() inside the timed span.
//
//   scrape   10,000 series (the 1,000 of bench/lib/scrape-data.js on 10 instances), one sample each
//            per append() call of 10,000 entries, 600 scrapes: 6,000,000 samples
//   backfill 1,000 series, 100 samples each per entry, one append() of 1,000 entries at a time,
//            60 batches: 6,000,000 samples (remote write or a pushed file)
//
// Building the batches is not timed (it is the caller's work); append(), the event-loop turn after
// it, in which the flush timer runs when due, and the final flush() are.
//
// Each run opens a new store in a temporary directory. The batch objects are reused from scrape to
// scrape (only timestamps and values change), so that the garbage collector's time for the caller's
// allocations does not land in the timed spans; this gives the store no shortcut, since it finds a
// series by hashing the label names and values on every call, never by object identity.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, scenario, table } from './lib/harness.js';
import { SCRAPE_INTERVAL_MS, scrapeData } from './lib/scrape-data.js';
import { loadStore } from './lib/server-dist.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TARGET = 500_000;
const END = Date.UTC(2026, 10, 20);
const INSTANCES = 10;
const SCRAPES = 600;

const report = scenario('store-ingest', 'sustained samples/s through SqliteStore.append()');
const { openSqliteStore } = await loadStore();
const data = scrapeData(1);
const yieldToLoop = () => new Promise((resolve) => setImmediate(resolve));

/** Scrape k of every instance: 10,000 entries of one sample. */
function* scrapeBatches() {
  const start = END - SCRAPES * SCRAPE_INTERVAL_MS;
  const batch = [];
  for (let n = 0; n < INSTANCES; n++) {
    for (const labels of data.series) {
      batch.push({
        labels: { ...labels, instance: `${labels.instance}-${n}` },
        timestamps: new Float64Array(1),
        values: new Float64Array(1),
      });
    }
  }
  for (let k = 0; k < SCRAPES; k++) {
    const scrape = data.scrape(k);
    batch.forEach((entry, j) => {
      entry.timestamps[0] = start + k * SCRAPE_INTERVAL_MS;
      entry.values[0] = scrape[j % scrape.length];
    });
    yield batch;
  }
}

/** 1,000 entries of 100 samples each per batch. */
function* backfillBatches() {
  const per = 100;
  const batches = (SCRAPES * INSTANCES) / per;
  const start = END - batches * per * SCRAPE_INTERVAL_MS;
  for (let b = 0; b < batches; b++) {
    const scrapes = Array.from({ length: per }, (_, j) => data.scrape(b * per + j));
    yield data.series.map((labels, i) => {
      const timestamps = new Float64Array(per);
      const v = new Float64Array(per);
      for (let j = 0; j < per; j++) {
        timestamps[j] = start + (b * per + j) * SCRAPE_INTERVAL_MS;
        v[j] = scrapes[j][i];
      }
      return { labels: { ...labels }, timestamps, values: v };
    });
  }
}

/**
 * Only append(), the yield to the event loop (where the flush timer runs) and the last flush() are
 * timed, and their CPU counted (the process's: on a machine shared with other work the CPU per sample
 * varies far less than the rate).
 */
async function run(batches) {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-store-ingest-'));
  const store = await openSqliteStore({ dir, clock: { now: () => END, every: realEvery } });
  try {
    let samples = 0;
    let ns = 0n;
    let cpuUs = 0;
    const cpuOf = (from) => {
      const used = process.cpuUsage(from);
      return used.user + used.system;
    };
    for (const batch of batches) {
      const t0 = process.hrtime.bigint();
      const cpu0 = process.cpuUsage();
      samples += (await store.append(batch)).accepted;
      await yieldToLoop();
      ns += process.hrtime.bigint() - t0;
      cpuUs += cpuOf(cpu0);
    }
    const t0 = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    await store.flush();
    ns += process.hrtime.bigint() - t0;
    cpuUs += cpuOf(cpu0);
    const seconds = Number(ns) / 1e9;
    return {
      samples,
      seconds,
      perSecond: samples / seconds,
      cpuMsPerMillion: (cpuUs / 1000 / samples) * 1e6,
      flushes: flushes.splice(0).length,
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// The store's timers on real time (its flush every 1,000 ms), while its "now" stays at END so that
// the simulated timestamps are never too old. Counts the timer's flushes.
const flushes = [];
function realEvery(ms, fn) {
  const timer = setInterval(() => {
    flushes.push(ms);
    fn();
  }, ms);
  timer.unref();
  return () => clearInterval(timer);
}

const cases = { scrape: scrapeBatches, backfill: backfillBatches };
const results = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
await run(scrapeBatches());
for (let r = 0; r < RUNS; r++) {
  for (const [name, make] of Object.entries(cases)) results[name].push(await run(make()));
}
const rows = Object.entries(results).map(([name, runs]) => {
  const rates = runs.map((x) => x.perSecond);
  return [
    name,
    Math.round(median(rates)).toLocaleString('en-US'),
    `${Math.round(Math.min(...rates)).toLocaleString('en-US')}–${Math.round(Math.max(...rates)).toLocaleString('en-US')}`,
    runs[0].samples.toLocaleString('en-US'),
    Math.round(median(runs.map((x) => x.cpuMsPerMillion))).toLocaleString('en-US'),
    runs.map((x) => `${x.seconds.toFixed(1)} s / ${x.flushes}`).join(', '),
  ];
});
console.log(
  table(
    [
      'case',
      'median samples/s',
      'min–max',
      'samples per run',
      'CPU ms per million',
      'timed seconds / timer flushes, per run',
    ],
    rows,
    'lrrrrl',
  ),
);
console.log(`${RUNS} runs per case after one warm-up run, cases interleaved; a new store per run.`);
const scrape = median(results.scrape.map((x) => x.perSecond));
const backfill = median(results.backfill.map((x) => x.perSecond));
report.data = results;
const pass = report.check(
  `at least ${TARGET.toLocaleString('en-US')} samples/s`,
  Math.min(scrape, backfill) >= TARGET,
  `scrape ${Math.round(scrape).toLocaleString('en-US')}/s, backfill ${Math.round(backfill).toLocaleString('en-US')}/s`,
);
report.row('store ingest samples/s (scrape / backfill)', {
  vigil: `${Math.round(scrape / 1000)}k / ${Math.round(backfill / 1000)}k`,
  target: `>= ${TARGET / 1000}k`,
  result: pass ? 'PASS' : 'MISS',
});
report.emit();
