import { parseLabelPairs } from '../base/escape.js';
import type { NativeHistogram } from '../sketch/native-layout.js';
import type { SketchData } from '../sketch/quantile-sketch.js';
import type { CounterPoint, DistributionStats, GaugePoint, HistogramPoint, Labels } from './snapshot.js';

/**
 * Snapshot points whose `labels` object is parsed from the escaped block on first use. The text
 * formats read only the block, so a snapshot for them allocates no label object per series: with
 * them, 63% of a 100,000-series snapshot was garbage collection (bench/exposition.js).
 *
 * The block itself is kept in two parts, `head` (shared by the series under one label-index node:
 * `method="GET",route="`) and `leaf` (the last value, escaped), and joined only when read: a
 * snapshot of 100,000 series then builds no string per series, and the text exposition writes the
 * parts (expo/line-starts.ts). Joined blocks of every series, each read once, were much of what the
 * garbage collector had to copy in a 100,000-series exposition.
 */
export abstract class Point {
  readonly #head: string;
  /** null when `head` is the whole block (no labels, a full block given, or an empty last value). */
  readonly #leaf: string | null;

  constructor(head: string, leaf: string | null) {
    this.#head = head;
    this.#leaf = leaf;
  }

  /** `head` + `leaf` + `"`: built anew on each read, like `labels`. */
  get block(): string {
    return this.#leaf === null ? this.#head : `${this.#head}${this.#leaf}"`;
  }

  /** Parsed anew on each read: a cache slot would cost every point of every snapshot 8 bytes. */
  get labels(): Labels {
    return parseLabelPairs(this.block);
  }

  /** JSON.stringify sees the block and the labels too, as it would on a plain object. */
  toJSON(): object {
    return { block: this.block, ...(this as object), labels: this.labels };
  }

  /** The two parts of `point`'s block (see the class comment), or undefined for a plain object. */
  static partsOf(point: object): Point | undefined {
    return #head in point ? (point as Point) : undefined;
  }

  static head(point: Point): string {
    return point.#head;
  }

  static leaf(point: Point): string | null {
    return point.#leaf;
  }
}

export class CounterPointOf extends Point implements CounterPoint {
  readonly value: number;
  /**
   * The created times of the snapshot's series by series id, one copy per snapshot, and this
   * series' id: a time of its own would be a boxed double per point, which made a 100,000-series
   * exposition 13% slower (bench/exposition.js). None for a cluster's merged series.
   */
  readonly #created: Float64Array | undefined;
  readonly #id: number;

  constructor(head: string, leaf: string | null, value: number, created?: Float64Array, id = 0) {
    super(head, leaf);
    this.value = value;
    this.#created = created;
    this.#id = id;
  }

  get createdMs(): number | undefined {
    return this.#created?.[this.#id];
  }

  override toJSON(): object {
    const createdMs = this.createdMs;
    return createdMs === undefined ? super.toJSON() : { ...super.toJSON(), createdMs };
  }
}

export class GaugePointOf extends Point implements GaugePoint {
  readonly value: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;

  constructor(head: string, leaf: string | null, value: number, min: number, max: number, mean: number) {
    super(head, leaf);
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
    head: string,
    leaf: string | null,
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
    super(head, leaf);
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
