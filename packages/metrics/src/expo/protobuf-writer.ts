/**
 * The little protobuf encoding the exposition needs, written by hand so that `@vigil/metrics` keeps
 * no runtime dependency: varints, zigzag varints, doubles, strings and nested messages, appended to
 * one growing buffer. A nested message is written in place after a one-byte length; when it turns
 * out longer than 127 bytes its content moves right to make room for the longer varint (a memmove
 * of bytes already in cache, cheaper than sizing every message in a first pass).
 */
export class ProtobufWriter {
  // As large as the last writer's bytes, and a little more: an exposition is about as long as the
  // one before it, so it is written without growing the buffer step by step from a few KiB.
  #buf = new Uint8Array(Math.max(4096, lastLength + (lastLength >> 3)));
  #view = new DataView(this.#buf.buffer);
  #at = 0;
  readonly #open: number[] = [];

  /** The bytes written (a view of the buffer, not a copy). The writer is done with. */
  finish(): Uint8Array {
    lastLength = this.#at;
    return this.#buf.subarray(0, this.#at);
  }

  #room(n: number): void {
    if (this.#at + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#at + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.#buf.subarray(0, this.#at));
    this.#buf = grown;
    this.#view = new DataView(grown.buffer);
  }

  /** An unsigned varint of up to 2^53 (JS numbers); callers pass non-negative integers. */
  varint(value: number): void {
    this.#room(10);
    this.#at = putVarint(this.#buf, this.#at, value);
  }

