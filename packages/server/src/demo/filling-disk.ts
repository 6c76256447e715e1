import type { DiskUsage } from '@vigil/metrics/health';

/** How long the free space left lasts at the pace the backfilled past fills the disk. */
export const DISK_FULL_DAYS = 30;

const DAY_MS = 86_400_000;
/** The simulated services log three times as much from 08:00 to 20:00 UTC as at night. */
const DAY_WEIGHT = 3;
const MEAN_WEIGHT = (DAY_WEIGHT + 1) / 2;

export interface FillingDiskOptions {
  /** The history ends here (Unix ms), where the live readings take over; it starts `durationMs` before. */
  readonly endMs: number;
  readonly durationMs: number;
  /** One sample every this many ms, on the backfill's grid: `endMs - durationMs + k * intervalMs`. */
  readonly intervalMs: number;
  /** The labels a live scrape of the workload adds (`job`, `instance`). */
  readonly targetLabels: Readonly<Record<string, string>>;
}

/** One gauge's samples, as the store takes them. */
export interface DiskSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly timestamps: readonly number[];
  readonly values: Float64Array;
}

/**
 * The demo's root file system over the backfilled past, as the live workload's runtime metrics
 * expose it (`vigil_system_disk_total_bytes`, `vigil_system_disk_free_bytes` and
 * `vigil_system_disk_usage_ratio`, `path="/"`). Live, the demo reads the machine's disk, which barely
 * moves in a day; the past has the simulated services' logs filling it, by day faster than at night,
 * and ends at `now`, the disk as it is, where the live readings take over. At that pace the free
 * space left lasts DISK_FULL_DAYS: the dashboard's "Disk full in" has a run-out to forecast.
 */
export function fillingDiskHistory(now: DiskUsage, options: FillingDiskOptions): DiskSeries[] {
  const { endMs, durationMs, intervalMs, targetLabels } = options;
  const perMs = now.freeBytes / (DISK_FULL_DAYS * DAY_MS * MEAN_WEIGHT);
  const usedNow = now.ratio < 1 ? (now.ratio * now.freeBytes) / (1 - now.ratio) : now.totalBytes;
  const timestamps: number[] = [];
  for (let t = endMs - durationMs + intervalMs; t <= endMs; t += intervalMs) timestamps.push(t);
  const n = timestamps.length;
  const total = new Float64Array(n).fill(now.totalBytes);
  const free = new Float64Array(n);
  const ratio = new Float64Array(n);
  // Back from now: what was written after each sample is given back to it.
  let written = 0;
  for (let i = n - 1; i >= 0; i--) {
    const t = timestamps[i]!;
    const f = Math.min(now.totalBytes, now.freeBytes + written);
    const used = Math.max(0, usedNow - written);
    free[i] = f;
    ratio[i] = used + f > 0 ? used / (used + f) : 0;
    const hour = new Date(t).getUTCHours();
    written += perMs * (hour >= 8 && hour < 20 ? DAY_WEIGHT : 1) * (i > 0 ? t - timestamps[i - 1]! : 0);
  }
  const series = (name: string, values: Float64Array): DiskSeries => ({
    labels: { __name__: `vigil_system_disk_${name}`, path: now.path, ...targetLabels },
    timestamps,
    values,
  });
  return [series('total_bytes', total), series('free_bytes', free), series('usage_ratio', ratio)];
}
