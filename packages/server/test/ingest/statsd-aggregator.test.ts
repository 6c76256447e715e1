import { QuantileSketch, VigilError } from '@vigil/metrics';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StatsdAggregator } from '../../src/ingest/statsd-aggregator.js';
import { isStaleNaN, type SeriesSamples } from '../../src/store/series-store.js';

/** `name{k="v",…}` → value, one sample per series, all at `at`. */
function flat(samples: SeriesSamples[], at: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) {
    expect(Array.from(s.timestamps)).toEqual([at]);
    expect(s.values.length).toBe(1);
    const { __name__, ...rest } = s.labels;
    const labels = Object.entries(rest)
      .map(([k, v]) => `${k}="${v}"`)
      .join(',');
    const key = labels ? `${__name__}{${labels}}` : __name__!;
    expect(out, `${key} twice`).not.toHaveProperty(key);
    out[key] = s.values[0]!;
  }
  return out;
}

function ingestAll(aggregator: StatsdAggregator, datagrams: string[]): void {
  for (const d of datagrams) aggregator.ingest(d);
}

describe('StatsdAggregator: the packets of shared/peers README §10, as Etsy statsd 0.9 flushed them', () => {
  // Etsy's flush: counters app.requests 7, app.tagged;env=dev;region=eu 1; gauges app.temp 22.5;
  // timers app.latency [80,120,300] (sum 500); sets app.users [alice, bob]; bad_lines_seen 2.
  const packets = [
    'app.requests:1|c',
    'app.requests:3|c|@0.5',
    'app.temp:21.5|g',
    'app.temp:+1|g',
    'app.latency:120|ms\napp.latency:80|ms\napp.latency:300|ms',
    'app.users:alice|s',
    'app.users:bob|s',
    'app.tagged:1|c|#env:dev,region:eu',
    'garbage-no-type',
    'bad:abc|c',
  ];

  it('gives the same counters, gauges, timer count and sum, and set size', () => {
    const aggregator = new StatsdAggregator();
    ingestAll(aggregator, packets);
    const sketch = new QuantileSketch();
    for (const v of [0.12, 0.08, 0.3]) sketch.add(v);
    expect(flat(aggregator.flush(1000), 1000)).toEqual({
      app_requests_total: 7,
      app_temp: 22.5,
      app_latency_count: 3,
      app_latency_sum: 0.5,
      'app_latency{quantile="0.5"}': sketch.quantile(0.5),
      'app_latency{quantile="0.9"}': sketch.quantile(0.9),
      'app_latency{quantile="0.95"}': sketch.quantile(0.95),
      'app_latency{quantile="0.99"}': sketch.quantile(0.99),
      app_users: 2,
      'app_tagged_total{env="dev",region="eu"}': 1,
    });
    expect(aggregator.counts()).toEqual({
      accepted: 10,
      rejected: { bad_line: 1, bad_value: 1 },
      series: 5,
      expired: 0,
    });
  });
});

