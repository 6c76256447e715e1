import {
  type BucketSpan,
  COUNTER_RESET_HINTS,
  type IntNativeHistogram,
  type NativeHistogram,
  NativeHistogramError,
} from './native-histogram.js';

/**
 * A chunk of native histogram samples, byte-aligned:
 *
 *   version 1 (u8) | sample count (varint) | samples
 *   sample = timestamp | flags (u8) | [layout] | zero count, count | sum (f64) | bucket counts
 *
 * The first timestamp is written whole (zigzag varint), the second as a delta, later ones as the
 * change of the delta: a steady scrape costs one byte. `flags` holds the kind (bit 0, float), whether
 * the bucket layout (schema, zero threshold, spans) is the previous sample's (bit 1) and the counter
 * reset hint (bits 2-3). A layout is written only when it changes, so buckets that appear over time or
 * a schema that drops cost bytes only then. Integer histograms with the previous sample's layout and
 * kind write each bucket delta's change since the previous sample (zigzag varints) when most
 * changed (flag bit 4), else only the bucket counts that changed: per side, runs of (unchanged
 * counts before the next change (varint), the count's change (zigzag varint)), ending when the side
 * is covered, a trailing run of unchanged counts as a number alone. A latency histogram of hundreds
 * of buckets gets a few observations per scrape: it costs bytes for those few, not a byte for every
 * bucket as version 1 (which always wrote every delta's change) did; version 1 chunks are still
 * read. Floats (sums, float bucket counts, the zero
 * threshold) are written as their 8 bytes, so every value, NaN payloads included (the staleness
 * marker is a histogram whose sum is Prometheus's stale NaN), reads back bit for bit.
 */
export const HISTOGRAM_CHUNK_VERSION = 2;
/** The first version, which wrote every bucket's change: read, never written. */
const DENSE_CHANGES_VERSION = 1;

const FLOAT = 1;
const SAME_LAYOUT = 2;
const EVERY_CHANGE = 16;
const RELATIVE = 32;

