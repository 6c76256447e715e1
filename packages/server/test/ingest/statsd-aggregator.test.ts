import { nativeBucketIndex, Registry, toProtobuf, VigilError } from '@vigil/metrics';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseProtobufExposition } from '../../src/ingest/protobuf-exposition.js';
import { StatsdAggregator, type StatsdFlush } from '../../src/ingest/statsd-aggregator.js';
import { forEachBucket, type NativeHistogram, toFloatHistogram } from '../../src/store/native-histogram.js';
import { isStaleNaN, type SeriesSamples } from '../../src/store/series-store.js';

/** `name{k="v",…}` → value, one sample per series, all at `at`: the float samples of a flush. */
function flat(flushed: StatsdFlush | SeriesSamples[], at: number): Record<string, number> {
  const samples = Array.isArray(flushed) ? flushed : flushed.samples;
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

/** The one native histogram of a flush named `name`. */
function native(flushed: StatsdFlush, name: string): NativeHistogram {
  const found = flushed.histograms.filter((h) => h.labels.__name__ === name);
  expect(found).toHaveLength(1);
  return found[0]!.histograms[0]!;
}

/** Bucket index → count, the non-empty buckets of one side. */
function bucketsOf(h: NativeHistogram): Map<number, number> {
  const f = toFloatHistogram(h);
  const out = new Map<number, number>();
  forEachBucket(f.positiveSpans, f.positiveCounts, (i, c) => {
    if (c > 0) out.set(i, c);
  });
  return out;
}

/** The native histogram the library exposes for a histogram that observed `values`, as the server reads it. */
async function libraryNative(values: readonly number[]): Promise<NativeHistogram> {
  const registry = new Registry();
  const h = registry.histogram({ name: 'h', help: 'h' });
  for (const v of values) h.observe(v);
  return parseProtobufExposition(toProtobuf(await registry.snapshot({ native: true }))).histograms[0]!
    .histogram;
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

  it('gives the same counters, gauges, timer count and sum, and set size; the timer as classic buckets and a native histogram', () => {
    const aggregator = new StatsdAggregator();
    ingestAll(aggregator, packets);
    const flushed = aggregator.flush(1000);
    const bucket = (le: string) => `app_latency_bucket{le="${le}"}`;
    expect(flat(flushed, 1000)).toEqual({
      app_requests_total: 7,
      app_temp: 22.5,
      app_latency_count: 3,
      app_latency_sum: 0.5,
      [bucket('0.005')]: 0,
      [bucket('0.01')]: 0,
      [bucket('0.025')]: 0,
      [bucket('0.05')]: 0,
      [bucket('0.1')]: 1,
      [bucket('0.25')]: 2,
      [bucket('0.5')]: 3,
      [bucket('1.0')]: 3,
      [bucket('2.5')]: 3,
      [bucket('5.0')]: 3,
      [bucket('10.0')]: 3,
      [bucket('+Inf')]: 3,
      app_users: 2,
      'app_tagged_total{env="dev",region="eu"}': 1,
    });
    const h = native(flushed, 'app_latency');
    expect(h).toMatchObject({ kind: 'int', schema: 6, count: 3, sum: 0.5, zeroCount: 0 });
    expect(bucketsOf(h)).toEqual(
      new Map([0.08, 0.12, 0.3].map((v) => [nativeBucketIndex(v, 6), 1] as [number, number])),
    );
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

  it('accumulates a timer across flushes as a histogram: count, sum, buckets and the native histogram', () => {
    const aggregator = new StatsdAggregator();
    ingestAll(aggregator, ['t:100|ms', 't:200|ms|@0.5']);
    const first = aggregator.flush(1000);
    expect(flat(first, 1000)).toMatchObject({ t_count: 3, t_sum: 0.5, 't_bucket{le="0.1"}': 1 });
    expect(bucketsOf(native(first, 't'))).toEqual(
      new Map([
        [nativeBucketIndex(0.1, 6), 1],
        [nativeBucketIndex(0.2, 6), 2],
      ]),
    );
    // An interval without values writes the same totals again, as a counter is written.
    const idle = aggregator.flush(2000);
    expect(flat(idle, 2000)).toMatchObject({ t_count: 3, t_sum: 0.5 });
    expect(native(idle, 't')).toEqual(native(first, 't'));
    aggregator.ingest('t:1000|ms');
    const third = aggregator.flush(3000);
    expect(flat(third, 3000)).toMatchObject({ t_count: 4, t_sum: 1.5, 't_bucket{le="1.0"}': 4 });
    expect(native(third, 't')).toMatchObject({ count: 4, sum: 1.5 });
  });

  it('counts a sampled value trunc(1/rate) times, as statsd_exporter does, and refuses a rate below 1/2^32', () => {
    const aggregator = new StatsdAggregator();
    ingestAll(aggregator, ['t:1|h|@0.3', 't:2|h|@0.1', 't:4|h|@1e-10']);
    const flushed = aggregator.flush(0);
    expect(flat(flushed, 0)).toMatchObject({ t_count: 13, t_sum: 3 + 20 });
    expect(bucketsOf(native(flushed, 't'))).toEqual(
      new Map([
        [nativeBucketIndex(1, 6), 3],
        [nativeBucketIndex(2, 6), 10],
      ]),
    );
    expect(aggregator.counts().rejected).toEqual({ bad_sample_rate: 1 });
  });

  it('keeps histogram and distribution values unitless (statsd_exporter 0.17), timers in seconds', () => {
    const aggregator = new StatsdAggregator();
    ingestAll(aggregator, ['size:1500|h', 'size:500|d', 'lat:250|ms']);
    const flushed = aggregator.flush(0);
    expect(flat(flushed, 0)).toMatchObject({ size_count: 2, size_sum: 2000, lat_sum: 0.25 });
    expect(native(flushed, 'size')).toMatchObject({ count: 2, sum: 2000 });
    expect(native(flushed, 'lat')).toMatchObject({ count: 1, sum: 0.25 });
  });

  it('makes the native histogram the library exposes for the same values, bucket for bucket', async () => {
    // Log-normal latencies around 80 ms, negative and zero values too (h and d take any number).
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const values = Array.from({ length: 5000 }, () => {
      const normal = Math.sqrt(-2 * Math.log(random())) * Math.cos(2 * Math.PI * random());
      return Math.round(Math.exp(Math.log(80) + 0.8 * normal) * 1000) / 1000;
    });
    const aggregator = new StatsdAggregator({ timers: 'native' });
    for (let i = 0; i < values.length; i += 50) {
      aggregator.ingest(
        values
          .slice(i, i + 50)
          .map((v) => `lat:${v}|ms`)
          .join('\n'),
      );
    }
    aggregator.ingest('delta:0|d\ndelta:-3|d\ndelta:5|d');
    const flushed = aggregator.flush(0);
    expect(flushed.samples).toEqual([]);
    const seconds = values.map((v) => v / 1000);
    const mine = native(flushed, 'lat');
    const library = await libraryNative(seconds);
    expect({ ...mine, sum: 0 }).toEqual({ ...library, sum: 0 });
    expect(mine.sum).toBeCloseTo(library.sum, 9);
    const signed = native(flushed, 'delta');
    expect({ ...signed, sum: 0 }).toEqual({ ...(await libraryNative([0, -3, 5])), sum: 0 });
  });

  it('writes only the classic series when told to', () => {
    const aggregator = new StatsdAggregator({ timers: 'classic' });
    aggregator.ingest('t:1|ms');
    const flushed = aggregator.flush(0);
    expect(flushed.histograms).toEqual([]);
    expect(Object.keys(flat(flushed, 0))).toHaveLength(2 + 12);
  });
});

describe('StatsdAggregator naming and labels', () => {
  it('makes one series of names and tags spelled differently but equal once sanitised and sorted', () => {
    const aggregator = new StatsdAggregator();
    ingestAll(aggregator, ['a.b-c:1|c|#x:1,y:2', 'a_b_c:1|c|#y:2,x:1', 'a.b_c:1|c|#y:2|#x:1']);
    expect(flat(aggregator.flush(0), 0)).toEqual({ 'a_b_c_total{x="1",y="2"}': 3 });
    expect(aggregator.counts().series).toBe(1);
  });

  it('does not double _total, and keeps a tag named le under another name on a classic histogram', () => {
    const aggregator = new StatsdAggregator({ timers: 'classic' });
    ingestAll(aggregator, ['jobs_total:1|c', 'lat:1|ms|#le:high']);
    const keys = Object.keys(flat(aggregator.flush(0), 0));
    expect(keys).toContain('jobs_total');
    expect(keys).toContain('lat_count{exported_le="high"}');
    expect(keys).toContain('lat_bucket{exported_le="high",le="+Inf"}');
    // A native histogram has no `le`: the tag keeps its name.
    const natives = new StatsdAggregator({ timers: 'native' });
    natives.ingest('lat:1|ms|#le:high');
    expect(natives.flush(0).histograms[0]!.labels).toEqual({ __name__: 'lat', le: 'high' });
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

  it('refuses a negative counter increment (a Prometheus counter only goes up) and warns once per metric', () => {
    const warnings: string[] = [];
    const aggregator = new StatsdAggregator({ warn: (message) => warnings.push(message) });
    ingestAll(aggregator, ['c:-1|c', 'conns:1|c', 'conns:-1|c', 'conns:-2|c|#route:/a', 'c:-3|c']);
    expect(aggregator.counts().rejected).toEqual({ negative_counter: 4 });
    expect(flat(aggregator.flush(0), 0)).toEqual({ conns_total: 1 });
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('StatsD counter c got a negative increment (c:-1|c)');
    expect(warnings[1]).toContain('StatsD counter conns got a negative increment (conns:-1|c)');
    expect(warnings[1]).toContain('reason="negative_counter"');
    expect(warnings[1]).toContain('statsdCounterMode: etsy');
  });
});

describe("StatsdAggregator in counterMode 'etsy'", () => {
  it('adds negative increments, and stores a decremented counter as a gauge: the _total series ends with a staleness marker', () => {
    const aggregator = new StatsdAggregator({ counterMode: 'etsy' });
    ingestAll(aggregator, ['conns:1|c', 'conns:1|c|#route:/a', 'conns:1|c', 'conns:2|c|@0.5']);
    expect(flat(aggregator.flush(0), 0)).toEqual({ conns_total: 6, 'conns_total{route="/a"}': 1 });
    ingestAll(aggregator, ['conns:-1|c', 'conns:1|c']);
    const { samples } = aggregator.flush(10_000);
    const stale = samples.filter((s) => isStaleNaN(s.values[0]!));
    expect(stale.map((s) => s.labels)).toEqual([
      { __name__: 'conns_total' },
      { __name__: 'conns_total', route: '/a' },
    ]);
    // Every series of the name is a gauge now, the untouched one too, with its running sum.
    expect(
      flat(
        samples.filter((s) => !isStaleNaN(s.values[0]!)),
        10_000,
      ),
    ).toEqual({ conns: 6, 'conns{route="/a"}': 1 });
    ingestAll(aggregator, ['conns:-10|c', 'conns:-1|c|#route:/b']);
    expect(flat(aggregator.flush(20_000), 20_000)).toEqual({
      conns: -4,
      'conns{route="/a"}': 1,
      'conns{route="/b"}': -1,
    });
    expect(aggregator.counts().rejected).toEqual({});
  });

  it('makes a counter whose first increment is negative a gauge at once, with nothing to end', () => {
    const aggregator = new StatsdAggregator({ counterMode: 'etsy' });
    ingestAll(aggregator, ['down:-1|c', 'down:3|c', 'up:2|c']);
    expect(flat(aggregator.flush(0), 0)).toEqual({ down: 2, up_total: 2 });
  });

  it('sums 30 increments and 10 decrements to 20, as Etsy statsd does', () => {
    const aggregator = new StatsdAggregator({ counterMode: 'etsy' });
    for (let i = 0; i < 30; i++) aggregator.ingest('conns:1|c');
    for (let i = 0; i < 10; i++) aggregator.ingest('conns:-1|c');
    expect(flat(aggregator.flush(0), 0)).toEqual({ conns: 20 });
    const prometheus = new StatsdAggregator();
    for (let i = 0; i < 30; i++) prometheus.ingest('conns:1|c');
    for (let i = 0; i < 10; i++) prometheus.ingest('conns:-1|c');
    expect(flat(prometheus.flush(0), 0)).toEqual({ conns_total: 30 });
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
    const aggregator = new StatsdAggregator({ ttlMs: 10_000 });
    ingestAll(aggregator, ['old:1|c', 'keep:1|g', 'lat:5|ms']);
    aggregator.flush(0);
    aggregator.ingest('keep:2|g');
    const kept = aggregator.flush(10_000);
    expect(Object.keys(flat(kept, 10_000))).toHaveLength(2 + 2 + 12);
    expect(kept.histograms).toHaveLength(1);
    aggregator.ingest('keep:3|g');
    const { samples: expired, histograms } = aggregator.flush(10_001);
    expect(histograms).toEqual([]);
    const stale = expired.filter((s) => isStaleNaN(s.values[0]!)).map((s) => s.labels.__name__);
    expect(stale.sort()).toEqual(
      ['lat', 'lat_count', 'lat_sum', ...Array(12).fill('lat_bucket'), 'old_total'].sort(),
    );
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
    expect(() => new StatsdAggregator({ counterMode: 'graphite' as 'etsy' })).toThrow(
      'StatsdAggregator: counterMode: got "graphite", expected prometheus, etsy',
    );
    expect(() => new StatsdAggregator({ timers: 'summary' as 'native' })).toThrow(
      'StatsdAggregator: timers: got "summary", expected native, classic, both',
    );
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
        for (const s of [...flushed.samples, ...flushed.histograms])
          expect(s.labels.__name__).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
        aggregator.flush(10);
        expect(aggregator.counts().series).toBe(0);
      }),
      { numRuns: 1000 },
    );
  });
});
