import { IngestError } from './ingest-error.js';
import { runSteps, runStepsPaced, type Steps } from './steps.js';

/**
 * Snappy's block format (github.com/google/snappy, format_description.txt), which Prometheus remote
 * write sends raw, without the framing format's chunks and checksums. A block is the uncompressed
 * length as a varint, then elements whose tag byte's low two bits say what follows:
 *
 *   00 literal: length-1 in the upper six bits, or 60..63 there meaning 1..4 bytes of length-1 follow
 *   01 copy, length 4..11 in bits 2..4, offset 0..2047: bits 5..7 are offset's high three bits, one byte the rest
 *   10 copy, length 1..64 in the upper six bits, two bytes of offset (little-endian)
 *   11 copy, the same with four bytes of offset
 *
 * A copy repeats `length` bytes starting `offset` bytes back in the output; offset < length repeats a
 * run (offset 1, length 5 after "a" gives "aaaaaa").
 */

/** What a remote-write receiver accepts by default: VictoriaMetrics' -maxInsertRequestSize. */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 32 * 1024 * 1024;

export interface SnappyDecompressOptions {
  /** Largest uncompressed length accepted; a larger declared length is refused before anything is allocated. */
  readonly maxBytes?: number;
}

/** The uncompressed length a block declares, and where its elements start. */
export function snappyDecodedLength(src: Uint8Array): { length: number; headerBytes: number } {
  let length = 0;
  for (let i = 0; i < 5; i++) {
    if (i >= src.length) throw new IngestError('bad_snappy', 'snappy: truncated length header');
    const byte = src[i]!;
    length += (byte & 0x7f) * 2 ** (7 * i);
    if (byte < 0x80) {
      if (length > 0xffffffff) throw new IngestError('bad_snappy', 'snappy: declared length over 2^32-1');
      return { length, headerBytes: i + 1 };
    }
  }
  throw new IngestError('bad_snappy', 'snappy: length header longer than 5 bytes');
}

export function snappyDecompress(src: Uint8Array, options: SnappyDecompressOptions = {}): Uint8Array {
  return runSteps(snappyInflating(src, options));
}

/**
 * `snappyDecompress` handing the event loop back after every YIELD_BYTES written: an 80 MiB body
 * (what a 10 MiB request may expand to) took 65-120 ms in one go.
 */
export function snappyDecompressPaced(
  src: Uint8Array,
  options: SnappyDecompressOptions = {},
): Promise<Uint8Array> {
  return runStepsPaced(snappyInflating(src, options));
}

/** Decompresses `src`, yielding after every YIELD_BYTES written. */
export function* snappyInflating(src: Uint8Array, options: SnappyDecompressOptions): Steps<Uint8Array> {
  const block = inflating(src, options);
  try {
    while (!block.run(YIELD_BYTES)) yield;
    return block.finish();
  } finally {
    done(block);
  }
}

/** Output bytes between two pauses of snappyDecompressPaced: 1-2 ms of work. */
const YIELD_BYTES = 1 << 20;

const EMPTY: Uint8Array = new Uint8Array(0);

/** A block being decompressed: its header checked and its output allocated up front. */
class Inflating {
  #src = EMPTY;
  #dst = EMPTY;
  #length = 0;
  #s = 0;
  #d = 0;

  /** Points at a new block; EMPTY lets go of the last one's buffers. */
  reset(src: Uint8Array, options: SnappyDecompressOptions): void {
    this.#src = EMPTY;
    this.#dst = EMPTY;
    this.#length = 0;
    this.#s = 0;
    this.#d = 0;
    if (src === EMPTY) return;
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES;
    const { length, headerBytes } = snappyDecodedLength(src);
    if (length > maxBytes) {
      throw new IngestError(
        'too_large',
        `snappy: the block declares ${length} uncompressed bytes, more than the limit of ${maxBytes}`,
      );
    }
    // No element expands more than a copy-2 (3 bytes in, 64 out), so a declared length over 22 times the
    // input is corrupt: a 10-byte body that claims 30 MB is refused without allocating 30 MB.
    if (length > (src.length - headerBytes) * 22) {
      throw new IngestError(
        'bad_snappy',
        `snappy: ${src.length} bytes cannot expand to the ${length} bytes the header declares`,
      );
    }
    this.#src = src;
    this.#dst = new Uint8Array(length);
    this.#length = length;
    this.#s = headerBytes;
  }

