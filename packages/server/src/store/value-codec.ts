import { type BitReader, type BitWriter, bitLength, unzigzag, zigzag } from './bit-stream.js';
import { bitsHi, bitsLo, splitFloat } from './float-bits.js';

/**
 * Sample values, Gorilla-style, with an integer mode in front of the XOR coding (as Facebook's own
 * successor codec M3TSZ does): counters, histogram buckets and byte gauges carry whole numbers, and
 * for those the difference between consecutive steps is far smaller than the XOR of two doubles.
 *
 * A chunk starts in integer mode when its first value is an integer with |v| <= 2^50 (and not -0),
 * otherwise in XOR mode. In integer mode each value is coded by zigzag(dod), dod = this step minus the
 * previous step:
 *
 *   dod = 0                        '0'                                   1 bit
 *   zigzag(dod) < 2^4              '10'   + 4 bits                       6 bits
 *   zigzag(dod) < 2^8              '110'  + 8 bits                      11 bits
 *   any other integer              '1110' + 6-bit length L + L bits     10 + L bits
 *   not such an integer            '1111', then that value and every later one of the chunk in XOR mode
 *
 * XOR mode is the Prometheus TSDB's (tsdb/chunkenc/xor.go), bit for bit in the control codes: '0' for
 * the same 64 bits again; '10' + the meaningful bits when the XOR with the previous value fits inside
 * the previous window of leading/trailing zeros; '11' + 5 bits of leading zeros + 6 bits of length
 * + the meaningful bits otherwise. The first value is '0' + 6-bit L + L bits of zigzag(v) in integer
 * mode and '1' + the 64 raw bits in XOR mode.
 *
 * Worked example, a counter reading 1000, 1013, 1025, 1040, 1040:
 *
 *   integer mode   1000: '0' + L=11 + zigzag 2000 (18 bits); 1013: step 13, dod 13, z 26: '110' + 8
 *                  (11); 1025: step 12, dod -1, z 1: '10' + 4 (6); 1040: step 15, dod 3, z 6 (6);
 *                  1040: step 0, dod -15, z 29 (11).                                  Total 52 bits.
 *   XOR only       1000: 64 raw bits; 1013: xor 0x0000e80000000000, 16 leading and 43 trailing
 *                  zeros, 5 meaningful bits: '11' + 5 + 6 + 5 (18); 1025 crosses a power of two, xor
 *                  0x001fac0000000000, 11 meaningful bits in a new window (24); 1040: xor
 *                  0x0000440000000000 fits the 11-bit window: '10' + 11 (13); 1040: '0' (1).
 *                                                                                     Total 120 bits.
 *
 * A gauge reading 0.5, 0.75, 0.75, 0.625 stays in XOR mode: 0.5 is '1' + 64 bits; 0.75 xor 0.5 =
 * 0x0008000000000000 (12 leading, 51 trailing zeros, 1 meaningful bit): '11' + 5 + 6 + 1 = 14 bits;
 * 0.75 again: '0'; 0.625 xor 0.75 = 0x000c000000000000 needs 2 bits below the old window: '11' + 13 +
 * 2 = 15 bits. NaN payloads, infinities and -0 are just bit patterns here and come back exact.
 */
export class ValueEncoder {
  /** 0 before the first value, 1 integer mode, 2 XOR mode. */
  #mode = 0;
  #prev = 0;
  #prevDelta = 0;
  #prevHi = 0;
  #prevLo = 0;
  #leading = -1;
  #trailing = 0;

