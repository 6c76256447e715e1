import type { Clock } from '../base/clock.js';
import { invalidOption } from '../base/errors.js';
import type { Registry } from '../core/registry.js';
import type { JsonlSinkOptions } from './jsonl-sink.js';
import { checkThreshold, DEFAULT_THRESHOLDS, type LatencyThreshold } from './latency-config.js';

export interface LatencyTrackerOptions {
  /** false: every method records nothing and `measureLatency` hands functions back unwrapped. Default true. */
  readonly enabled?: boolean;
  /** Also feed `<prefix>_operation_duration_seconds` and `<prefix>_operations_total` here. */
  readonly registry?: Registry;
  /** Default `latency`. */
  readonly prefix?: string;
  /** Histogram buckets in seconds; default the registry's (Prometheus's). */
  readonly buckets?: readonly number[];
  /** Per operation type, over DEFAULT_THRESHOLDS. */
  readonly thresholds?: Readonly<Record<string, LatencyThreshold>>;
  /** Records kept in memory for `getRecentMetrics` and `getAverageLatency`. Default 10,000. */
  readonly capacity?: number;
  /** At most one threshold event per operation, provider and level in this many ms; the rest are counted. Default 0. */
  readonly cooldownMs?: number;
  /** Also write each threshold event to `console.warn` (the seed's `LATENCY_LOGGING_ENABLED`). Default false. */
  readonly logThresholds?: boolean;
  /** Append every record to a JSONL file (the seed's `LATENCY_METRICS_FILE_PATH`); `close()` closes it. */
  readonly file?: Omit<JsonlSinkOptions, 'clock'>;
  /** Most (type, provider) pairs with their own statistics; later pairs share `vigil_overflow`. Default 1,000. */
  readonly maxOperations?: number;
  /**
   * Timestamps, and the cooldown. Durations are read from `performance.now()`, or from this clock when
   * one is given, so that a ManualClock drives them in tests.
   */
  readonly clock?: Clock;
}

/** The options the tracker keeps, checked once, defaults filled in. */
export interface ResolvedTrackerOptions {
  readonly enabled: boolean;
  readonly capacity: number;
  readonly maxOperations: number;
  readonly cooldownMs: number;
  readonly logThresholds: boolean;
  readonly prefix: string;
  /** DEFAULT_THRESHOLDS with the configured ones over them. */
  readonly thresholds: Readonly<Record<string, LatencyThreshold>>;
}

export function resolveTrackerOptions(options: LatencyTrackerOptions): ResolvedTrackerOptions {
  if (typeof options !== 'object' || options === null) {
    throw invalidOption('LatencyTracker options', options, 'an object');
  }
  const enabled = options.enabled ?? true;
  if (typeof enabled !== 'boolean') throw invalidOption('enabled', options.enabled, 'true or false');
  const capacity = options.capacity ?? 10_000;
  if (!Number.isInteger(capacity) || capacity < 1 || capacity > 10_000_000) {
    throw invalidOption('capacity', options.capacity, 'an integer from 1 to 10,000,000');
  }
  const maxOperations = options.maxOperations ?? 1_000;
  if (!Number.isInteger(maxOperations) || maxOperations < 1) {
    throw invalidOption('maxOperations', options.maxOperations, 'an integer of at least 1');
  }
  const cooldownMs = options.cooldownMs ?? 0;
  if (!(cooldownMs >= 0) || !Number.isFinite(cooldownMs)) {
    throw invalidOption('cooldownMs', options.cooldownMs, 'a number of milliseconds >= 0');
  }
  const logThresholds = options.logThresholds ?? false;
  if (typeof logThresholds !== 'boolean') {
    throw invalidOption('logThresholds', options.logThresholds, 'true or false');
  }
  const prefix = options.prefix ?? 'latency';
  if (typeof prefix !== 'string' || !/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(prefix)) {
    throw invalidOption('prefix', prefix, 'a metric name prefix such as "callbot"');
  }
  const thresholds: Record<string, LatencyThreshold> = { ...DEFAULT_THRESHOLDS };
  for (const [type, t] of Object.entries(options.thresholds ?? {})) {
    thresholds[type] = checkThreshold(`thresholds.${type}`, t);
  }
  return Object.freeze({
    enabled,
    capacity,
    maxOperations,
    cooldownMs,
    logThresholds,
    prefix,
    thresholds: Object.freeze(thresholds),
  });
}
