import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/base/clock.js';
import { Registry } from '../../src/core/registry.js';

describe('Gauge', () => {
  it('sets, increments and decrements, keeping current / min / max / mean as the event-server seed does', () => {
    const g = new Registry().gauge({ name: 'websocket_clients', labelNames: ['room'] });
    g.set({ room: 'a' }, 3);
    g.inc({ room: 'a' });
    g.dec({ room: 'a' }, 3);
    expect(g.stats({ room: 'a' })).toEqual({ current: 1, min: 1, max: 4, mean: (3 + 4 + 1) / 3 });
    const bound = g.labels('b');
    bound.set(-2);
    bound.inc(10);
    expect(bound.get()).toBe(8);
    expect(g.stats({ room: 'b' })).toMatchObject({ min: -2, max: 8 });
  });

  it('drops NaN, keeps infinities, and sets the current time from the clock', () => {
    const r = new Registry({ clock: new ManualClock(1_700_000_000_000) });
    const g = r.gauge({ name: 'g' });
    g.set(5);
    g.set(Number.NaN);
    expect(g.get()).toBe(5);
    expect(r.dropped('g', 'invalid_value')).toBe(1);
    g.set(Number.POSITIVE_INFINITY);
    expect(g.get()).toBe(Number.POSITIVE_INFINITY);
    g.labels().setToCurrentTime();
    expect(g.get()).toBe(1_700_000_000);
  });
});
