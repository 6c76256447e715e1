import Database from 'better-sqlite3';
import type { SeriesState } from './series-state.js';

/**
 * Version 2 added native histograms (histogram_chunks, histogram_head); a version 1 directory is
 * migrated in place when opened: the new tables are created empty. Version 3 writes histogram
 * chunks of version 2 (histogram-codec.ts), which a vigil reading format 2 could not decode: the
 * chunks already written stay as they are, and are still read. Version 4 adds daily rollups (the
 * series' `rolled_1d`, added to a version 3 table as NULL: each series' days are then folded from its
 * hourly blocks when it is next written, and read from the hours meanwhile) and a `dropped` column in
 * new rollup blocks (rollup-codec.ts), which a vigil reading format 3 could not decode.
 */
const SCHEMA_VERSION = 4;

/**
 * The tables. Chunks are a rowid table with a separate (series_id, min_t) index rather than a
 * WITHOUT ROWID table keyed that way: chunks of many series arrive interleaved, a table ordered by
 * series would split pages at random and sit about 70% full, while rowid order is arrival order and
 * fills pages completely; the small index pays the random inserts instead (measured with
 * bench/store-disk.js). The head table holds each series' open chunk, rewritten at every flush.
 * Rollups are small blocks (rollup-stream.ts), keyed by series, resolution and block start.
 */