  /** Decodes elements until `bytes` more are written or the input ends; whether it ended. */
  run(bytes: number): boolean {
    const src = this.#src;
    const dst = this.#dst;
    const length = this.#length;
    const end = src.length;
    let s = this.#s;
    let d = this.#d;
    const until = d + bytes;
    while (s < end && d < until) {
      const tag = src[s]!;
      let len: number;
      let offset: number;
      switch (tag & 3) {
        case 0: {
          len = tag >>> 2;
          if (len < 60) {
            s += 1;
          } else {
            const extra = len - 59;
            if (s + extra >= end) throw corrupt('truncated literal length', s);
            len = src[s + 1]!;
            if (extra > 1) len |= src[s + 2]! << 8;
            if (extra > 2) len |= src[s + 3]! << 16;
            if (extra > 3) len = (len | (src[s + 4]! << 24)) >>> 0;
            s += 1 + extra;
          }
          len += 1;
          if (len > end - s) throw corrupt(`literal of ${len} bytes runs past the input`, s);
          if (len > length - d) throw corrupt(`literal of ${len} bytes runs past the declared length`, s);
          if (len < 16) {
            for (let i = 0; i < len; i++) dst[d + i] = src[s + i]!;
          } else {
            dst.set(src.subarray(s, s + len), d);
          }
          s += len;
          d += len;
          continue;
        }
        case 1:
          if (s + 2 > end) throw corrupt('truncated copy', s);
          len = 4 + ((tag >>> 2) & 7);
          offset = ((tag & 0xe0) << 3) | src[s + 1]!;
          s += 2;
          break;
        case 2:
          if (s + 3 > end) throw corrupt('truncated copy', s);
          len = 1 + (tag >>> 2);
          offset = src[s + 1]! | (src[s + 2]! << 8);
          s += 3;
          break;
        default:
          if (s + 5 > end) throw corrupt('truncated copy', s);
          len = 1 + (tag >>> 2);
          offset = (src[s + 1]! | (src[s + 2]! << 8) | (src[s + 3]! << 16) | (src[s + 4]! << 24)) >>> 0;
          s += 5;
      }
      if (offset === 0 || offset > d) throw corrupt(`copy offset ${offset} at output byte ${d}`, s);
      if (len > length - d) throw corrupt(`copy of ${len} bytes runs past the declared length`, s);
      if (offset >= len && len > 16) {
        dst.copyWithin(d, d - offset, d - offset + len);
        d += len;
      } else {
        // Byte by byte: an overlapping copy must read what it has just written.
        for (let from = d - offset, stop = d + len; d < stop; ) dst[d++] = dst[from++]!;
      }
    }
    this.#s = s;
    this.#d = d;
    return s >= end;
  }

