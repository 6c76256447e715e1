/**
 * The little protobuf encoding the exposition needs, written by hand so that `@vigil/metrics` keeps
 * no runtime dependency: varints, zigzag varints, doubles, strings and nested messages, appended to
 * one growing buffer. A nested message is written in place after a one-byte length; when it turns
 * out longer than 127 bytes its content moves right to make room for the longer varint (a memmove
 * of bytes already in cache, cheaper than sizing every message in a first pass).
 */
export class ProtobufWriter {
  #buf = new Uint8Array(4096);
  #view = new DataView(this.#buf.buffer);
  #at = 0;
  readonly #open: number[] = [];

  /** The bytes written so far (a view, not a copy). */
  finish(): Uint8Array {
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

  /** Many signed integers (a packed `sint64` field's content), with room made once for all of them. */
  zigzags(values: readonly number[]): void {
    this.#room(values.length * 10);
    const buf = this.#buf;
    let at = this.#at;
    for (let i = 0; i < values.length; i++) {
      const value = values[i]!;
      at = putVarint(buf, at, value >= 0 ? value * 2 : -value * 2 - 1);
    }
    this.#at = at;
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

  stringField(field: number, text: string): void {
    this.tag(field, 2);
    // At most 3 bytes per UTF-16 unit; the length is written once the bytes are.
    this.#room(text.length * 3 + 5);
    const start = this.#at + 1;
    const { written } = ENCODER.encodeInto(text, this.#buf.subarray(start));
    this.#at = start + written;
    this.#closeAt(start - 1, written);
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
    const extra = varintSize(length) - 1;
    const contentAt = lengthAt + 1;
    if (extra > 0) {
      this.#room(extra);
      this.#buf.copyWithin(contentAt + extra, contentAt, contentAt + length);
    }
    const at = this.#at;
    this.#at = lengthAt;
    this.varint(length);
    this.#at = at + extra;
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
