import { BucketFinder } from './bucket-finder.js';
import { Counter, CounterHandle, type CounterOptions } from './counter.js';
import { Gauge, GaugeHandle, type GaugeOptions } from './gauge.js';
import { Histogram, HistogramHandle, type HistogramOptions, type HistogramStats } from './histogram.js';
import { HistogramSeries } from './histogram-series.js';
import type { MetricContext } from './metric.js';

/**
 * What a disabled registry hands out: the real metric classes, with the same options checked and the
 * same properties (`bounds`, `labelNames`…), whose recording methods do nothing, so a disabled metric
 * costs a call to an empty method, not a branch on every call (pino's disabled levels work the same
 * way). Being subclasses, the compiler holds them to the real interfaces.
 */

const EMPTY_STATS: HistogramStats = Object.freeze({
  count: 0,
  sum: 0,
  min: Number.NaN,
  max: Number.NaN,
  mean: Number.NaN,
  std: Number.NaN,
  p50: Number.NaN,
  p90: Number.NaN,
  p95: Number.NaN,
  p99: Number.NaN,
  p999: Number.NaN,
});

const stopwatch = () => () => 0;

class NoopCounterHandle extends CounterHandle {
  override inc(): void {}
  override get(): number {
    return 0;
  }
  override detach(): void {}
}

export class NoopCounter extends Counter {
  readonly #handle: NoopCounterHandle;

  constructor(options: CounterOptions, context: MetricContext) {
    super(options, context);
    this.#handle = new NoopCounterHandle([0], 0, context.drops, this.name);
  }

  override inc(): void {}
  override get(): number {
    return 0;
  }
  override labels(): CounterHandle {
    return this.#handle;
  }
}

class NoopGaugeHandle extends GaugeHandle {
  override set(): void {}
  override inc(): void {}
  override dec(): void {}
  override setToCurrentTime(): void {}
  override get(): number {
    return 0;
  }
  override detach(): void {}
}

export class NoopGauge extends Gauge {
  readonly #handle: NoopGaugeHandle;

  constructor(options: GaugeOptions, context: MetricContext) {
    super(options, context);
    const state = { cur: [0], min: [0], max: [0], sum: [0], n: [0] };
    this.#handle = new NoopGaugeHandle(state, 0, context.drops, this.name, context.clock);
  }

  override set(): void {}
  override inc(): void {}
  override dec(): void {}
  override get(): number {
    return 0;
  }
  override stats(): { current: number; min: number; max: number; mean: number } {
    return { current: 0, min: 0, max: 0, mean: 0 };
  }
  override labels(): GaugeHandle {
    return this.#handle;
  }
}

class NoopHistogramHandle extends HistogramHandle {
  override observe(): void {}
  override startTimer(): () => number {
    return stopwatch();
  }
}

export class NoopHistogram extends Histogram {
  readonly #handle: NoopHistogramHandle;

  constructor(options: HistogramOptions, context: MetricContext) {
    super(options, context);
    const series = new HistogramSeries(new BucketFinder(Float64Array.of()), 0, undefined, 0);
    this.#handle = new NoopHistogramHandle(series, context.drops, this.name);
  }

  override observe(): void {}
  override startTimer(): () => number {
    return stopwatch();
  }
  override measure<T>(_labels: unknown, fn: () => T): T {
    return fn();
  }
  override get(): HistogramStats {
    return EMPTY_STATS;
  }
  override labels(): HistogramHandle {
    return this.#handle;
  }
}
