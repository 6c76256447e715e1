import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/base/clock.js';
import { Registry } from '../../src/core/registry.js';
import type { CounterSnapshot } from '../../src/core/snapshot.js';

function points(registry: Registry, name: string) {
  const metric = registry.snapshotSync().metrics.find((m) => m.name === name) as CounterSnapshot;
  return metric.points.map((p) => [p.labels, p.value]);
}

describe('Counter', () => {
  it('counts with and without labels, through objects, values and bound handles', () => {
    const registry = new Registry();
    const requests = registry.counter({
      name: 'http_requests_total',
      help: 'Requests.',
      labelNames: ['method', 'code'],
    });
    requests.inc({ method: 'GET', code: 200 });
    requests.inc({ code: '200', method: 'GET' }, 2);
    const post = requests.labels('POST', '500');
    post.inc();
    post.inc(0.5);
    expect(requests.labels({ method: 'POST', code: '500' })).toBe(post);
    expect(requests.get({ method: 'GET', code: '200' })).toBe(3);
    expect(post.get()).toBe(1.5);
    expect(points(registry, 'http_requests_total')).toEqual([
      [{ method: 'GET', code: '200' }, 3],
      [{ method: 'POST', code: '500' }, 1.5],
    ]);
    const plain = registry.counter({ name: 'jobs_total' });
    plain.inc();
    plain.inc(4);
    expect(plain.get()).toBe(5);
  });

  it('drops negative, NaN and infinite steps, counts them and never throws', () => {
    const registry = new Registry();
    const c = registry.counter({ name: 'c_total', labelNames: ['a'] });
    c.inc({ a: 'x' }, 2);
    c.inc({ a: 'x' }, -1);
    c.labels('x').inc(Number.NaN);
    c.labels('x').inc(Number.POSITIVE_INFINITY);
    expect(c.get({ a: 'x' })).toBe(2);
    expect(registry.dropped('c_total', 'negative_increment')).toBe(1);
    expect(registry.dropped('c_total', 'invalid_value')).toBe(2);
    const dropped = registry
      .snapshotSync()
      .metrics.find((m) => m.name === 'vigil_dropped_total') as CounterSnapshot;
    expect(dropped.points.map((p) => [p.labels.reason, p.value])).toEqual([
      ['negative_increment', 1],
      ['invalid_value', 2],
    ]);
  });

  it('sends label sets past the cap to one overflow series and counts them', () => {
    const registry = new Registry({ maxSeriesPerMetric: 3 });
    const c = registry.counter({ name: 'users_total', labelNames: ['user'] });
    for (let i = 0; i < 10; i++) c.inc({ user: `u${i}` });
    expect(c.seriesCount).toBe(3);
    const seen = points(registry, 'users_total');
    expect(seen).toHaveLength(4);
    expect(seen[3]).toEqual([{ vigil_overflow: 'true' }, 7]);
    expect(registry.dropped('users_total', 'cardinality')).toBe(7);
  });

  it('keeps series and handles on reset, and frees them on remove', () => {
    const registry = new Registry();
    const c = registry.counter({ name: 'x_total', labelNames: ['a', 'b'] });
    const h = c.labels('1', '2');
    h.inc(5);
    c.inc({ a: '1', b: '3' });
    c.reset();
    expect(h.get()).toBe(0);
    h.inc();
    expect(c.get({ a: '1', b: '2' })).toBe(1);
    c.remove('1', '2');
    h.inc(100);
    expect(points(registry, 'x_total')).toEqual([[{ a: '1', b: '3' }, 0]]);
    c.inc({ a: '9', b: '9' });
    expect(points(registry, 'x_total')).toEqual([
      [{ a: '1', b: '3' }, 0],
      [{ a: '9', b: '9' }, 1],
    ]);
  });

  it('escapes the label block once, when the series is created', () => {
    const registry = new Registry();
    const c = registry.counter({ name: 'e_total', labelNames: ['v'] });
    c.inc({ v: 'a"b\\c\nd 🦄' });
    const snap = registry.snapshotSync().metrics.find((m) => m.name === 'e_total') as CounterSnapshot;
    expect(snap.points[0]!.block).toBe('v="a\\"b\\\\c\\nd 🦄"');
  });

  it("keeps a snapshot's created times when the counter is reset after it", () => {
    const clock = new ManualClock(1_000);
    const registry = new Registry({ clock });
    const c = registry.counter({ name: 't_total', labelNames: ['v'] });
    c.inc({ v: 'a' });
    clock.advance(500);
    c.inc({ v: 'b' });
    const before = registry.snapshotSync().metrics.find((m) => m.name === 't_total') as CounterSnapshot;
    clock.advance(500);
    c.reset();
    const after = registry.snapshotSync().metrics.find((m) => m.name === 't_total') as CounterSnapshot;
    expect(before.points.map((p) => p.createdMs)).toEqual([1_000, 1_500]);
    expect(after.points.map((p) => p.createdMs)).toEqual([2_000, 2_000]);
    expect(JSON.parse(JSON.stringify(before.points[1]))).toMatchObject({ block: 'v="b"', createdMs: 1_500 });
  });
});
