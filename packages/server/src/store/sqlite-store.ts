import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { ChunkEncoder, decodeChunk } from './chunk-codec.js';
import type { WatchedDatabase } from './database-integrity.js';
import { DiskReserve, RESERVE_BYTES } from './disk-reserve.js';
import { DiskSpace } from './disk-space.js';
import { bitsHi, bitsLo, splitFloat } from './float-bits.js';
import { Float64Arena } from './float64-arena.js';
import { decodeHistogramChunk, encodeHistogramChunk } from './histogram-codec.js';
import { HistogramHead, nativeHistogramBytes } from './histogram-head.js';
import { type NativeHistogram, validateNativeHistogram } from './native-histogram.js';
import { pacedTransactions } from './paced-transactions.js';
import { Pacer } from './pacer.js';
import { Retention } from './retention.js';
import { RollupBuffer } from './rollup-buffer.js';
import { decodeRollups } from './rollup-codec.js';
import { RollupFolder } from './rollup-folder.js';
import {
  alignDown,
  blockSpan,
  DAILY,
  DAY_MS,
  HOURLY,
  RESOLUTIONS,
  RollupStream,
  writtenStep,
} from './rollup-stream.js';
import { SampleBuffer } from './sample-buffer.js';
import { INVALID, MEMORY_LIMIT, SeriesIndex, seriesBytes } from './series-index.js';
import { ACCEPTED, CHUNK_SPAN_MS, DUPLICATE, SeriesState } from './series-state.js';
import type {
  AppendResult,
  HistogramSeriesData,
  HistogramVisitor,
  LabelMatcher,
  RollupData,
  RollupResolution,
  RollupSelectOptions,
  SampleVisitor,
  SelectOptions,
  SeriesData,
  SeriesHistograms,
  SeriesLabels,
  SeriesSamples,
  SeriesStore,
  StoreStats,
} from './series-store.js';
import { daySpans } from './series-store.js';
import {
  naming,
  openDatabase,
  prepareStatements,
  type Statements,
  updateSeriesRow,
} from './sqlite-schema.js';
import {
  type ResolvedStoreOptions,
  resolveStoreOptions,
  type SqliteStoreOptions,
} from './sqlite-store-options.js';
import { StoreLimitError } from './store-limit-error.js';
import { StoreUnwritableError } from './store-unwritable-error.js';

const TOO_OLD = 3;
const REASONS = [
  'accepted',
  'duplicate',
  'out_of_order',
  'too_old',
  'invalid',
  'series_limit',
  'memory_limit',
] as const;

/** Timestamps are whole milliseconds within ±2^50 (see timestamp-codec.ts). */
const T_LIMIT = 2 ** 50;
/**
 * A flush's transactions last about this long: each commit costs (the pages its slice touched are
 * written again), and with 10 ms ones remote-write ingest of 4,000 series took 9-40% more CPU
 * than with one transaction a flush; 50 ms ones took none more. 25 ms keeps /-/healthy well within
 * 100 ms.
 */
const FLUSH_SLICE_MS = 25;
/**
 * An append weighs a series' labels as one unit of the Pacer's per 2^this characters (a sample is
 * one): resolving new labels costs about as much as their length.
 */
const LABEL_CHARS_PER_UNIT_BITS = 6;
/** Appended timestamps further than this ahead of the clock do not move the idle-head watermark. */
const FUTURE_SLACK_MS = 3_600_000;

const HOUR_MS = 3_600_000;
const scratch = new SampleBuffer(1024);
/** A stored chunk as read: its first timestamp, sample count and bytes. */
type ChunkRow = readonly [minT: number, count: number, data: Uint8Array];
const NO_ROWS: readonly ChunkRow[] = [];
const NO_BLOCKS: readonly [number, Uint8Array][] = [];
/** Series whose rollups one query reads (and that are folded between two pauses of a long read). */
const ROLLUP_READ_BATCH = 128;
/**
 * Series whose stored chunks one statement reads: bounds the rows held at once and the JSON of ids.
 * Batches of 256 instead cost sum(rate()) over 1,000 series 7-14% more CPU.
 */
const READ_BATCH = 1024;

/**
 * Samples of one series above which a read gets arrays of its own rather than a copy out of the
 * scratch buffer: a day of samples at a 15 s scrape.
 */
const OWN_BUFFER_SAMPLES = 5760;

/** Appends to `out` the samples in [start, end] of `chunks` (in time order). */
function decodeAll(chunks: readonly ChunkRow[], out: SampleBuffer, start: number, end: number): void {
  out.reserve(capacityOf(chunks));
  for (const [minT, count, data] of chunks) decodeChunk(data, minT, count, out, start, end);
}

function capacityOf(chunks: readonly ChunkRow[]): number {
  let capacity = 0;
  for (const chunk of chunks) capacity += chunk[1];
  return capacity;
}

/** Opens (or creates) the embedded store in `options.dir` and recovers what the last run flushed. */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<SqliteStore> {
  return new SqliteStore(options);
}

/**
 * The embedded time-series store: series and their label index in SQLite, samples in compressed
 * chunks (chunk-codec.ts), an in-memory head per series made durable by a flush every
 * `flushIntervalMs`, rollups per minute and per hour, retention by age and by size.
 *
 * Durability: a sample is durable once a flush that started after its append has completed (the
 * promise of `flush()` resolved, or the timer's flush after it returned). `kill -9` at any moment
 * loses at most the samples appended since the last completed flush and never corrupts the database
 * (sqlite-schema.ts says why). A flush writes what changed series by series, the oldest change first,
 * in transactions of about 25 ms with the event loop handed back in between (300,000 new series in
 * one transaction held it for 15 s): whatever a series has to write (its row and labels, cut chunks,
 * rollup blocks, head) goes in one transaction, so a restart finds each sample either in a chunk or
 * in a head, never in both.
 *
 * All work is synchronous on the calling thread (better-sqlite3); the methods return promises only
 * because the SeriesStore interface also fronts remote engines.
 */
export class SqliteStore implements SeriesStore {
  readonly #o: ResolvedStoreOptions;
  readonly #db: Database.Database;
  readonly #st: Statements;
  readonly #path: string;
  /** Every series, by id, label set and label object as spelled (series-index.ts). */
  readonly #index: SeriesIndex;
  readonly #retention: Retention;
  /** Per resolution: whether its rollups are written to disk (else computed from raw samples). */
  readonly #materialized: readonly boolean[];
  /**
   * Series with something to write (`SeriesState.listed`), in the order they first changed, from
   * `#unwrittenFrom` on; `#written` counts those written since the store opened, so that a flush
   * knows when the ones listed before it started are all written.
   */
  #unwritten: SeriesState[] = [];
  #unwrittenFrom = 0;
  #written = 0;
  /** The newest timestamp appended (within FUTURE_SLACK_MS of the clock): "now" for idle heads. */
  #watermark = Number.NEGATIVE_INFINITY;
  readonly #stopTimers: (() => void)[];
  readonly #disk: DiskSpace;
  readonly #reserve: DiskReserve;
  /** Why the last flush failed, until one succeeds: what is unflushed waits in memory meanwhile. */
  #writeError: string | undefined;
  /** Set when a failed flush used up the disk reserve: nothing new is accepted until it is back. */
  #reserveSpent: string | undefined;
  /** Samples appended since the last successful flush: what a stop that cannot write loses. */
  #unflushed = 0;
  /**
   * Bytes of the chunks cut since the last successful flush, floats and native histograms: what
   * piles up in memory while flushes fail, held to `maxUnflushedBytes`.
   */
  #unflushedBytes = 0;
  /** Series start-up left in the database for want of memory. */
  #notLoaded: { series: number; why: string } | undefined;
  #closed = false;
  /** The stop under way: it writes what waits, paced, before the database is closed. */
  #closing: Promise<void> | undefined;
  /** The timers' tasks under way: a slow flush is not joined by the next tick's. */
  readonly #busy = new Set<string>();
  /**
   * Rows read to start series' rollup streams (`#streams`) not yet counted: after an upgrade to
   * format 4 a series' first start merges all its hourly blocks into days (a year's is 1,460 rows),
   * which the Pacer of the flush or upkeep that started it must weigh.
   */
  #streamRows = 0;
  /** The last upkeep asked for, the timer's or `maintain()`'s: each runs after the one before. */
  #upkeeping: Promise<void> = Promise.resolve();
  readonly #watch: WatchedDatabase | undefined;

