import type { Clock } from '../base/clock.js';
import { invalidOption, VigilError } from '../base/errors.js';
import { checkLabelNames, checkMetricName } from '../base/names.js';
import type { Drops } from './drops.js';
import { LabelIndex, type LabelObject, type LabelValue } from './label-index.js';
import type { MetricSnapshot, MetricType, SnapshotOptions } from './snapshot.js';

/** What every metric shares with the registry that made it. */
export interface MetricContext {
  readonly clock: Clock;
  readonly drops: Drops;
  readonly maxSeries: number;
}

export interface MetricOptions {
  /** Prometheus name: `[a-zA-Z_:][a-zA-Z0-9_:]*`. */
  readonly name: string;
  readonly help?: string;
  readonly labelNames?: readonly string[];
  /** OpenMetrics unit (`seconds`, `bytes`); the name should end with it. */
  readonly unit?: string;
  /** Most series this metric keeps; label sets beyond go to one overflow series. Default: the registry's. */
  readonly maxSeries?: number;
}

/**
 * What counters, gauges and histograms share: a name, help, declared labels, the label index and the
 * series cap. Subclasses keep their values in arrays indexed by series id.
 */
export abstract class Metric {
  abstract readonly type: MetricType;
  readonly name: string;
  readonly help: string;
  readonly unit: string;
  readonly labelNames: readonly string[];
  protected readonly index: LabelIndex;
  protected readonly context: MetricContext;

  constructor(options: MetricOptions, context: MetricContext, reserved: readonly string[]) {
    if (typeof options !== 'object' || options === null) {
      throw invalidOption('options', options, 'an object with at least { name }');
    }
    this.name = checkMetricName(options.name);
    const help = options.help ?? this.name;
    if (typeof help !== 'string') throw invalidOption(`${this.name}: help`, help, 'a string');
    this.help = help;
    const unit = options.unit ?? '';
    if (typeof unit !== 'string' || !/^[a-zA-Z0-9_]*$/.test(unit)) {
      throw invalidOption(`${this.name}: unit`, unit, 'a unit made of [a-zA-Z0-9_] such as "seconds"');
    }
    this.unit = unit;
    this.labelNames = Object.freeze([
      ...checkLabelNames(options.labelNames, reserved, `${this.name}: labelNames`),
    ]);
    const maxSeries = options.maxSeries ?? context.maxSeries;
    if (!Number.isInteger(maxSeries) || maxSeries < 1) {
      throw invalidOption(`${this.name}: maxSeries`, maxSeries, 'an integer of at least 1');
    }
    this.context = context;
    this.index = new LabelIndex(
      this.labelNames,
      maxSeries,
      (id) => this.createSeries(id),
      (reason) => context.drops.count(this.name, reason),
    );
  }

  /** Allocates storage for series `id` (new, or reused after a removal). */
  protected abstract createSeries(id: number): void;

  /** Id for `labels(...)`: positional values, or one object. */
  protected idOf(values: readonly (LabelValue | LabelObject)[]): number {
    const first = values[0];
    if (values.length === 1 && typeof first === 'object' && first !== null) return this.index.lookup(first);
    return this.index.lookupValues(values as readonly LabelValue[]);
  }

  /** Throws when a metric with this name is requested again with another shape. */
  assertSame(type: MetricType, options: MetricOptions): void {
    const names = options.labelNames ?? [];
    const same =
      type === this.type &&
      names.length === this.labelNames.length &&
      names.every((n, i) => n === this.labelNames[i]) &&
      (options.help === undefined || options.help === this.help);
    if (!same) {
      throw new VigilError(
        'VIGIL_DUPLICATE_METRIC',
        `${this.name}: already registered as a ${this.type} with labelNames [${this.labelNames.join(', ')}]; got a ${type} with labelNames [${names.join(', ')}]`,
      );
    }
  }

  /** A number that changes whenever a series is created or removed (see `LabelIndex.layout`). */
  get layout(): number {
    return this.index.layout;
  }

  /** Number of live series (the overflow series not included). */
  get seriesCount(): number {
    return this.index.size;
  }

  /** Removes the series with these label values (a prefix removes every series that starts with it). */
  remove(...values: LabelValue[]): void {
    for (const id of this.index.remove(values)) this.releaseSeries(id);
  }

  protected abstract releaseSeries(id: number): void;

  /** Sets every series back to its initial value; series and bound handles stay. */
  abstract reset(): void;

  /** The metric's current state; `collect` callbacks have already run. */
  abstract snapshot(options?: SnapshotOptions): MetricSnapshot;

  /** Runs the metric's read-time callback, if any. */
  collect(): void | Promise<void> {}

  /** A number that changes whenever a series under `prefix` records something (for idle detection). */
  abstract activity(prefix?: readonly string[]): number;

  /** Estimated heap bytes of the series whose leading label values are `prefix`. */
  abstract bytes(prefix?: readonly string[]): number;

  /** The series a call records to: `inc(5)` and `observe(0.2)` name no labels. */
  protected seriesOf(labels: LabelObject | number | undefined): number {
    return this.index.lookup(typeof labels === 'number' ? undefined : labels);
  }

  /** Sum of `perSeries` over the live series under `prefix` (all of them without one). */
  protected sumOver(prefix: readonly string[] | undefined, perSeries: (id: number) => number): number {
    let total = 0;
    this.index.forEach((id) => {
      total += perSeries(id);
    }, prefix);
    return total;
  }
}
