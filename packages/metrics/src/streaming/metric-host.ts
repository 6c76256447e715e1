import type { Clock } from '../base/clock.js';
import { invalidOption } from '../base/errors.js';
import type { CounterOptions } from '../core/counter.js';
import type { GaugeOptions } from '../core/gauge.js';
import type { HistogramOptions } from '../core/histogram.js';
import type { Registry } from '../core/registry.js';
import { Scope } from '../core/scope.js';

/** Where the streaming helpers keep their metrics: a registry (process-wide), or one session's scope. */
export type MetricHost = Registry | Scope;

export interface CountHandle {
  inc(value?: number): void;
}

export interface LevelHandle {
  set(value: number): void;
  inc(value?: number): void;
  dec(value?: number): void;
  get(): number;
}

export interface ObserveHandle {
  observe(value: number): void;
}

const nothing = () => {};
const NO_COUNT: CountHandle = { inc: nothing };
const NO_LEVEL: LevelHandle = { set: nothing, inc: nothing, dec: nothing, get: () => 0 };
const NO_OBSERVE: ObserveHandle = { observe: nothing };

/**
 * A bound handle on `host`, so the helpers' hot paths are a field add. A scope the registry refused
 * (past `maxScopes`) has no families: its handles record nothing, as its own metrics do.
 */
export function counterOn(host: MetricHost, options: CounterOptions, ...values: string[]): CountHandle {
  if (host instanceof Scope) return host.counter(options).labels(...values) ?? NO_COUNT;
  return host.counter(options).labels(...values);
}

export function gaugeOn(host: MetricHost, options: GaugeOptions): LevelHandle {
  if (host instanceof Scope) return host.gauge(options).labels() ?? NO_LEVEL;
  return host.gauge(options).labels();
}

export function histogramOn(host: MetricHost, options: HistogramOptions): ObserveHandle {
  if (host instanceof Scope) return host.histogram(options).labels() ?? NO_OBSERVE;
  return host.histogram(options).labels();
}

/** Checks the options every helper shares: the host, and the metric name prefix. */
export function checkHost(metrics: unknown, prefix: unknown): string {
  const ok =
    typeof metrics === 'object' &&
    metrics !== null &&
    typeof (metrics as { counter?: unknown }).counter === 'function' &&
    typeof (metrics as { histogram?: unknown }).histogram === 'function';
  if (!ok) throw invalidOption('metrics', metrics, 'a Registry or a Scope (registry.scope(id))');
  if (typeof prefix !== 'string' || !/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(prefix)) {
    throw invalidOption('prefix', prefix, 'a metric name prefix such as "stream"');
  }
  return prefix;
}

/**
 * Milliseconds for intervals: `performance.now()` (sub-millisecond, monotonic), or the injected
 * clock, so that a ManualClock drives the helpers in tests. `Date.now()` would quantise a 40 Hz
 * timing error to whole milliseconds.
 */
export function elapsedClock(clock: Clock | undefined): () => number {
  return clock ? () => clock.now() : () => performance.now();
}

/** Seconds: 100 µs to 100 ms, around the streaming seed's grades (<1 ms excellent, >10 ms a problem). */
export const STREAM_TIMING_BUCKETS: readonly number[] = [
  0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1,
];