  constructor(options: SqliteStoreOptions) {
    const o = resolveStoreOptions(options);
    this.#o = o;
    mkdirSync(o.dir, { recursive: true });
    this.#path = join(o.dir, 'vigil.db');
    this.#db = openDatabase(this.#path, o.synchronous);
    this.#disk = new DiskSpace(o.dir, o.minFreeDiskSpaceBytes, o.clock);
    // Written by the upkeep timer once the disk nears its watermark (disk-reserve.ts); while it is
    // spent, the flush timer looks every second for the room to write it again.
    this.#reserve = new DiskReserve(`${this.#path}.reserve`, this.#disk);
    try {
      if (o.maxPageCount !== undefined) this.#db.pragma(`max_page_count = ${o.maxPageCount}`);
      this.#watch = o.integrity?.watch(this.#path, this.#db);
      this.#st = prepareStatements(this.#db, this.#watch?.observe);
      // Minute rollups duplicate what raw samples already answer fast enough; they are only written
      // when they outlive the raw samples. Hour rollups are always written: 30 days of hours is 720
      // buckets against 172,800 raw samples at a 15 s scrape.
      // Day rollups (folded from the hours) are what reports of a week read: 7 rows a series, not 28.
      this.#materialized = [o.rollup1mRetentionMs > o.rawRetentionMs, true, true];
      this.#index = new SeriesIndex(this.#st, o.maxSeries, o.maxSeriesBytes);
      this.#retention = new Retention(this.#db, this.#st, this.#index, o, this.#materialized);
      this.#recover();
    } catch (error) {
      this.#watch?.unwatch();
      this.#db.close();
      throw naming(this.#path, error);
    }
    this.#stopTimers = [
      o.clock.every(o.flushIntervalMs, () =>
        this.#background('flush', async () => {
          await this.#flushPaced();
          if (this.#reserveSpent !== undefined) this.#restoreReserve();
        }),
      ),
      o.clock.every(o.maintenanceIntervalMs, () => this.#background('upkeep', () => this.#upkeepNext())),
    ];
  }