describe('StatsdAggregator across flushes', () => {
  it('accumulates counters as Prometheus counters and keeps gauges; sets restart each interval', () => {
    const aggregator = new StatsdAggregator();
    ingestAll(aggregator, ['c:2|c', 'g:10|g', 's:a|s\ns:b|s\ns:a|s']);
    expect(flat(aggregator.flush(1000), 1000)).toEqual({ c_total: 2, g: 10, s: 2 });
    ingestAll(aggregator, ['c:3|c', 'g:-4|g']);
    expect(flat(aggregator.flush(2000), 2000)).toEqual({ c_total: 5, g: 6, s: 0 });
    expect(flat(aggregator.flush(3000), 3000)).toEqual({ c_total: 5, g: 6, s: 0 });
    ingestAll(aggregator, ['g:+0.5|g', 'g:-1|g', 'g:3|g', 'g:+1|g']);
    expect(flat(aggregator.flush(4000), 4000)).toMatchObject({ g: 4 });
  });

  it('writes timer quantiles only for an interval with values; count and sum keep accumulating', () => {
    const aggregator = new StatsdAggregator({ quantiles: [0.5] });
    ingestAll(aggregator, ['t:100|ms', 't:200|ms|@0.5']);
    expect(flat(aggregator.flush(1000), 1000)).toEqual({
      t_count: 3,
      t_sum: 0.5,
      't{quantile="0.5"}': expect.closeTo(0.1, 2),
    });
    expect(flat(aggregator.flush(2000), 2000)).toEqual({ t_count: 3, t_sum: 0.5 });
    aggregator.ingest('t:1000|ms');
    expect(flat(aggregator.flush(3000), 3000)).toEqual({
      t_count: 4,
      t_sum: 1.5,
      't{quantile="0.5"}': expect.closeTo(1, 2),
    });
  });

  it('keeps histogram and distribution values unitless (statsd_exporter 0.17), timers in seconds', () => {
    const aggregator = new StatsdAggregator({ quantiles: [1] });
    ingestAll(aggregator, ['size:1500|h', 'size:500|d', 'lat:250|ms']);
    const out = flat(aggregator.flush(0), 0);
    expect(out).toMatchObject({ size_count: 2, size_sum: 2000, lat_sum: 0.25 });
    expect(out['size{quantile="1"}']).toBeCloseTo(1500, -1);
  });

  it('reports quantiles within the sketch error on many values', () => {
    const aggregator = new StatsdAggregator();
    aggregator.ingest(Array.from({ length: 1000 }, (_, i) => `lat:${i + 1}|ms`).join('\n'));
    const out = flat(aggregator.flush(0), 0);
    for (const [q, exact] of [
      ['0.5', 0.5],
      ['0.9', 0.9],
      ['0.99', 0.99],
    ] as const) {
      expect(Math.abs(out[`lat{quantile="${q}"}`]! - exact) / exact).toBeLessThan(0.006);
    }
  });
});

describe('StatsdAggregator naming and labels', () => {
  it('makes one series of names and tags spelled differently but equal once sanitised and sorted', () => {
    const aggregator = new StatsdAggregator();
    ingestAll(aggregator, ['a.b-c:1|c|#x:1,y:2', 'a_b_c:1|c|#y:2,x:1', 'a.b_c:1|c|#y:2|#x:1']);
    expect(flat(aggregator.flush(0), 0)).toEqual({ 'a_b_c_total{x="1",y="2"}': 3 });
    expect(aggregator.counts().series).toBe(1);
  });

  it('does not double _total, and keeps a tag named quantile under another name on a summary', () => {
    const aggregator = new StatsdAggregator({ quantiles: [0.5] });
    ingestAll(aggregator, ['jobs_total:1|c', 'lat:1|ms|#quantile:high']);
    expect(Object.keys(flat(aggregator.flush(0), 0)).sort()).toEqual([
      'jobs_total',
      'lat_count{exported_quantile="high"}',
      'lat_sum{exported_quantile="high"}',
      'lat{exported_quantile="high",quantile="0.5"}',
    ]);
  });

  it('keeps the first kind of a name and refuses the others as type_conflict; timers, histograms and distributions share one', () => {
    const aggregator = new StatsdAggregator();
    ingestAll(aggregator, [
      'x:1|c',
      'x:1|g',
      'x:1|ms',
      'x:a|s',
      'y:1|ms',
      'y:2|h',
      'y:3|d',
      'x:2|c|#other:tag',
    ]);
    expect(aggregator.counts()).toEqual({
      accepted: 5,
      rejected: { type_conflict: 3 },
      series: 3,
      expired: 0,
    });
  });

  it('refuses a negative counter increment (a Prometheus counter only goes up)', () => {
    const aggregator = new StatsdAggregator();
    aggregator.ingest('c:-1|c');
    expect(aggregator.counts().rejected).toEqual({ negative_counter: 1 });
    expect(aggregator.flush(0)).toEqual([]);
  });
});