  /** Encodes `v`, whose 64 bits are hi:lo (the caller has them already, see float-bits.ts). */
  encode(w: BitWriter, v: number, hi: number, lo: number): void {
    if (this.#mode === 1) {
      if (isIntegerValue(v)) {
        const delta = v - this.#prev;
        const dod = delta - this.#prevDelta;
        this.#prev = v;
        this.#prevDelta = delta;
        if (dod === 0) {
          w.write(0, 1);
          return;
        }
        const z = zigzag(dod);
        if (z < 16) w.write((0b10 << 4) | z, 6);
        else if (z < 256) w.write((0b110 << 8) | z, 11);
        else {
          const n = bitLength(z);
          w.write((0b1110 << 6) | n, 10);
          w.writeWide(z, n);
        }
        return;
      }
      w.write(0b1111, 4);
      splitFloat(this.#prev);
      this.#prevHi = bitsHi();
      this.#prevLo = bitsLo();
      this.#mode = 2;
    }
    if (this.#mode === 2) {
      this.#xor(w, hi, lo);
      return;
    }
    if (isIntegerValue(v)) {
      const z = zigzag(v);
      const n = bitLength(z);
      w.write(n, 7);
      w.writeWide(z, n);
      this.#mode = 1;
      this.#prev = v;
      return;
    }
    w.write(1, 1);
    w.write(hi, 32);
    w.write(lo, 32);
    this.#mode = 2;
    this.#prevHi = hi;
    this.#prevLo = lo;
  }

  #xor(w: BitWriter, hi: number, lo: number): void {
    const xh = (hi ^ this.#prevHi) >>> 0;
    const xl = (lo ^ this.#prevLo) >>> 0;
    this.#prevHi = hi;
    this.#prevLo = lo;
    if (xh === 0 && xl === 0) {
      w.write(0, 1);
      return;
    }
    let leading = xh !== 0 ? Math.clz32(xh) : 32 + Math.clz32(xl);
    const trailing = xl !== 0 ? 31 - Math.clz32(xl & -xl) : 63 - Math.clz32(xh & -xh);
    if (leading > 31) leading = 31;
    if (this.#leading >= 0 && leading >= this.#leading && trailing >= this.#trailing) {
      w.write(0b10, 2);
      w.write64(xh, xl, this.#trailing, 64 - this.#leading - this.#trailing);
      return;
    }
    const n = 64 - leading - trailing;
    w.write((((0b11 << 5) | leading) << 6) | (n & 63), 13);
    w.write64(xh, xl, trailing, n);
    this.#leading = leading;
    this.#trailing = trailing;
  }
}

/**
 * Decodes what ValueEncoder wrote. After `decode`, `isFloat` says where the value is: in `value`
 * (integer mode) or in the words `hi` and `lo` (XOR mode), which keep a NaN's payload.
 */
export class ValueDecoder {
  isFloat = false;
  value = 0;
  hi = 0;
  lo = 0;
  #mode = 0;
  #prevDelta = 0;
  #leading = 0;
  #trailing = 0;

  /** Back to the start of a new stream. */
  reset(): void {
    this.isFloat = false;
    this.value = 0;
    this.hi = 0;
    this.lo = 0;
    this.#mode = 0;
    this.#prevDelta = 0;
    this.#leading = 0;
    this.#trailing = 0;
  }

  decode(r: BitReader): void {
    if (this.#mode === 1) {
      let dod = 0;
      switch (r.ones(4)) {
        case 0:
          break;
        case 1:
          dod = unzigzag(r.read(4));
          break;
        case 2:
          dod = unzigzag(r.read(8));
          break;
        case 3:
          dod = unzigzag(r.readWide(r.read(6)));
          break;
        default:
          splitFloat(this.value);
          this.hi = bitsHi();
          this.lo = bitsLo();
          this.#mode = 2;
          this.isFloat = true;
          this.#xor(r);
          return;
      }
      this.#prevDelta += dod;
      this.value += this.#prevDelta;
      return;
    }
    if (this.#mode === 2) {
      this.#xor(r);
      return;
    }
    if (r.bit() === 0) {
      this.value = unzigzag(r.readWide(r.read(6)));
      this.#mode = 1;
      this.isFloat = false;
      return;
    }
    this.hi = r.read(32);
    this.lo = r.read(32);
    this.#mode = 2;
    this.isFloat = true;
  }

  #xor(r: BitReader): void {
    // The control bits ('0', '10', or '11' with the window) come from one 32-bit look-ahead.
    const head = r.peek();
    if (head >= 0) {
      r.pos += 1;
      return;
    }
    let n: number;
    if ((head & 0x40000000) === 0) {
      r.pos += 2;
      n = 64 - this.#leading - this.#trailing;
    } else {
      this.#leading = (head >>> 25) & 31;
      n = (head >>> 19) & 63 || 64;
      this.#trailing = 64 - this.#leading - n;
      r.pos += 13;
    }
    const shift = this.#trailing;
    const top = shift + n;
    if (top > 32) {
      const from = shift > 32 ? shift : 32;
      this.hi = (this.hi ^ (r.read(top - from) << (from - 32))) >>> 0;
    }
    if (shift < 32) this.lo = (this.lo ^ (r.read((top < 32 ? top : 32) - shift) << shift)) >>> 0;
  }
}

const INTEGER_LIMIT = 2 ** 50;

/** Whether `v` is coded in integer mode: a whole number that keeps every difference exact. */
export function isIntegerValue(v: number): boolean {
  return Number.isInteger(v) && v <= INTEGER_LIMIT && v >= -INTEGER_LIMIT && (v !== 0 || 1 / v > 0);
}
