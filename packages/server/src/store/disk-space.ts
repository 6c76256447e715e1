import { statfsSync } from 'node:fs';
import type { Clock } from '@vigil/metrics';

/** How often the free space is read again: statfs is cheap, but ingest asks on every request. */
const CACHE_MS = 1000;

/** The watermark's default on a large disk. */
const DEFAULT_MIN_FREE_DISK_SPACE_BYTES = 32 * 1024 * 1024;
/** On a smaller file system the default watermark is this fraction of its size (1/64: 384 KiB of 24 MiB). */
const SMALL_DISK_FRACTION = 64;
/**
 * Closer than this to the watermark the disk is "low": each acknowledged write is flushed before it is
 * acknowledged, and the store keeps its reserve file.
 */
const LOW_ROOM_BYTES = 256 * 1024 * 1024;

/**
 * The free space of the file system a directory is on, read with statfs at most once a second,
 * against a watermark (VictoriaMetrics's `-storage.minFreeDiskSpaceBytes`): below it the store
 * refuses new writes while SQLite still has room to flush what it already acknowledged.
 */
export class DiskSpace {
  readonly #dir: string;
  readonly #clock: Clock;
  readonly minFreeBytes: number;
  #readAt = Number.NEGATIVE_INFINITY;
  #free = Number.POSITIVE_INFINITY;

  /** `minFreeBytes` undefined: 32 MiB, or 1/64 of a smaller file system. */
  constructor(dir: string, minFreeBytes: number | undefined, clock: Clock) {
    this.#dir = dir;
    this.minFreeBytes = minFreeBytes ?? defaultWatermark(dir);
    this.#clock = clock;
  }

  /** Whether the free space is within LOW_ROOM_BYTES of the watermark. */
  low(): boolean {
    return this.free() - this.minFreeBytes < LOW_ROOM_BYTES;
  }

  /** Bytes an unprivileged process may still write there; +Infinity when statfs is not available. */
  free(): number {
    const now = this.#clock.now();
    if (now - this.#readAt >= CACHE_MS || now < this.#readAt) {
      this.#readAt = now;
      try {
        const s = statfsSync(this.#dir);
        this.#free = s.bavail * s.bsize;
      } catch {
        this.#free = Number.POSITIVE_INFINITY;
      }
    }
    return this.#free;
  }

  /** Why nothing more should be written, or undefined while there is room. */
  shortage(): string | undefined {
    if (this.minFreeBytes <= 0) return undefined;
    const free = this.free();
    if (free >= this.minFreeBytes) return undefined;
    return `the disk of ${this.#dir} has ${free} bytes free, below the minimum of ${this.minFreeBytes} (storage.minFreeDiskSpaceBytes)`;
  }
}

/**
 * 32 MiB, or 1/64 of a file system smaller than 2 GiB: a fixed 32 MiB would refuse every write on a
 * small volume (a 24 MiB tmpfs), where vigil can still store data safely because each acknowledged
 * write is flushed before it is acknowledged once the disk is low.
 */
function defaultWatermark(dir: string): number {
  try {
    const s = statfsSync(dir);
    return Math.min(
      DEFAULT_MIN_FREE_DISK_SPACE_BYTES,
      Math.floor((s.blocks * s.bsize) / SMALL_DISK_FRACTION),
    );
  } catch {
    return DEFAULT_MIN_FREE_DISK_SPACE_BYTES;
  }
}
