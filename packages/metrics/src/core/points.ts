import { parseLabelPairs } from '../base/escape.js';
import type { NativeHistogram } from '../sketch/native-layout.js';
import type { SketchData } from '../sketch/quantile-sketch.js';
import type { CounterPoint, DistributionStats, GaugePoint, HistogramPoint, Labels } from './snapshot.js';

/**
 * Snapshot points whose `labels` object is parsed from the escaped block on first use. The text
 * formats read only the block, so a snapshot for them allocates no label object per series: with
 * them, 63% of a 100,000-series snapshot was garbage collection (bench/exposition.js).
 */
abstract class Point {
  readonly block: string;

  constructor(block: string) {
    this.block = block;
  }

  /** Parsed anew on each read: a cache slot would cost every point of every snapshot 8 bytes. */
  get labels(): Labels {
    return parseLabelPairs(this.block);
  }

  /** JSON.stringify sees the labels too, as it would on a plain object. */
  toJSON(): object {
    return { ...this, labels: this.labels };
  }
}

export class CounterPointOf extends Point implements CounterPoint {
  readonly value: number;
  // Declared, not defined: a point without a known creation time carries no field for it.
  declare createdMs?: number;

  constructor(block: string, value: number, createdMs?: number) {
    super(block);
    this.value = value;
    if (createdMs !== undefined) this.createdMs = createdMs;
  }
}

export class GaugePointOf extends Point implements GaugePoint {
  readonly value: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;

  constructor(block: string, value: number, min: number, max: number, mean: number) {
    super(block);
    this.value = value;
    this.min = min;
    this.max = max;
    this.mean = mean;
  }
}

export class HistogramPointOf extends Point implements HistogramPoint {
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly std: number;
  readonly quantiles: readonly number[];
  readonly buckets: readonly number[];
  readonly window?: DistributionStats;
  // Declared, not defined: points of a snapshot without sketches carry no field for them.
  declare sketch?: SketchData;
  declare windowSketch?: SketchData;
  declare native?: NativeHistogram;
  declare createdMs?: number;

  constructor(
    block: string,
    buckets: readonly number[],
    stats: DistributionStats,
    window?: DistributionStats,
    extra?: {
      sketch: SketchData | undefined;
      windowSketch: SketchData | undefined;
      native: NativeHistogram | undefined;
    },
    createdMs?: number,
  ) {
    super(block);
    this.buckets = buckets;
    this.count = stats.count;
    this.sum = stats.sum;
    this.min = stats.min;
    this.max = stats.max;
    this.mean = stats.mean;
    this.std = stats.std;
    this.quantiles = stats.quantiles;
    if (window) this.window = window;
    if (extra) {
      if (extra.sketch) this.sketch = extra.sketch;
      if (extra.windowSketch) this.windowSketch = extra.windowSketch;
      if (extra.native) this.native = extra.native;
    }
    if (createdMs !== undefined) this.createdMs = createdMs;
  }
}