const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);
/** The byte order a Float64Array writes in (the encoder's), for a DataView to read back. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

class ByteWriter {
  bytes = new Uint8Array(256);
  length = 0;

  #room(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n));
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
  }

  byte(b: number): void {
    this.#room(1);
    this.bytes[this.length++] = b;
  }

  /** An integer 0 <= n < 2^53, seven bits a byte, low bits first. */
  varint(n: number): void {
    this.#room(8);
    while (n >= 128) {
      this.bytes[this.length++] = (n % 128) | 128;
      n = Math.floor(n / 128);
    }
    this.bytes[this.length++] = n;
  }

  /** An integer -2^52 < n < 2^52. */
  signed(n: number): void {
    this.varint(n >= 0 ? n * 2 : -n * 2 - 1);
  }

  float(v: number): void {
    this.#room(8);
    f64[0] = v;
    this.bytes.set(f64Bytes, this.length);
    this.length += 8;
  }

  finish(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

class ByteReader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  #at = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  byte(): number {
    if (this.#at >= this.#bytes.length) corrupt('ends inside a sample');
    return this.#bytes[this.#at++]!;
  }

  varint(): number {
    // Most are one byte (a bucket's change from the sample before): no loop for those.
    const first = this.#bytes[this.#at];
    if (first !== undefined && first < 128) {
      this.#at++;
      return first;
    }
    let n = 0;
    let scale = 1;
    for (;;) {
      const b = this.byte();
      n += (b & 127) * scale;
      if (b < 128) return n;
      scale *= 128;
      if (scale > 2 ** 56) corrupt('holds a varint longer than 8 bytes');
    }
  }

  signed(): number {
    const z = this.varint();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  float(): number {
    if (this.#at + 8 > this.#bytes.length) corrupt('ends inside a float');
    const value = this.#view.getFloat64(this.#at, LITTLE_ENDIAN);
    this.#at += 8;
    return value;
  }

  get done(): boolean {
    return this.#at === this.#bytes.length;
  }
}

/** Plain loops: Array.from with a callback costs more than the decoding itself here. */
function readFloats(input: ByteReader, n: number): number[] {
  const out = new Array<number>(n);
  for (let k = 0; k < n; k++) out[k] = input.float();
  return out;
}

/** `n` zigzag integers, each added to the same position of `base` when there is one. */
function readSigned(input: ByteReader, n: number, base?: readonly number[]): number[] {
  const out = new Array<number>(n);
  for (let k = 0; k < n; k++) out[k] = (base === undefined ? 0 : base[k]!) + input.signed();
  return out;
}

/**
 * How much each bucket's count changed since `base` (deltas of the same layout): the running sum of
 * the deltas' changes. An observation changes one count but two deltas (its bucket's and the next
 * one's), so the counts' changes are the sparser of the two.
 */
function countChanges(deltas: readonly number[], base: readonly number[], out: number[]): void {
  out.length = deltas.length;
  let change = 0;
  for (let k = 0; k < deltas.length; k++) out[k] = change += deltas[k]! - base[k]!;
}

/**
 * Whether changes this large are written exactly: a zigzag varint holds integers below 2^53, and a
 * delta's change is the difference of two count changes.
 */
function small(...changes: readonly (readonly number[] | number)[]): boolean {
  for (const c of changes) {
    if (typeof c === 'number') {
      if (Math.abs(c) >= 2 ** 51) return false;
      continue;
    }
    for (let k = 0; k < c.length; k++) if (Math.abs(c[k]!) >= 2 ** 51) return false;
  }
  return true;
}

/** The changes of the counts since the previous sample, as runs of unchanged counts then a change. */
function writeChanges(out: ByteWriter, changes: readonly number[]): void {
  const n = changes.length;
  let at = 0;
  while (at < n) {
    let next = at;
    while (next < n && changes[next] === 0) next++;
    out.varint(next - at);
    if (next === n) return;
    out.signed(changes[next]!);
    at = next + 1;
  }
}

function nonZero(values: readonly number[]): number {
  let n = 0;
  for (let k = 0; k < values.length; k++) if (values[k] !== 0) n++;
  return n;
}

/** A side's counts by bucket index: `counts[i - first]` (0 in the gaps between spans). */
interface CountsByIndex {
  readonly first: number;
  readonly counts: readonly number[];
}

function countsByIndex(spans: readonly BucketSpan[], deltas: readonly number[]): CountsByIndex {
  const counts: number[] = [];
  let first = 0;
  let index = 0;
  let at = 0;
  let count = 0;
  for (let s = 0; s < spans.length; s++) {
    index += spans[s]!.offset;
    for (let j = 0; j < spans[s]!.length; j++) {
      if (at === 0) first = index;
      while (counts.length < index - first) counts.push(0);
      count += deltas[at++]!;
      counts.push(count);
      index++;
    }
  }
  return { first, counts };
}

function countAt(base: CountsByIndex, index: number): number {
  const k = index - base.first;
  return k >= 0 && k < base.counts.length ? base.counts[k]! : 0;
}

/** Each bucket's count (of `spans` and `deltas`) minus the same bucket's count in `base`, 0 where it had none. */
function relativeChanges(
  spans: readonly BucketSpan[],
  deltas: readonly number[],
  base: CountsByIndex,
  out: number[],
): void {
  out.length = deltas.length;
  let index = 0;
  let at = 0;
  let count = 0;
  for (let s = 0; s < spans.length; s++) {
    index += spans[s]!.offset;
    for (let j = 0; j < spans[s]!.length; j++) {
      count += deltas[at]!;
      out[at++] = count - countAt(base, index++);
    }
  }
}

/** The deltas of `n` buckets laid out by `spans`, from `base`'s counts at the same indexes and the changes writeChanges wrote. */
function readRelative(
  input: ByteReader,
  spans: readonly BucketSpan[],
  n: number,
  base: CountsByIndex,
): number[] {
  const out = new Array<number>(n);
  let index = 0;
  let at = 0;
  for (let s = 0; s < spans.length; s++) {
    index += spans[s]!.offset;
    for (let j = 0; j < spans[s]!.length; j++) out[at++] = countAt(base, index++);
  }
  for (let k = 0; k < n; ) {
    k += input.varint();
    if (k > n) corrupt('has a run of unchanged buckets past the end of its side');
    if (k === n) break;
    out[k] = out[k]! + input.signed();
    k++;
  }
  for (let k = n - 1; k > 0; k--) out[k] = out[k]! - out[k - 1]!;
  return out;
}

/** `base` (deltas) with the count changes writeChanges wrote applied: a new array. */
function readChanges(input: ByteReader, base: readonly number[]): number[] {
  const out = base.slice();
  const n = out.length;
  let at = 0;
  while (at < n) {
    at += input.varint();
    if (at > n) corrupt('has a run of unchanged buckets past the end of its side');
    if (at === n) break;
    const change = input.signed();
    out[at] = out[at]! + change;
    if (at + 1 < n) out[at + 1] = out[at + 1]! - change;
    at++;
  }
  return out;
}

function corrupt(what: string): never {
  throw new NativeHistogramError(`histogram chunk ${what}`);
}

function sameSpans(a: readonly BucketSpan[], b: readonly BucketSpan[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++)
    if (a[i]!.offset !== b[i]!.offset || a[i]!.length !== b[i]!.length) return false;
  return true;
}

function sameLayout(a: NativeHistogram, b: NativeHistogram): boolean {
  return (
    a.schema === b.schema &&
    Object.is(a.zeroThreshold, b.zeroThreshold) &&
    sameSpans(a.positiveSpans, b.positiveSpans) &&
    sameSpans(a.negativeSpans, b.negativeSpans)
  );
}

function bucketsOf(h: NativeHistogram): [readonly number[], readonly number[]] {
  return h.kind === 'int' ? [h.positiveDeltas, h.negativeDeltas] : [h.positiveCounts, h.negativeCounts];
}

function writeSpans(out: ByteWriter, spans: readonly BucketSpan[]): void {
  out.varint(spans.length);
  for (const s of spans) {
    out.signed(s.offset);
    out.varint(s.length);
  }
}

function readSpans(input: ByteReader): BucketSpan[] {
  const n = input.varint();
  const spans: BucketSpan[] = [];
  for (let i = 0; i < n; i++) spans.push({ offset: input.signed(), length: input.varint() });
  return spans;
}

/**
 * Encodes samples (timestamps ascending, integers in ms) that validateNativeHistogram accepted.
 * Chunks are written whole: the store re-encodes its open head at each flush, as it does for floats.
 */
export function encodeHistogramChunk(
  timestamps: ArrayLike<number>,
  histograms: readonly NativeHistogram[],
): Uint8Array {
  const out = new ByteWriter();
  out.byte(HISTOGRAM_CHUNK_VERSION);
  out.varint(histograms.length);
  let prevT = 0;
  let prevDelta = 0;
  let prev: NativeHistogram | undefined;
  const positiveChanges: number[] = [];
  const negativeChanges: number[] = [];
  for (let i = 0; i < histograms.length; i++) {
    const t = timestamps[i]!;
    const h = histograms[i]!;
    if (i === 0) {
      out.signed(t);
    } else {
      const delta = t - prevT;
      out.signed(i === 1 ? delta : delta - prevDelta);
      prevDelta = delta;
    }
    prevT = t;
    let same = prev !== undefined && sameLayout(prev, h);
    const ints = prev?.kind === 'int' && h.kind === 'int';
    let incremental = same && ints;
    // New buckets in a cumulative histogram: counts still relative to the previous sample's.
    let relative =
      !same && ints && prev!.schema === h.schema && Object.is(prev!.zeroThreshold, h.zeroThreshold);
    const [positive, negative] = bucketsOf(h);
    let every = false;
    if (relative || incremental) {
      const p = prev as IntNativeHistogram;
      if (relative) {
        const positiveBase = countsByIndex(p.positiveSpans, p.positiveDeltas);
        const negativeBase = countsByIndex(p.negativeSpans, p.negativeDeltas);
        relativeChanges(h.positiveSpans, positive, positiveBase, positiveChanges);
        relativeChanges(h.negativeSpans, negative, negativeBase, negativeChanges);
      } else {
        countChanges(positive, p.positiveDeltas, positiveChanges);
        countChanges(negative, p.negativeDeltas, negativeChanges);
        // A run and a change cost about two bytes where every delta's change costs one.
        every =
          2 * (nonZero(positiveChanges) + nonZero(negativeChanges)) >= positive.length + negative.length;
      }
      if (!small(h.count - p.count, h.zeroCount - p.zeroCount, positiveChanges, negativeChanges)) {
        // Written whole, layout included: the reader takes an integer sample of the same layout as incremental.
        incremental = relative = every = same = false;
      }
    }
    out.byte(
      (h.kind === 'float' ? FLOAT : 0) |
        (same ? SAME_LAYOUT : 0) |
        (COUNTER_RESET_HINTS.indexOf(h.counterResetHint) << 2) |
        (every ? EVERY_CHANGE : 0) |
        (relative ? RELATIVE : 0),
    );
    if (!same) {
      out.signed(h.schema);
      out.float(h.zeroThreshold);
      writeSpans(out, h.positiveSpans);
      writeSpans(out, h.negativeSpans);
    }
    if (h.kind === 'float') {
      out.float(h.zeroCount);
      out.float(h.count);
      out.float(h.sum);
      for (const c of positive) out.float(c);
      for (const c of negative) out.float(c);
    } else if (incremental || relative) {
      const p = prev as NativeHistogram & { kind: 'int' };
      out.signed(h.zeroCount - p.zeroCount);
      out.signed(h.count - p.count);
      out.float(h.sum);
      if (every) {
        for (let k = 0; k < positive.length; k++) out.signed(positive[k]! - p.positiveDeltas[k]!);
        for (let k = 0; k < negative.length; k++) out.signed(negative[k]! - p.negativeDeltas[k]!);
      } else {
        writeChanges(out, positiveChanges);
        writeChanges(out, negativeChanges);
      }
    } else {
      out.varint(h.zeroCount);
      out.varint(h.count);
      out.float(h.sum);
      for (const d of positive) out.signed(d);
      for (const d of negative) out.signed(d);
    }
    prev = h;
  }
  return out.finish();
}

/** The samples of a chunk, in order; throws NativeHistogramError on bytes no encoder wrote. */
export function decodeHistogramChunk(data: Uint8Array): {
  timestamps: number[];
  histograms: NativeHistogram[];
} {
  const input = new ByteReader(data);
  const version = input.byte();
  if (version !== HISTOGRAM_CHUNK_VERSION && version !== DENSE_CHANGES_VERSION)
    corrupt(
      `has version ${version}, this vigil reads ${DENSE_CHANGES_VERSION} to ${HISTOGRAM_CHUNK_VERSION}`,
    );
  const dense = version === DENSE_CHANGES_VERSION;
  const n = input.varint();
  const timestamps: number[] = [];
  const histograms: NativeHistogram[] = [];
  let t = 0;
  let delta = 0;
  let prev: NativeHistogram | undefined;
  for (let i = 0; i < n; i++) {
    if (i === 0) {
      t = input.signed();
    } else {
      delta = i === 1 ? input.signed() : delta + input.signed();
      t += delta;
    }
    const flags = input.byte();
    const hint = COUNTER_RESET_HINTS[(flags >> 2) & 3]!;
    if (flags >> (dense ? 4 : 6) !== 0) corrupt(`has a sample with flags ${flags}`);
    const relative = (flags & RELATIVE) !== 0;
    const every = dense || (flags & EVERY_CHANGE) !== 0;
    const same = (flags & SAME_LAYOUT) !== 0;
    if (same && prev === undefined) corrupt('refers to the layout of a sample before its first');
    const schema = same ? prev!.schema : input.signed();
    const zeroThreshold = same ? prev!.zeroThreshold : input.float();
    const positiveSpans = same ? prev!.positiveSpans : readSpans(input);
    const negativeSpans = same ? prev!.negativeSpans : readSpans(input);
    const np = positiveSpans.reduce((a, s) => a + s.length, 0);
    const nn = negativeSpans.reduce((a, s) => a + s.length, 0);
    const shape = { schema, zeroThreshold, positiveSpans, negativeSpans, counterResetHint: hint };
    let h: NativeHistogram;
    if ((flags & FLOAT) !== 0) {
      const zeroCount = input.float();
      const count = input.float();
      const sum = input.float();
      const positiveCounts = readFloats(input, np);
      const negativeCounts = readFloats(input, nn);
      h = { kind: 'float', ...shape, zeroCount, count, sum, positiveCounts, negativeCounts };
    } else if (relative) {
      if (same || prev?.kind !== 'int')
        corrupt('has relative counts without an integer sample before of a new layout');
      const p = prev as NativeHistogram & { kind: 'int' };
      const zeroCount = p.zeroCount + input.signed();
      const count = p.count + input.signed();
      const sum = input.float();
      const positiveDeltas = readRelative(
        input,
        positiveSpans,
        np,
        countsByIndex(p.positiveSpans, p.positiveDeltas),
      );
      const negativeDeltas = readRelative(
        input,
        negativeSpans,
        nn,
        countsByIndex(p.negativeSpans, p.negativeDeltas),
      );
      h = { kind: 'int', ...shape, zeroCount, count, sum, positiveDeltas, negativeDeltas };
    } else if (same && prev!.kind === 'int') {
      const p = prev as NativeHistogram & { kind: 'int' };
      const zeroCount = p.zeroCount + input.signed();
      const count = p.count + input.signed();
      const sum = input.float();
      const positiveDeltas = every
        ? readSigned(input, np, p.positiveDeltas)
        : readChanges(input, p.positiveDeltas);
      const negativeDeltas = every
        ? readSigned(input, nn, p.negativeDeltas)
        : readChanges(input, p.negativeDeltas);
      h = { kind: 'int', ...shape, zeroCount, count, sum, positiveDeltas, negativeDeltas };
    } else {
      const zeroCount = input.varint();
      const count = input.varint();
      const sum = input.float();
      const positiveDeltas = readSigned(input, np);
      const negativeDeltas = readSigned(input, nn);
      h = { kind: 'int', ...shape, zeroCount, count, sum, positiveDeltas, negativeDeltas };
    }
    timestamps.push(t);
    histograms.push(h);
    prev = h;
  }
  if (!input.done) corrupt('has bytes after its last sample');
  return { timestamps, histograms };
}