  /**
   * Appends a slice of series at a time, handing the event loop back in between: one remote-write
   * request of 5,000 new series with 3,000-character labels held it for over 150 ms in one go. Each
   * series' samples are appended whole; what arrives meanwhile may go in between two series.
   */
  append(batch: readonly SeriesSamples[]): Promise<AppendResult> {
    return this.#appendPaced(batch.length, (from, counts, pacer) =>
      this.#appendFrom(batch, from, counts, pacer),
    );
  }

  /** `append` without the promise or the pauses, for callers that batch in a tight loop. */
  appendSync(batch: readonly SeriesSamples[]): AppendResult {
    this.#assertOpen();
    const counts = REASONS.map(() => 0);
    this.#appendFrom(batch, 0, counts, undefined);
    this.#unflushed += counts[ACCEPTED]!;
    return appendResult(counts);
  }

  /**
   * Runs `appendFrom` until it has appended all `length` series: the first slice at once, the rest
   * (a batch past one slice) after pauses. Not an async function: awaiting an async one that returns
   * a promise cost every small batch a third of its time (1,000 series, 775 -> 1,042 us).
   */
  #appendPaced(
    length: number,
    appendFrom: (from: number, counts: number[], pacer: Pacer) => number,
  ): Promise<AppendResult> {
    let counts: number[];
    let pacer: Pacer;
    let at: number;
    try {
      this.#assertOpen();
      counts = REASONS.map(() => 0);
      pacer = this.#pacer(undefined);
      at = this.#appendSlice(appendFrom, 0, counts, pacer);
    } catch (error) {
      return Promise.reject(error);
    }
    if (at >= length) return Promise.resolve(appendResult(counts));
    return this.#appendRest(length, appendFrom, at, counts, pacer);
  }

  async #appendRest(
    length: number,
    appendFrom: (from: number, counts: number[], pacer: Pacer) => number,
    from: number,
    counts: number[],
    pacer: Pacer,
  ): Promise<AppendResult> {
    for (let at = from; at < length; ) {
      await pacer.pause();
      at = this.#appendSlice(appendFrom, at, counts, pacer);
    }
    return appendResult(counts);
  }

  /** One slice from `from`; returns where it stopped. */
  #appendSlice(
    appendFrom: (from: number, counts: number[], pacer: Pacer) => number,
    from: number,
    counts: number[],
    pacer: Pacer,
  ): number {
    const accepted = counts[ACCEPTED]!;
    const at = appendFrom(from, counts, pacer);
    // Counted as the slice goes in: a flush during the pause covers it.
    this.#unflushed += counts[ACCEPTED]! - accepted;
    return at;
  }

  /**
   * Appends `batch` from `from` on, counting each sample's outcome in `counts`, until `pacer` says
   * the slice is over; returns where it stopped. A series weighs its samples and its labels' length.
   */
  #appendFrom(
    batch: readonly SeriesSamples[],
    from: number,
    counts: number[],
    pacer: Pacer | undefined,
  ): number {
    const now = this.#o.clock.now();
    const cutoff = now - this.#o.rawRetentionMs;
    const future = now + FUTURE_SLACK_MS;
    for (let at = from; at < batch.length; ) {
      const entry = batch[at++]!;
      const ts = entry.timestamps;
      const vs = entry.values;
      const tn = typeof ts?.length === 'number' ? ts.length : 0;
      const vn = typeof vs?.length === 'number' ? vs.length : 0;
      const n = Math.min(tn, vn);
      counts[INVALID]! += Math.max(tn, vn) - n;
      if (this.#unflushedBytes >= this.#o.maxUnflushedBytes) {
        counts[MEMORY_LIMIT]! += n;
        continue;
      }
      const s = this.#index.resolve(entry.labels);
      if (typeof s === 'number') {
        counts[s]! += n;
        if (pacer?.due(1 + n)) return at;
        continue;
      }
      if (!s.persisted) this.#list(s);
      let ascending = true;
      for (let i = 1; i < n; i++) {
        if (!(ts[i]! > ts[i - 1]!)) {
          ascending = false;
          break;
        }
      }
      if (ascending) {
        for (let i = 0; i < n; i++) counts[this.#add(s, ts[i]!, vs[i]!, cutoff)]!++;
      } else {
        const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => ts[a]! - ts[b]! || 0);
        for (const i of order) counts[this.#add(s, ts[i]!, vs[i]!, cutoff)]!++;
      }
      if (s.lastT > this.#watermark && s.lastT <= future) this.#watermark = s.lastT;
      if (pacer?.due(1 + n + (s.key.length >> LABEL_CHARS_PER_UNIT_BITS))) return at;
    }
    return batch.length;
  }

  /**
   * While the disk is low (disk-space.ts), an acknowledged write is flushed before it is acknowledged,
   * so a flush that fails for want of space can only hold samples nobody was told are stored: the
   * sender gets a 503 and retries. The WAL is then checkpointed into the database and truncated, so
   * the space it held counts as free. With room to spare, writes are acknowledged from memory and
   * flushed within `flushIntervalMs` (and the reserve file covers a disk filled by something else).
   */
  async beforeAcknowledge(): Promise<void> {
    this.#assertOpen();
    if (!this.#disk.low()) return;
    try {
      await this.#flushPaced();
    } catch (error) {
      throw new StoreUnwritableError((error as Error).message);
    }
    this.#truncateWal();
  }

  /**
   * Checkpoints the WAL and truncates it, without waiting for another connection's reader (a backup,
   * the sqlite3 shell): TRUNCATE would sleep in the busy handler until it ends, up to `busy_timeout`
   * (5 s) on the event loop at every acknowledgement. It copies what it can instead, and a later one
   * truncates. What the flushes committed is durable in the WAL either way. The copy is what the
   * automatic checkpoints (every 4 MiB) left: 8-11 ms of CPU for 4-8 MiB, 35-40 ms with the fsyncs.
   */
  #truncateWal(): void {
    const wait = this.#db.pragma('busy_timeout', { simple: true }) as number;
    this.#db.pragma('busy_timeout = 0');
    try {
      this.#db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // The checkpoint is retried by SQLite later.
    } finally {
      this.#db.pragma(`busy_timeout = ${wait}`);
    }
  }

  #add(s: SeriesState, t: number, v: number, cutoff: number): number {
    if (!Number.isInteger(t) || t > T_LIMIT || t < -T_LIMIT || typeof v !== 'number') return INVALID;
    if (t < cutoff) return TOO_OLD;
    splitFloat(v);
    const hi = bitsHi();
    const lo = bitsLo();
    let code: number;
    if (t > s.lastT) {
      if (s.append(t, v, hi, lo, this.#o.chunkSamples)) {
        this.#unflushedBytes += s.pending!.at(-1)!.data.length;
        this.#queue(s);
      }
      code = ACCEPTED;
    } else if (t === s.lastT) {
      return DUPLICATE;
    } else {
      code = s.insert(t, v, hi, lo, this.#o.chunkSamples);
      if (code !== ACCEPTED) return code;
    }
    if (!s.dirty) {
      s.dirty = true;
      this.#list(s);
    }
    return code;
  }

  #queue(s: SeriesState): void {
    s.queued = true;
    this.#list(s);
  }

  /** Lists `s` for the next flush, once. */
  #list(s: SeriesState): void {
    if (s.listed) return;
    s.listed = true;
    this.#unwritten.push(s);
  }

  appendHistograms(batch: readonly SeriesHistograms[]): Promise<AppendResult> {
    return this.#appendPaced(batch.length, (from, counts, pacer) =>
      this.#appendHistogramsFrom(batch, from, counts, pacer),
    );
  }

  /** As `#appendFrom`, for native histogram samples. */
  #appendHistogramsFrom(
    batch: readonly SeriesHistograms[],
    from: number,
    counts: number[],
    pacer: Pacer,
  ): number {
    const now = this.#o.clock.now();
    const cutoff = now - this.#o.rawRetentionMs;
    for (let at = from; at < batch.length; ) {
      const entry = batch[at++]!;
      const ts = entry.timestamps;
      const hs = entry.histograms;
      const tn = typeof ts?.length === 'number' ? ts.length : 0;
      const hn = typeof hs?.length === 'number' ? hs.length : 0;
      const n = Math.min(tn, hn);
      counts[INVALID]! += Math.max(tn, hn) - n;
      if (n === 0) continue;
      if (this.#unflushedBytes >= this.#o.maxUnflushedBytes) {
        counts[MEMORY_LIMIT]! += n;
        continue;
      }
      const s = this.#index.resolve(entry.labels);
      if (typeof s === 'number') {
        counts[s]! += n;
        if (pacer.due(1 + n)) return at;
        continue;
      }
      if (!s.persisted) this.#list(s);
      for (let i = 0; i < n; i++) counts[this.#addHistogram(s, ts[i]!, hs[i]!, cutoff)]!++;
      // A histogram weighs as many floats as it has buckets, about.
      if (pacer.due(1 + 16 * n + (s.key.length >> LABEL_CHARS_PER_UNIT_BITS))) return at;
    }
    return batch.length;
  }

  /**
   * A histogram waits in its series' head as an object until the head is cut into a chunk, so the head
   * counts against the series' memory (`maxSeriesBytes`). When the sample does not fit, the head is
   * cut first (a chunk takes a fraction of its histograms' objects); if it still does not, the
   * sample is refused as `memory_limit`.
   */
  #addHistogram(s: SeriesState, t: number, h: NativeHistogram, cutoff: number): number {
    if (!Number.isInteger(t) || t > T_LIMIT || t < -T_LIMIT) return INVALID;
    try {
      validateNativeHistogram(h);
    } catch {
      return INVALID;
    }
    if (t < cutoff) return TOO_OLD;
    const head = s.histograms ?? new HistogramHead();
    const bytes = head.bytes;
    const pending = head.pendingBytes;
    const size = nativeHistogramBytes(h);
    if (!this.#index.fits(size)) head.cut();
    const code = this.#index.fits(size + head.bytes - bytes) ? head.append(t, h) : MEMORY_LIMIT;
    this.#index.adjust(head.bytes - bytes);
    this.#unflushedBytes += head.pendingBytes - pending;
    if (code === ACCEPTED) s.histograms = head;
    if (s.histograms?.dirty) this.#list(s);
    return code;
  }

  async selectHistograms(
    matchers: readonly LabelMatcher[],
    start: number,
    end: number,
    options?: SelectOptions,
  ): Promise<HistogramSeriesData[]> {
    const result: HistogramSeriesData[] = [];
    const visitor = { series: (data: HistogramSeriesData) => result.push(data) > 0 };
    await this.scanHistograms(matchers, start, end, visitor, options);
    return result;
  }

  async scanHistograms(
    matchers: readonly LabelMatcher[],
    start: number,
    end: number,
    visitor: HistogramVisitor,
    options?: SelectOptions,
  ): Promise<void> {
    this.#assertOpen();
    const maxSamples = options?.maxSamples ?? Number.POSITIVE_INFINITY;
    const pacer = this.#pacer(options);
    const matched = await this.#match([matchers], start, end, pacer, 'histograms');
    checkSeries(matched.length, options);
    let total = 0;
    let handed = 0;
    for (const s of matched) {
      // A series' chunks and head are read together; the clock is looked at every few series, or
      // after each long one, which the visitor computed on.
      if (pacer.due(64 + handed)) await pacer.pause();
      handed = 0;
      const head = s.histograms!;
      const timestamps: number[] = [];
      const histograms: NativeHistogram[] = [];
      const take = (ts: readonly number[], hs: readonly NativeHistogram[]) => {
        for (let i = 0; i < ts.length; i++) {
          const t = ts[i]!;
          if (t < start || t > end) continue;
          timestamps.push(t);
          histograms.push(hs[i]!);
        }
      };
      if (head.storedChunks > 0) {
        for (const data of this.#st.histogramChunksIn.all(s.id, start, end) as Uint8Array[]) {
          const chunk = decodeHistogramChunk(data);
          take(chunk.timestamps, chunk.histograms);
        }
      }
      for (const c of head.pending) {
        if (c.maxT < start || c.minT > end) continue;
        const chunk = decodeHistogramChunk(c.data);
        take(chunk.timestamps, chunk.histograms);
      }
      take(head.timestamps, head.histograms);
      if (timestamps.length === 0) continue;
      total += timestamps.length;
      handed = timestamps.length;
      if (total > maxSamples) throw new StoreLimitError('maxSamples', maxSamples);
      const goOn = visitor.series({
        labels: s.labels,
        timestamps: Float64Array.from(timestamps),
        histograms,
      });
      if ((typeof goOn === 'boolean' ? goOn : await goOn) === false) return;
    }
  }

  async select(
    matchers: readonly LabelMatcher[],
    start: number,
    end: number,
    options?: SelectOptions,
  ): Promise<SeriesData[]> {
    const maxSamples = options?.maxSamples ?? Number.POSITIVE_INFINITY;
    // Short reads are decoded into one scratch buffer and copied out at their exact length (callers
    // own their arrays, `.buffer` included): a buffer of three typed arrays per series, then copies,
    // was a fifth of a rule cycle's CPU, most of it garbage collection (bench/alert-eval.js,
    // node --cpu-prof). A long read is decoded into arrays of its own, handed over without the copy:
    // for 30 days of one series the scratch and its copy were 5.6 MB allocated per query.
    const scratch = new SampleBuffer(0);
    const result: SeriesData[] = [];
    let total = 0;
    for await (const [s, chunks] of this.#rawChunks(matchers, start, end, options)) {
      const own = capacityOf(chunks) > OWN_BUFFER_SAMPLES;
      const out = own ? new SampleBuffer(0) : scratch;
      out.length = 0;
      decodeAll(chunks, out, start, end);
      const n = out.length;
      if (n === 0) continue;
      total += n;
      if (total > maxSamples) throw new StoreLimitError('maxSamples', maxSamples);
      result.push({
        labels: s.labels,
        timestamps: own ? out.timestamps.subarray(0, n) : out.timestamps.slice(0, n),
        values: own ? out.values.subarray(0, n) : out.values.slice(0, n),
      });
    }
    return result;
  }

  async scan(
    matchers: readonly LabelMatcher[],
    start: number,
    end: number,
    visitor: SampleVisitor,
    options?: SelectOptions,
  ): Promise<void> {
    const maxSamples = options?.maxSamples ?? Number.POSITIVE_INFINITY;
    // One chunk at a time through one small buffer: decoding 30 days of one series into fresh
    // arrays of 2.8 MB took 14 ms, against 5.6 ms into a reused buffer (most of the difference is
    // first writes to new memory).
    const run = new SampleBuffer(0);
    let total = 0;
    for await (const [s, chunks] of this.#rawChunks(matchers, start, end, options)) {
      let first = true;
      for (const [minT, count, data] of chunks) {
        run.length = 0;
        decodeChunk(data, minT, count, run, start, end);
        if (run.length === 0) continue;
        total += run.length;
        if (total > maxSamples) throw new StoreLimitError('maxSamples', maxSamples);
        if (first) {
          visitor.series(s.labels);
          first = false;
        }
        visitor.samples(run.timestamps, run.values, run.length);
      }
    }
  }

  /**
   * Each series matching `matchers` with raw samples in [start, end], with the chunks that may hold
   * them (stored, cut since the last flush, the head), the stored ones read READ_BATCH series at a
   * time: what select and scan both walk.
   */
  async *#rawChunks(
    matchers: readonly LabelMatcher[],
    start: number,
    end: number,
    options: SelectOptions | undefined,
  ): AsyncGenerator<[SeriesState, readonly ChunkRow[]]> {
    this.#assertOpen();
    const pacer = this.#pacer(options);
    const matched = await this.#match([matchers], start, end, pacer, 'raw');
    checkSeries(matched.length, options);
    for (let b = 0; b < matched.length; b += READ_BATCH) {
      const batch = matched.slice(b, b + READ_BATCH);
      // A batch's stored chunks and its series' in-memory chunks are taken together, before any
      // pause, so a flush in between cannot move samples from one to the other unseen; the long read
      // then hands the event loop to other work (health checks, ingest) between series.
      const stored = this.#storedChunks(batch, start, end);
      const chunks = batch.map((s) => this.#chunksOf(s, start, end, stored.get(s.id) ?? NO_ROWS));
      for (let i = 0; i < batch.length; i++) {
        if (pacer.due(1 + chunks[i]!.length)) await pacer.pause();
        yield [batch[i]!, chunks[i]!];
      }
    }
  }

  /** The stored chunks that may hold samples in [start, end] of each series in `batch` that has any, by series id. */
  #storedChunks(batch: readonly SeriesState[], start: number, end: number): Map<number, ChunkRow[]> {
    const ids: number[] = [];
    for (const s of batch) if (this.#hasStoredIn(s, start, end)) ids.push(s.id);
    const bySeries = new Map<number, ChunkRow[]>();
    if (ids.length === 0) return bySeries;
    const rows = this.#st.chunksOfMany.all(JSON.stringify(ids), start - CHUNK_SPAN_MS, end) as [
      number,
      number,
      number,
      Uint8Array,
    ][];
    for (const [id, minT, count, data] of rows) {
      let list = bySeries.get(id);
      if (!list) {
        list = [];
        bySeries.set(id, list);
      }
      list.push([minT, count, data]);
    }
    return bySeries;
  }

  async selectRollup(
    matchers: readonly LabelMatcher[],
    start: number,
    end: number,
    resolutionMs: RollupResolution,
    options?: RollupSelectOptions,
  ): Promise<RollupData[]> {
    this.#assertOpen();
    const k = RESOLUTIONS.indexOf(resolutionMs);
    if (k < 0)
      throw new TypeError(`resolutionMs: got ${String(resolutionMs)}, expected 60000, 3600000 or 86400000`);
    // A daily read is an hourly one whose whole days are taken from the daily blocks, or folded
    // from the hours where those are not written yet (series-store.ts, rollupBucketStart).
    const fine = k === DAILY ? HOUR_MS : resolutionMs;
    const kf = RESOLUTIONS.indexOf(fine);
    const span = blockSpan(fine);
    const from = alignDown(start, fine);
    const days = k === DAILY ? daySpans(start, end, options?.days) : [];
    const daily = days.length > 0;
    const rawTo = alignDown(end, fine) + fine - 1;
    const pacer = this.#pacer(options);
    const matched = await this.#match([matchers], from, end, pacer);
    checkSeries(matched.length, options);
    const maxSamples = options?.maxSamples ?? Number.POSITIVE_INFINITY;
    // Sized for the whole range and the block it starts in (a block is reserved whole before its
    // buckets are filtered), so that a series' buckets are decoded without growing the columns.
    const capacity = Math.min(Math.floor((rawTo - alignDown(from, span)) / fine) + 1, 65_536);
    const result: RollupData[] = [];
    // One buffer for every series, its buckets copied out: a buffer a series was 16 typed arrays to collect.
    const fineBuckets = new RollupBuffer(capacity);
    const out = daily ? new RollupBuffer(64) : fineBuckets;
    // The raw samples of each series' hours not rolled up yet, one series at a time.
    const samples = new SampleBuffer(0);
    const arena = new Float64Arena();
    let total = 0;
    for (let b = 0; b < matched.length; b += ROLLUP_READ_BATCH) {
      // A batch's rollup blocks and raw chunks are read together, with no pause in between, so a
      // flush cannot move samples from the raw chunks to the rollups unseen; the event loop is handed
      // to other work while the series are folded. One query per batch, not per series:
      // per series, the queries were a third of a week's read of 8,000 series (bench/report-render.js).
      if (b > 0 && pacer.due(ROLLUP_READ_BATCH)) await pacer.pause();
      const batch = matched.slice(b, b + ROLLUP_READ_BATCH);
      const rolled = batch.map((s) => (this.#materialized[kf] ? s.rolled[kf]! : Number.NEGATIVE_INFINITY));
      // Where each span's written days end, for each series: the days after that are folded from hours.
      const tails = batch.map((s) => days.map(([d0, d1]) => Math.min(d1, Math.max(d0, s.rolled[DAILY]!))));
      // The fine buckets wanted, for each series: [from, first span), from each span's tail to the
      // next span, and from the last span's tail to `end` (all of [from, end] when there are no days).
      const gaps = tails.map((t) =>
        daily
          ? [
              [from, days[0]![0] - 1] as const,
              ...t.map((tail, j) => [tail, (days[j + 1]?.[0] ?? end + 1) - 1] as const),
            ]
          : [[from, end] as const],
      );
      const withBlocks = batch.filter((s, i) => rolled[i]! > from && s.persisted);
      // A range read in a statement each: one with `OR` between them searched every block of each series.
      const blocks = new Map<number, [number, Uint8Array][]>();
      for (let j = 0; j < gaps[0]!.length; j++) {
        const gapFrom = Math.min(...gaps.map((g) => g[j]![0]));
        this.#rollupRows(withBlocks, fine, alignDown(gapFrom, span), gaps[0]![j]![1], blocks);
      }
      const dayBlocks = daily
        ? this.#rollupRows(
            batch.filter((_, i) => tails[i]!.some((tail, j) => tail > days[j]![0])),
            DAY_MS,
            alignDown(days[0]![0], blockSpan(DAY_MS)),
            days[days.length - 1]![1] - 1,
          )
        : undefined;
      const rawFrom = rolled.map((r) => Math.max(from, r));
      const stored = this.#storedChunks(
        batch.filter((_, i) => rawFrom[i]! <= end),
        Math.min(...rawFrom),
        rawTo,
      );
      // Every series' chunks are taken before the first pause, as its blocks were read: a flush
      // meanwhile cannot move samples between them unseen. Folding then hands the event loop back.
      const raws = batch.map((s, i) =>
        rawFrom[i]! <= end ? this.#chunksOf(s, rawFrom[i]!, rawTo, stored.get(s.id) ?? NO_ROWS) : NO_ROWS,
      );
      for (let i = 0; i < batch.length; i++) {
        const s = batch[i]!;
        if (i > 0 && pacer.due(1 + raws[i]!.length + (blocks.get(s.id)?.length ?? 0))) await pacer.pause();
        fineBuckets.length = 0;
        // Blocks never straddle a midnight, so a block is in one gap at most.
        for (const [blockStart, data] of blocks.get(s.id) ?? NO_BLOCKS) {
          if (blockStart >= rolled[i]!) continue;
          const gap = gaps[i]!.find(([lo, hi]) => blockStart <= hi && blockStart + span > lo);
          if (gap) decodeRollups(data, blockStart, fine, fineBuckets, gap[0], gap[1]);
        }
        if (rawFrom[i]! <= end) {
          samples.length = 0;
          decodeAll(raws[i]!, samples, rawFrom[i]!, rawTo);
          const folder = new RollupFolder(fine, fineBuckets);
          primeWithLast(folder, fineBuckets);
          for (let j = 0; j < samples.length; j++) {
            folder.add(samples.timestamps[j]!, samples.values[j]!, samples.hi(j), samples.lo(j));
          }
          folder.seal();
        }
        if (daily) {
          out.length = 0;
          let j = 0;
          for (let d = 0; d < days.length; d++) {
            const [d0, d1] = days[d]!;
            const tail = tails[i]![d]!;
            for (; j < fineBuckets.length && fineBuckets.timestamps[j]! < d0; j++)
              out.bucket(fineBuckets.at(j));
            if (tail > d0)
              for (const [blockStart, data] of dayBlocks!.get(s.id) ?? NO_BLOCKS)
                if (blockStart < tail && blockStart + blockSpan(DAY_MS) > d0)
                  decodeRollups(data, blockStart, DAY_MS, out, d0, tail - 1);
            const folder = new RollupFolder(DAY_MS, out);
            primeWithLast(folder, out);
            for (; j < fineBuckets.length && fineBuckets.timestamps[j]! < d1; j++)
              folder.merge(fineBuckets.at(j));
            folder.seal();
          }
          for (; j < fineBuckets.length; j++) out.bucket(fineBuckets.at(j));
        }
        if (out.length === 0) continue;
        total += out.length;
        if (total > maxSamples) throw new StoreLimitError('maxSamples', maxSamples);
        result.push({ labels: s.labels, ...out.take(arena) });
      }
    }
    return result;
  }

  /** The rollup blocks of `resolution` starting in [from, to] of the series in `batch`, added to `bySeries` by series id. */
  #rollupRows(
    batch: readonly SeriesState[],
    resolution: number,
    from: number,
    to: number,
    bySeries = new Map<number, [number, Uint8Array][]>(),
  ): Map<number, [number, Uint8Array][]> {
    if (batch.length === 0 || to < from) return bySeries;
    const rows = this.#st.rollupsOfMany.all(JSON.stringify(batch.map((s) => s.id)), resolution, from, to) as [
      number,
      number,
      Uint8Array,
    ][];
    for (const [id, blockStart, data] of rows) {
      let list = bySeries.get(id);
      if (!list) {
        list = [];
        bySeries.set(id, list);
      }
      list.push([blockStart, data]);
    }
    return bySeries;
  }

  async series(
    matchers: readonly (readonly LabelMatcher[])[],
    start: number,
    end: number,
  ): Promise<SeriesLabels[]> {
    this.#assertOpen();
    return (await this.#match(matchers, start, end, this.#pacer(undefined))).map((s) => s.labels);
  }

  async labelNames(
    matchers: readonly (readonly LabelMatcher[])[],
    start: number,
    end: number,
  ): Promise<string[]> {
    this.#assertOpen();
    const names = new Set<string>();
    for (const s of await this.#match(matchers, start, end, this.#pacer(undefined)))
      for (const name in s.labels) names.add(name);
    return [...names].sort();
  }

  async labelValues(
    name: string,
    matchers: readonly (readonly LabelMatcher[])[],
    start: number,
    end: number,
  ): Promise<string[]> {
    this.#assertOpen();
    const values = new Set<string>();
    const lists = matchers.length > 0 ? matchers : [[{ name, type: '!=', value: '' } as const]];
    for (const s of await this.#match(lists, start, end, this.#pacer(undefined))) {
      const value = s.labels[name];
      if (value !== undefined) values.add(value);
    }
    return [...values].sort();
  }

  async flush(): Promise<void> {
    this.#assertOpen();
    await this.#flushPaced();
  }

  unwritable(): string | undefined {
    return this.#writeError ?? this.#reserveSpent ?? this.#disk.shortage();
  }

  /** Runs retention and rollup upkeep now, as the timer does every `maintenanceIntervalMs`. */
  async maintain(): Promise<void> {
    this.#assertOpen();
    await this.#upkeepNext();
  }

  async stats(): Promise<StoreStats> {
    this.#assertOpen();
    let oldest = Number.POSITIVE_INFINITY;
    let newest = Number.NEGATIVE_INFINITY;
    let samples = 0;
    for (const s of this.#index.all()) {
      samples += s.samples;
      if (s.samples === 0) continue;
      if (s.firstT < oldest) oldest = s.firstT;
      if (s.lastT > newest) newest = s.lastT;
    }
    let bytes = 0;
    for (const suffix of ['', '-wal', '-shm']) {
      try {
        bytes += statSync(this.#path + suffix).size;
      } catch {
        // a WAL or shared-memory file that does not exist takes no space
      }
    }
    return {
      series: this.#index.size,
      samples,
      bytes,
      memoryBytes: this.#index.bytes,
      ...(this.#notLoaded && { notLoaded: this.#notLoaded }),
      oldestMs: Number.isFinite(oldest) ? oldest : undefined,
      newestMs: Number.isFinite(newest) ? newest : undefined,
    };
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    for (const stop of this.#stopTimers) stop();
    this.#watch?.unwatch();
    try {
      await this.#flushPaced(true);
    } catch (error) {
      // Nothing more can be done for them: the stop says how many, loudly, rather than dropping them silently.
      throw new Error(
        `${this.#unflushed} samples received since the last successful flush could not be written and are lost: ${(error as Error).message}`,
        { cause: error },
      );
    } finally {
      this.#closed = true;
      this.#db.close();
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error(`the store in ${this.#o.dir} is closed`);
  }

  /** Runs a timer's work, at most one at a time of each kind; what fails is reported, never thrown. */
  #background(kind: string, work: () => Promise<void>): void {
    if (this.#closed || this.#busy.has(kind)) return;
    this.#busy.add(kind);
    work()
      .catch((error: unknown) => {
        if (this.#closed) return;
        this.#watch?.observe(error);
        this.#o.onError(error instanceof Error ? error : new Error(String(error)));
      })
      .finally(() => this.#busy.delete(kind));
  }

  /**
   * Stored chunks hold nothing newer than frozenT: a read of recent samples (every instant query
   * and rule evaluation, within the 5-minute lookback) skips SQLite, which was most of the time of
   * a rule cycle (bench/alert-eval.js).
   */
  #hasStoredIn(s: SeriesState, start: number, end: number): boolean {
    return s.persisted && s.frozenT >= start && s.lastT >= start && s.firstT <= end;
  }

  /**
   * Appends to `out` the raw samples of `s` in [start, end]: stored chunks (`rows`, when the caller
   * read them for many series at once), chunks cut since the last flush, the head.
   */
  /**
   * The chunks of `s` that may hold samples in [start, end], in time order: stored ones (`rows`,
   * when the caller read them for many series at once), those cut since the last flush, the head.
   */
  #chunksOf(s: SeriesState, start: number, end: number, rows?: readonly ChunkRow[]): readonly ChunkRow[] {
    if (s.lastT < start || s.firstT > end) return NO_ROWS;
    rows ??= this.#hasStoredIn(s, start, end)
      ? (this.#st.chunksIn.all(s.id, start - CHUNK_SPAN_MS, end) as ChunkRow[])
      : NO_ROWS;
    if (!s.pending && !(s.head && s.head.count > 0)) return rows;
    const chunks = [...rows];
    if (s.pending) for (const c of s.pending) chunks.push([c.minT, c.count, c.data]);
    const head = s.head;
    // Without copying, even for a read that pauses before decoding it: samples appended later only
    // write bits past those of the `count` samples taken here (or into a new buffer, or a new head).
    if (head && head.count > 0) chunks.push([head.minT, head.count, head.writer.view()]);
    return chunks;
  }

  /**
   * Series matching the matcher lists with data in [start, end]. With `data` 'any', a series with
   * written rollup blocks counts as having data from as far back as rollups are kept: retention may
   * have deleted its older raw samples, and the rollup read returns what there is. With
   * 'histograms', only series with native histograms in the range: they are left out before the
   * match sorts what it found, since a report's PromQL asks for the histograms of each selector it
   * reads (the float series of one selector were sorted, to be dropped, 12 times a weekly report).
   */
  #match(
    lists: readonly (readonly LabelMatcher[])[],
    start: number,
    end: number,
    pacer: Pacer,
    data: 'any' | 'raw' | 'histograms' = 'any',
  ): Promise<SeriesState[]> {
    const o = this.#o;
    const rollupsFrom =
      data !== 'any'
        ? Number.POSITIVE_INFINITY
        : o.clock.now() - Math.max(o.rollup1hRetentionMs, this.#materialized[0] ? o.rollup1mRetentionMs : 0);
    return this.#index.match(
      lists,
      (s: SeriesState) => {
        const h = s.histograms;
        if (h && h.lastT >= start && h.firstT <= end) return true;
        if (data === 'histograms') return false;
        if (s.lastT < start) return false;
        if (s.firstT <= end) return true;
        return end >= rollupsFrom && s.rolled.some((r) => r > Number.NEGATIVE_INFINITY);
      },
      pacer,
    );
  }

  /** Paces a read; after each pause it ends if the store was closed or the caller's checkpoint throws. */
  #pacer(options: SelectOptions | undefined): Pacer {
    const checkpoint = options?.checkpoint;
    return new Pacer(() => {
      this.#assertOpen();
      checkpoint?.();
    });
  }

  /**
   * Writes the series listed when it starts (and whatever they have gained since), a transaction of
   * FLUSH_SLICE_MS at a time, handing the event loop to other work in between; with `untilEmpty`,
   * until nothing is listed (a stop). Every flush is paced, the timer's as well as those that must
   * be durable before going on (a stop, upkeep, an acknowledgement on a low disk): 300,000 new series
   * in one transaction held the event loop for 15 s. Flushes may overlap: each writes from the front
   * of the same list, and each ends once everything listed before it started is written. Nothing in
   * memory is marked clean until its transaction committed, so a failed flush is simply retried.
   */
  async #flushPaced(untilEmpty = false): Promise<void> {
    const target = this.#written + this.#unwritten.length - this.#unwrittenFrom;
    const pending = () =>
      untilEmpty ? this.#unwrittenFrom < this.#unwritten.length : this.#written < target;
    const pacer = new Pacer(() => {}, FLUSH_SLICE_MS);
    while (!this.#closed && pending()) {
      this.#writeSlice(pacer);
      if (pending()) await pacer.pause();
    }
  }

  /**
   * One transaction: the listed series from the front of the list, until `pacer` says the slice is
   * over. All of it is written, or (a full disk, an I/O error) none of it.
   */
  #writeSlice(pacer: Pacer): void {
    const list = this.#unwritten;
    const from = this.#unwrittenFrom;
    const write = this.#db.transaction(() => {
      let at = from;
      while (at < list.length) {
        // About 50 us a series with four labels on an idle machine.
        const weight = this.#writeSeries(list[at++]!);
        if (pacer.due(weight)) break;
      }
      return at;
    });
    let to: number;
    try {
      try {
        to = write();
      } catch (error) {
        if (!this.#reserve.release()) throw error;
        // The room the reserve held is for exactly this: acknowledged samples reaching the disk.
        this.#reserveSpent = `the disk of ${this.#o.dir} filled up (${(error as Error).message}); new samples wait until it has room for the ${RESERVE_BYTES}-byte reserve again`;
        this.#o.onError(
          new Error(`${this.#reserveSpent}; released the reserve to flush what was acknowledged`),
        );
        to = write();
      }
    } catch (error) {
      this.#watch?.observe(error);
      const code = (error as { code?: unknown }).code;
      const why = `${typeof code === 'string' ? `${code}: ` : ''}${(error as Error).message}`;
      this.#writeError = `writing ${this.#path} failed (${why}); unflushed samples wait in memory`;
      throw new Error(this.#writeError, { cause: error });
    }
    this.#writeError = undefined;
    for (let i = from; i < to; i++) this.#unflushedBytes -= this.#markWritten(list[i]!);
    this.#written += to - from;
    if (to === list.length) {
      this.#unwritten = [];
      this.#unwrittenFrom = 0;
      this.#unflushed = 0;
      this.#unflushedBytes = 0;
    } else {
      this.#unwrittenFrom = to;
    }
    this.#index.flushed();
  }

  /**
   * Within a flush's transaction, whatever `s` has to write: its row and labels when new, the
   * chunks cut since the last flush, completed rollup blocks and its bounds, its head, its native
   * histograms. Returns a weight for the Pacer: the rows written.
   */
  #writeSeries(s: SeriesState): number {
    const st = this.#st;
    let rows = 1;
    if (!s.persisted) {
      st.insertSeries.run(s.id, s.key);
      const labels = s.labels;
      for (const name in labels) {
        st.insertLabel.run(name, labels[name], s.id);
        rows++;
      }
    }
    if (s.queued) {
      this.#fold(s);
      rows += this.#takeStreamRows();
      if (s.pending) {
        for (const c of s.pending) st.insertChunk.run(s.id, c.minT, c.count, c.data);
        rows += s.pending.length;
      }
      if (s.streams) {
        for (const stream of s.streams) {
          if (!stream) continue;
          for (const b of stream.done) st.insertRollup.run(s.id, b.resolution, b.start, b.data);
          rows += stream.done.length;
        }
      }
      updateSeriesRow(
        st,
        s,
        s.rolled.map((r, k) => s.streams?.[k]?.writtenTo ?? r),
      );
      rows++;
    }
    if (s.dirty) {
      const head = s.head;
      if (head && head.count > 0) st.upsertHead.run(s.id, head.minT, head.count, head.writer.view());
      else st.deleteHead.run(s.id);
      rows++;
    }
    const h = s.histograms;
    if (h?.dirty) {
      for (const c of h.pending) st.insertHistogramChunk.run(s.id, c.minT, c.maxT, c.count, c.data);
      if (h.timestamps.length > 0)
        st.upsertHistogramHead.run(s.id, encodeHistogramChunk(h.timestamps, h.histograms));
      else st.deleteHistogramHead.run(s.id);
      rows += 1 + h.pending.length;
    }
    return rows;
  }

  /** `s` was written (its transaction committed): it is clean. Returns the bytes of cut chunks written. */
  #markWritten(s: SeriesState): number {
    let bytes = 0;
    s.persisted = true;
    if (s.queued) {
      for (const c of s.pending ?? []) bytes += c.data.length;
      s.pending = undefined;
      s.folded = 0;
      s.queued = false;
      if (s.streams) {
        s.streams.forEach((stream, k) => {
          if (!stream) return;
          stream.done = [];
          s.rolled[k] = stream.writtenTo;
        });
      }
    }
    s.dirty = false;
    const h = s.histograms;
    if (h?.dirty) {
      bytes += h.pendingBytes;
      h.storedChunks += h.pending.length;
      h.pending = [];
      h.dirty = false;
    }
    s.listed = false;
    return bytes;
  }

  /** Feeds the chunks cut since the last flush to the series' rollup streams, each once. */
  #fold(s: SeriesState): void {
    const pending = s.pending;
    if (!pending) return;
    const streams = this.#streams(s);
    for (let i = s.folded; i < pending.length; i++) {
      const c = pending[i]!;
      scratch.length = 0;
      decodeChunk(c.data, c.minT, c.count, scratch);
      feed(scratch, streams);
    }
    s.folded = pending.length;
  }

  /**
   * The series' rollup streams that samples are fed to (the daily one is fed and sealed by the
   * hourly one), created on first use. A stream
   * starts at the first block not yet written; after a restart the samples between that block's
   * start and the newest stored chunk are folded in again from the chunks on disk (at most six hours
   * of one series), and the daily stream takes the hourly blocks written since its own first block
   * not written (about a day, or all of them for a series written before format 4).
   */
  #streams(s: SeriesState): RollupStream[] {
    const streams = (s.streams ??= [undefined, undefined, undefined]);
    const missing: RollupStream[] = [];
    for (let k = 0; k < RESOLUTIONS.length; k++) {
      if (!this.#materialized[k] || streams[k]) continue;
      const stream = new RollupStream(
        RESOLUTIONS[k]!,
        s.rolled[k]!,
        k === DAILY ? this.#openBlock(s) : undefined,
      );
      streams[k] = stream;
      missing.push(stream);
    }
    const hourly = streams[HOURLY];
    const daily = streams[DAILY];
    if (daily && missing.includes(daily)) {
      hourly!.coarser = daily;
      if (s.persisted) {
        const rows = this.#st.rollupsIn.all(s.id, HOUR_MS, daily.writtenTo, hourly!.writtenTo) as [
          number,
          Uint8Array,
        ][];
        this.#streamRows += rows.length;
        const hours = new RollupBuffer(6 * rows.length);
        for (const [blockStart, data] of rows) decodeRollups(data, blockStart, HOUR_MS, hours);
        for (let i = 0; i < hours.length; i++) daily.merge(hours.at(i));
      }
    }
    const fromSamples = missing.filter((m) => m !== daily);
    if (fromSamples.length > 0 && s.persisted) {
      const from = Math.min(...fromSamples.map((m) => m.writtenTo));
      const rows = this.#st.chunksIn.all(
        s.id,
        Math.max(from - CHUNK_SPAN_MS, -T_LIMIT - CHUNK_SPAN_MS),
        T_LIMIT,
      ) as [number, number, Uint8Array][];
      this.#streamRows += rows.length;
      for (const [minT, count, data] of rows) {
        scratch.length = 0;
        decodeChunk(data, minT, count, scratch);
        feed(scratch, fromSamples);
      }
    }
    return streams.filter((x, k): x is RollupStream => x !== undefined && k !== DAILY);
  }

  /** The rows `#streams` read since the last call: weight for the Pacer of the write or upkeep that started them. */
  #takeStreamRows(): number {
    const rows = this.#streamRows;
    this.#streamRows = 0;
    return rows;
  }

  /** The buckets of `s`'s open block of days on disk: those before its `rolled` day, in the week it is in. */
  #openBlock(s: SeriesState): RollupBuffer | undefined {
    const rolled = s.rolled[DAILY]!;
    if (!s.persisted || !Number.isFinite(rolled)) return undefined;
    const start = alignDown(rolled, blockSpan(DAY_MS));
    if (start === rolled) return undefined;
    const open = new RollupBuffer(7);
    for (const [blockStart, data] of this.#st.rollupsIn.all(s.id, DAY_MS, start, start + 1) as [
      number,
      Uint8Array,
    ][])
      decodeRollups(data, blockStart, DAY_MS, open, start, rolled - 1);
    return open;
  }

  /**
   * Loads the series, heads and native histogram heads the last run flushed. When the series would
   * not fit `maxSeriesBytes` (a lower memory.limit than they were written under), only those with the
   * newest samples are loaded, as many as fit: the others stay in the database untouched, neither
   * queried nor written, until a start with room for them, and no new series is accepted meanwhile.
   */
  #recover(): void {
    const [count, labelChars, maxId] = this.#st.seriesFootprint.get() as [number, number, number];
    this.#index.reserveIds(maxId);
    const budget = this.#o.maxSeriesBytes;
    const fitsAll = count * seriesBytes('') + 2 * labelChars <= budget;
    let loaded = 0;
    for (const [id, labels, firstT, samples, frozenT, rolled1m, rolled1h, rolled1d] of (fitsAll
      ? this.#st.allSeries
      : this.#st.seriesByRecency
    ).iterate() as IterableIterator<
      [number, string, number | null, number, number | null, number | null, number | null, number | null]
    >) {
      if (!fitsAll && !this.#index.fits(seriesBytes(labels))) break;
      const s = new SeriesState(id, labels, true, [
        rolled1m ?? Number.NEGATIVE_INFINITY,
        rolled1h ?? Number.NEGATIVE_INFINITY,
        rolled1d ?? Number.NEGATIVE_INFINITY,
      ]);
      s.firstT = firstT ?? Number.POSITIVE_INFINITY;
      s.chunkSamples = samples;
      s.frozenT = frozenT ?? Number.NEGATIVE_INFINITY;
      s.lastT = s.frozenT;
      this.#index.restore(s);
      loaded++;
    }
    if (loaded < count) {
      const mib = (bytes: number) => Math.round(bytes / 2 ** 20);
      const why = `${this.#path} holds ${count} series, about ${mib(count * seriesBytes('') + 2 * labelChars)} MiB in memory, more than the ${mib(budget)} MiB the series may take (35% of memory.limit); the ${loaded} with the newest samples are loaded, the other ${count - loaded} are neither queried nor written, and no new series is accepted, until vigil starts with a larger memory.limit`;
      this.#index.closeToNewSeries(why);
      this.#notLoaded = { series: count - loaded, why };
    }
    for (const [id, minT, count, data] of this.#st.allHeads.all() as [number, number, number, Uint8Array][]) {
      const s = this.#index.get(id);
      if (s === undefined) continue;
      scratch.length = 0;
      decodeChunk(data, minT, count, scratch);
      const head = new ChunkEncoder(minT, data.length + 16);
      for (let i = 0; i < scratch.length; i++) {
        head.append(scratch.timestamps[i]!, scratch.values[i]!, scratch.hi(i), scratch.lo(i));
      }
      s.head = head;
      if (head.maxT > s.lastT) s.lastT = head.maxT;
      if (minT < s.firstT) s.firstT = minT;
    }
    for (const [id, minT, maxT, count] of this.#st.histogramBounds.all() as [
      number,
      number,
      number,
      number,
    ][]) {
      const s = this.#index.get(id);
      if (s === undefined) continue;
      const h = (s.histograms = new HistogramHead());
      h.firstT = minT;
      h.lastT = maxT;
      h.storedChunks = count;
    }
    for (const [id, data] of this.#st.allHistogramHeads.all() as [number, Uint8Array][]) {
      const s = this.#index.get(id);
      if (s === undefined) continue;
      const h = (s.histograms ??= new HistogramHead());
      const chunk = decodeHistogramChunk(data);
      h.setHead(chunk.timestamps, chunk.histograms);
      this.#index.adjust(h.bytes);
      if (chunk.timestamps.length > 0) {
        h.firstT = Math.min(h.firstT, chunk.timestamps[0]!);
        h.lastT = Math.max(h.lastT, chunk.timestamps.at(-1)!);
      }
    }
    const future = this.#o.clock.now() + FUTURE_SLACK_MS;
    for (const s of this.#index.all()) {
      if (s.lastT > this.#watermark && s.lastT <= future) this.#watermark = s.lastT;
    }
  }

  /**
   * Upkeep, every `maintenanceIntervalMs`: cuts heads that stopped receiving samples, completes
   * rollup blocks of series that went quiet, deletes what retention says (by age, then by size),
   * forgets series with no data left and hands free pages back to the file system.
   */
  /**
   * Upkeep after the one under way, if any: two at once would interleave their paced steps (one
   * sealing rollup blocks while the other deletes the raw samples behind them).
   */
  #upkeepNext(): Promise<void> {
    const next = this.#upkeeping.catch(() => {}).then(() => this.#upkeep());
    this.#upkeeping = next;
    return next;
  }

  async #upkeep(): Promise<void> {
    // Every step is paced as a flush is: all series going quiet at once may be hundreds of thousands
    // of chunks to write, and each step visits every series. After each pause the store must still
    // be open (a stop meanwhile ends the upkeep).
    const pacer = new Pacer(() => this.#assertOpen(), FLUSH_SLICE_MS);
    await this.#cutIdle(pacer);
    await this.#flushPaced();
    this.#assertOpen();
    const now = this.#o.clock.now();
    const rawCutoff = now - this.#o.rawRetentionMs;
    await this.#sealQuiet(rawCutoff, pacer);
    await this.#flushPaced();
    this.#assertOpen();
    await this.#expireHistograms(rawCutoff, pacer);
    await this.#retention.run(now, pacer);
    this.#restoreReserve();
  }

  /** Cuts the heads of series that stopped receiving samples into chunks. */
  async #cutIdle(pacer: Pacer): Promise<void> {
    // Idle against the newest sample of any series (data replayed from the past keeps its heads
    // while it flows) and against the clock (a store that receives nothing still cuts and expires).
    const idleBefore = Math.max(this.#watermark, this.#o.clock.now()) - CHUNK_SPAN_MS;
    for (const s of this.#index.all()) {
      if (s.head && s.head.count > 0 && s.lastT < idleBefore) {
        s.cut();
        this.#unflushedBytes += s.pending!.at(-1)!.data.length;
        this.#queue(s);
        s.dirty = true;
      }
      if (pacer.due()) await pacer.pause();
    }
  }

  /** Keeps the disk reserve; once it is back (or not needed), new samples are accepted again. */
  #restoreReserve(): void {
    if (this.#writeError === undefined && this.#reserve.ensure()) this.#reserveSpent = undefined;
  }

  /**
   * Native histograms are kept raw for the raw retention: rollups (count, sum, min, max, last) have no
   * meaning for them, so long ranges over histograms read raw chunks for as long as those are kept.
   * A chunk goes once its newest sample is older than the cutoff; a series with none left loses its
   * histogram state, and retention forgets it when it has no floats either.
   */
  async #expireHistograms(rawCutoff: number, pacer: Pacer): Promise<void> {
    const st = this.#st;
    await pacedTransactions(this.#db, this.#index.all(), pacer, (s) => {
      const h = s.histograms;
      if (!h || h.firstT >= rawCutoff) return 1;
      if (h.storedChunks > 0) {
        st.deleteHistogramChunksBefore.run(s.id, rawCutoff);
        h.storedChunks = (st.histogramCountOf.get(s.id) as number) ?? 0;
      }
      const keep = h.timestamps.findIndex((t) => t >= rawCutoff);
      if (keep !== 0) {
        const before = h.bytes;
        h.setHead(keep < 0 ? [] : h.timestamps.slice(keep), keep < 0 ? [] : h.histograms.slice(keep));
        this.#index.adjust(h.bytes - before);
        h.dirty = true;
        this.#list(s);
      }
      h.firstT = Math.min(
        (st.histogramFirstOf.get(s.id) as number | null) ?? Number.POSITIVE_INFINITY,
        h.pending[0]?.minT ?? Number.POSITIVE_INFINITY,
        h.timestamps[0] ?? Number.POSITIVE_INFINITY,
      );
      return 4;
    });
    await this.#flushPaced();
    this.#assertOpen();
    for (const s of this.#index.all()) if (s.histograms?.empty) s.histograms = undefined;
  }

  /**
   * A series whose head is empty gets no more folds, so its last rollup block would stay open for
   * ever. Once nothing can be added before some time (samples older than the raw retention are
   * refused as too old), the blocks before it are complete and are written.
   */
  async #sealQuiet(rawCutoff: number, pacer: Pacer): Promise<void> {
    for (const s of this.#index.all()) {
      if (pacer.due(1 + this.#takeStreamRows())) await pacer.pause();
      if ((s.head && s.head.count > 0) || s.samples === 0) continue;
      const immutable = Math.max(s.frozenT + 1, rawCutoff);
      let due = false;
      for (let k = 0; k < RESOLUTIONS.length; k++) {
        const rolled = s.streams?.[k]?.writtenTo ?? s.rolled[k]!;
        const step = writtenStep(RESOLUTIONS[k]!);
        if (this.#materialized[k] && s.lastT >= rolled && alignDown(immutable, step) > rolled) due = true;
      }
      if (!due) continue;
      for (const stream of this.#streams(s)) stream.seal(immutable);
      this.#queue(s);
    }
  }
}

function feed(samples: SampleBuffer, streams: readonly RollupStream[]): void {
  const ts = samples.timestamps;
  const vs = samples.values;
  for (const stream of streams) {
    for (let i = 0; i < samples.length; i++) stream.add(ts[i]!, vs[i]!, samples.hi(i), samples.lo(i));
  }
}

/** Primes `folder` with the last bucket of `buckets`, the value before what it folds next. */
function primeWithLast(folder: RollupFolder, buckets: RollupBuffer): void {
  if (buckets.length === 0) return;
  const b = buckets.at(buckets.length - 1);
  folder.prime(b.last, b.lastHi, b.lastLo);
}

function checkSeries(count: number, options: SelectOptions | undefined): void {
  const max = options?.maxSeries;
  if (max !== undefined && count > max) throw new StoreLimitError('maxSeries', max);
}

/** The outcome of an append from its counts by reason (REASONS). */
function appendResult(counts: readonly number[]): AppendResult {
  const rejected: Record<string, number> = {};
  for (let r = 1; r < REASONS.length; r++) if (counts[r]! > 0) rejected[REASONS[r]!] = counts[r]!;
  return { accepted: counts[ACCEPTED]!, rejected };
}