const DDL = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS series (
  id INTEGER PRIMARY KEY,
  labels TEXT NOT NULL,
  first_t INTEGER,
  samples INTEGER NOT NULL DEFAULT 0,
  frozen_t INTEGER,
  rolled_1m INTEGER,
  rolled_1h INTEGER,
  rolled_1d INTEGER
);
CREATE TABLE IF NOT EXISTS labels (
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  series_id INTEGER NOT NULL,
  PRIMARY KEY (name, value, series_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS chunks (
  series_id INTEGER NOT NULL,
  min_t INTEGER NOT NULL,
  count INTEGER NOT NULL,
  data BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_by_series ON chunks (series_id, min_t);
CREATE TABLE IF NOT EXISTS head (
  series_id INTEGER PRIMARY KEY,
  min_t INTEGER NOT NULL,
  count INTEGER NOT NULL,
  data BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS histogram_chunks (
  series_id INTEGER NOT NULL,
  min_t INTEGER NOT NULL,
  max_t INTEGER NOT NULL,
  count INTEGER NOT NULL,
  data BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS histogram_chunks_by_series ON histogram_chunks (series_id, min_t);
CREATE TABLE IF NOT EXISTS histogram_head (
  series_id INTEGER PRIMARY KEY,
  data BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS rollups (
  series_id INTEGER NOT NULL,
  resolution INTEGER NOT NULL,
  start INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (series_id, resolution, start)
) WITHOUT ROWID;
`;

/**
 * Opens (creating if needed) the database with the settings the crash guarantee rests on:
 *
 * - WAL journal: a commit appends to the -wal file and readers never see a half-written transaction;
 *   after a crash the next open replays only complete commits. The database file is never left torn.
 * - synchronous=NORMAL: the WAL is not fsynced at each commit, only at checkpoints. A commit survives
 *   the death of the process (kill -9: the bytes are in the OS page cache) but may be rolled back by a
 *   power loss or kernel crash; the database stays consistent either way. synchronous=FULL fsyncs at
 *   each commit, making every flush survive power loss too, at a few ms per flush.
 * - auto_vacuum=INCREMENTAL (only settable before the first table): pages freed by retention can be
 *   handed back to the file system with `PRAGMA incremental_vacuum` without rewriting the whole file.
 */
export function openDatabase(path: string, synchronous: 'normal' | 'full'): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(path);
  } catch (error) {
    throw naming(path, error);
  }
  try {
    // Both only take effect on a new, empty database (SQLite ignores them later), and only if
    // nothing has been read yet: even a read of sqlite_master fixes the page size. 16 KiB pages
    // waste less of each page on chunk rows of a few hundred bytes: bench/store-disk.js measured
    // 1.84 bytes/sample with 4 KiB pages, 1.77 with 8 KiB, 1.74 with 16 KiB; and a 30-day read of
    // one series (bench/store-range-read.js) touches fewer pages: 6.0 ms instead of 10.6.
    db.pragma('page_size = 16384');
    db.pragma('auto_vacuum = INCREMENTAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    // Checkpoint every 4 MiB of WAL (SQLite's default of 1,000 pages would be 16 MiB at this page
    // size), and truncate the WAL file back to that size after a checkpoint instead of keeping its peak.
    db.pragma('wal_autocheckpoint = 256');
    db.pragma('journal_size_limit = 4194304');
    db.pragma('cache_size = -32768');
    const hasMeta = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get();
    const version = hasMeta
      ? db.prepare("SELECT value FROM meta WHERE key = 'schema'").pluck().get()
      : undefined;
    if (
      version !== undefined &&
      !(typeof version === 'number' && version >= 1 && version <= SCHEMA_VERSION)
    ) {
      // Checked before any table is created: a newer directory is left exactly as it was.
      throw new Error(
        `the data directory was written by a newer vigil (storage format ${String(version)}); this vigil reads formats 1 to ${SCHEMA_VERSION}. Run the newer vigil, or give this one another data directory`,
      );
    }
    db.transaction(() => {
      db.exec(DDL);
      const columns = db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('series');
      if (!columns.includes('rolled_1d')) db.exec('ALTER TABLE series ADD COLUMN rolled_1d INTEGER');
      if (version === undefined)
        db.prepare("INSERT INTO meta (key, value) VALUES ('schema', ?)").run(SCHEMA_VERSION);
      else if (version !== SCHEMA_VERSION)
        db.prepare("UPDATE meta SET value = ? WHERE key = 'schema'").run(SCHEMA_VERSION);
    })();
    return db;
  } catch (error) {
    db.close();
    throw naming(path, error);
  }
}

/** The error with the database file's name in front, so that a start-up failure says which file is broken. */
export function naming(path: string, error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  return message.startsWith(path) ? (error as Error) : new Error(`${path}: ${message}`, { cause: error });
}

/** Every statement the store runs: its SQL and how rows come back (`raw`: arrays, `pluck`: first column). */
const SQL = {
  allSeries: [
    'SELECT id, labels, first_t, samples, frozen_t, rolled_1m, rolled_1h, rolled_1d FROM series',
    'raw',
  ],
  // What start-up would load (series-index.ts seriesBytes: 1,000 bytes a series and 2 a character of
  // its labels), and the highest id, in one pass over the table.
  seriesFootprint: ['SELECT count(*), total(length(labels)), coalesce(max(id), 0) FROM series', 'raw'],
  // The series whose newest samples are newest first: what start-up loads when not all of them fit.
  seriesByRecency: [
    'SELECT s.id, s.labels, s.first_t, s.samples, s.frozen_t, s.rolled_1m, s.rolled_1h, s.rolled_1d FROM series s ' +
      'LEFT JOIN head h ON h.series_id = s.id ORDER BY coalesce(h.min_t, s.frozen_t, s.first_t) DESC',
    'raw',
  ],
  allHeads: ['SELECT series_id, min_t, count, data FROM head', 'raw'],
  insertSeries: ['INSERT INTO series (id, labels) VALUES (?, ?)', ''],
  insertLabel: ['INSERT INTO labels (name, value, series_id) VALUES (?, ?, ?)', ''],
  updateSeries: [
    'UPDATE series SET first_t = ?, samples = ?, frozen_t = ?, rolled_1m = ?, rolled_1h = ?, rolled_1d = ? WHERE id = ?',
    '',
  ],
  // Retention's update: what is on disk only (the chunks cut since the last flush are counted by
  // the flush that writes them; a crash before it must not leave a row that claims them).
  trimSeries: ['UPDATE series SET first_t = ?, samples = samples - ? WHERE id = ?', ''],
  deleteSeries: ['DELETE FROM series WHERE id = ?', ''],
  deleteLabel: ['DELETE FROM labels WHERE name = ? AND value = ? AND series_id = ?', ''],
  idsByValuePage: [
    'SELECT series_id FROM labels WHERE name = ? AND value = ? AND series_id > ? ORDER BY series_id LIMIT ?',
    'pluck',
  ],
  // Pages of the series with a label value, and of a label's values, after the last row of the page
  // before, in the primary key's order: a search of the key, so each page costs what it reads.
  idsByNamePage: [
    'SELECT value, series_id FROM labels WHERE name = ? AND (value, series_id) > (?, ?) ORDER BY value, series_id LIMIT ?',
    'raw',
  ],
  insertChunk: ['INSERT INTO chunks (series_id, min_t, count, data) VALUES (?, ?, ?, ?)', ''],
  chunksIn: [
    'SELECT min_t, count, data FROM chunks WHERE series_id = ? AND min_t >= ? AND min_t <= ? ORDER BY min_t',
    'raw',
  ],
  // One statement for a whole batch of series (their ids as a JSON array): a statement per series
  // cost 11 ms for 1,000 series where this costs 3 (bench/query-rate-sum.js's data).
  chunksOfMany: [
    'SELECT series_id, min_t, count, data FROM chunks WHERE series_id IN (SELECT value FROM json_each(?)) ' +
      'AND min_t >= ? AND min_t <= ? ORDER BY series_id, min_t',
    'raw',
  ],
  samplesUpTo: ['SELECT total(count) FROM chunks WHERE series_id = ? AND min_t <= ?', 'pluck'],
  deleteChunksUpTo: ['DELETE FROM chunks WHERE series_id = ? AND min_t <= ?', ''],
  firstChunk: ['SELECT min_t FROM chunks WHERE series_id = ? ORDER BY min_t LIMIT 1', 'pluck'],
  upsertHead: [
    'INSERT INTO head (series_id, min_t, count, data) VALUES (?, ?, ?, ?) ' +
      'ON CONFLICT (series_id) DO UPDATE SET min_t = excluded.min_t, count = excluded.count, data = excluded.data',
    '',
  ],
  deleteHead: ['DELETE FROM head WHERE series_id = ?', ''],
  insertRollup: [
    'INSERT OR REPLACE INTO rollups (series_id, resolution, start, data) VALUES (?, ?, ?, ?)',
    '',
  ],
  rollupsOfMany: [
    'SELECT series_id, start, data FROM rollups WHERE series_id IN (SELECT value FROM json_each(?)) ' +
      'AND resolution = ? AND start >= ? AND start <= ? ORDER BY series_id, start',
    'raw',
  ],
  rollupsIn: [
    'SELECT start, data FROM rollups WHERE series_id = ? AND resolution = ? AND start >= ? AND start < ? ORDER BY start',
    'raw',
  ],
  deleteRollupsUpTo: ['DELETE FROM rollups WHERE series_id = ? AND resolution = ? AND start <= ?', ''],
  oldestRollupAt: ['SELECT min(start) FROM rollups WHERE resolution = ?', 'pluck'],
  deleteRollupsAt: ['DELETE FROM rollups WHERE resolution = ? AND start <= ?', ''],
  hasRollups: ['SELECT 1 FROM rollups WHERE series_id = ? LIMIT 1', 'pluck'],
  insertHistogramChunk: [
    'INSERT INTO histogram_chunks (series_id, min_t, max_t, count, data) VALUES (?, ?, ?, ?, ?)',
    '',
  ],
  histogramChunksIn: [
    'SELECT data FROM histogram_chunks WHERE series_id = ? AND max_t >= ? AND min_t <= ? ORDER BY min_t',
    'pluck',
  ],
  histogramBounds: [
    'SELECT series_id, min(min_t), max(max_t), count(*) FROM histogram_chunks GROUP BY series_id',
    'raw',
  ],
  histogramFirstOf: ['SELECT min(min_t) FROM histogram_chunks WHERE series_id = ?', 'pluck'],
  histogramCountOf: ['SELECT count(*) FROM histogram_chunks WHERE series_id = ?', 'pluck'],
  deleteHistogramChunksBefore: ['DELETE FROM histogram_chunks WHERE series_id = ? AND max_t < ?', ''],
  allHistogramHeads: ['SELECT series_id, data FROM histogram_head', 'raw'],
  upsertHistogramHead: [
    'INSERT INTO histogram_head (series_id, data) VALUES (?, ?) ' +
      'ON CONFLICT (series_id) DO UPDATE SET data = excluded.data',
    '',
  ],
  deleteHistogramHead: ['DELETE FROM histogram_head WHERE series_id = ?', ''],
} as const;

export type Statements = { readonly [K in keyof typeof SQL]: Database.Statement };

/**
 * The statements, each reporting every error it throws to `observe` (the store's corruption watch:
 * a damaged page is found by whichever read or write reaches it first).
 */
export function prepareStatements(db: Database.Database, observe?: (error: unknown) => void): Statements {
  const out: Record<string, Database.Statement> = {};
  for (const [name, [sql, mode]] of Object.entries(SQL)) {
    const prepared = db.prepare(sql);
    const statement = mode === 'raw' ? prepared.raw() : mode === 'pluck' ? prepared.pluck() : prepared;
    if (observe) reportErrors(statement, observe);
    out[name] = statement;
  }
  return out as Statements;
}

function reportErrors(statement: Database.Statement, observe: (error: unknown) => void): void {
  for (const method of ['run', 'get', 'all'] as const) {
    const call = statement[method].bind(statement) as (...args: unknown[]) => unknown;
    (statement as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      try {
        return call(...args);
      } catch (error) {
        observe(error);
        throw error;
      }
    };
  }
}

/** Writes a series' bounds and rollup progress (`rolled` per resolution) to its row. */
export function updateSeriesRow(st: Statements, s: SeriesState, rolled: readonly number[]): void {
  st.updateSeries.run(
    finite(s.firstT),
    s.chunkSamples,
    finite(s.frozenT),
    finite(rolled[0]!),
    finite(rolled[1]!),
    finite(rolled[2]!),
    s.id,
  );
}

function finite(t: number): number | null {
  return Number.isFinite(t) ? t : null;
}
