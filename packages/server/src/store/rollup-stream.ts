import type { RollupBuffer } from './rollup-buffer.js';
import { RollupEncoder } from './rollup-codec.js';
import { type RollupBucket, RollupFolder, type RollupSink } from './rollup-folder.js';

const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** The rollup resolutions, per minute, hour and day; indexes into `SeriesState.rolled`. */
export const RESOLUTIONS = [60_000, HOUR_MS, DAY_MS] as const;

/** The indexes of the hourly and daily rollups in RESOLUTIONS; the daily ones are folded from the hourly buckets, not from samples. */
export const HOURLY = 1;
export const DAILY = 2;

/**
 * Rollups are stored in blocks per series and resolution: six hours of minutes or hours (360 one-minute
 * buckets or 6 hourly ones), a week of days. A block of minutes or hours is written once, as soon as
 * every bucket it can hold is complete, so it never changes; six hours keeps a block of minute buckets
 * under a few kilobytes and the time a rollup read spends on not-yet-materialized raw samples short.
 * A block of days is written again as each of its days completes (about an hour after the day ends),
 * so that a week's read is one or two daily rows rather than 28 hourly ones.
 */
export function blockSpan(resolution: number): number {
  return resolution === DAY_MS ? 7 * DAY_MS : 6 * HOUR_MS;
}

/** How far a stream's written buckets (`RollupStream.writtenTo`) move at a time: a block, or a day. */
export function writtenStep(resolution: number): number {
  return resolution === DAY_MS ? DAY_MS : blockSpan(resolution);
}

export interface RollupBlock {
  readonly resolution: number;
  readonly start: number;
  readonly data: Uint8Array;
}

export function alignDown(t: number, step: number): number {
  return Math.floor(t / step) * step;
}

/**
 * Materializes one series' rollups of one resolution: samples are folded in time order as their chunk
 * is cut (the chunk can no longer change), or the buckets of a finer stream as it completes them
 * (`merge`, daily from hourly), buckets go into the open block's encoder, and the block is handed
 * over (`done`) once its last bucket is complete, a bucket past its end arrives or `seal` says none
 * can; a block of days is handed over again with each day. Each completed bucket is also merged into
 * `coarser`, when there is one.
 */
export class RollupStream implements RollupSink {
  readonly resolution: number;
  /** Start of the open block. */
  blockStart: number;
  /** Every bucket before this is in a block handed over (`done`) or written. -Infinity before any. */
  writtenTo: number;
  /** Blocks not yet written to the database, each as it is to be written (a later copy replaces an earlier). */
  done: RollupBlock[] = [];
  /** The stream this one's buckets are merged into. */
  coarser: RollupStream | undefined;
  readonly #span: number;
  /** Whether the open block is handed over with each bucket (days), not once complete. */
  readonly #rewritten: boolean;
  readonly #folder: RollupFolder;
  #encoder: RollupEncoder | undefined;

  /**
   * Starts at `writtenTo`; for days, `open` holds the buckets the open block already has on disk
   * (those from its start to `writtenTo`), which it is written again with.
   */
  constructor(resolution: number, writtenTo: number, open?: RollupBuffer) {
    this.resolution = resolution;
    this.writtenTo = writtenTo;
    this.#span = blockSpan(resolution);
    this.#rewritten = resolution === DAY_MS;
    this.blockStart =
      this.#rewritten && Number.isFinite(writtenTo) ? alignDown(writtenTo, this.#span) : writtenTo;
    this.#folder = new RollupFolder(resolution, this);
    if (open && open.length > 0) {
      this.#encoder = new RollupEncoder(this.blockStart, resolution);
      for (let i = 0; i < open.length; i++) this.#encoder.add(open.at(i));
      const last = open.at(open.length - 1);
      this.#folder.prime(last.last, last.lastHi, last.lastLo);
    }
  }

  add(t: number, v: number, hi: number, lo: number): void {
    if (t >= this.writtenTo) this.#folder.add(t, v, hi, lo);
    else this.#folder.prime(v, hi, lo);
  }

  /** A bucket of a finer stream, in time order. */
  merge(b: RollupBucket): void {
    if (b.t >= this.writtenTo) this.#folder.merge(b);
    else this.#folder.prime(b.last, b.lastHi, b.lastLo);
  }

  /** No sample before `t` can still arrive: completes the buckets and blocks that end by then. */
  seal(t: number): void {
    this.#folder.seal(t);
    if (this.blockStart + this.#span <= t) {
      this.#close();
      this.blockStart = alignDown(t, this.#span);
    }
    this.writtenTo = this.#rewritten ? Math.max(this.writtenTo, alignDown(t, DAY_MS)) : this.blockStart;
    this.coarser?.seal(t);
  }

  bucket(f: RollupFolder): void {
    if (f.t >= this.blockStart + this.#span) {
      this.#close();
      this.blockStart = alignDown(f.t, this.#span);
      if (!this.#rewritten) this.writtenTo = this.blockStart;
    }
    this.#encoder ??= new RollupEncoder(this.blockStart, this.resolution);
    this.#encoder.add(f);
    this.coarser?.merge(f);
    if (this.#rewritten) {
      this.#handOver();
      this.writtenTo = f.t + this.resolution;
    }
    // The block's last bucket: nothing more can go into it.
    if (f.t + this.resolution >= this.blockStart + this.#span) {
      this.#close();
      this.blockStart += this.#span;
      if (!this.#rewritten) this.writtenTo = this.blockStart;
    }
  }

  #close(): void {
    if (!this.#encoder) return;
    if (!this.#rewritten) this.#handOver();
    this.#encoder = undefined;
  }

  #handOver(): void {
    const start = this.blockStart;
    const block = { resolution: this.resolution, start, data: this.#encoder!.finish() };
    const k = this.done.findIndex((b) => b.start === start);
    if (k >= 0) this.done[k] = block;
    else this.done.push(block);
  }
}
