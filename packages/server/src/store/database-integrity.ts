import { basename } from 'node:path';
import type { Clock, Counter, Registry } from '@vigil/metrics';
import type Database from 'better-sqlite3';
import { background, backgroundFailed } from '../errors/background-tasks.js';

/** How often the background check reads its next slice of a database. */
const TICK_MS = 1000;
/** Work per tick, across every database: this long at most (plus one batch), then the event loop is free. */
const TICK_BUDGET_MS = 5;
/** Rows read per statement of the walk. */
const BATCH_ROWS = 256;
/** A file read whole rests this long (from the start of its pass) before the next pass. */
const PASS_INTERVAL_MS = 3_600_000;

/** A database file found corrupt: its name and what SQLite said. */
export interface CorruptFile {
  readonly file: string;
  readonly error: string;
}

/** Whether SQLite said the file is damaged (SQLITE_CORRUPT and its extended codes) or not a database. */
export function isCorruption(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_NOTADB')))
      return true;
  }
  return false;
}

/** What a database owner reports its errors to. */
export interface WatchedDatabase {
  /** Records `error` if it says the file is corrupt; other errors are ignored. */
  observe(error: unknown): void;
  /** Stops the background check of this file (it is being closed). */
  unwatch(): void;
}

/** Runs `work` (a statement), reporting its error to `watch` before passing it on. */
export function reporting<R>(watch: WatchedDatabase | undefined, work: () => R): R {
  try {
    return work();
  } catch (error) {
    watch?.observe(error);
    throw error;
  }
}

/** One b-tree of a database (a table or an index) and how to page through it by key. */
interface Btree {
  readonly name: string;
  readonly first: Database.Statement;
  readonly next: Database.Statement;
  /** How many leading columns of a row are its key. */
  readonly keyWidth: number;
  /** Values of the key after the last row read; undefined before the first. */
  after: unknown[] | undefined;
}

interface Watched {
  readonly path: string;
  readonly db: Database.Database;
  btrees: Btree[] | undefined;
  current: number;
  /** When the current pass started; the next starts PASS_INTERVAL_MS after it. */
  passStart: number;
}

/**
 * Corruption of vigil's SQLite files (vigil.db, alerts.db, incidents.db, reports.db,
 * status-pages.db), found two ways:
 * any read or write of theirs that fails with SQLITE_CORRUPT or SQLITE_NOTADB (their owners report
 * every error to `observe`), and a background check that reads each file whole, a slice per tick.
 *
 * The check walks every table and index in key order, BATCH_ROWS rows per statement, for at most
 * TICK_BUDGET_MS per tick, so start-up never waits for it and no tick holds the event loop longer
 * than that, whatever the size of the data; a file read whole is read again an hour after its pass
 * started. `PRAGMA quick_check` reads the same pages, but in one
 * call whose work grows with the file (its argument bounds the errors reported, not the work);
 * SQLite verifies each b-tree page as it loads it, so the walk finds what a damaged page would make
 * quick_check report, one slice at a time.
 *
 * A corrupt file is reported by `/api/health` with its name and counted in
 * `vigil_storage_corruption_errors_total{file}`; the server goes on serving what it still can.
 */
export class DatabaseIntegrity {
  readonly #watched: Watched[] = [];
  readonly #corrupt = new Map<string, string>();
  /** Errors already counted: one failure can reach `observe` from the statement and from its caller. */
  readonly #seen = new WeakSet<object>();
  readonly #counter: Counter | undefined;
  readonly #stop: () => void;
  readonly #clock: Clock;
  #next = 0;

