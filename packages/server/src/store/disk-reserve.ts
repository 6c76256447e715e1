import { closeSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import type { DiskSpace } from './disk-space.js';

/** Enough for several flushes of a busy store: its WAL is checkpointed every 4 MiB. */
export const RESERVE_BYTES = 8 * 1024 * 1024;

/**
 * A file of zeros kept next to the database while the disk has room (a "ballast" file). When a
 * flush fails for want of space, it is deleted and the flush retried, so samples that were already
 * acknowledged reach the disk even when something else filled it; it is written again once the
 * disk has room for it above the free-space watermark.
 */
export class DiskReserve {
  readonly #path: string;
  readonly #disk: DiskSpace;
  #held = false;

  /** A reserve left by an earlier run counts as held: a start on a full disk can still give it back. */
  constructor(path: string, disk: DiskSpace) {
    this.#path = path;
    this.#disk = disk;
    try {
      this.#held = statSync(path).size >= RESERVE_BYTES;
    } catch {
      this.#held = false;
    }
  }

  /**
   * Writes the reserve once the disk nears its watermark (a disk with plenty of room needs none, and
   * a short-lived store should not write 8 MiB); true while the disk is safe: the reserve is held,
   * or there is room enough not to need it.
   */
  ensure(): boolean {
    if (this.#held) return true;
    if (!this.#disk.low()) return true;
    if (this.#disk.free() - this.#disk.minFreeBytes < 2 * RESERVE_BYTES) return false;
    const block = Buffer.alloc(1 << 20);
    let fd: number | undefined;
    try {
      fd = openSync(this.#path, 'w');
      // No fsync: the file system counts the blocks as used once written (ext4's delayed allocation
      // reserves them at once), and fsyncing 8 MiB would stall the event loop for nothing.
      for (let written = 0; written < RESERVE_BYTES; written += block.length) writeSync(fd, block);
      this.#held = true;
    } catch {
      rmSync(this.#path, { force: true });
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    return this.#held;
  }

  /** Deletes the reserve; true if there was one to give back. */
  release(): boolean {
    if (!this.#held) return false;
    this.#held = false;
    rmSync(this.#path, { force: true });
    return true;
  }
}
