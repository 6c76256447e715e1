import type { Drops } from './drops.js';
import type { LabelObject, LabelValue } from './label-index.js';
import { Metric, type MetricContext, type MetricOptions } from './metric.js';
import { CounterPointOf } from './points.js';
import { counterSnapshot, SeriesColumns } from './series-columns.js';
import type { CounterSnapshot } from './snapshot.js';

export type CounterOptions = MetricOptions;

/** A counter bound to one label set: `inc` is an array add, no lookup. */
export class CounterHandle {
  #values: number[];
  #id: number;
  readonly #drops: Drops;
  readonly #name: string;

  constructor(values: number[], id: number, drops: Drops, name: string) {
    this.#values = values;
    this.#id = id;
    this.#drops = drops;
    this.#name = name;
  }

  inc(value = 1): void {
    if (value >= 0 && value < Number.POSITIVE_INFINITY) this.#values[this.#id]! += value;
    else this.#drops.count(this.#name, value < 0 ? 'negative_increment' : 'invalid_value');
  }

  get(): number {
    return this.#values[this.#id]!;
  }

  /** After its series is removed, a handle writes to a scratch cell that nothing reads. */
  detach(): void {
    this.#values = [0];
    this.#id = 0;
  }
}

/** A value that only goes up. A negative or NaN step is dropped and counted, never thrown. */
export class Counter extends Metric {
  readonly type = 'counter';
  // A packed double array: values stay unboxed, 8 bytes a series (see bench/memory-counter.js).
  readonly #values: number[] = [0.5];
  /**
   * Unix ms when each series was created or last reset, likewise packed: the protobuf exposition's
   * created timestamp, from which a scraper counts what was added before its first scrape.
   */
  readonly #created: number[] = [0.5];
  readonly #handles: Array<CounterHandle | undefined> = [];

  constructor(options: CounterOptions, context: MetricContext) {
    super(options, context, []);
    this.#values.pop();
    this.#created.pop();
  }

  protected createSeries(id: number): void {
    this.#values[id] = 0;
    this.#created[id] = this.context.clock.now();
  }

  protected releaseSeries(id: number): void {
    this.#values[id] = 0;
    this.#handles[id]?.detach();
    this.#handles[id] = undefined;
  }

  /** `inc()`, `inc(5)`, `inc({ method: 'GET' })`, `inc({ method: 'GET' }, 5)`. */
  inc(labels?: LabelObject | number, value = 1): void {
    const id = this.seriesOf(labels);
    if (typeof labels === 'number') value = labels;
    if (value >= 0 && value < Number.POSITIVE_INFINITY) this.#values[id]! += value;
    else this.context.drops.count(this.name, value < 0 ? 'negative_increment' : 'invalid_value');
  }

  /** The handle for one label set, by values in declaration order or by object; cached per series. */
  labels(...values: LabelValue[] | [LabelObject]): CounterHandle {
    const id = this.idOf(values);
    return (this.#handles[id] ??= new CounterHandle(this.#values, id, this.context.drops, this.name));
  }

  get(labels?: LabelObject): number {
    return this.#values[this.index.lookup(labels)]!;
  }

  reset(): void {
    this.#values.fill(0);
    this.#created.fill(this.context.clock.now());
  }

  snapshot(): CounterSnapshot {
    const { ids, heads, leaves } = this.index.blocks();
    const values = this.#values;
    const column = new Float64Array(ids.length);
    for (let i = 0; i < ids.length; i++) column[i] = values[ids[i]!]!;
    const created = new Float64Array(this.#created);
    return counterSnapshot(
      this,
      new SeriesColumns(heads, leaves, column),
      (i) => new CounterPointOf(heads[i]!, leaves[i]!, column[i]!, created, ids[i]!),
    );
  }

  /** Each series' value, in the order of `snapshot().points`, without making the points. */
  values(): Float64Array {
    const ids = this.index.ids();
    const values = this.#values;
    const out = new Float64Array(ids.length);
    for (let i = 0; i < ids.length; i++) out[i] = values[ids[i]!]!;
    return out;
  }

  activity(prefix?: readonly string[]): number {
    return this.sumOver(prefix, (id) => this.#values[id]!);
  }

  bytes(prefix?: readonly string[]): number {
    return this.sumOver(prefix, () => SERIES_BYTES);
  }
}

/** Map entry, array slot and handle share: see bench/memory-counter.js for the measured figure. */
const SERIES_BYTES = 64;
