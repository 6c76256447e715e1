import Database from 'better-sqlite3';
import { type DatabaseIntegrity, reporting, type WatchedDatabase } from './database-integrity.js';

/** One stored document: its id, when it last changed (ms), and its JSON text. */
export interface StoredDocument {
  readonly id: string;
  readonly updatedMs: number;
  readonly json: string;
}

/**
 * A small SQLite file of JSON documents by id, for state that is not samples (incidents and their
 * timelines): each `put` is one synchronous, durable write (WAL), so a document whose `put` returned
 * survives kill -9. Documents are read whole; the file keeps thousands, not millions.
 */
export class DocumentFile {
  readonly #db: Database.Database;
  readonly #put: Database.Statement;
  readonly #get: Database.Statement;
  readonly #list: Database.Statement;
  readonly #prune: Database.Statement;
  readonly #watch: WatchedDatabase | undefined;

  /**
   * Opens (or creates) `path`; a broken file throws with its name and leaves nothing open.
   * `integrity` watches it for corruption from then on.
   */
  constructor(path: string, integrity?: DatabaseIntegrity) {
    let db: Database.Database | undefined;
    try {
      db = new Database(path);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.exec(`
        CREATE TABLE IF NOT EXISTS documents (
          id TEXT PRIMARY KEY,
          updated_ms INTEGER NOT NULL,
          expires_ms INTEGER,
          json TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS documents_updated ON documents (updated_ms);
      `);
      this.#put = db.prepare(
        'INSERT INTO documents (id, updated_ms, expires_ms, json) VALUES (?, ?, ?, ?) ' +
          'ON CONFLICT (id) DO UPDATE SET updated_ms = excluded.updated_ms, expires_ms = excluded.expires_ms, json = excluded.json',
      );
      this.#get = db.prepare('SELECT id, updated_ms AS updatedMs, json FROM documents WHERE id = ?');
      this.#list = db.prepare(
        'SELECT id, updated_ms AS updatedMs, json FROM documents WHERE updated_ms >= ? ORDER BY updated_ms DESC LIMIT ?',
      );
      this.#prune = db.prepare('DELETE FROM documents WHERE expires_ms IS NOT NULL AND expires_ms < ?');
      this.#db = db;
      this.#watch = integrity?.watch(path, db);
    } catch (error) {
      db?.close();
      throw new Error(`${path}: cannot open: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Writes a document; `expiresMs` (none: kept) is when `prune` may delete it. */
  put(id: string, updatedMs: number, json: string, expiresMs?: number): void {
    reporting(this.#watch, () => this.#put.run(id, updatedMs, expiresMs ?? null, json));
  }

  get(id: string): StoredDocument | undefined {
    return reporting(this.#watch, () => this.#get.get(id) as StoredDocument | undefined);
  }

  /** Newest first, changed at or after `sinceMs`. */
  list(sinceMs = 0, limit = 10_000): StoredDocument[] {
    return reporting(this.#watch, () => this.#list.all(sinceMs, limit) as StoredDocument[]);
  }

  /** Deletes documents whose expiry is before `nowMs`; returns how many. */
  prune(nowMs: number): number {
    return reporting(this.#watch, () => this.#prune.run(nowMs).changes);
  }

  close(): void {
    this.#watch?.unwatch();
    this.#db.close();
  }
}
