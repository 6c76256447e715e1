import type { Metric } from './metric.js';
import { xxhash64 } from './xxhash64.js';

const encoder = new TextEncoder();
const offsets = new WeakMap<Metric, number>();

/**
 * Where a series falls in [0, 1] for limit_ratio: its label set's hash over float64(MaxUint64), as
 * Prometheus's HashRatioSampler computes it. The hash is Prometheus's `labels.Hash()` of its default
 * label layout (stringlabels): XXH64 of each name and value in name order, each preceded by its
 * length in one byte (0–254) or 0xff and three bytes little-endian. The same series therefore
 * fall on the same side of a ratio in vigil and in Prometheus, and at every step.
 */
export function ratioOffset(metric: Metric): number {
  let offset = offsets.get(metric);
  if (offset === undefined) {
    // float64(math.MaxUint64) is 2^64 in Go too; a hash near the top gives exactly 1.
    offset = Number(xxhash64(encodeLabels(metric))) / 2 ** 64;
    offsets.set(metric, offset);
  }
  return offset;
}

/**
 * limit_ratio's choice: a series is kept when its offset is below r for r ≥ 0, or at or above 1 + r
 * for r < 0, so `limit_ratio(-0.8, x)` keeps exactly what `limit_ratio(0.2, x)` leaves out.
 */
export function keptByRatio(ratio: number, metric: Metric): boolean {
  const offset = ratioOffset(metric);
  return (ratio >= 0 && offset < ratio) || (ratio < 0 && offset >= 1 + ratio);
}

function encodeLabels(metric: Metric): Uint8Array {
  const parts: number[] = [];
  const put = (text: string) => {
    const bytes = encoder.encode(text);
    const n = bytes.length;
    if (n < 255) parts.push(n);
    else parts.push(255, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff);
    for (const b of bytes) parts.push(b);
  };
  // Metric labels are already sorted by name.
  for (const [name, value] of Object.entries(metric.labels)) {
    put(name);
    put(value);
  }
  return Uint8Array.from(parts);
}
