import type { Clock } from '@vigil/metrics';

/**
 * The time a simulated loop sees: set by the simulation to each event's moment, so that the
 * library's helpers (TickMonitor) measure the simulated jitter exactly as they would measure a real
 * loop's. Timers go to the workload's clock.
 */
export class SteppedClock implements Clock {
  t = 0;
  readonly #outer: Clock;

  constructor(outer: Clock) {
    this.#outer = outer;
  }

  now(): number {
    return this.t;
  }

  every(ms: number, fn: () => void): () => void {
    return this.#outer.every(ms, fn);
  }
}
