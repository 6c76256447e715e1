import { describe, expect, it } from 'vitest';
import { VigilError } from '../../src/base/errors.js';
import { Counter } from '../../src/core/counter.js';
import { Histogram } from '../../src/core/histogram.js';
import { Registry } from '../../src/core/registry.js';
import { QuantileSketch } from '../../src/sketch/quantile-sketch.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(VigilError);
    return `${(error as VigilError).code}: ${(error as VigilError).message}`;
  }
  return undefined;
}

describe('Registry configuration errors', () => {
  const registry = new Registry();

  it('names the option, the value and what was expected', () => {
    expect(codeOf(() => registry.counter({ name: 'bad name' }))).toMatch(
      /^VIGIL_INVALID_NAME: name: got "bad name", expected/,
    );
    expect(codeOf(() => registry.counter({ name: 'ok_total', labelNames: ['__x'] }))).toMatch(
      /^VIGIL_INVALID_LABEL_NAME: ok_total: labelNames: got "__x"/,
    );
    expect(codeOf(() => registry.histogram({ name: 'h', labelNames: ['le'] }))).toMatch(
      /^VIGIL_RESERVED_LABEL: h: labelNames: "le"/,
    );
    expect(codeOf(() => registry.counter({ name: 'd_total', labelNames: ['a', 'a'] }))).toMatch(
      /^VIGIL_DUPLICATE_LABEL/,
    );
    expect(codeOf(() => registry.histogram({ name: 'h2', buckets: [1, 0.5] }))).toMatch(
      /^VIGIL_INVALID_BUCKETS: h2: buckets\[1\] = 0.5 is not greater than buckets\[0\] = 1/,
    );
    expect(codeOf(() => registry.histogram({ name: 'h3', buckets: [1, Number.NaN] }))).toMatch(
      /^VIGIL_INVALID_BUCKETS/,
    );
    expect(codeOf(() => registry.histogram({ name: 'h4', window: -1 }))).toMatch(
      /^VIGIL_INVALID_OPTION: h4: window: got -1/,
    );
    expect(codeOf(() => new Registry({ maxSeriesPerMetric: 0 }))).toMatch(
      /^VIGIL_INVALID_OPTION: maxSeriesPerMetric: got 0/,
    );
  });

  it('returns the same metric for the same shape and refuses another shape', () => {
    const a = registry.counter({ name: 'same_total', help: 'h', labelNames: ['x'] });
    expect(registry.counter({ name: 'same_total', labelNames: ['x'] })).toBe(a);
    expect(codeOf(() => registry.gauge({ name: 'same_total', labelNames: ['x'] }))).toMatch(
      /^VIGIL_DUPLICATE_METRIC: same_total: already registered as a counter with labelNames \[x\]; got a gauge/,
    );
    expect(codeOf(() => registry.counter({ name: 'same_total', labelNames: ['y'] }))).toMatch(
      /^VIGIL_DUPLICATE_METRIC/,
    );
  });

  it('resets everything, or only the counters', () => {
    const r = new Registry();
    const c = r.counter({ name: 'c_total' });
    const g = r.gauge({ name: 'g' });
    c.inc(3);
    g.set(7);
    r.resetCounters();
    expect([c.get(), g.get()]).toEqual([0, 7]);
    r.reset();
    expect(g.get()).toBe(0);
  });

  it('runs collect callbacks, sync and async, at read time', async () => {
    const r = new Registry();
    let reads = 0;
    r.gauge({ name: 'reads', collect: (g) => g.set(++reads) });
    r.gauge({ name: 'later', collect: async (g) => g.set(await Promise.resolve(42)) });
    const snap = await r.snapshot();
    const value = (name: string) => snap.metrics.find((m) => m.name === name)?.points[0];
    expect(value('reads')).toMatchObject({ value: 1 });
    expect(value('later')).toMatchObject({ value: 42 });
  });
});

describe('a disabled registry', () => {
  it('hands out metrics that record nothing and never throw', () => {
    const r = new Registry({ enabled: false });
    const c = r.counter({ name: 'c_total', labelNames: ['a'] });
    c.inc({ a: 'x' });
    c.labels('x').inc();
    const h = r.histogram({ name: 'h' });
    h.observe(1);
    expect(h.startTimer()()).toBe(0);
    expect(h.measure(undefined, () => 7)).toBe(7);
    r.gauge({ name: 'g' }).labels().set(3);
    expect(r.snapshotSync().metrics).toEqual([]);
    expect(r.scope('s1').open).toBe(false);
  });

  it('hands out the same classes with the same properties, and checks the same options', () => {
    const r = new Registry({ enabled: false });
    const h = r.histogram({ name: 'h_seconds', buckets: [0.1, 1], labelNames: ['op'] });
    expect(h).toBeInstanceOf(Histogram);
    expect(h.bounds).toEqual([0.1, 1]);
    expect(h.labelNames).toEqual(['op']);
    expect(h.labels('x').startTimer()()).toBe(0);
    expect(h.get()).toMatchObject({ count: 0 });
    expect(r.counter({ name: 'c_total' })).toBeInstanceOf(Counter);
    expect(r.gauge({ name: 'g' }).stats()).toEqual({ current: 0, min: 0, max: 0, mean: 0 });
    expect(() => r.counter({ name: 'bad name' })).toThrow(
      expect.objectContaining({ code: 'VIGIL_INVALID_NAME' }),
    );
  });
});

describe('Registry snapshot({ sketches: true })', () => {
  it('gives histogram points their sketch (and window sketch) only when asked', () => {
    const registry = new Registry();
    const h = registry.histogram({ name: 'lat_seconds', labelNames: ['op'], window: 60 });
    for (const v of [0.1, 0.2, 0.4]) h.observe({ op: 'a' }, v);
    const plain = registry.snapshotSync().metrics[0]!;
    expect(plain.type === 'histogram' && Object.keys(plain.points[0]!)).not.toContain('sketch');
    const full = registry.snapshotSync({ sketches: true }).metrics[0]!;
    if (full.type !== 'histogram') throw new Error('expected a histogram');
    const point = full.points[0]!;
    expect(QuantileSketch.fromData(point.sketch!).quantile(0.5)).toBe(point.quantiles[0]);
    expect(point.sketch!.count).toBe(3);
    expect(point.windowSketch!.count).toBe(3);
  });
});

describe('Metric.layout', () => {
  it('changes when a series is created or removed, not when one records', () => {
    const registry = new Registry();
    const c = registry.counter({ name: 'c_total', labelNames: ['a'] });
    const empty = c.layout;
    c.inc({ a: 'x' });
    const one = c.layout;
    expect(one).not.toBe(empty);
    c.inc({ a: 'x' }, 5);
    expect(c.layout).toBe(one);
    c.remove('x');
    expect(c.layout).not.toBe(one);
    expect(registry.counter({ name: 'd_total' }).layout).not.toBe(c.layout);
  });
});
