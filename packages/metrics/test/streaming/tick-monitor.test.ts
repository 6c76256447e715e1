import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/base/clock.js';
import type { Counter } from '../../src/core/counter.js';
import type { Histogram } from '../../src/core/histogram.js';
import { Registry } from '../../src/core/registry.js';
import { TickMonitor } from '../../src/streaming/tick-monitor.js';

function setup(rateHz?: number) {
  const clock = new ManualClock(0);
  const registry = new Registry({ clock });
  const ticks = new TickMonitor({ metrics: registry, clock, ...(rateHz ? { rateHz } : {}) });
  const histogram = (name: string) => (registry.getMetric(name) as Histogram).get();
  const counter = (name: string) => (registry.getMetric(name) as Counter).get();
  return { clock, ticks, histogram, counter };
}

describe('TickMonitor', () => {
  it('measures each tick against its slot on the 40 Hz schedule, not against the previous tick', () => {
    const { clock, ticks, histogram } = setup();
    expect(ticks.periodMs).toBe(25);
    ticks.tick();
    // Every interval is 25.5 ms: the interval error stays 0.5 ms, the schedule error grows 0.5 ms a tick.
    for (let i = 0; i < 4; i++) {
      clock.advance(25.5);
      ticks.tick();
    }
    const error = histogram('stream_timing_error_seconds');
    expect(error.count).toBe(4);
    expect(error.max).toBeCloseTo(0.002, 12);
    expect(error.mean).toBeCloseTo(0.00125, 12);
  });

  it('counts early ticks by their distance too', () => {
    const { clock, ticks, histogram } = setup();
    ticks.tick();
    clock.advance(24);
    ticks.tick();
    expect(histogram('stream_timing_error_seconds').max).toBeCloseTo(0.001, 12);
  });

  it('counts missed slots after a stall and restarts the schedule from the late tick', () => {
    const { clock, ticks, histogram, counter } = setup();
    ticks.tick();
    clock.advance(100); // slot 1 was at 25: 75 ms late, slots 1..3 passed without a tick
    ticks.tick();
    clock.advance(25);
    ticks.tick();
    expect(counter('stream_missed_ticks_total')).toBe(3);
    expect(counter('stream_ticks_total')).toBe(3);
    const error = histogram('stream_timing_error_seconds');
    expect(error.count).toBe(2);
    expect(error.max).toBeCloseTo(0.075, 12);
    expect(error.min).toBe(0);
  });

  it('resync() forgets the schedule, so a pause is not counted as missed ticks', () => {
    const { clock, ticks, counter, histogram } = setup();
    ticks.tick();
    ticks.resync();
    clock.advance(10_000);
    ticks.tick();
    clock.advance(25);
    ticks.tick();
    expect(counter('stream_missed_ticks_total')).toBe(0);
    expect(histogram('stream_timing_error_seconds').max).toBe(0);
  });

  it('measures tick-to-send latency and counts packets sent and dropped', () => {
    const { clock, ticks, histogram, counter } = setup();
    for (const latency of [1, 2, 3]) {
      const t = ticks.tick();
      clock.advance(latency);
      ticks.sent(t);
      clock.advance(25 - latency);
    }
    ticks.tick();
    ticks.dropped();
    ticks.dropped(2);
    const latency = histogram('stream_tick_to_send_seconds');
    expect([latency.count, latency.mean, latency.max]).toEqual([3, 0.002, 0.003]);
    expect(latency.std).toBeCloseTo(Math.sqrt(2 / 3) / 1000, 12);
    expect(counter('stream_packets_sent_total')).toBe(3);
    expect(counter('stream_dropped_packets_total')).toBe(3);
  });

  it('takes another rate and refuses a bad one by name', () => {
    expect(setup(60).ticks.periodMs).toBeCloseTo(16.667, 3);
    expect(() => new TickMonitor({ metrics: new Registry(), rateHz: 0 })).toThrow(
      'rateHz: got 0, expected a tick rate in Hz > 0, such as 40',
    );
    expect(() => new TickMonitor({ metrics: {} as Registry })).toThrow(
      'metrics: got an object, expected a Registry or a Scope',
    );
    expect(() => new TickMonitor({ metrics: new Registry(), prefix: '1x' })).toThrow('prefix: got "1x"');
  });
});
