const P1 = 0x9e3779b185ebca87n;
const P2 = 0xc2b2ae3d27d4eb4fn;
const P3 = 0x165667b19e3779f9n;
const P4 = 0x85ebca77c2b2ae63n;
const P5 = 0x27d4eb2f165667c5n;
const MASK = 0xffffffffffffffffn;

const rotl = (x: bigint, r: bigint): bigint => ((x << r) | (x >> (64n - r))) & MASK;
const round = (acc: bigint, lane: bigint): bigint => (rotl((acc + lane * P2) & MASK, 31n) * P1) & MASK;
const merge = (acc: bigint, v: bigint): bigint => (((acc ^ round(0n, v)) * P1) & MASK) + P4;

function lane64(b: Uint8Array, at: number): bigint {
  let x = 0n;
  for (let i = 7; i >= 0; i--) x = (x << 8n) | BigInt(b[at + i]!);
  return x;
}

function lane32(b: Uint8Array, at: number): bigint {
  return BigInt((b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0);
}

/**
 * XXH64 with seed 0 (github.com/Cyan4973/xxHash's spec, as Go's cespare/xxhash computes it), the
 * hash Prometheus puts on label sets. BigInt arithmetic: it serves one experimental aggregation,
 * computed once per series and query, where clarity beats speed.
 */
export function xxhash64(b: Uint8Array): bigint {
  const n = b.length;
  let at = 0;
  let acc: bigint;
  if (n >= 32) {
    let v1 = (P1 + P2) & MASK;
    let v2 = P2;
    let v3 = 0n;
    let v4 = (MASK + 1n - P1) & MASK;
    for (; at + 32 <= n; at += 32) {
      v1 = round(v1, lane64(b, at));
      v2 = round(v2, lane64(b, at + 8));
      v3 = round(v3, lane64(b, at + 16));
      v4 = round(v4, lane64(b, at + 24));
    }
    acc = (rotl(v1, 1n) + rotl(v2, 7n) + rotl(v3, 12n) + rotl(v4, 18n)) & MASK;
    acc = merge(acc, v1) & MASK;
    acc = merge(acc, v2) & MASK;
    acc = merge(acc, v3) & MASK;
    acc = merge(acc, v4) & MASK;
  } else {
    acc = P5;
  }
  acc = (acc + BigInt(n)) & MASK;
  for (; at + 8 <= n; at += 8) {
    acc ^= round(0n, lane64(b, at));
    acc = (rotl(acc, 27n) * P1 + P4) & MASK;
  }
  if (at + 4 <= n) {
    acc ^= (lane32(b, at) * P1) & MASK;
    acc = (rotl(acc, 23n) * P2 + P3) & MASK;
    at += 4;
  }
  for (; at < n; at++) {
    acc ^= (BigInt(b[at]!) * P5) & MASK;
    acc = (rotl(acc, 11n) * P1) & MASK;
  }
  acc ^= acc >> 33n;
  acc = (acc * P2) & MASK;
  acc ^= acc >> 29n;
  acc = (acc * P3) & MASK;
  acc ^= acc >> 32n;
  return acc;
}
