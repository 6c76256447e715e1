import type Database from 'better-sqlite3';
import { pacedTransactions } from './paced-transactions.js';
import type { Pacer } from './pacer.js';
import { alignDown, blockSpan, DAILY, RESOLUTIONS } from './rollup-stream.js';
import type { SeriesIndex } from './series-index.js';
import { CHUNK_SPAN_MS, type SeriesState } from './series-state.js';
import type { Statements } from './sqlite-schema.js';
import type { ResolvedStoreOptions } from './sqlite-store-options.js';

/** Free pages one incremental_vacuum hands back: 8 MiB of 16 KiB pages. */
const VACUUM_PAGES = 512;

/**
 * What retention deletes, by age and by size, and the upkeep that follows: series with nothing
 * left are forgotten, and surplus free pages are handed back to the file system.
 *
 * Raw chunks are only deleted once the rollups that outlive them are written, so a long range is
 * still answered by rollups after its raw samples are gone.
 *
 * Deletions run series by series in transactions paced as a flush's are, the event loop handed back
 * in between (`pacer`); each series' deletion is whole in one transaction.
 */
export class Retention {
  readonly #db: Database.Database;
  readonly #st: Statements;
  readonly #index: SeriesIndex;
  readonly #o: ResolvedStoreOptions;
  readonly #materialized: readonly boolean[];
  readonly #rollupCutoff = RESOLUTIONS.map(() => Number.NaN);

  constructor(
    db: Database.Database,
    st: Statements,
    index: SeriesIndex,
    o: ResolvedStoreOptions,
    materialized: readonly boolean[],
  ) {
    this.#db = db;
    this.#st = st;
    this.#index = index;
    this.#o = o;
    this.#materialized = materialized;
  }

  /** How long rollups of resolution `k` are kept: days as long as hours. */
  retention(k: number): number {
    return k === 0 ? this.#o.rollup1mRetentionMs : this.#o.rollup1hRetentionMs;
  }

  /** Everything by age and size, then the upkeep. */
  async run(now: number, pacer: Pacer): Promise<void> {
    const o = this.#o;
    await this.#deleteRaw(now - o.rawRetentionMs, (k) => this.retention(k) > o.rawRetentionMs, pacer);
    await this.#deleteRollups(now, pacer);
    if (o.retentionBytes > 0) await this.#enforceBytes(pacer);
    await this.#forgetEmpty(pacer);
    await this.#vacuum(pacer);
  }

