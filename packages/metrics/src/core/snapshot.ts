/**
 * The one immutable data contract every serialiser reads (Prometheus text, OpenMetrics, JSON, the
 * summary, Influx line protocol). The registry produces it; nothing downstream reaches back into a
 * live metric.
 */
import type { NativeHistogram } from '../sketch/native-layout.js';
import type { SketchData } from '../sketch/quantile-sketch.js';

export type { NativeHistogram } from '../sketch/native-layout.js';
export type { BucketData, SketchData } from '../sketch/quantile-sketch.js';

export type Labels = Readonly<Record<string, string>>;

export type MetricType = 'counter' | 'gauge' | 'histogram';

interface PointBase {
  /** Label names to values; empty values are left out, as Prometheus treats them as absent. */
  readonly labels: Labels;
  /**
   * The labels pre-escaped for the Prometheus text and OpenMetrics formats, without braces:
   * `method="GET",path="/a\"b"`, or '' when the series has no labels. Computed once per series.
   */
  readonly block: string;
}

export interface CounterPoint extends PointBase {
  readonly value: number;
  /**
   * Unix ms when the series was created or last reset, when known (a cluster's merged series has
   * none): the protobuf exposition's `created_timestamp`.
   */
  readonly createdMs?: number | undefined;
}

export interface GaugePoint extends PointBase {
  readonly value: number;
  /** Smallest, largest and mean of the values the gauge has held since the last reset. */
  readonly min: number;
  readonly max: number;
  readonly mean: number;
}

export interface DistributionStats {
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly std: number;
  /** Same order as the metric's `quantiles`. */
  readonly quantiles: readonly number[];
}

export interface HistogramPoint extends PointBase, DistributionStats {
  /** Cumulative counts, one per bound of the metric's `buckets`, then the +Inf bucket (= count). */
  readonly buckets: readonly number[];
  /** The same statistics over the sliding window, when the metric has one. */
  readonly window?: DistributionStats;
  /** The percentile sketch itself, only in a `snapshot({ sketches: true })`: to merge in another process. */
  readonly sketch?: SketchData;
  /** The window's sketch, likewise, when the metric has a window. */
  readonly windowSketch?: SketchData;
  /**
   * The cumulative sketch laid out as a Prometheus native histogram at the metric's bucket limit,
   * only in a `snapshot({ native: true })` of a metric that exposes one: what the protobuf exposition writes.
   */
  readonly native?: NativeHistogram;
  /**
   * Unix ms when the series was created or last reset, when known (a cluster's merged series: the
   * earliest of its workers' series): the protobuf exposition's `created_timestamp`.
   */
  readonly createdMs?: number;
}

interface MetricBase {
  readonly name: string;
  readonly help: string;
  /** OpenMetrics unit (`seconds`, `bytes`), or ''. */
  readonly unit: string;
}

export interface CounterSnapshot extends MetricBase {
  readonly type: 'counter';
  readonly points: readonly CounterPoint[];
}

export interface GaugeSnapshot extends MetricBase {
  readonly type: 'gauge';
  readonly points: readonly GaugePoint[];
}

export interface HistogramSnapshot extends MetricBase {
  readonly type: 'histogram';
  /** Upper bounds of the classic buckets, ascending, without +Inf. */
  readonly bounds: readonly number[];
  /** The quantiles that each point's `quantiles` holds, ascending (0.5, 0.9, ...). */
  readonly quantiles: readonly number[];
  /**
   * Whether the exposition carries the classic buckets (`_bucket` series); false leaves only +Inf,
   * `_sum` and `_count`. Absent: true.
   */
  readonly classic?: boolean;
  /**
   * Most buckets the native histogram of a point (from its `sketch`) may have in the protobuf
   * exposition before its schema is lowered; 0 when the metric exposes no native histogram.
   * Absent: DEFAULT_NATIVE_BUCKET_LIMIT.
   */
  readonly nativeBucketLimit?: number;
  readonly points: readonly HistogramPoint[];
}

export type MetricSnapshot = CounterSnapshot | GaugeSnapshot | HistogramSnapshot;

export interface ScopeSnapshot {
  readonly id: string;
  readonly running: boolean;
  readonly paused: boolean;
  readonly connections: number;
  /** Unix ms. */
  readonly createdAt: number;
  /** Estimated heap bytes held by the scope's series. */
  readonly memoryBytes: number;
}

export interface SnapshotOptions {
  /**
   * Also give each histogram point its sketch as plain data (`sketch`, `windowSketch`), so that
   * another process can merge the percentiles exactly (`ClusterWorker` asks for them). Default false:
   * a snapshot for exposition does not pay for copying the buckets.
   */
  readonly sketches?: boolean;
  /**
   * Give each histogram point its native histogram (`native`), laid out from the live sketch when
   * the snapshot is taken, for the protobuf exposition. Independent of `sketches`.
   */
  readonly native?: boolean;
}

export interface RegistrySnapshot {
  /** Unix ms when the snapshot was taken. */
  readonly timestamp: number;
  /** Unix ms when the registry was created (for uptime). */
  readonly startTime: number;
  readonly metrics: readonly MetricSnapshot[];
  /** The label that carries a scope's id on scoped metrics (`session` by default). */
  readonly scopeLabel: string;
  readonly scopes: readonly ScopeSnapshot[];
}
