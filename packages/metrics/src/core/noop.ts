import type { Counter, CounterHandle } from './counter.js';
import type { Gauge, GaugeHandle } from './gauge.js';
import type { Histogram, HistogramHandle, HistogramStats } from './histogram.js';

/**
 * What a disabled registry hands out: objects whose methods do nothing, so a disabled metric costs a
 * call to an empty function, not a branch on every call (pino's disabled levels work the same way).
 */
const nothing = () => {};
const zero = () => 0;
const stopwatch = () => zero;
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

const noopCounterHandle = { inc: nothing, get: zero, detach: nothing };
const noopGaugeHandle = {
  set: nothing,
  inc: nothing,
  dec: nothing,
  setToCurrentTime: nothing,
  get: zero,
  detach: nothing,
};
const noopHistogramHandle = { observe: nothing, startTimer: stopwatch };

const common = {
  remove: nothing,
  reset: nothing,
  collect: nothing,
  bytes: zero,
  assertSame: nothing,
  seriesCount: 0,
};

export function noopCounter(name: string): Counter {
  return {
    ...common,
    type: 'counter',
    name,
    inc: nothing,
    get: zero,
    labels: () => noopCounterHandle as unknown as CounterHandle,
  } as unknown as Counter;
}

export function noopGauge(name: string): Gauge {
  return {
    ...common,
    type: 'gauge',
    name,
    set: nothing,
    inc: nothing,
    dec: nothing,
    get: zero,
    stats: () => ({ current: 0, min: 0, max: 0, mean: 0 }),
    labels: () => noopGaugeHandle as unknown as GaugeHandle,
  } as unknown as Gauge;
}

export function noopHistogram(name: string): Histogram {
  return {
    ...common,
    type: 'histogram',
    name,
    observe: nothing,
    startTimer: stopwatch,
    measure: <T>(_labels: unknown, fn: () => T) => fn(),
    get: () => EMPTY_STATS,
    labels: () => noopHistogramHandle as unknown as HistogramHandle,
  } as unknown as Histogram;
}
