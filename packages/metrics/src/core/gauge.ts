import type { Clock } from '../base/clock.js';
import { invalidOption } from '../base/errors.js';
import type { Drops } from './drops.js';
import type { LabelObject, LabelValue } from './label-index.js';
import { Metric, type MetricContext, type MetricOptions } from './metric.js';
import { GaugePointOf } from './points.js';
import type { GaugePoint, GaugeSnapshot } from './snapshot.js';

export interface GaugeOptions extends MetricOptions {
  /** Called at read time, before the snapshot is taken: set the gauge from the outside world here. */
  readonly collect?: (gauge: Gauge) => void | Promise<void>;
}

/**
 * Per-series state in parallel arrays: the value, and the statistics the event-server seed reports
 * for a gauge (min, max and mean of the values it has held).
 */
interface GaugeState {
  readonly cur: number[];
  readonly min: number[];
  readonly max: number[];
  readonly sum: number[];
  readonly n: number[];
}

function record(s: GaugeState, id: number, value: number): void {
  s.cur[id] = value;
  if (value < s.min[id]!) s.min[id] = value;
  if (value > s.max[id]!) s.max[id] = value;
  s.sum[id]! += value;
  s.n[id]! += 1;
}

/** A gauge bound to one label set. */
export class GaugeHandle {
  #state: GaugeState;
  #id: number;
  readonly #drops: Drops;
  readonly #name: string;
  readonly #clock: Clock;

  constructor(state: GaugeState, id: number, drops: Drops, name: string, clock: Clock) {
    this.#state = state;
    this.#id = id;
    this.#drops = drops;
    this.#name = name;
    this.#clock = clock;
  }

  set(value: number): void {
    if (!Number.isNaN(value)) record(this.#state, this.#id, value);
    else this.#drops.count(this.#name, 'invalid_value');
  }

  inc(value = 1): void {
    this.set(this.#state.cur[this.#id]! + value);
  }

  dec(value = 1): void {
    this.set(this.#state.cur[this.#id]! - value);
  }

  /** Sets the gauge to the current Unix time in seconds. */
  setToCurrentTime(): void {
    this.set(this.#clock.now() / 1000);
  }

  get(): number {
    return this.#state.cur[this.#id]!;
  }

  detach(): void {
    this.#state = scratch();
    this.#id = 0;
  }
}

function scratch(): GaugeState {
  return { cur: [0], min: [0], max: [0], sum: [0], n: [0] };
}

/** A value that goes up and down, with min / max / mean of what it has held. */
export class Gauge extends Metric {
  readonly type = 'gauge';
  readonly #state: GaugeState = { cur: [0.5], min: [0.5], max: [0.5], sum: [0.5], n: [0.5] };
  readonly #handles: Array<GaugeHandle | undefined> = [];
  readonly #collect: ((gauge: Gauge) => void | Promise<void>) | undefined;

  constructor(options: GaugeOptions, context: MetricContext) {
    super(options, context, []);
    if (options.collect !== undefined && typeof options.collect !== 'function') {
      throw invalidOption(`${this.name}: collect`, options.collect, 'a function');
    }
    this.#collect = options.collect;
    for (const column of Object.values(this.#state)) column.pop();
  }

  protected createSeries(id: number): void {
    const s = this.#state;
    s.cur[id] = 0;
    s.min[id] = Number.POSITIVE_INFINITY;
    s.max[id] = Number.NEGATIVE_INFINITY;
    s.sum[id] = 0;
    s.n[id] = 0;
  }

  protected releaseSeries(id: number): void {
    this.createSeries(id);
    this.#handles[id]?.detach();
    this.#handles[id] = undefined;
  }

  set(labels: LabelObject | number | undefined, value?: number): void {
    if (typeof labels === 'number') this.#record(this.index.lookup(undefined), labels);
    else this.#record(this.index.lookup(labels), value ?? 0);
  }

  inc(labels?: LabelObject | number, value = 1): void {
    if (typeof labels === 'number') this.#step(undefined, labels);
    else this.#step(labels, value);
  }

  dec(labels?: LabelObject | number, value = 1): void {
    if (typeof labels === 'number') this.#step(undefined, -labels);
    else this.#step(labels, -value);
  }

  #step(labels: LabelObject | undefined, delta: number): void {
    const id = this.index.lookup(labels);
    this.#record(id, this.#state.cur[id]! + delta);
  }

  #record(id: number, value: number): void {
    if (!Number.isNaN(value)) record(this.#state, id, value);
    else this.context.drops.count(this.name, 'invalid_value');
  }

  labels(...values: LabelValue[] | [LabelObject]): GaugeHandle {
    const id = this.idOf(values);
    return (this.#handles[id] ??= new GaugeHandle(
      this.#state,
      id,
      this.context.drops,
      this.name,
      this.context.clock,
    ));
  }

  get(labels?: LabelObject): number {
    return this.#state.cur[this.index.lookup(labels)]!;
  }

  /** `{ current, min, max, mean }` of one series, as the event-server seed's `get_gauge` returns. */
  stats(labels?: LabelObject): { current: number; min: number; max: number; mean: number } {
    return this.#statsOf(this.index.lookup(labels));
  }

  override collect(): void | Promise<void> {
    return this.#collect?.(this);
  }

  reset(): void {
    const s = this.#state;
    s.cur.fill(0);
    s.min.fill(Number.POSITIVE_INFINITY);
    s.max.fill(Number.NEGATIVE_INFINITY);
    s.sum.fill(0);
    s.n.fill(0);
  }

  snapshot(): GaugeSnapshot {
    const points: GaugePoint[] = [];
    this.index.forEach(
      (id, _, head, leaf) => {
        const { current, min, max, mean } = this.#statsOf(id);
        points.push(new GaugePointOf(head, leaf, current, min, max, mean));
      },
      undefined,
      true,
    );
    return { name: this.name, help: this.help, unit: this.unit, type: 'gauge', points };
  }

  /** Each series' value, min, max and mean, in the order of `snapshot().points`, without making the points. */
  columns(): GaugeColumns {
    const ids = this.index.ids();
    const n = ids.length;
    const out = {
      value: new Float64Array(n),
      min: new Float64Array(n),
      max: new Float64Array(n),
      mean: new Float64Array(n),
    };
    for (let i = 0; i < n; i++) {
      const { current, min, max, mean } = this.#statsOf(ids[i]!);
      out.value[i] = current;
      out.min[i] = min;
      out.max[i] = max;
      out.mean[i] = mean;
    }
    return out;
  }

  #statsOf(id: number) {
    const s = this.#state;
    const n = s.n[id]!;
    const current = s.cur[id]!;
    if (n === 0) return { current, min: current, max: current, mean: current };
    return { current, min: s.min[id]!, max: s.max[id]!, mean: s.sum[id]! / n };
  }

  activity(prefix?: readonly string[]): number {
    return this.sumOver(prefix, (id) => this.#state.n[id]!);
  }

  bytes(prefix?: readonly string[]): number {
    return this.sumOver(prefix, () => SERIES_BYTES);
  }
}

const SERIES_BYTES = 96;

export interface GaugeColumns {
  readonly value: Float64Array;
  readonly min: Float64Array;
  readonly max: Float64Array;
  readonly mean: Float64Array;
}
