/**
 * A double as two 32-bit words. The codecs work on words rather than numbers because a NaN's payload
 * only survives in typed arrays: V8 may replace any NaN kept in a plain JS array or object field by
 * its canonical NaN, and the staleness marker is told apart from other NaNs by its payload alone.
 */
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** Index of the high word inside a Float64Array's Uint32Array view: 1 on little-endian hosts. */
export const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
export const LO = 1 - HI;

/** Bits of `value`: call it, then read `bitsHi()` and `bitsLo()` before the next call. */
export function splitFloat(value: number): void {
  f64[0] = value;
}

export function bitsHi(): number {
  return u32[HI]!;
}

export function bitsLo(): number {
  return u32[LO]!;
}

export function joinFloat(hi: number, lo: number): number {
  u32[HI] = hi;
  u32[LO] = lo;
  return f64[0]!;
}

/** The staleness marker's words (STALE_NAN_BITS = 0x7ff0000000000002). */
export const STALE_HI = 0x7ff00000;
export const STALE_LO = 2;