  /**
   * Deletes the chunks that end before `cutoff`, but never raw samples whose rollups of a
   * resolution that `keep(k)` says outlives them are not written yet. Returns the samples deleted.
   */
  async #deleteRaw(cutoff: number, keep: (k: number) => boolean, pacer: Pacer): Promise<number> {
    const st = this.#st;
    let deleted = 0;
    await pacedTransactions(this.#db, this.#index.all(), pacer, (s) => {
      if (s.chunkSamples === 0 || s.firstT > cutoff) return 1;
      let until = cutoff;
      for (let k = 0; k < RESOLUTIONS.length; k++) {
        // Days are folded from the hours, not from raw samples.
        if (this.#materialized[k] && k !== DAILY && keep(k)) until = Math.min(until, s.rolled[k]!);
      }
      // A row stores only its first timestamp and a chunk spans at most CHUNK_SPAN_MS, so the
      // chunks that surely end before `until` start a span before it; all of them do when the
      // newest cut chunk ends before it.
      const upTo = s.frozenT < until ? until : until - CHUNK_SPAN_MS;
      if (upTo < s.firstT) return 1;
      const removed = st.samplesUpTo.get(s.id, upTo) as number;
      if (removed === 0) return 2;
      st.deleteChunksUpTo.run(s.id, upTo);
      s.chunkSamples -= removed;
      deleted += removed;
      const first = st.firstChunk.get(s.id) as number | undefined;
      // Chunks cut since the last flush are not in the database yet (samples arrive while retention
      // pauses between slices); they come before the head. The row says only what is stored: a
      // crash before the next flush loses those chunks, and the row must not claim their samples,
      // nor refuse them as out of order when they are sent again (its frozen_t is left as it is).
      s.firstT =
        first ??
        s.pending?.[0]?.minT ??
        (s.head && s.head.count > 0 ? s.head.minT : Number.POSITIVE_INFINITY);
      st.trimSeries.run(first ?? null, removed, s.id);
      return 5;
    });
    return deleted;
  }

  /** Deletes rollup blocks that ended before their resolution's retention, once per block boundary. */
  async #deleteRollups(now: number, pacer: Pacer): Promise<void> {
    for (let k = 0; k < RESOLUTIONS.length; k++) {
      const span = blockSpan(RESOLUTIONS[k]!);
      const upTo = alignDown(now - this.retention(k), span) - span;
      if (upTo === this.#rollupCutoff[k]) continue;
      await pacedTransactions(this.#db, this.#index.all(), pacer, (s) => {
        this.#st.deleteRollupsUpTo.run(s.id, RESOLUTIONS[k], upTo);
        return 1;
      });
      this.#rollupCutoff[k] = upTo;
    }
  }

  /**
   * Retention by size: while the pages in use exceed `retentionBytes`, deletes the oldest hour of
   * raw chunks (after writing their rollups), then, when only the newest raw data is left, the
   * oldest rollup blocks, minute ones before hour ones, and day ones last.
   */
  async #enforceBytes(pacer: Pacer): Promise<void> {
    const budget = this.#o.retentionBytes;
    let used = this.#usedBytes();
    while (used > budget) {
      let oldest = Number.POSITIVE_INFINITY;
      for (const s of this.#index.all()) if (s.chunkSamples > 0 && s.firstT < oldest) oldest = s.firstT;
      if (!Number.isFinite(oldest)) break;
      if ((await this.#deleteRaw(oldest + CHUNK_SPAN_MS + 3_600_000, () => true, pacer)) === 0) break;
      used = this.#usedBytes();
    }
    for (let k = 0; k < RESOLUTIONS.length && used > budget; k++) {
      while (used > budget) {
        const start = this.#st.oldestRollupAt.get(RESOLUTIONS[k]) as number | null;
        if (start === null) break;
        this.#st.deleteRollupsAt.run(RESOLUTIONS[k], start);
        used = this.#usedBytes();
      }
    }
    if (used > budget) {
      this.#o.onError(
        new Error(
          `retentionBytes: the newest data alone takes ${used} bytes, more than the budget of ${budget}`,
        ),
      );
    }
  }

  #usedBytes(): number {
    const pages = this.#db.pragma('page_count', { simple: true }) as number;
    const free = this.#db.pragma('freelist_count', { simple: true }) as number;
    const size = this.#db.pragma('page_size', { simple: true }) as number;
    return (pages - free) * size;
  }

  /**
   * Series with no samples and no rollups left are removed, from the index and the database. They
   * are looked for with pauses (a look at the database each: 30,000 took 140-200 ms), then removed
   * in paced transactions (30,000 in one held the event loop for 220 ms), each checked again first:
   * one may have received samples meanwhile. A slice's series leave the index as soon as it commits,
   * before anything else runs: a sample sent for one later makes a new series, with a row of its own.
   */
  async #forgetEmpty(pacer: Pacer): Promise<void> {
    const st = this.#st;
    const empty = (s: SeriesState) =>
      !(s.samples > 0 || s.pending || s.queued || s.dirty || !s.persisted || s.histograms);
    const candidates: SeriesState[] = [];
    for (const s of this.#index.all()) {
      if (pacer.due()) await pacer.pause();
      if (empty(s) && st.hasRollups.get(s.id) === undefined) candidates.push(s);
    }
    if (candidates.length === 0) return;
    let gone: SeriesState[] = [];
    await pacedTransactions(
      this.#db,
      candidates,
      pacer,
      (s) => {
        if (!empty(s) || this.#index.get(s.id) !== s) return 1;
        const labels = s.labels;
        let statements = 3;
        for (const name in labels) {
          st.deleteLabel.run(name, labels[name], s.id);
          statements++;
        }
        st.deleteSeries.run(s.id);
        st.deleteHead.run(s.id);
        st.deleteHistogramHead.run(s.id);
        gone.push(s);
        return statements;
      },
      () => {
        this.#index.forget(gone);
        gone = [];
      },
    );
    await this.#index.sweepForgotten(pacer);
  }

  /**
   * Freed pages are reused by new chunks, so most of them stay in the file; only a surplus beyond
   * 1% of the file (at least 1 MiB) is handed back, in one incremental_vacuum, rather than shrinking
   * the file at every retention pass and growing it again at the next inserts.
   */
  async #vacuum(pacer: Pacer): Promise<void> {
    const pages = this.#db.pragma('page_count', { simple: true }) as number;
    const free = this.#db.pragma('freelist_count', { simple: true }) as number;
    const size = this.#db.pragma('page_size', { simple: true }) as number;
    const keep = Math.max((1 << 20) / size, Math.floor(pages / 100));
    // VACUUM_PAGES at a time, the event loop handed back in between.
    for (let left = free - keep; left > 0; left -= VACUUM_PAGES) {
      this.#db.pragma(`incremental_vacuum(${Math.min(left, VACUUM_PAGES)})`);
      if (left > VACUUM_PAGES) await pacer.pause();
    }
    if (free > keep) this.#db.pragma('wal_checkpoint(PASSIVE)');
  }
}
