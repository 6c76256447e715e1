import { DEFAULT_NATIVE_BUCKET_LIMIT } from '../core/histogram.js';
import { statsOf } from '../core/histogram-series.js';
import { CounterPointOf, GaugePointOf, HistogramPointOf } from '../core/points.js';
import { counterSnapshot, SeriesColumns } from '../core/series-columns.js';
import type { CounterSnapshot, MetricSnapshot, MetricType, SnapshotOptions } from '../core/snapshot.js';
import { NativeArena } from '../sketch/native-layout.js';
import { QuantileSketch } from '../sketch/quantile-sketch.js';
import { foldGauge, type GaugeAggregation } from './gauge-aggregation.js';
import type { WireMetric } from './messages.js';
import type { SeriesSet } from './series-set.js';

/** Past this many slots, a family that uses fewer than half of them is compacted. */
const COMPACT_FROM = 1024;

/**
 * One metric across the workers: a slot per label set any worker has reported, what gone workers
 * (and workers whose counters were reset) left behind, and the merge of the live workers' series.
 *
 * Counters never go down: when a worker exits or restarts, its last values are kept here
 * ("retired") and added to every later merge; histograms keep their buckets and sketch the same
 * way. Gauges of a gone worker are dropped, as a gauge of a dead process no longer says anything.
 */
export class MergedFamily {
  readonly type: MetricType;
  readonly name: string;
  readonly help: string;
  readonly unit: string;
  readonly bounds: readonly number[];
  readonly quantiles: readonly number[];
  readonly windowed: boolean;
  readonly classic: boolean;
  readonly nativeBucketLimit: number;
  readonly rule: GaugeAggregation;
  /** Bumped when the slots are renumbered; a SeriesSet then resolves its slots again. */
  generation = 0;
  /** Answers whose series were left out because they did not fit this family (type or buckets). */
  conflicts = 0;
  #slotOf = new Map<string, number>();
  #keys: string[] = [];
  /** A copy of `#keys` while every slot holds a series: a counter snapshot's blocks (`#counters`). */
  #blocks: readonly string[] = [];
  #retiredValues = new Map<number, number>();
  /** `created`: the earliest created timestamp of what was retired, NaN when one was not known. */
  #retiredHistograms = new Map<number, { buckets: number[]; sketch: QuantileSketch; created: number }>();

  constructor(wire: WireMetric, rule: GaugeAggregation) {
    this.type = wire.type;
    this.name = wire.name;
    this.help = wire.help;
    this.unit = wire.unit;
    this.bounds = wire.type === 'histogram' ? wire.bounds : [];
    this.quantiles = wire.type === 'histogram' ? wire.quantiles : [];
    this.windowed = wire.type === 'histogram' && wire.windows !== undefined;
    this.classic = wire.type !== 'histogram' || wire.classic !== false;
    this.nativeBucketLimit =
      wire.type === 'histogram' ? (wire.nativeBucketLimit ?? DEFAULT_NATIVE_BUCKET_LIMIT) : 0;
    this.rule = wire.type === 'gauge' ? rule : 'sum';
  }

  /** Whether a worker's series of this name can be merged here; counts a conflict when not. */
  accepts(wire: WireMetric): boolean {
    const fits =
      wire.type === this.type &&
      (wire.type !== 'histogram' ||
        (wire.bounds.length === this.bounds.length &&
          wire.bounds.every((b, i) => b === this.bounds[i]) &&
          (wire.windows !== undefined) === this.windowed));
    if (!fits) this.conflicts++;
    return fits;
  }

  /** Fills `slots[i]` for `i >= from` with the slot of `keys[i]`, adding slots for new keys. */
  resolve(keys: readonly string[], slots: Int32Array, from: number): void {
    const slotOf = this.#slotOf;
    for (let i = from; i < keys.length; i++) {
      const key = keys[i]!;
      let slot = slotOf.get(key);
      if (slot === undefined) {
        slot = this.#keys.push(key) - 1;
        slotOf.set(key, slot);
      }
      slots[i] = slot;
    }
  }

