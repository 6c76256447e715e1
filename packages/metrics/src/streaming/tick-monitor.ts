import type { Clock } from '../base/clock.js';
import { invalidOption } from '../base/errors.js';
import {
  type CountHandle,
  checkHost,
  counterOn,
  elapsedClock,
  histogramOn,
  type MetricHost,
  type ObserveHandle,
  STREAM_TIMING_BUCKETS,
} from './metric-host.js';

export interface TickMonitorOptions {
  /** A session's scope (`registry.scope('swift-neural-42')`) or a registry. */
  readonly metrics: MetricHost;
  /** Target tick rate. Default 40 Hz (25 ms), the streaming seed's. */
  readonly rateHz?: number;
  /** Metric name prefix. Default `stream`. */
  readonly prefix?: string;
  /** Tick times are read from `performance.now()`, or from this clock when given. */
  readonly clock?: Clock;
}

/**
 * A fixed-rate loop's timing: how far each tick lands from its slot on the ideal schedule
 * (`timing_error`), how long a tick's packet takes to reach the network (`tick_to_send`), packets
 * sent and dropped. Errors are measured against the schedule, not the previous tick, so a loop that
 * drifts a little each time shows its drift instead of hiding it in small intervals.
 *
 *     const t = ticks.tick();  build(packet);  ws.send(packet);  ticks.sent(t);
 */
export class TickMonitor {
  readonly periodMs: number;
  readonly #now: () => number;
  readonly #ticks: CountHandle;
  readonly #missed: CountHandle;
  readonly #error: ObserveHandle;
  readonly #latency: ObserveHandle;
  readonly #sent: CountHandle;
  readonly #dropped: CountHandle;
  #anchor = Number.NaN;
  #slot = 0;

  constructor(options: TickMonitorOptions) {
    const prefix = checkHost(options?.metrics, options?.prefix ?? 'stream');
    const rate = options.rateHz ?? 40;
    if (typeof rate !== 'number' || !(rate > 0) || !Number.isFinite(rate)) {
      throw invalidOption('rateHz', rate, 'a tick rate in Hz > 0, such as 40');
    }
    this.periodMs = 1000 / rate;
    this.#now = elapsedClock(options.clock);
    const host = options.metrics;
    const timing = { unit: 'seconds', buckets: STREAM_TIMING_BUCKETS };
    this.#ticks = counterOn(host, { name: `${prefix}_ticks_total`, help: 'Ticks of the streaming loop.' });
    this.#missed = counterOn(host, {
      name: `${prefix}_missed_ticks_total`,
      help: 'Schedule slots that passed without a tick (the loop was late by a whole period or more).',
    });
    this.#error = histogramOn(host, {
      name: `${prefix}_timing_error_seconds`,
      help: 'Distance of each tick from its slot on the target schedule.',
      ...timing,
    });
    this.#latency = histogramOn(host, {
      name: `${prefix}_tick_to_send_seconds`,
      help: 'Time from a tick to its packet being handed to the network.',
      ...timing,
    });
    this.#sent = counterOn(host, { name: `${prefix}_packets_sent_total`, help: 'Packets sent.' });
    this.#dropped = counterOn(host, {
      name: `${prefix}_dropped_packets_total`,
      help: 'Packets that were not delivered: not sent, or missing from the received sequence.',
    });
  }

  /**
   * Marks a tick now and returns its time, for `sent()`. The first tick, and the first after
   * `resync()`, starts the schedule. A tick a whole period or more off its slot counts the slots
   * it missed and restarts the schedule from itself, so one stall is one large error, not a
   * permanent offset on every later tick.
   */
  tick(): number {
    const now = this.#now();
    this.#ticks.inc();
    if (Number.isNaN(this.#anchor)) {
      this.#anchor = now;
      this.#slot = 0;
      return now;
    }
    const expected = this.#anchor + ++this.#slot * this.periodMs;
    const error = now - expected;
    this.#error.observe(Math.abs(error) / 1000);
    if (error >= this.periodMs) this.#missed.inc(Math.floor(error / this.periodMs));
    if (Math.abs(error) >= this.periodMs) {
      this.#anchor = now;
      this.#slot = 0;
    }
    return now;
  }

  /** The packet of the tick at `tickTime` (from `tick()`) went out now. */
  sent(tickTime: number): void {
    this.#latency.observe((this.#now() - tickTime) / 1000);
    this.#sent.inc();
  }

  /** `count` packets could not be sent. */
  dropped(count = 1): void {
    this.#dropped.inc(count);
  }

  /** Forgets the schedule: after a pause, the next tick starts a new one instead of counting the pause as missed. */
  resync(): void {
    this.#anchor = Number.NaN;
  }
}
