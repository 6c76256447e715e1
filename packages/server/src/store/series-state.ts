import { ChunkEncoder, decodeChunk } from './chunk-codec.js';
import type { HistogramHead } from './histogram-head.js';
import type { RollupStream } from './rollup-stream.js';
import { SampleBuffer } from './sample-buffer.js';
import type { SeriesLabels } from './series-store.js';

/**
 * A chunk spans at most two hours, as a Prometheus head chunk does. The bound matters beyond
 * compression: a chunk row stores only its first timestamp, and a read of [start, end] finds every
 * chunk it needs with `min_t BETWEEN start - CHUNK_SPAN_MS AND end` on the (series_id, min_t) index.
 */
export const CHUNK_SPAN_MS = 2 * 3_600_000;

export interface CutChunk {
  readonly minT: number;
  readonly count: number;
  readonly data: Uint8Array;
}

export const ACCEPTED = 0;
export const DUPLICATE = 1;
export const OUT_OF_ORDER = 2;

const scratch = new SampleBuffer(512);

/**
 * What the store keeps in memory for one series: its open head chunk, the chunks cut since the last
 * flush, time bounds, and the rollup streams once they are in use.
 *
 * Samples at or before `frozenT` are in cut chunks and immutable. A sample later than that but
 * earlier than the newest goes into the head (out-of-order within the open chunk, decoded and
 * re-encoded: rare, at most a few hundred samples); one at or before `frozenT` is refused.
 */
export class SeriesState {
  readonly id: number;
  /** The label set as canonical JSON (names sorted, empty values dropped): the series' identity. */
  readonly key: string;
  #labels: SeriesLabels | undefined;
  #labelCount = 0;
  /** Whether the series row is in the database. */
  persisted: boolean;
  /** Oldest and newest sample kept; +Infinity / -Infinity when there is none. */
  firstT = Number.POSITIVE_INFINITY;
  lastT = Number.NEGATIVE_INFINITY;
  /** Newest timestamp in a cut chunk: nothing at or before it can change. */
  frozenT = Number.NEGATIVE_INFINITY;
  /** Samples in cut chunks, flushed or not. */
  chunkSamples = 0;
  head: ChunkEncoder | undefined;
  /** Chunks cut since the last flush. */
  pending: CutChunk[] | undefined;
  /** How many of `pending` the rollup streams have seen: a flush that failed must not fold them twice. */
  folded = 0;
  /** The head changed since the last flush. */
  dirty = false;
  /** Native histogram samples, once the series has any. */
  histograms: HistogramHead | undefined;
  /** The series row needs writing at the next flush (new chunks, rollup blocks, bounds). */
  queued = false;
  /** In the store's list of series to write at the next flush (any of the above, or new). */
  listed = false;
  /** Retention removed it, from the database and the index: its labels now name a new series. */
  forgotten = false;
  /** Per materialized resolution: the start of the first block not yet written (-Infinity: none yet). */
  rolled: number[];
  /** The same resolutions' streams, created on first use (after a restart, from the stored chunks). */
  streams: (RollupStream | undefined)[] | undefined;
  #capacity = 64;

  constructor(id: number, key: string, persisted: boolean, rolled: number[]) {
    this.id = id;
    this.key = key;
    this.persisted = persisted;
    this.rolled = rolled;
  }

  get labels(): SeriesLabels {
    if (this.#labels === undefined) {
      this.#labels = Object.freeze(JSON.parse(this.key) as Record<string, string>);
      this.#labelCount = Object.keys(this.#labels).length;
    }
    return this.#labels;
  }

  /** Whether `labels` names this series: the same non-empty values, empty ones standing for none. */
  matches(labels: SeriesLabels): boolean {
    const own = this.labels;
    let n = 0;
    for (const name in labels) {
      const value = labels[name];
      if (value === '') continue;
      if (own[name] !== value) return false;
      n++;
    }
    return n === this.#labelCount;
  }

  /** Samples in memory and on disk. */
  get samples(): number {
    return this.chunkSamples + (this.head?.count ?? 0);
  }

  /** Appends a sample later than `lastT`; cuts the head first when it is full or spans too long. */
  append(t: number, v: number, hi: number, lo: number, chunkSamples: number): boolean {
    let head = this.head;
    let cut = false;
    if (head === undefined) {
      head = this.head = new ChunkEncoder(t, this.#capacity);
    } else if (head.count >= chunkSamples || t - head.minT >= CHUNK_SPAN_MS) {
      this.cut();
      cut = true;
      head = this.head = new ChunkEncoder(t, this.#capacity);
    }
    head.append(t, v, hi, lo);
    this.lastT = t;
    if (t < this.firstT) this.firstT = t;
    return cut;
  }

  /** Inserts a sample earlier than `lastT` into the head, or says why it cannot. */
  insert(t: number, v: number, hi: number, lo: number, chunkSamples: number): number {
    const head = this.head;
    if (t <= this.frozenT || head === undefined || head.count === 0) return OUT_OF_ORDER;
    if (this.lastT - t >= CHUNK_SPAN_MS || head.count >= 2 * chunkSamples) return OUT_OF_ORDER;
    scratch.length = 0;
    decodeChunk(head.writer.view(), head.minT, head.count, scratch);
    const ts = scratch.timestamps;
    let lo0 = 0;
    let hi0 = scratch.length;
    while (lo0 < hi0) {
      const mid = (lo0 + hi0) >>> 1;
      if (ts[mid]! < t) lo0 = mid + 1;
      else hi0 = mid;
    }
    if (lo0 < scratch.length && ts[lo0] === t) return DUPLICATE;
    const next = new ChunkEncoder(Math.min(t, head.minT), head.writer.bytes.length + 16);
    for (let i = 0; i < scratch.length; i++) {
      if (i === lo0) next.append(t, v, hi, lo);
      next.append(ts[i]!, scratch.values[i]!, scratch.hi(i), scratch.lo(i));
    }
    this.head = next;
    if (t < this.firstT) this.firstT = t;
    return ACCEPTED;
  }

  /** Moves the head into `pending`; its samples become immutable. */
  cut(): void {
    const head = this.head;
    if (head === undefined || head.count === 0) return;
    const data = head.writer.finish();
    this.#capacity = data.length + 8;
    (this.pending ??= []).push({ minT: head.minT, count: head.count, data });
    this.frozenT = head.maxT;
    this.chunkSamples += head.count;
    this.head = undefined;
  }
}
