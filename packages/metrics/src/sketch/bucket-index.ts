import { fractionsOf } from './native-buckets.js';

/**
 * Maps a positive finite double to its bucket in the base-2 exponential layout at scale 6, the
 * layout of Prometheus native histograms (schema 6) and OpenTelemetry's exponential histogram. At
 * scale 6, bucket k covers (2^(k/64), 2^((k+1)/64)], upper bound included as in Prometheus, with
 * Prometheus's own boundary constants: bucket k is Prometheus's bucket k + 1 at every scale (downscaling
 * k to k >> n matches Prometheus's merge of buckets), so a value that equals a boundary, such as any
 * power of two, lands where Prometheus puts it. Neighbouring bounds differ by 2^(1/64) ≈ 1.0109, so the
 * value written back for a bucket, 2lu/(l+u), is within (γ-1)/(γ+1) ≈ 0.54% of anything in it.
 *
 * The index comes from the float's bits instead of Math.log (research/percentiles.md: ≈2.6 ns against
 * ≈10 ns). Worked example for v = 3: the bits give exponent 1 and mantissa 1.5; the top 12 mantissa
 * bits (0x800) pick the cell starting at 1.5, below which TABLE counts 38 boundaries (2^(37/64) ≈
 * 1.4931 is the last); the full mantissa is not above the next one, 2^(38/64) ≈ 1.5093, so
 * k = 1·64 + 38 − 1 = 101, and 2^(101/64) ≈ 2.986 < 3 ≤ 3.019.
 */
export const MAX_SCALE = 6;
const SUB_BUCKETS = 1 << MAX_SCALE;
const TOP_BITS = 12;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;

/**
 * The 52-bit mantissa of Prometheus's boundary 2^(j/64), for j in 0..63: exactly, as a double, in
 * BOUND[j], and its top 20 bits in BOUND_HI[j]; index 64 is past every mantissa.
 */
const BOUND = new Float64Array(SUB_BUCKETS + 1);
const BOUND_HI = new Uint32Array(SUB_BUCKETS + 1);
/** TABLE[t] = how many boundaries lie strictly below the smallest mantissa whose top 12 bits are t. */
const TABLE = new Uint8Array(1 << TOP_BITS);

fractionsOf(MAX_SCALE).forEach((fraction, j) => {
  BOUND[j] = (fraction * 2 - 1) * 2 ** 52;
  BOUND_HI[j] = Math.floor(BOUND[j]! / 2 ** 32);
});
BOUND[SUB_BUCKETS] = 2 ** 52;
BOUND_HI[SUB_BUCKETS] = 1 << 20;
for (let t = 0, below = 0; t < 1 << TOP_BITS; t++) {
  const top = t << (20 - TOP_BITS);
  while (BOUND_HI[below]! < top) below++;
  TABLE[t] = below;
}

/** Smallest normal double's exponent; subnormals and zero go to the zero bucket instead. */
export const MIN_EXPONENT = -1022;

/** Bucket index at scale 6 of a positive, normal, finite double. */
export function bucketIndex(value: number): number {
  f64[0] = value;
  const hi = u32[HI]!;
  const exponent = (hi >>> 20) - 1023;
  const top = hi & 0xfffff;
  // A 12-bit cell is narrower than a bucket, so at most one boundary lies in it: one comparison, of
  // the top 20 bits, and of the whole mantissa only when those reach the boundary's (under 2% of
  // values: 64 of the 4096 cells hold a boundary). Written as `||` on the two bit ranges instead,
  // this cost 14 more instructions per call (callgrind), 18% of the function.
  let below = TABLE[top >>> (20 - TOP_BITS)]!;
  if (top >= BOUND_HI[below]! && top * 4294967296 + u32[LO]! > BOUND[below]!) below++;
  return exponent * SUB_BUCKETS + below - 1;
}

/** Lower bound of bucket `index` at `scale`: 2^(index / 2^scale). */
export function lowerBound(index: number, scale: number): number {
  return 2 ** (index / 2 ** scale);
}

/** Smallest positive value that gets a bucket of its own; below it a value counts as zero. */
export const MIN_NORMAL = 2 ** MIN_EXPONENT;