describe('StatsdAggregator limits and expiry', () => {
  it('refuses new series past maxSeries, and still updates the ones it has', () => {
    const aggregator = new StatsdAggregator({ maxSeries: 2 });
    ingestAll(aggregator, ['a:1|c', 'b:1|c', 'c:1|c', 'a:1|c', 'a:1|c|#k:v']);
    expect(aggregator.counts()).toEqual({
      accepted: 3,
      rejected: { series_limit: 2 },
      series: 2,
      expired: 0,
    });
    expect(flat(aggregator.flush(0), 0)).toEqual({ a_total: 2, b_total: 1 });
  });

  it('writes a staleness marker for a series idle past ttlMs, then forgets it', () => {
    const aggregator = new StatsdAggregator({ ttlMs: 10_000, quantiles: [0.5] });
    ingestAll(aggregator, ['old:1|c', 'keep:1|g', 'lat:5|ms']);
    aggregator.flush(0);
    aggregator.ingest('keep:2|g');
    expect(Object.keys(flat(aggregator.flush(10_000), 10_000))).toHaveLength(4);
    aggregator.ingest('keep:3|g');
    const expired = aggregator.flush(10_001);
    const stale = expired.filter((s) => isStaleNaN(s.values[0]!)).map((s) => s.labels.__name__);
    expect(stale.sort()).toEqual(['lat', 'lat_count', 'lat_sum', 'old_total']);
    expect(
      flat(
        expired.filter((s) => !isStaleNaN(s.values[0]!)),
        10_001,
      ),
    ).toEqual({ keep: 3 });
    expect(aggregator.counts()).toMatchObject({ series: 1, expired: 2 });
    // A forgotten counter starts again from zero, which rate() reads as a reset.
    aggregator.ingest('old:5|c');
    expect(flat(aggregator.flush(20_000), 20_000)).toEqual({ keep: 3, old_total: 5 });
  });

  it('caps a set at 100,000 distinct values per interval', () => {
    const aggregator = new StatsdAggregator();
    for (let i = 0; i < 100_010; i += 1000) {
      aggregator.ingest(Array.from({ length: 1000 }, (_, j) => `u:${i + j}|s`).join('\n'));
    }
    expect(flat(aggregator.flush(0), 0)).toEqual({ u: 100_000 });
  });

  it('validates its options once, naming the option', () => {
    expect(() => new StatsdAggregator({ maxSeries: 0 })).toThrow(VigilError);
    expect(() => new StatsdAggregator({ maxSeries: 0 })).toThrow(
      'StatsdAggregator: maxSeries: got 0, expected a positive integer',
    );
    expect(() => new StatsdAggregator({ ttlMs: -1 })).toThrow('StatsdAggregator: ttlMs: got -1');
    expect(() => new StatsdAggregator({ quantiles: [0.9, 0.5] })).toThrow(
      'StatsdAggregator: quantiles: got [0.9,0.5], expected ascending numbers between 0 and 1',
    );
    expect(() => new StatsdAggregator({ quantiles: [2] })).toThrow('quantiles');
  });

  it('never throws and keeps its counts consistent, whatever arrives (fast-check)', () => {
    const unit = fc.constantFrom(...'ab.:|@#,c gmsdh1-+\n'.split(''), 'ms', '0.5');
    fc.assert(
      fc.property(fc.array(fc.string({ unit, maxLength: 60 }), { maxLength: 20 }), (datagrams) => {
        const aggregator = new StatsdAggregator({ maxSeries: 5, ttlMs: 1 });
        let accepted = 0;
        for (const d of datagrams) accepted += aggregator.ingest(d);
        const flushed = aggregator.flush(0);
        expect(aggregator.counts().accepted).toBe(accepted);
        expect(aggregator.counts().series).toBeLessThanOrEqual(5);
        for (const s of flushed) expect(s.labels.__name__).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
        aggregator.flush(10);
        expect(aggregator.counts().series).toBe(0);
      }),
      { numRuns: 1000 },
    );
  });
});