  constructor(options: { readonly clock: Clock; readonly registry?: Registry }) {
    this.#clock = options.clock;
    this.#counter = options.registry?.counter({
      name: 'vigil_storage_corruption_errors_total',
      help: 'Reads and writes of a database file that SQLite refused as corrupt (SQLITE_CORRUPT, SQLITE_NOTADB), by file.',
      labelNames: ['file'],
    });
    this.#stop = options.clock.every(TICK_MS, () => background('checking the databases', () => this.tick()));
  }

  /** Watches an open database: its errors are reported to the result, and the walk checks it. */
  watch(path: string, db: Database.Database): WatchedDatabase {
    const entry: Watched = { path, db, btrees: undefined, current: 0, passStart: this.#clock.now() };
    this.#watched.push(entry);
    return {
      observe: (error) => this.#observe(path, error),
      unwatch: () => {
        const i = this.#watched.indexOf(entry);
        if (i >= 0) this.#watched.splice(i, 1);
      },
    };
  }

  /** The files found corrupt since start-up, by name. */
  problems(): CorruptFile[] {
    return [...this.#corrupt].map(([file, error]) => ({ file, error }));
  }

  /**
   * One slice of the background check: reads the next rows of the databases in turn, for at most
   * TICK_BUDGET_MS. Runs every second; a test may call it directly.
   */
  tick(): void {
    const started = performance.now();
    let idle = 0;
    while (this.#watched.length > 0 && idle < this.#watched.length) {
      if (performance.now() - started > TICK_BUDGET_MS) return;
      const entry = this.#watched[this.#next++ % this.#watched.length]!;
      if (this.#corrupt.has(basename(entry.path)) || !entry.db.open || entry.passStart > this.#clock.now()) {
        idle++;
        continue;
      }
      try {
        this.#step(entry);
        idle = 0;
      } catch (error) {
        if (isCorruption(error)) this.#observe(entry.path, error);
        else backgroundFailed(`checking ${basename(entry.path)}`, error);
        idle++;
      }
    }
  }

  stop(): void {
    this.#stop();
  }

  /** Reads the next batch of the file's current b-tree; at the end of the file, starts over. */
  #step(entry: Watched): void {
    entry.btrees ??= btreesOf(entry.db);
    const btree = entry.btrees[entry.current];
    if (btree === undefined) {
      // A full pass done: the next reads the schema again (tables may have come since).
      entry.btrees = undefined;
      entry.current = 0;
      entry.passStart += PASS_INTERVAL_MS;
      if (entry.passStart < this.#clock.now()) entry.passStart = this.#clock.now();
      return;
    }
    const rows = (
      btree.after === undefined ? btree.first.all(BATCH_ROWS) : btree.next.all(...btree.after, BATCH_ROWS)
    ) as unknown[][];
    const last = rows.at(-1);
    // A NULL in a key would stop paging (NULL > x is never true): that b-tree is done for this pass.
    if (rows.length < BATCH_ROWS || last === undefined || last.some((v) => v === null)) {
      btree.after = undefined;
      entry.current++;
      return;
    }
    btree.after = last.slice(0, btree.keyWidth);
  }

  #observe(path: string, error: unknown): void {
    if (!isCorruption(error) || this.#seen.has(error as object)) return;
    this.#seen.add(error as object);
    const file = basename(path);
    this.#counter?.inc({ file });
    if (this.#corrupt.has(file)) return;
    const message = error instanceof Error ? error.message : String(error);
    this.#corrupt.set(file, message);
    console.error(`vigil: ${path} is corrupt (${message}); restore it from a backup or move it away`);
  }
}

function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Every b-tree of the file, each with the statements that page through it in key order: a rowid
 * table by rowid, a WITHOUT ROWID table by its primary key, an index by its columns and the rowid
 * (read from the index alone, so its own pages are the ones loaded). Rows are read whole, so
 * overflow pages are loaded too.
 */
function btreesOf(db: Database.Database): Btree[] {
  const out: Btree[] = [];
  const objects = db
    .prepare(
      "SELECT type, name, tbl_name FROM sqlite_schema WHERE type IN ('table', 'index') AND rootpage > 0",
    )
    .raw()
    .all() as [string, string, string][];
  for (const [type, name, table] of objects) {
    let key: string[];
    let from = quote(table);
    let columns = '*';
    if (type === 'index') {
      const info = db.pragma(`index_xinfo(${quote(name)})`) as { name: string | null; key: number }[];
      if (info.some((c) => c.key === 1 && c.name === null)) continue; // an index on expressions
      key = info.filter((c) => c.key === 1).map((c) => quote(c.name!));
      if (!withoutRowid(db, table)) key.push('rowid');
      from = `${quote(table)} INDEXED BY ${quote(name)}`;
      columns = key.join(', ');
    } else if (withoutRowid(db, table)) {
      const info = db.pragma(`table_info(${quote(table)})`) as { name: string; pk: number }[];
      key = info
        .filter((c) => c.pk > 0)
        .sort((a, b) => a.pk - b.pk)
        .map((c) => quote(c.name));
    } else {
      key = ['rowid'];
    }
    const select = `SELECT ${key.join(', ')}${columns === '*' ? ', *' : ''} FROM ${from}`;
    const order = `ORDER BY ${key.join(', ')} LIMIT ?`;
    out.push({
      name,
      first: db.prepare(`${select} ${order}`).raw(),
      next: db
        .prepare(`${select} WHERE (${key.join(', ')}) > (${key.map(() => '?').join(', ')}) ${order}`)
        .raw(),
      keyWidth: key.length,
      after: undefined,
    });
  }
  return out;
}

function withoutRowid(db: Database.Database, table: string): boolean {
  try {
    db.prepare(`SELECT rowid FROM ${quote(table)} LIMIT 0`);
    return false;
  } catch {
    return true;
  }
}
