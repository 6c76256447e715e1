import { invalidOption } from '../base/errors.js';
import type { Correlation, LatencyStatus, OperationType } from './latency-record.js';

export interface MeasureLatencyOptions {
  /** Default `unknown`. */
  readonly provider?: string;
  /** Default: the method's or the function's name. */
  readonly name?: string;
  /** A successful call slower than this is recorded as `timeout` (it is not cancelled). */
  readonly timeoutMs?: number;
  /** Ids for the records: fixed, or computed from `this` and the arguments of each call. */
  readonly correlation?: Correlation | ((self: unknown, args: readonly unknown[]) => Correlation);
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** For `measure()` and `start()`. */
export interface MeasureOptions {
  readonly provider?: string;
  readonly timeoutMs?: number;
  readonly correlation?: Correlation;
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** How a `start()` stopwatch ends: success unless a status or an error says otherwise. */
export interface StopOptions {
  readonly status?: LatencyStatus;
  readonly error?: unknown;
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** An operation measured elsewhere, for `record()`. */
export interface RecordInput extends MeasureOptions {
  readonly type: OperationType;
  readonly name: string;
  readonly latencyMs: number;
  readonly status?: LatencyStatus;
  readonly error?: unknown;
}

/** `measureLatency(type, options)` is configuration: mistakes throw at once, naming the option. */
export function checkMeasureLatency(type: unknown, options: MeasureLatencyOptions): void {
  if (typeof type !== 'string' || type === '') {
    throw invalidOption('measureLatency(type)', type, 'an operation type such as "speech_to_text"');
  }
  if (typeof options !== 'object' || options === null) {
    throw invalidOption('measureLatency options', options, 'an object');
  }
  for (const key of ['provider', 'name'] as const) {
    const value = options[key];
    if (value !== undefined && (typeof value !== 'string' || value === '')) {
      throw invalidOption(key, value, 'a non-empty string');
    }
  }
  const { timeoutMs, correlation, metadata } = options;
  if (timeoutMs !== undefined && !(timeoutMs > 0)) {
    throw invalidOption('timeoutMs', timeoutMs, 'a number > 0');
  }
  if (correlation !== undefined && typeof correlation !== 'function' && typeof correlation !== 'object') {
    throw invalidOption('correlation', correlation, 'an object of ids, or a function (self, args) => ids');
  }
  if (metadata !== undefined && (typeof metadata !== 'object' || metadata === null)) {
    throw invalidOption('metadata', metadata, 'an object');
  }
}

/** The status a call ends with: a success slower than `timeoutMs` is a timeout. */
export function finalStatus(outcome: LatencyStatus, latencyMs: number, timeoutMs: number | undefined) {
  return outcome === 'success' && timeoutMs !== undefined && latencyMs > timeoutMs ? 'timeout' : outcome;
}
