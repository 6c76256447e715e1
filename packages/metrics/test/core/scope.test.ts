import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/base/clock.js';
import { Registry } from '../../src/core/registry.js';

describe('Scope', () => {
  it('gives a session its own series in shared families, dropped when it closes', () => {
    const r = new Registry();
    const s = r.scope('swift-neural-42');
    s.counter({ name: 'packets_sent' }).inc(10);
    s.counter({ name: 'dropped_packets' }).labels()?.inc();
    s.histogram({ name: 'network_latency_ms' }).observe(1.5);
    r.scope('other').counter({ name: 'packets_sent' }).inc(3);
    expect(r.scope('swift-neural-42')).toBe(s);
    const sent = r.snapshotSync().metrics.find((m) => m.name === 'packets_sent')!;
    expect(sent.points.map((p) => [p.labels, 'value' in p ? p.value : 0])).toEqual([
      [{ session: 'swift-neural-42' }, 10],
      [{ session: 'other' }, 3],
    ]);
    expect(s.memoryBytes()).toBeGreaterThan(0);
    s.close();
    expect(r.scopes().map((x) => x.id)).toEqual(['other']);
    s.counter({ name: 'packets_sent' }).inc();
    expect(r.snapshotSync().metrics.find((m) => m.name === 'packets_sent')!.points).toHaveLength(1);
  });

  it('expires scopes idle for their TTL, and not busy ones', () => {
    const clock = new ManualClock(0);
    const r = new Registry({ clock });
    const idle = r.scope('idle', { ttlSeconds: 10 });
    idle.counter({ name: 'n' }).inc();
    const busy = r.scope('busy', { ttlSeconds: 10 });
    const n = busy.counter({ name: 'n' });
    for (let t = 0; t < 30; t++) {
      n.inc();
      clock.advance(1000);
    }
    expect(idle.open).toBe(false);
    expect(busy.open).toBe(true);
    expect(r.scopes().map((s) => s.id)).toEqual(['busy']);
  });

  it('caps the number of scopes without throwing, and counts the refusals', () => {
    const r = new Registry({ maxScopes: 2 });
    r.scope('a');
    r.scope('b');
    const c = r.scope('c');
    expect(c.open).toBe(false);
    c.counter({ name: 'x' }).inc();
    expect(r.dropped('vigil_scopes', 'scope_limit')).toBe(1);
  });

  it('tracks running, paused and connections for the session totals', () => {
    const r = new Registry();
    const s = r.scope('s');
    s.connect();
    s.connect();
    s.disconnect();
    s.setPaused(true);
    expect(r.snapshotSync().scopes).toEqual([
      expect.objectContaining({ id: 's', running: true, paused: true, connections: 1 }),
    ]);
  });
});