  /** Keeps series `i` of `set` for good: its worker is gone, or the series was reset. */
  retire(set: SeriesSet, i: number): void {
    const slot = set.current()[i]!;
    if (this.type === 'counter') {
      const value = set.values[i]!;
      if (value !== 0) this.#retiredValues.set(slot, (this.#retiredValues.get(slot) ?? 0) + value);
    } else if (this.type === 'histogram') {
      const sketch = set.sketches[i]!;
      if (sketch.count === 0) return;
      const kept = this.#retiredHistograms.get(slot);
      if (kept) {
        addInto(kept.buckets, set.buckets[i]!);
        kept.sketch.merge(sketch);
        kept.created = Math.min(kept.created, set.created[i]!);
      } else {
        const copy = new QuantileSketch();
        copy.merge(sketch);
        this.#retiredHistograms.set(slot, {
          buckets: [...set.buckets[i]!],
          sketch: copy,
          created: set.created[i]!,
        });
      }
    }
  }

  /** Nothing retired and no live worker reports it: the family can be forgotten. */
  get idle(): boolean {
    return this.#retiredValues.size === 0 && this.#retiredHistograms.size === 0;
  }

  /** The merge of what was retired and of `sets`, the live workers' series, in join order. */
  snapshot(sets: readonly SeriesSet[], options?: SnapshotOptions): MetricSnapshot {
    const n = this.#keys.length;
    const present = new Uint8Array(n);
    const { name, help, unit } = this;
    let snapshot: MetricSnapshot;
    if (this.type === 'histogram') {
      snapshot = {
        name,
        help,
        unit,
        type: 'histogram',
        bounds: this.bounds,
        quantiles: this.quantiles,
        classic: this.classic,
        nativeBucketLimit: this.nativeBucketLimit,
        points: this.#histograms(sets, present, options),
      };
    } else if (this.type === 'gauge') {
      snapshot = { name, help, unit, type: 'gauge', points: this.#gauges(sets, present) };
    } else {
      snapshot = this.#counters(sets, present);
    }
    if (n > COMPACT_FROM && used(present) * 2 < n) this.#compact(present);
    return snapshot;
  }

  #counters(sets: readonly SeriesSet[], present: Uint8Array): CounterSnapshot {
    const sum = new Float64Array(present.length);
    for (const [slot, value] of this.#retiredValues) {
      sum[slot] = value;
      present[slot] = 1;
    }
    for (const set of sets) {
      const slots = set.current();
      const values = set.values;
      for (let i = 0; i < slots.length; i++) {
        const slot = slots[i]!;
        sum[slot]! += values[i]!;
        present[slot] = 1;
      }
    }
    const keys = this.#keys;
    const count = used(present);
    const column = new Float64Array(count);
    let blocks: readonly string[];
    if (count === keys.length) {
      // Every slot holds a series, as when the workers share their label sets: the blocks of the
      // last snapshot serve again while no slot was added.
      if (this.#blocks.length !== count) this.#blocks = keys.slice();
      blocks = this.#blocks;
      column.set(sum);
    } else {
      const some: string[] = [];
      for (let slot = 0; slot < present.length; slot++) {
        if (present[slot] === 1) {
          column[some.length] = sum[slot]!;
          some.push(keys[slot]!);
        }
      }
      blocks = some;
    }
    return counterSnapshot(
      this,
      new SeriesColumns(blocks, undefined, column),
      (i) => new CounterPointOf(blocks[i]!, null, column[i]!),
    );
  }

  #gauges(sets: readonly SeriesSet[], present: Uint8Array): GaugePointOf[] {
    const n = present.length;
    const [value, min, max, mean] = [
      new Float64Array(n),
      new Float64Array(n),
      new Float64Array(n),
      new Float64Array(n),
    ];
    const rule = this.rule;
    for (const set of sets) {
      const slots = set.current();
      for (let i = 0; i < slots.length; i++) {
        const slot = slots[i]!;
        if (present[slot] === 0) {
          present[slot] = 1;
          value[slot] = set.values[i]!;
          min[slot] = set.min[i]!;
          max[slot] = set.max[i]!;
          mean[slot] = set.mean[i]!;
        } else {
          value[slot] = foldGauge(rule, value[slot]!, set.values[i]!);
          min[slot] = foldGauge(rule, min[slot]!, set.min[i]!);
          max[slot] = foldGauge(rule, max[slot]!, set.max[i]!);
          mean[slot] = foldGauge(rule, mean[slot]!, set.mean[i]!);
        }
      }
    }
    const points: GaugePointOf[] = [];
    for (let slot = 0; slot < n; slot++) {
      if (present[slot] === 1)
        points.push(
          new GaugePointOf(this.#keys[slot]!, null, value[slot]!, min[slot]!, max[slot]!, mean[slot]!),
        );
    }
    return points;
  }

  #histograms(
    sets: readonly SeriesSet[],
    present: Uint8Array,
    options?: SnapshotOptions,
  ): HistogramPointOf[] {
    const n = present.length;
    const buckets: number[][] = new Array(n);
    const sketches: QuantileSketch[] = new Array(n);
    const windows: QuantileSketch[] = new Array(n);
    // The merged series never goes down (see `retire`), so it started from zero when the first of
    // its parts was created: the earliest created timestamp, or none when one part's is not known.
    const created = new Float64Array(n);
    const add = (slot: number, counts: readonly number[], sketch: QuantileSketch, since: number) => {
      if (present[slot] === 0) {
        present[slot] = 1;
        buckets[slot] = [...counts];
        sketches[slot] = new QuantileSketch();
        if (this.windowed) windows[slot] = new QuantileSketch();
        created[slot] = since;
      } else {
        addInto(buckets[slot]!, counts);
        created[slot] = Math.min(created[slot]!, since);
      }
      sketches[slot]!.merge(sketch);
    };
    for (const [slot, kept] of this.#retiredHistograms) add(slot, kept.buckets, kept.sketch, kept.created);
    for (const set of sets) {
      const slots = set.current();
      for (let i = 0; i < slots.length; i++) {
        add(slots[i]!, set.buckets[i]!, set.sketches[i]!, set.created[i]!);
        if (set.windows) windows[slots[i]!]!.merge(set.windows[i]!);
      }
    }
    const points: HistogramPointOf[] = [];
    const sketched = options?.sketches === true;
    const arena = options?.native === true && this.nativeBucketLimit > 0 ? new NativeArena() : undefined;
    for (let slot = 0; slot < n; slot++) {
      if (present[slot] === 0) continue;
      const stats = statsOf(sketches[slot]!, this.quantiles);
      const window = this.windowed ? statsOf(windows[slot]!, this.quantiles) : undefined;
      // The merged sketch is the native histogram of the whole cluster, as exact as each worker's.
      const extra =
        sketched || arena
          ? {
              sketch: sketched ? sketches[slot]!.toData() : undefined,
              windowSketch: sketched && this.windowed ? windows[slot]!.toData() : undefined,
              native: arena?.layout(sketches[slot]!, this.nativeBucketLimit),
            }
          : undefined;
      const since = created[slot]!;
      points.push(
        new HistogramPointOf(
          this.#keys[slot]!,
          null,
          buckets[slot]!,
          stats,
          window,
          extra,
          Number.isNaN(since) ? undefined : since,
        ),
      );
    }
    return points;
  }

  /** Drops the slots nothing uses any more (series that every worker removed) and renumbers the rest. */
  #compact(present: Uint8Array): void {
    const renumber = new Int32Array(present.length);
    const keys: string[] = [];
    this.#slotOf.clear();
    for (let slot = 0; slot < present.length; slot++) {
      if (present[slot] === 0) continue;
      renumber[slot] = keys.push(this.#keys[slot]!) - 1;
      this.#slotOf.set(this.#keys[slot]!, renumber[slot]!);
    }
    this.#keys = keys;
    this.#blocks = [];
    this.#retiredValues = new Map([...this.#retiredValues].map(([slot, v]) => [renumber[slot]!, v]));
    this.#retiredHistograms = new Map([...this.#retiredHistograms].map(([slot, h]) => [renumber[slot]!, h]));
    this.generation++;
  }
}

/** How many slots hold a series. Counted, not read from the points, which a snapshot makes on demand. */
function used(present: Uint8Array): number {
  let n = 0;
  for (let slot = 0; slot < present.length; slot++) n += present[slot]!;
  return n;
}

function addInto(into: number[], counts: readonly number[]): void {
  for (let i = 0; i < into.length; i++) into[i]! += counts[i] ?? 0;
}
