import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/base/clock.js';
import { Registry } from '../../src/core/registry.js';
import type { HistogramSnapshot } from '../../src/core/snapshot.js';
import { timed } from '../../src/core/timed.js';

function snapshotOf(registry: Registry, name: string): HistogramSnapshot {
  return registry.snapshotSync().metrics.find((m) => m.name === name) as HistogramSnapshot;
}

describe('Histogram', () => {
  it('fills cumulative classic buckets with le semantics (value <= bound)', () => {
    const r = new Registry();
    const h = r.histogram({ name: 'd_seconds', buckets: [0.1, 1, 10] });
    for (const v of [0.05, 0.1, 0.5, 1, 5, 50]) h.observe(v);
    const point = snapshotOf(r, 'd_seconds').points[0]!;
    expect(point.buckets).toEqual([2, 4, 5, 6]);
    expect(point.count).toBe(6);
    expect(point.sum).toBeCloseTo(56.65, 10);
  });

  it('returns count, sum, min, max, mean, std and p50..p99.9 within 1%', () => {
    const h = new Registry().histogram({ name: 'latency_seconds', labelNames: ['op'] });
    const values = Array.from({ length: 10_000 }, (_, i) => (i + 1) / 1000);
    for (const v of values) h.observe({ op: 'stt' }, v);
    const s = h.get({ op: 'stt' });
    expect(s.count).toBe(10_000);
    expect(s.min).toBe(0.001);
    expect(s.max).toBe(10);
    expect(s.mean).toBeCloseTo(5.0005, 9);
    for (const [q, p] of [
      [0.5, s.p50],
      [0.9, s.p90],
      [0.95, s.p95],
      [0.99, s.p99],
      [0.999, s.p999],
    ] as const) {
      const exact = values[Math.floor(q * (values.length - 1))]!;
      expect(Math.abs(p - exact) / exact).toBeLessThan(0.01);
    }
  });

  it('drops NaN and infinities and counts them', () => {
    const r = new Registry();
    const h = r.histogram({ name: 'h' });
    h.observe(Number.NaN);
    h.labels().observe(Number.NEGATIVE_INFINITY);
    h.observe(1);
    expect(h.get().count).toBe(1);
    expect(r.dropped('h', 'invalid_value')).toBe(2);
  });

  it('keeps percentiles over a sliding window that forgets old slots', () => {
    const clock = new ManualClock(0);
    const h = new Registry({ clock }).histogram({ name: 'w_seconds', window: { seconds: 300, slots: 5 } });
    for (let i = 0; i < 100; i++) h.observe(10);
    clock.advance(120_000);
    for (let i = 0; i < 100; i++) h.observe(1);
    expect(h.get().window?.count).toBe(200);
    clock.advance(200_000); // the first slot (t = 0..60 s) is now out of the window
    const s = h.get();
    expect(s.count).toBe(200);
    expect(s.window?.count).toBe(100);
    expect(s.window?.p99).toBeCloseTo(1, 1);
    clock.advance(300_000);
    expect(h.get().window?.count).toBe(0);
  });

  it('measures sync and async calls, recording success, error and timeout in the status label', async () => {
    const h = new Registry().histogram({ name: 'call_seconds', labelNames: ['provider', 'status'] });
    expect(h.measure({ provider: 'a' }, () => 42)).toBe(42);
    await expect(h.measure({ provider: 'a' }, async () => 'ok')).resolves.toBe('ok');
    expect(() =>
      h.measure({ provider: 'a' }, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    await expect(
      h.measure({ provider: 'a' }, () => Promise.reject(new DOMException('late', 'TimeoutError'))),
    ).rejects.toThrow('late');
    await h.measure({ provider: 'a' }, () => new Promise((r) => setTimeout(r, 5)), { timeoutMs: 1 });
    expect(h.get({ provider: 'a', status: 'success' }).count).toBe(2);
    expect(h.get({ provider: 'a', status: 'error' }).count).toBe(1);
    expect(h.get({ provider: 'a', status: 'timeout' }).count).toBe(2);
  });

  it('times with startTimer, returning and recording seconds', async () => {
    const h = new Registry().histogram({ name: 't_seconds' });
    const end = h.labels().startTimer();
    await new Promise((r) => setTimeout(r, 20));
    const seconds = end();
    expect(seconds).toBeGreaterThanOrEqual(0.015);
    expect(h.get().sum).toBe(seconds);
  });

  it('decorates methods, with standard and legacy decorators', async () => {
    const h = new Registry().histogram({ name: 'm_seconds', labelNames: ['status'] });
    const decorate = timed(h);
    class Service {
      constructor(readonly factor: number) {}
      double(x: number) {
        return x * this.factor;
      }
      async fail(): Promise<never> {
        throw new Error('no');
      }
    }
    const standard = decorate(Service.prototype.double, {} as ClassMethodDecoratorContext);
    expect(standard.call(new Service(2), 21)).toBe(42);
    const legacy = decorate(
      Service.prototype,
      'fail',
      Object.getOwnPropertyDescriptor(Service.prototype, 'fail')!,
    );
    Object.defineProperty(Service.prototype, 'fail', legacy);
    await expect(new Service(1).fail()).rejects.toThrow('no');
    expect(h.get({ status: 'success' }).count).toBe(1);
    expect(h.get({ status: 'error' }).count).toBe(1);
  });
});
