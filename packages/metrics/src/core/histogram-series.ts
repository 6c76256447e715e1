import { bucketIndex, MIN_NORMAL } from '../sketch/bucket-index.js';
import { QuantileSketch } from '../sketch/quantile-sketch.js';
import type { WindowedSketch } from '../sketch/windowed-sketch.js';
import type { BucketFinder } from './bucket-finder.js';
import type { DistributionStats } from './snapshot.js';

/**
 * One histogram series: classic bucket counts for exposition and a quantile sketch for percentiles,
 * fed by the same `observe`, plus a windowed sketch when the metric has a window.
 */
export class HistogramSeries {
  /** Non-cumulative counts; the last one is the +Inf bucket. */
  readonly counts: Float64Array;
  readonly sketch = new QuantileSketch();
  readonly window: WindowedSketch | undefined;
  /**
   * Unix ms when the series was created or last reset: the protobuf exposition's created timestamp,
   * from which a scraper counts the observations made before its first scrape of the series.
   */
  createdMs: number;
  readonly #finder: BucketFinder;

  constructor(
    finder: BucketFinder,
    bucketCount: number,
    window: WindowedSketch | undefined,
    createdMs: number,
  ) {
    this.#finder = finder;
    this.counts = new Float64Array(bucketCount + 1);
    this.window = window;
    this.createdMs = createdMs;
  }

  /** False, and nothing recorded, for NaN and ±Inf: they have no bucket in the sketch. */
  observe(value: number): boolean {
    if (value - value !== 0) return false;
    if (value >= MIN_NORMAL) {
      // One bucket index serves the sketch, the window and the classic bucket.
      const index = bucketIndex(value);
      this.counts[this.#finder.find(value, index)]!++;
      this.sketch.addPositive(value, index);
      this.window?.addPositive(value, index);
    } else {
      this.counts[this.#finder.search(value)]!++;
      this.sketch.add(value);
      this.window?.add(value);
    }
    return true;
  }

  reset(nowMs: number): void {
    this.createdMs = nowMs;
    this.counts.fill(0);
    this.sketch.reset();
    this.window?.reset();
  }

  bytes(): number {
    return 120 + this.counts.byteLength + this.sketch.bytes() + (this.window?.bytes() ?? 0);
  }
}

/** The statistics of `sketch`; `values`: its `quantiles` when worked out already (see NativeArena.layout). */
export function statsOf(
  sketch: QuantileSketch,
  quantiles: readonly number[],
  values?: number[],
): DistributionStats {
  if (!values) {
    values = new Array(quantiles.length);
    sketch.quantiles(quantiles, values);
  }
  const empty = sketch.count === 0;
  return {
    count: sketch.count,
    sum: sketch.sum,
    min: empty ? Number.NaN : sketch.min,
    max: empty ? Number.NaN : sketch.max,
    mean: empty ? Number.NaN : sketch.mean,
    std: sketch.std,
    quantiles: values,
  };
}