  /** The output, once `run` said the input ended. */
  finish(): Uint8Array {
    if (this.#d !== this.#length)
      throw new IngestError(
        'bad_snappy',
        `snappy: ${this.#d} bytes decoded, the header declares ${this.#length}`,
      );
    return this.#dst;
  }
}

/**
 * The Inflating decompressions use while none is under way (one that starts while a paced one has
 * paused gets one of its own). Kept for good, as ProtoReader.reset explains: with no instance alive
 * at a full GC, V8 drops its fields' hidden class and the optimised code of `run` with it (measured:
 * a 1,000-series request's decode 4-14 ms instead of 1 ms, in bench/ingest-parsers.js).
 */
let idle: Inflating | undefined = new Inflating();

function inflating(src: Uint8Array, options: SnappyDecompressOptions): Inflating {
  const block = idle ?? new Inflating();
  idle = undefined;
  try {
    block.reset(src, options);
  } catch (error) {
    done(block);
    throw error;
  }
  return block;
}

function done(block: Inflating): void {
  block.reset(EMPTY, {});
  idle = block;
}

function corrupt(what: string, at: number): IngestError {
  return new IngestError('bad_snappy', `snappy: corrupt input at byte ${at}: ${what}`);
}

const BLOCK = 65536;
const HASH_BITS = 14;

/**
 * Compresses into the block format with the greedy single-probe hash matcher of Go's snappy encoder:
 * 64 KiB blocks (so offsets fit in two bytes), 4-byte matches, and an ever wider stride over data
 * that does not compress. Not the smallest output, but every decoder reads it.
 */
export function snappyCompress(src: Uint8Array): Uint8Array {
  const n = src.length;
  const out = new Uint8Array(32 + n + Math.floor(n / 6));
  let o = 0;
  for (let v = n; ; v = Math.floor(v / 128)) {
    if (v < 128) {
      out[o++] = v;
      break;
    }
    out[o++] = (v & 0x7f) | 0x80;
  }
  const table = new Int32Array(1 << HASH_BITS);
  for (let start = 0; start < n; start += BLOCK) {
    o = compressBlock(src, start, Math.min(start + BLOCK, n), out, o, table);
  }
  return out.slice(0, o);
}

function compressBlock(
  src: Uint8Array,
  start: number,
  end: number,
  out: Uint8Array,
  o: number,
  table: Int32Array,
): number {
  // Below this size a match would save less than the bookkeeping costs (Go's minNonLiteralBlockSize).
  if (end - start < 17) return emitLiteral(src, start, end, out, o);
  table.fill(-1);
  const last = end - 4;
  let literalStart = start;
  let s = start;
  let skip = 32;
  while (s <= last) {
    const word = load32(src, s);
    const h = Math.imul(word, 0x1e35a7bd) >>> (32 - HASH_BITS);
    const candidate = table[h]!;
    table[h] = s;
    if (candidate < 0 || load32(src, candidate) !== word) {
      s += skip++ >> 5;
      continue;
    }
    let len = 4;
    while (s + len < end && src[candidate + len] === src[s + len]) len++;
    o = emitLiteral(src, literalStart, s, out, o);
    o = emitCopy(s - candidate, len, out, o);
    s += len;
    literalStart = s;
    skip = 32;
  }
  return emitLiteral(src, literalStart, end, out, o);
}

function load32(src: Uint8Array, i: number): number {
  return src[i]! | (src[i + 1]! << 8) | (src[i + 2]! << 16) | (src[i + 3]! << 24);
}

function emitLiteral(src: Uint8Array, from: number, to: number, out: Uint8Array, o: number): number {
  const len = to - from;
  if (len === 0) return o;
  const n = len - 1;
  if (n < 60) {
    out[o++] = n << 2;
  } else if (n < 256) {
    out[o++] = 60 << 2;
    out[o++] = n;
  } else {
    out[o++] = 61 << 2;
    out[o++] = n & 0xff;
    out[o++] = n >>> 8;
  }
  out.set(src.subarray(from, to), o);
  return o + len;
}

function emitCopy(offset: number, length: number, out: Uint8Array, o: number): number {
  let len = length;
  while (len >= 68) {
    o = emitCopy2(offset, 64, out, o);
    len -= 64;
  }
  // Leaves at least 4 for the last copy, which a copy-1 needs.
  if (len > 64) {
    o = emitCopy2(offset, 60, out, o);
    len -= 60;
  }
  if (len >= 12 || offset >= 2048) return emitCopy2(offset, len, out, o);
  out[o++] = ((offset >>> 8) << 5) | ((len - 4) << 2) | 1;
  out[o++] = offset & 0xff;
  return o;
}

function emitCopy2(offset: number, len: number, out: Uint8Array, o: number): number {
  out[o++] = ((len - 1) << 2) | 2;
  out[o++] = offset & 0xff;
  out[o++] = offset >>> 8;
  return o;
}
