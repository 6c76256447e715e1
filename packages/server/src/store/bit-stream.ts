/**
 * Bits packed most significant first into bytes, as the Gorilla paper and the Prometheus TSDB lay
 * them out. Writes take at most 32 bits at a time so that every value stays a small integer in V8;
 * wider fields are written as a high and a low part.
 */
export class BitWriter {
  bytes: Uint8Array;
  bitLength = 0;

  constructor(capacity = 64) {
    this.bytes = new Uint8Array(Math.max(8, capacity));
  }

  /** Writes the low `n` bits of `value`, 0 <= n <= 32. */
  write(value: number, n: number): void {
    let pos = this.bitLength;
    const end = pos + n;
    if ((end + 7) >>> 3 > this.bytes.length) this.#grow(end);
    const bytes = this.bytes;
    let rest = n;
    while (rest > 0) {
      const free = 8 - (pos & 7);
      const take = free < rest ? free : rest;
      rest -= take;
      bytes[pos >>> 3]! |= ((value >>> rest) & ((1 << take) - 1)) << (free - take);
      pos += take;
    }
    this.bitLength = end;
  }

  /** Writes a non-negative integer below 2^53 in `n` bits, 0 <= n <= 53. */
  writeWide(value: number, n: number): void {
    if (n > 32) {
      this.write(Math.floor(value / 4294967296), n - 32);
      this.write(value >>> 0, 32);
    } else {
      this.write(value >>> 0, n);
    }
  }

  /** Bits `shift` to `shift + n - 1` of the 64-bit word hi:lo, highest first. */
  write64(hi: number, lo: number, shift: number, n: number): void {
    const top = shift + n;
    if (top > 32) {
      const from = shift > 32 ? shift : 32;
      this.write(hi >>> (from - 32), top - from);
    }
    if (shift < 32) this.write(lo >>> shift, (top < 32 ? top : 32) - shift);
  }

  /** The bytes written so far, copied to an array of exactly that length. */
  finish(): Uint8Array {
    return this.bytes.slice(0, (this.bitLength + 7) >>> 3);
  }

  /** The bytes written so far, without copying: valid until the next write. */
  view(): Uint8Array {
    return this.bytes.subarray(0, (this.bitLength + 7) >>> 3);
  }

  #grow(bits: number): void {
    const next = new Uint8Array(Math.max(this.bytes.length * 2, (bits + 7) >>> 3));
    next.set(this.bytes);
    this.bytes = next;
  }
}

/**
 * Reads what a BitWriter wrote. Reading past the end yields zero bits, never an exception.
 *
 * Fields are cut out of a 32-bit window at the read position (one big-endian load and one byte),
 * rather than assembled a byte at a time: the XOR-coded values of a gauge are mostly 40-55 bit fields.
 */
export class BitReader {
  bytes!: Uint8Array;
  #view!: DataView;
  pos = 0;

  constructor(bytes: Uint8Array, bitOffset = 0) {
    this.reset(bytes, bitOffset);
  }

  /** Reads `bytes` from `bitOffset` on: one reader for many short streams (rollup-codec.ts). */
  reset(bytes: Uint8Array, bitOffset = 0): void {
    this.bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = bitOffset;
  }

  bit(): number {
    const pos = this.pos++;
    return ((this.bytes[pos >>> 3] ?? 0) >>> (7 - (pos & 7))) & 1;
  }

  /** Reads 1 bits until a 0 bit or `max` of them: how many 1 bits came (a prefix code's length). */
  ones(max: number): number {
    const n = Math.clz32(~this.peek());
    if (n < max) {
      this.pos += n + 1;
      return n;
    }
    this.pos += max;
    return max;
  }

  /** Reads `n` bits as an unsigned integer, 0 <= n <= 32. */
  read(n: number): number {
    if (n === 0) return 0;
    const value = this.peek() >>> (32 - n);
    this.pos += n;
    return value;
  }

  /** The next 32 bits, highest first, as a signed 32-bit integer, without moving the read position. */
  peek(): number {
    const i = this.pos >>> 3;
    const shift = this.pos & 7;
    if (i + 5 > this.bytes.length) return this.#peekNearEnd(i, shift);
    const word = this.#view.getInt32(i);
    return shift === 0 ? word : (word << shift) | (this.bytes[i + 4]! >>> (8 - shift));
  }

  #peekNearEnd(i: number, shift: number): number {
    const bytes = this.bytes;
    let word = 0;
    for (let k = 0; k < 4; k++) word = (word << 8) | (bytes[i + k] ?? 0);
    return shift === 0 ? word : (word << shift) | ((bytes[i + 4] ?? 0) >>> (8 - shift));
  }

  /** Reads a non-negative integer of `n` bits, 0 <= n <= 53. */
  readWide(n: number): number {
    if (n > 32) {
      const hi = this.read(n - 32);
      return hi * 4294967296 + this.read(32);
    }
    return this.read(n);
  }
}

/** Number of significant bits of a non-negative integer below 2^53. */
export function bitLength(value: number): number {
  if (value < 4294967296) return 32 - Math.clz32(value);
  return 64 - Math.clz32(Math.floor(value / 4294967296));
}

/** Signed to unsigned: 0, -1, 1, -2, 2 ... become 0, 1, 2, 3, 4 ... (exact below 2^52 in magnitude). */
export function zigzag(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

export function unzigzag(value: number): number {
  return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
}
