import { type FileHandle, mkdir, open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type Clock, systemClock } from '../base/clock.js';
import { invalidOption } from '../base/errors.js';

export interface JsonlSinkOptions {
  /** The file lines are appended to; its directory is created if missing. */
  readonly path: string;
  /** Rotate before a line would take the file past this many bytes; 0 turns size rotation off. Default 64 MiB. */
  readonly maxBytes?: number;
  /** Rotate a file this old (from its creation) before writing to it again; 0 turns it off. Default 0. */
  readonly maxAgeMs?: number;
  /** Rotated files kept, `path.1` (newest) to `path.<keep>`. Default 5; 0 keeps none. */
  readonly keep?: number;
  /** Most characters waiting to be written; a line past it is dropped and counted. Default 8 Mi. */
  readonly maxQueueBytes?: number;
  readonly clock?: Clock;
}

export interface JsonlSinkStats {
  /** Lines written to the file. */
  readonly written: number;
  /** Lines refused because the queue was full or the sink closed. */
  readonly dropped: number;
  /** Values `JSON.stringify` could not serialise (cycles, BigInt, undefined). */
  readonly invalid: number;
  /** Lines lost to I/O errors. */
  readonly failed: number;
  /** Characters queued or being written. */
  readonly queuedBytes: number;
  readonly rotations: number;
}

interface Waiter {
  readonly target: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Appends one JSON value per line, without ever blocking or throwing at the caller: `write` only
 * serialises into a bounded in-memory queue, and one loop does all file work in order (open, append,
 * rotate, fdatasync, close), so a rotation can never race a write. While one batch is being written
 * the next lines collect, so a busy writer makes few, large `write(2)` calls.
 *
 * Acknowledgement: when `flush()` resolves, every line accepted before the call has been written and
 * fdatasync'ed. A process killed after that loses none of them; a line that was being written may be
 * left partial at the end of the file, and the next sink to open the file starts on a fresh line.
 */
export class JsonlSink {
  readonly path: string;
  readonly #maxBytes: number;
  readonly #maxAgeMs: number;
  readonly #keep: number;
  readonly #maxQueue: number;
  readonly #clock: Clock;
  #queue: string[] = [];
  #queuedBytes = 0;
  /** Line sequence numbers: accepted by write(), settled (written or failed), known to be on disk. */
  #accepted = 0;
  #settled = 0;
  #synced = 0;
  #waiters: Waiter[] = [];
  /** The first I/O failure not yet reported to a flush(), at the sequence number of its first lost line. */
  #failure: { readonly seq: number; readonly error: unknown } | undefined;
  #file: FileHandle | undefined;
  #size = 0;
  #createdAt = 0;
  #startNewLine = false;
  #running: Promise<void> | undefined;
  #closing = false;
  #closed: Promise<void> | undefined;
  #warned = false;
  #written = 0;
  #dropped = 0;
  #invalid = 0;
  #failed = 0;
  #rotations = 0;

  constructor(options: JsonlSinkOptions) {
    if (typeof options?.path !== 'string' || options.path === '') {
      throw invalidOption('path', options?.path, 'a file path');
    }
    this.path = options.path;
    this.#maxBytes = count('maxBytes', options.maxBytes, 64 * 1024 * 1024);
    this.#maxAgeMs = count('maxAgeMs', options.maxAgeMs, 0);
    this.#keep = count('keep', options.keep, 5);
    this.#maxQueue = count('maxQueueBytes', options.maxQueueBytes, 8 * 1024 * 1024);
    this.#clock = options.clock ?? systemClock;
  }

  /** Queues `value` as one line; false (and counted) when it was refused. Never throws, never waits. */
  write(value: unknown): boolean {
    if (this.#closing) {
      this.#dropped++;
      return false;
    }
    let line: string | undefined;
    try {
      line = JSON.stringify(value);
    } catch {
      line = undefined;
    }
    if (line === undefined) {
      this.#invalid++;
      return false;
    }
    const bytes = line.length + 1;
    if (this.#queuedBytes + bytes > this.#maxQueue) {
      this.#dropped++;
      return false;
    }
    this.#queue.push(line);
    this.#queuedBytes += bytes;
    this.#accepted++;
    this.#kick();
    return true;
  }

  /**
   * Resolves once every line accepted so far is written and fdatasync'ed; rejects if an I/O error lost
   * any of them (reported once, to the flushes waiting when it happened or the next one).
   */
  flush(): Promise<void> {
    const target = this.#accepted;
    return new Promise((resolve, reject) => {
      this.#waiters.push({ target, resolve, reject });
      this.#kick();
    });
  }

  /** Refuses further lines, writes and syncs the queued ones, closes the file. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#closing = true;
      try {
        await this.flush();
      } finally {
        while (this.#running) await this.#running;
        const file = this.#file;
        this.#file = undefined;
        await file?.close();
      }
    })();
    return this.#closed;
  }

  stats(): JsonlSinkStats {
    return {
      written: this.#written,
      dropped: this.#dropped,
      invalid: this.#invalid,
      failed: this.#failed,
      queuedBytes: this.#queuedBytes,
      rotations: this.#rotations,
    };
  }

  /** Starts the loop on the next turn unless it runs: lines written in the same turn share a batch. */
  #kick(): void {
    this.#running ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.#loop());
  }

