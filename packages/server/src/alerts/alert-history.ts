import { join } from 'node:path';
import { type Clock, systemClock } from '@vigil/metrics';
import Database from 'better-sqlite3';
import { background } from '../errors/background-tasks.js';
import type { AlertEvent, AlertEventSink } from './alert-event.js';

export interface AlertHistoryOptions {
  /** The data directory; the history lives in `alerts.db` there. `:memory:` keeps it in memory. */
  readonly dir: string;
  readonly clock?: Clock;
  /** Events older than this are deleted. Default 30 (METRICS_RETENTION_DAYS's default). */
  readonly retentionDays?: number;
}

export interface HistoryQuery {
  /** ms, inclusive. */
  readonly since?: number;
  /** ms, inclusive. */
  readonly until?: number;
  readonly alertname?: string;
  /** Default 100, at most 10000. */
  readonly limit?: number;
}

const SEP = '\u001f';

/**
 * Alert history in SQLite: every state change of every alert and every notification attempt, kept
 * for the retention period and read newest first. Alertmanager keeps none, and "what fired last
 * night" is the question users of the peers ask most. Writes are synchronous and small (one row
 * per change), so `record` never loses an event that returned.
 */
export class AlertHistory implements AlertEventSink {
  readonly #db: Database.Database;
  readonly #clock: Clock;
  readonly #retentionMs: number;
  readonly #insert: Database.Statement;
  readonly #prune: Database.Statement;
  #stopPrune: (() => void) | undefined;

  constructor(options: AlertHistoryOptions) {
    this.#clock = options.clock ?? systemClock;
    const days = options.retentionDays ?? 30;
    if (!(days > 0))
      throw new Error(`AlertHistory retentionDays: got ${days}, expected a positive number of days`);
    this.#retentionMs = days * 86_400_000;
    const path = options.dir === ':memory:' ? ':memory:' : join(options.dir, 'alerts.db');
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
      this.prune();
    } catch (error) {
      db?.close();
      throw new Error(`${path}: cannot open the alert history: ${(error as Error).message}`, {
        cause: error,
      });
    }
    // Hourly is plenty for a retention counted in days.
    this.#stopPrune = this.#clock.every(3_600_000, () => background('pruning alerts.db', () => this.prune()));
  }

  record(event: AlertEvent): void {
    const names =
      event.kind === 'state'
        ? [event.labels.alertname ?? '']
        : [...new Set(event.alerts.map((a) => a.alertname ?? ''))];
    this.#insert.run(event.time, event.kind, `${SEP}${names.join(SEP)}${SEP}`, JSON.stringify(event));
  }

  /** Newest first. */
  query(q: HistoryQuery = {}): AlertEvent[] {
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
    if (q.alertname !== undefined) {
      where.push('instr(alertnames, ?) > 0');
      args.push(`${SEP}${q.alertname}${SEP}`);
    }
    const limit = Math.min(Math.max(Math.trunc(q.limit ?? 100), 1), 10_000);
    const sql = `SELECT body FROM alert_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY time DESC, id DESC LIMIT ${limit}`;
    return (this.#db.prepare(sql).all(...args) as { body: string }[]).map(
      (r) => JSON.parse(r.body) as AlertEvent,
    );
  }

  /** Deletes events past the retention period; returns how many. */
  prune(): number {
    return this.#prune.run(this.#clock.now() - this.#retentionMs).changes;
  }

  close(): void {
    this.#stopPrune?.();
    this.#stopPrune = undefined;
    if (this.#db.open) this.#db.close();
  }
}
