import { basename } from 'node:path';
import { type Clock, systemClock } from '@vigil/metrics';
import Database from 'better-sqlite3';
import { background } from '../errors/background-tasks.js';
import { type DatabaseIntegrity, reporting, type WatchedDatabase } from './database-integrity.js';
import type { EventLog, EventQuery } from './event-log.js';

export interface SqliteEventLogOptions {
  /** The database file; `:memory:` keeps the log in memory. */
  readonly path: string;
  /** What the log holds, for error messages: `the alert history`. */
  readonly what: string;
  readonly clock?: Clock;
  /** Events older than this are deleted. Default 30 (METRICS_RETENTION_DAYS's default). */
  readonly retentionDays?: number;
  /** Watches the file for corruption. Default: not watched. */
  readonly integrity?: DatabaseIntegrity;
}

const SEP = '\u001f';

/**
 * An EventLog in its own SQLite file (events as JSON, indexed by time, names in one column), pruned
 * hourly. Writes are synchronous and small, one row per event.
 */
export class SqliteEventLog<T> implements EventLog<T> {
  readonly #db: Database.Database;
  readonly #clock: Clock;
  readonly #retentionMs: number;
  readonly #insert: Database.Statement;
  readonly #prune: Database.Statement;
  #stopPrune: (() => void) | undefined;
  #watch: WatchedDatabase | undefined;

  constructor(options: SqliteEventLogOptions) {
    this.#clock = options.clock ?? systemClock;
    const days = options.retentionDays ?? 30;
    if (!(days > 0))
      throw new Error(`${options.what}: retentionDays: got ${days}, expected a positive number of days`);
    this.#retentionMs = days * 86_400_000;
    const { path } = options;
    // A broken file stops start-up with its name, and leaves nothing open behind it.
    let db: Database.Database | undefined;
    try {
      db = new Database(path);
      this.#db = db;
      this.#db.pragma('journal_mode = WAL');
      this.#db.pragma('synchronous = NORMAL');
      this.#db.exec(`
        CREATE TABLE IF NOT EXISTS alert_events (
          id INTEGER PRIMARY KEY,
          time INTEGER NOT NULL,
          kind TEXT NOT NULL,
          alertnames TEXT NOT NULL,
          body TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS alert_events_time ON alert_events (time);
      `);
      this.#insert = this.#db.prepare(
        'INSERT INTO alert_events (time, kind, alertnames, body) VALUES (?, ?, ?, ?)',
      );
      this.#prune = this.#db.prepare('DELETE FROM alert_events WHERE time < ?');
      if (path !== ':memory:') this.#watch = options.integrity?.watch(path, this.#db);
      this.prune();
    } catch (error) {
      this.#watch?.unwatch();
      db?.close();
      throw new Error(`${path}: cannot open ${options.what}: ${(error as Error).message}`, { cause: error });
    }
    // Hourly is plenty for a retention counted in days.
    this.#stopPrune = this.#clock.every(3_600_000, () =>
      background(`pruning ${basename(path)}`, () => this.prune()),
    );
  }

  append(time: number, kind: string, names: readonly string[], event: T): void {
    reporting(this.#watch, () =>
      this.#insert.run(time, kind, `${SEP}${names.join(SEP)}${SEP}`, JSON.stringify(event)),
    );
  }

  query(q: EventQuery = {}): T[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (q.since !== undefined) {
      where.push('time >= ?');
      args.push(q.since);
    }
    if (q.until !== undefined) {
      where.push('time <= ?');
      args.push(q.until);
    }
    if (q.name !== undefined) {
      where.push('instr(alertnames, ?) > 0');
      args.push(`${SEP}${q.name}${SEP}`);
    }
    const limit = Math.min(Math.max(Math.trunc(q.limit ?? 100), 1), 10_000);
    const sql = `SELECT body FROM alert_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY time DESC, id DESC LIMIT ${limit}`;
    const rows = reporting(this.#watch, () => this.#db.prepare(sql).all(...args) as { body: string }[]);
    return rows.map((r) => JSON.parse(r.body) as T);
  }

  prune(): number {
    return reporting(this.#watch, () => this.#prune.run(this.#clock.now() - this.#retentionMs).changes);
  }

  close(): void {
    this.#stopPrune?.();
    this.#stopPrune = undefined;
    this.#watch?.unwatch();
    if (this.#db.open) this.#db.close();
  }
}
