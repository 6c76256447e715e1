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
 * buckets or 6 hourly ones), one day of days. A block is written once, as soon as every bucket it can
 * hold is complete, so a block never changes; six hours keeps a block of minute buckets under a few
 * kilobytes and the time a rollup read spends on not-yet-materialized raw samples short, and a daily
 * block is written about an hour after its day ends, so that a week's read is 7 daily rows, not 28
 * hourly ones.
 */
export function blockSpan(resolution: number): number {
  return resolution === DAY_MS ? DAY_MS : 6 * HOUR_MS;
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
 * can. Each completed bucket is also merged into `coarser`, when there is one.
 */
export class RollupStream implements RollupSink {
  readonly resolution: number;
  /** Start of the open block; every bucket before it is in a completed block. -Infinity before any. */
  blockStart: number;
  /** Completed blocks not yet written to the database. */
  done: RollupBlock[] = [];
  /** The stream this one's buckets are merged into. */
  coarser: RollupStream | undefined;
  readonly #span: number;
  readonly #folder: RollupFolder;
  #encoder: RollupEncoder | undefined;

  constructor(resolution: number, blockStart: number) {
    this.resolution = resolution;
    this.blockStart = blockStart;
    this.#span = blockSpan(resolution);
    this.#folder = new RollupFolder(resolution, this);
  }

  add(t: number, v: number, hi: number, lo: number): void {
    if (t >= this.blockStart) this.#folder.add(t, v, hi, lo);
    else this.#folder.prime(v, hi, lo);
  }

  /** A bucket of a finer stream, in time order. */
  merge(b: RollupBucket): void {
    if (b.t >= this.blockStart) this.#folder.merge(b);
    else this.#folder.prime(b.last, b.lastHi, b.lastLo);
  }

  /** No sample before `t` can still arrive: completes the buckets and blocks that end by then. */
  seal(t: number): void {
    this.#folder.seal(t);
    if (this.blockStart + this.#span <= t) {
      this.#close();
      this.blockStart = alignDown(t, this.#span);
    }
    this.coarser?.seal(t);
  }

  bucket(f: RollupFolder): void {
    if (f.t >= this.blockStart + this.#span) {
      this.#close();
      this.blockStart = alignDown(f.t, this.#span);
    }
    this.#encoder ??= new RollupEncoder(this.blockStart, this.resolution);
    this.#encoder.add(f);
    this.coarser?.merge(f);
    // The block's last bucket: nothing more can go into it.
    if (f.t + this.resolution >= this.blockStart + this.#span) {
      this.#close();
      this.blockStart += this.#span;
    }
  }

  #close(): void {
    if (!this.#encoder) return;
    this.done.push({ resolution: this.resolution, start: this.blockStart, data: this.#encoder.finish() });
    this.#encoder = undefined;
  }
}
