import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileDurably } from '../store/durable-file.js';
import { QueueFullError } from './queue-full-error.js';

/** One queued remote-write request body, as a file `<seq>-<samples>.rw` in the queue directory. */
export interface Segment {
  readonly seq: number;
  readonly samples: number;
  readonly bytes: number;
  readonly path: string;
}

const NAME = /^(\d{16})-(\d+)\.rw$/;

/**
 * A bounded first-in first-out queue of remote-write bodies on disk. `push` returns only once the
 * body is in its own file and that file and the directory are fsynced, so an acknowledged ingest
 * survives a crash; a restart finds the files again in order. A body is written to `.tmp` first
 * and renamed, so a half-written one is never replayed (it was never acknowledged either).
 */
export class SegmentQueue {
  readonly #dir: string;
  readonly #maxBytes: number;
  readonly #segments: Segment[] = [];
  #bytes = 0;
  #samples = 0;
  #nextSeq = 1;

  constructor(dir: string, maxBytes: number) {
    this.#dir = dir;
    this.#maxBytes = maxBytes;
    mkdirSync(dir, { recursive: true });
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (name.endsWith('.tmp')) {
        unlinkSync(path);
        continue;
      }
      const m = NAME.exec(name);
      if (!m) continue;
      const segment = { seq: Number(m[1]), samples: Number(m[2]), bytes: statSync(path).size, path };
      this.#segments.push(segment);
      this.#bytes += segment.bytes;
      this.#samples += segment.samples;
      this.#nextSeq = segment.seq + 1;
    }
  }

  get length(): number {
    return this.#segments.length;
  }
  get bytes(): number {
    return this.#bytes;
  }
  get samples(): number {
    return this.#samples;
  }

  /** Appends a body durably; throws QueueFullError when it would pass `maxBytes`. */
  push(body: Uint8Array, samples: number): void {
    if (this.#bytes + body.length > this.#maxBytes) throw new QueueFullError(this.#bytes, this.#maxBytes);
    const seq = this.#nextSeq++;
    const path = join(this.#dir, `${String(seq).padStart(16, '0')}-${samples}.rw`);
    writeFileDurably(path, body);
    this.#segments.push({ seq, samples, bytes: body.length, path });
    this.#bytes += body.length;
    this.#samples += samples;
  }

  /** The oldest segment, not removed. */
  peek(): Segment | undefined {
    return this.#segments[0];
  }

  read(segment: Segment): Uint8Array {
    return readFileSync(segment.path);
  }

  /** Removes the oldest segment once the remote has it (or refused it for good). */
  shift(): void {
    const segment = this.#segments.shift();
    if (!segment) return;
    // force: a segment already gone (removed by hand) is as good as removed.
    rmSync(segment.path, { force: true });
    this.#bytes -= segment.bytes;
    this.#samples -= segment.samples;
  }
}
