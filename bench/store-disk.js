// Scenario: bytes per sample on disk. The realistic scrape of bench/lib/scrape-data.js (1,000 series
// of counters and gauges at a 15 s interval) over one simulated day, appended scrape by scrape with a
// flush after each (as the 1 s flush timer does live), then rollup upkeep and close. The figure is the
// whole database file (series, label index, chunks, heads, rollups, free pages) / samples stored.
// Prometheus 2.42 and VictoriaMetrics, when installed, get the same samples by remote write
// (bench/lib/peer-disk.js) and their data directories are measured the same way.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatBytes, scenario, table } from './lib/harness.js';
import { SCRAPE_INTERVAL_MS, scrapeData } from './lib/scrape-data.js';
import { loadStore } from './lib/server-dist.js';

const SCRAPES = (24 * 3_600_000) / SCRAPE_INTERVAL_MS;
const END = Date.UTC(2026, 10, 20);
const START = END - SCRAPES * SCRAPE_INTERVAL_MS;
const TARGET = 2;

const report = scenario('store-disk', 'bytes per sample on disk, 1,000 series x 1 day at 15 s');
const { openSqliteStore } = await loadStore();
const data = scrapeData(1);
console.log(
  `${data.series.length} series x ${SCRAPES} scrapes = ${(data.series.length * SCRAPES).toLocaleString('en-US')} samples (bench/lib/scrape-data.js, seed 1); data is deterministic, so one run.`,
);

const dir = mkdtempSync(join(tmpdir(), 'vigil-store-disk-'));
try {
  const clock = { now: () => END, every: () => () => {} };
  const store = await openSqliteStore({ dir, clock });
  const entries = data.series.map((labels) => ({
    labels,
    timestamps: new Float64Array(1),
    values: new Float64Array(1),
  }));
  const started = process.hrtime.bigint();
  let accepted = 0;
  for (let k = 0; k < SCRAPES; k++) {
    const values = data.scrape(k);
    const t = START + k * SCRAPE_INTERVAL_MS;
    for (let i = 0; i < entries.length; i++) {
      entries[i].timestamps[0] = t;
      entries[i].values[0] = values[i];
    }
    accepted += store.appendSync(entries).accepted;
    await store.flush();
  }
  await store.maintain();
  const stats = await store.stats();
  await store.close();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const file = statSync(join(dir, 'vigil.db')).size;
  const perSample = file / accepted;
  const breakdown = await breakdownOf(join(dir, 'vigil.db'));
  console.log(
    `appended and flushed ${accepted.toLocaleString('en-US')} samples in ${seconds.toFixed(1)} s (a flush after every scrape); stats(): ${stats.samples.toLocaleString('en-US')} samples, ${stats.series} series`,
  );
  console.log(
    table(
      ['part', 'bytes', 'bytes/sample'],
      breakdown.map(([part, bytes]) => [part, formatBytes(bytes), (bytes / accepted).toFixed(3)]),
      'lrr',
    ),
  );
  const rows = [['vigil (SQLite, this store)', formatBytes(file), perSample.toFixed(3)]];
  const peers = await import('./lib/peer-disk.js').then(
    (m) => m.measurePeers(() => scrapeData(1), START, SCRAPES),
    (error) => [{ name: 'peers', error: String(error.message ?? error) }],
  );
  for (const peer of peers) {
    if (peer.error) rows.push([peer.name, 'n/a', peer.error]);
    else rows.push([peer.name, formatBytes(peer.bytes), (peer.bytes / peer.samples).toFixed(3)]);
  }
  console.log(table(['store', 'on disk', 'bytes/sample'], rows, 'lrr'));
  report.data = { samples: accepted, bytes: file, perSample, breakdown, peers };
  const pass = report.check(
    `at most ${TARGET} bytes per sample`,
    perSample <= TARGET,
    `${perSample.toFixed(3)} B/sample`,
  );
  const peerText = peers
    .filter((p) => !p.error)
    .map((p) => `${p.name.split(' ')[0]} ${(p.bytes / p.samples).toFixed(2)}`)
    .join(', ');
  report.row('bytes/sample, 1k series x 1 day at 15 s', {
    vigil: perSample.toFixed(2),
    prom: peerText,
    target: `<= ${TARGET}`,
    result: pass ? 'PASS' : 'MISS',
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
report.emit();

/** Where the bytes went: blob payloads per table, and the rest (row and index overhead, free pages). */
async function breakdownOf(path) {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(path, { readonly: true });
  try {
    const one = (sql) => db.prepare(sql).pluck().get() ?? 0;
    const pageSize = one('PRAGMA page_size');
    const parts = [
      ['chunk payloads (compressed samples)', one('SELECT total(length(data)) FROM chunks')],
      ['head payloads (open chunks)', one('SELECT total(length(data)) FROM head')],
      ['rollup payloads (1h, 1m when kept)', one('SELECT total(length(data)) FROM rollups')],
      [
        'series rows + label index payloads',
        one('SELECT total(length(labels)) FROM series') +
          one('SELECT total(length(name) + length(value)) FROM labels'),
      ],
      ['free pages', one('PRAGMA freelist_count') * pageSize],
    ];
    const file = statSync(path).size;
    parts.push(['row headers, b-tree and index overhead', file - parts.reduce((a, [, b]) => a + b, 0)]);
    parts.push(['total file', file]);
    return parts;
  } finally {
    db.close();
  }
}