  /** A signed integer as `sint32`/`sint64` (zigzag): small magnitudes stay small. */
  zigzag(value: number): void {
    this.varint(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  /** Signed integers `from` to `to` of `values` (a packed `sint64` field's content), with room made once. */
  zigzags(values: Int32Array | Float64Array, from: number, to: number): void {
    this.#room((to - from) * 10);
    const buf = this.#buf;
    let at = this.#at;
    for (let i = from; i < to; i++) {
      const value = values[i]!;
      // Bucket deltas are small: in int32 arithmetic, without the float steps large values need.
      if (value >= -0x3fffffff && value <= 0x3fffffff) {
        let z = ((value << 1) ^ (value >> 31)) >>> 0;
        while (z > 0x7f) {
          buf[at++] = (z & 0x7f) | 0x80;
          z >>>= 7;
        }
        buf[at++] = z;
      } else {
        at = putVarint(buf, at, value >= 0 ? value * 2 : -value * 2 - 1);
      }
    }
    this.#at = at;
  }

  /**
   * Messages of two integer fields, `sint32` 1 and `uint32` 2, from the pairs `from` to `to`: a native histogram's
   * `BucketSpan`s. Each is shorter than 128 bytes, so its length takes the one byte reserved for it.
   */
  pairs(field: number, values: Int32Array, from: number, to: number): void {
    this.#room(((to - from) / 2) * (5 + 12));
    const buf = this.#buf;
    let at = this.#at;
    for (let i = from; i < to; i += 2) {
      at = putVarint(buf, at, field * 8 + 2);
      const lengthAt = at++;
      const value = values[i]!;
      buf[at++] = 0x08; // field 1, varint
      at = putVarint(buf, at, ((value << 1) ^ (value >> 31)) >>> 0);
      buf[at++] = 0x10; // field 2, varint
      at = putVarint(buf, at, values[i + 1]!);
      buf[lengthAt] = at - lengthAt - 1;
    }
    this.#at = at;
  }

  /**
   * A message of a `uint64` field 1 and a `double` field 2: a classic histogram `Bucket`
   * (cumulative count, upper bound), at most 21 bytes, so its length takes one byte.
   */
  countAndDouble(field: number, count: number, bound: number): void {
    this.#room(5 + 21);
    const buf = this.#buf;
    let at = putVarint(buf, this.#at, field * 8 + 2);
    const lengthAt = at++;
    buf[at++] = 0x08; // field 1, varint
    at = putVarint(buf, at, count);
    buf[at++] = 0x11; // field 2, 64-bit
    this.#view.setFloat64(at, bound, true);
    at += 8;
    buf[lengthAt] = at - lengthAt - 1;
    this.#at = at;
  }

  /** How many bytes are written so far. */
  get length(): number {
    return this.#at;
  }

  /** A copy of the bytes written from `from` on (none of them inside a message still open). */
  copy(from: number): Uint8Array {
    return this.#buf.slice(from, this.#at);
  }

  /** Drops the bytes written from `at` on (none of them inside a message still open). */
  rewind(at: number): void {
    this.#at = at;
  }

  /** Appends `bytes` as they are: fields encoded before, by `copy`. */
  raw(bytes: Uint8Array): void {
    this.#room(bytes.length);
    this.#buf.set(bytes, this.#at);
    this.#at += bytes.length;
  }

  tag(field: number, wireType: 0 | 1 | 2): void {
    this.varint(field * 8 + wireType);
  }

  double(value: number): void {
    this.#room(8);
    this.#view.setFloat64(this.#at, value, true);
    this.#at += 8;
  }

  doubleField(field: number, value: number): void {
    this.tag(field, 1);
    this.double(value);
  }

  varintField(field: number, value: number): void {
    this.tag(field, 0);
    this.varint(value);
  }

  /** A string field of `text`, or of its units `from` to `to`. */
  stringField(field: number, text: string, from = 0, to = text.length): void {
    this.tag(field, 2);
    // At most 3 bytes per UTF-16 unit; the length is written once the bytes are.
    this.#room((to - from) * 3 + 5);
    const buf = this.#buf;
    const start = this.#at + 1;
    let at = start;
    // Label names and most values are ASCII: copied unit by unit, which beats the encoder's call on
    // strings this short; the encoder takes over from the first unit that is not.
    let i = from;
    for (; i < to; i++) {
      const unit = text.charCodeAt(i);
      if (unit >= 0x80) break;
      buf[at++] = unit;
    }
    if (i < to) at += ENCODER.encodeInto(text.slice(i, to), buf.subarray(at)).written;
    this.#at = at;
    this.#closeAt(start - 1, at - start);
  }

  /** Starts a nested message (a LEN field); `end()` closes it. */
  begin(field: number): void {
    this.tag(field, 2);
    this.#room(1);
    this.#open.push(this.#at);
    this.#at++;
  }

  end(): void {
    const lengthAt = this.#open.pop()!;
    this.#closeAt(lengthAt, this.#at - lengthAt - 1);
  }

  /** A length-delimited message at top level (the `encoding=delimited` framing): `beginDelimited`, then `end`. */
  beginDelimited(): void {
    this.#room(1);
    this.#open.push(this.#at);
    this.#at++;
  }

  /** Writes `length` as a varint at `lengthAt`, where one byte was reserved, moving the content if it needs more. */
  #closeAt(lengthAt: number, length: number): void {
    if (length < 0x80) {
      this.#buf[lengthAt] = length;
      return;
    }
    const extra = varintSize(length) - 1;
    const contentAt = lengthAt + 1;
    this.#room(extra);
    this.#buf.copyWithin(contentAt + extra, contentAt, contentAt + length);
    putVarint(this.#buf, lengthAt, length);
    this.#at += extra;
  }
}

/** Writes `value` as a varint at `at` (room already made); returns where the next byte goes. */
function putVarint(buf: Uint8Array, at: number, value: number): number {
  while (value > 0x7fffffff) {
    buf[at++] = (value % 128) | 0x80;
    value = Math.floor(value / 128);
  }
  while (value > 0x7f) {
    buf[at++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  buf[at++] = value;
  return at;
}

function varintSize(value: number): number {
  let n = 1;
  while (value > 0x7f) {
    value = Math.floor(value / 128);
    n++;
  }
  return n;
}

const ENCODER = new TextEncoder();
/** How many bytes the last writer wrote. */
let lastLength = 0;