  async #loop(): Promise<void> {
    try {
      for (;;) {
        if (this.#waiters.some((w) => w.target <= this.#settled)) await this.#sync();
        else if (this.#queue.length > 0) await this.#writeBatch();
        else break;
      }
    } finally {
      // Synchronously after the last check: a write() from now on starts a new loop.
      this.#running = undefined;
    }
  }

  async #writeBatch(): Promise<void> {
    const batch = this.#queue;
    this.#queue = [];
    let bytes = 0;
    for (const line of batch) bytes += line.length + 1;
    let done = 0;
    try {
      await this.#open();
      if (this.#maxAgeMs > 0 && this.#size > 0 && this.#clock.now() - this.#createdAt >= this.#maxAgeMs) {
        await this.#rotate();
      }
      let chunk = '';
      let chunkBytes = 0;
      let lines = 0;
      for (const line of batch) {
        const size = Buffer.byteLength(line) + 1;
        const full = this.#size + chunkBytes;
        if (this.#maxBytes > 0 && full > 0 && full + size > this.#maxBytes) {
          if (lines > 0) await this.#append(chunk);
          done += lines;
          this.#settle(lines);
          await this.#rotate();
          chunk = '';
          chunkBytes = 0;
          lines = 0;
        }
        chunk += `${line}\n`;
        chunkBytes += size;
        lines++;
      }
      await this.#append(chunk);
      this.#settle(lines);
    } catch (error) {
      this.#fail(batch.length - done, error);
    } finally {
      this.#queuedBytes -= bytes;
    }
  }

  #settle(lines: number): void {
    this.#written += lines;
    this.#settled += lines;
  }

  /** `lines` more lines are lost; the first unreported loss starts at `seq`. */
  #fail(lines: number, error: unknown, seq = this.#settled): void {
    this.#failure ??= { seq, error };
    this.#failed += lines;
    this.#settled += lines;
    if (!this.#warned) {
      this.#warned = true;
      const reason = error instanceof Error ? error.message : String(error);
      process.emitWarning(`JsonlSink ${this.path}: ${reason}; lost lines are counted in stats().failed`, {
        code: 'VIGIL_DROPPED',
      });
    }
    // Reopen on the next batch, which also starts it on a fresh line after a partial write.
    const file = this.#file;
    this.#file = undefined;
    file?.close().catch(() => {});
  }

  async #sync(): Promise<void> {
    const upTo = this.#settled;
    if (this.#synced < upTo && this.#file) {
      try {
        await this.#file.datasync();
      } catch (error) {
        this.#fail(0, error, this.#synced);
      }
    }
    this.#synced = upTo;
    const failure = this.#failure;
    const ready = this.#waiters.filter((w) => w.target <= upTo);
    this.#waiters = this.#waiters.filter((w) => w.target > upTo);
    let reported = false;
    for (const w of ready) {
      if (failure && failure.seq < w.target) {
        w.reject(failure.error);
        reported = true;
      } else w.resolve();
    }
    if (reported) this.#failure = undefined;
  }

  async #open(): Promise<void> {
    if (this.#file) return;
    await mkdir(dirname(this.path), { recursive: true });
    const file = await open(this.path, 'a+');
    try {
      const stat = await file.stat();
      this.#size = stat.size;
      // An existing file keeps its age across restarts, so a daily rotation still happens daily.
      this.#createdAt = stat.size > 0 ? stat.birthtimeMs || stat.mtimeMs : this.#clock.now();
      this.#startNewLine = false;
      if (stat.size > 0) {
        const last = Buffer.alloc(1);
        await file.read(last, 0, 1, stat.size - 1);
        this.#startNewLine = last[0] !== 0x0a;
      }
    } catch (error) {
      await file.close();
      throw error;
    }
    this.#file = file;
  }

  async #append(chunk: string): Promise<void> {
    const file = this.#file!;
    const buffer = Buffer.from(this.#startNewLine ? `\n${chunk}` : chunk);
    let offset = 0;
    while (offset < buffer.length) {
      const { bytesWritten } = await file.write(buffer, offset, buffer.length - offset);
      offset += bytesWritten;
      this.#size += bytesWritten;
      this.#startNewLine = false;
    }
  }

  async #rotate(): Promise<void> {
    const file = this.#file;
    this.#file = undefined;
    if (file) {
      try {
        await file.datasync();
        this.#synced = this.#settled;
      } finally {
        await file.close();
      }
    }
    for (let i = this.#keep - 1; i >= 1; i--) await renamed(`${this.path}.${i}`, `${this.path}.${i + 1}`);
    if (this.#keep > 0) await renamed(this.path, `${this.path}.1`);
    else await unlink(this.path).catch(ignoreMissing);
    this.#rotations++;
    await this.#open();
  }
}

async function renamed(from: string, to: string): Promise<void> {
  await rename(from, to).catch(ignoreMissing);
}

function ignoreMissing(error: NodeJS.ErrnoException): void {
  if (error.code !== 'ENOENT') throw error;
}

function count(option: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) throw invalidOption(option, value, 'an integer >= 0');
  return value;
}
