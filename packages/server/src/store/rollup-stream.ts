import { RollupEncoder } from './rollup-codec.js';
import { RollupFolder, type RollupSink } from './rollup-folder.js';

/**
 * Rollups are stored in blocks of six hours per series and resolution: 360 one-minute buckets or 6
 * hourly ones. A block is written once, when every sample that can fall into it is immutable, so a
 * block never changes; six hours keeps a block of minute buckets under a few kilobytes and the time
 * a rollup read spends on not-yet-materialized raw samples short.
 */
export const ROLLUP_BLOCK_MS = 6 * 3_600_000;

/** The rollup resolutions, per minute and per hour; indexes into `SeriesState.rolled`. */
export const RESOLUTIONS = [60_000, 3_600_000] as const;

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
 * is cut (the chunk can no longer change), buckets go into the open block's encoder, and the block is
 * handed over (`done`) once a sample past its end arrives or `seal` says none can.
 */
export class RollupStream implements RollupSink {
  readonly resolution: number;
  /** Start of the open block; every bucket before it is in a completed block. -Infinity before any. */
  blockStart: number;
  /** Completed blocks not yet written to the database. */
  done: RollupBlock[] = [];
  readonly #folder: RollupFolder;
  #encoder: RollupEncoder | undefined;

  constructor(resolution: number, blockStart: number) {
    this.resolution = resolution;
    this.blockStart = blockStart;
    this.#folder = new RollupFolder(resolution, this);
  }

  add(t: number, v: number, hi: number, lo: number): void {
    if (t >= this.blockStart) this.#folder.add(t, v, hi, lo);
  }

  /** No sample before `t` can still arrive: completes the buckets and blocks that end by then. */
  seal(t: number): void {
    this.#folder.seal(t);
    if (this.blockStart + ROLLUP_BLOCK_MS <= t) {
      this.#close();
      this.blockStart = alignDown(t, ROLLUP_BLOCK_MS);
    }
  }

  bucket(f: RollupFolder): void {
    if (f.t >= this.blockStart + ROLLUP_BLOCK_MS) {
      this.#close();
      this.blockStart = alignDown(f.t, ROLLUP_BLOCK_MS);
    }
    this.#encoder ??= new RollupEncoder(this.blockStart, this.resolution);
    this.#encoder.add(f);
  }

  #close(): void {
    if (!this.#encoder) return;
    this.done.push({ resolution: this.resolution, start: this.blockStart, data: this.#encoder.finish() });
    this.#encoder = undefined;
  }
}
