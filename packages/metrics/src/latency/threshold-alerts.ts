import { invalidOption } from '../base/errors.js';
import { type LatencyRecord, messageOf } from './latency-record.js';
import type { OperationEntry } from './operation-entry.js';

export interface ThresholdEvent {
  readonly level: 'warning' | 'critical';
  readonly thresholdMs: number;
  readonly record: LatencyRecord;
  /** Events of this level, operation and provider held back by the cooldown since the last one. */
  readonly suppressed: number;
}

export type ThresholdListener = (event: ThresholdEvent) => void;

/**
 * Threshold events for the tracker: a listener set, the seed's alert cooldown ("cooldown des
 * alertes pour éviter le spam") per operation, provider and level, and the optional log line.
 */
export class ThresholdAlerts {
  readonly #listeners = new Set<ThresholdListener>();
  readonly #cooldownMs: number;
  readonly #log: boolean;

  constructor(cooldownMs: number, log: boolean) {
    this.#cooldownMs = cooldownMs;
    this.#log = log;
  }

  on(listener: ThresholdListener): () => void {
    if (typeof listener !== 'function')
      throw invalidOption('on(threshold, listener)', listener, 'a function');
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  off(listener: ThresholdListener): void {
    this.#listeners.delete(listener);
  }

  /** `record` crossed `entry`'s warning (level 0) or critical (level 1) threshold. */
  raise(entry: OperationEntry, record: LatencyRecord, level: 0 | 1): void {
    if (this.#listeners.size === 0 && !this.#log) return;
    if (record.timestamp - entry.lastAlert[level]! < this.#cooldownMs) {
      entry.suppressed[level]!++;
      return;
    }
    const event: ThresholdEvent = {
      level: level === 1 ? 'critical' : 'warning',
      thresholdMs: level === 1 ? entry.threshold!.criticalMs : entry.threshold!.warningMs,
      record,
      suppressed: entry.suppressed[level]!,
    };
    entry.lastAlert[level] = record.timestamp;
    entry.suppressed[level] = 0;
    if (this.#log) {
      console.warn(
        `[latency] ${event.level}: ${record.type} ${record.name} (${record.provider}) took ${record.latencyMs.toFixed(1)} ms, threshold ${event.thresholdMs} ms`,
      );
    }
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        // A listener's bug must not fail the measured call; it still surfaces, as a process warning.
        process.emitWarning(error instanceof Error ? error : new Error(messageOf(error)));
      }
    }
  }
}
