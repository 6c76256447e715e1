import { statfsSync } from 'node:fs';
import type { Clock } from '@vigil/metrics';

/** How often the free space is read again: statfs is cheap, but ingest asks on every request. */
const CACHE_MS = 1000;

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

  constructor(dir: string, minFreeBytes: number, clock: Clock) {
    this.#dir = dir;
    this.minFreeBytes = minFreeBytes;
    this.#clock = clock;
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
