import { readFileIfPresent, writeFileDurably } from '../../store/durable-file.js';

/** What was last told to one integration of a receiver about one group (Alertmanager's nflog entry). */
export interface LogEntry {
  readonly firing: readonly string[];
  readonly resolved: readonly string[];
  /** Unix ms of the notification. */
  readonly timestamp: number;
  readonly expiresAt: number;
}

export interface NotificationLogOptions {
  readonly now: () => number;
  /** The snapshot file; none keeps the log in memory only. */
  readonly file?: string | undefined;
  /** How long an entry is kept. Default 120 h, Alertmanager's `--data.retention`. */
  readonly retentionMs?: number;
}

/**
 * The notification log: what each receiver was last told about each group, and when. It is what
 * makes `repeat_interval` hold across a restart (a restarted vigil does not page everyone again for
 * alerts it already notified), so it is written to a snapshot file, atomically, by `flush`.
 */
export class NotificationLog {
  readonly #entries = new Map<string, LogEntry>();
  readonly #now: () => number;
  readonly #file: string | undefined;
  readonly #retentionMs: number;
  #dirty = false;

  constructor(options: NotificationLogOptions) {
    this.#now = options.now;
    this.#file = options.file;
    this.#retentionMs = options.retentionMs ?? 120 * 3_600_000;
    if (this.#file) this.#load(this.#file);
  }

  static key(groupKey: string, receiver: string, integration: string): string {
    return `${receiver}\u0000${integration}\u0000${groupKey}`;
  }

  get(key: string): LogEntry | undefined {
    const entry = this.#entries.get(key);
    return entry && entry.expiresAt > this.#now() ? entry : undefined;
  }

  log(key: string, firing: readonly string[], resolved: readonly string[]): void {
    const now = this.#now();
    this.#entries.set(key, { firing, resolved, timestamp: now, expiresAt: now + this.#retentionMs });
    this.#dirty = true;
  }

  /** Drops expired entries and writes the snapshot when anything changed. */
  flush(): void {
    const now = this.#now();
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt <= now) {
        this.#entries.delete(key);
        this.#dirty = true;
      }
    }
    if (!this.#dirty || !this.#file) return;
    writeFileDurably(this.#file, JSON.stringify({ version: 1, entries: Object.fromEntries(this.#entries) }));
    this.#dirty = false;
  }

  #load(file: string): void {
    const text = readFileIfPresent(file);
    if (text === undefined) return;
    // A broken file stops start-up with its name: starting without it would repeat notifications already sent.
    try {
      const data = JSON.parse(text) as { entries: Record<string, LogEntry> };
      for (const [key, entry] of Object.entries(data.entries)) this.#entries.set(key, entry);
    } catch (error) {
      throw new Error(`${file}: cannot read the notification log: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
}

/**
 * Alertmanager's `DedupStage.needsUpdate`: notify a group never notified if anything fires; again
 * when a firing alert is new, when all that was firing has resolved, when a resolution is new and the
 * receiver wants resolutions, and otherwise once `repeat_interval` has passed.
 */
export function needsUpdate(
  entry: LogEntry | undefined,
  firing: ReadonlySet<string>,
  resolved: ReadonlySet<string>,
  sendResolved: boolean,
  repeatIntervalMs: number,
  now: number,
): boolean {
  if (!entry) return firing.size > 0;
  if (!isSubset(firing, entry.firing)) return true;
  if (firing.size === 0) return entry.firing.length > 0;
  if (sendResolved && !isSubset(resolved, entry.resolved)) return true;
  return entry.timestamp < now - repeatIntervalMs;
}

function isSubset(set: ReadonlySet<string>, of: readonly string[]): boolean {
  if (set.size > of.length) return false;
  const known = new Set(of);
  for (const fp of set) if (!known.has(fp)) return false;
  return true;
}
