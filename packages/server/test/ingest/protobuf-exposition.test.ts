import { ManualClock, nativeBucketIndex, Registry, toProtobuf } from '@vigil/metrics';
import { describe, expect, it } from 'vitest';
import { IngestError } from '../../src/ingest/ingest-error.js';
import { parseProtobufExposition } from '../../src/ingest/protobuf-exposition.js';
import { forEachBucket, toFloatHistogram } from '../../src/store/native-histogram.js';

async function exposed(build: (registry: Registry) => void) {
  const registry = new Registry();
  build(registry);
  return parseProtobufExposition(toProtobuf(await registry.snapshot({ native: true })));
}

describe('protobuf exposition, @vigil/metrics to the server', () => {
  it('carries counters, gauges and labels', async () => {
    const parsed = await exposed((r) => {
      r.counter({ name: 'jobs_total', help: 'Jobs.', labelNames: ['queue'] }).inc({ queue: 'a"b\n' }, 3);
      r.gauge({ name: 'temperature_celsius', help: '' }).set(-1.5);
    });
    const jobs = parsed.families.find((f) => f.name === 'jobs_total')!;
    expect(jobs).toMatchObject({ type: 'counter', help: 'Jobs.' });
    expect(jobs.samples).toEqual([
      { name: 'jobs_total', labels: { queue: 'a"b\n' }, value: 3, createdMs: expect.any(Number) },
    ]);
    const temperature = parsed.families.find((f) => f.name === 'temperature_celsius')!;
    expect(temperature.type).toBe('gauge');
    expect(temperature.samples[0]!.value).toBe(-1.5);
  });

  it('carries a histogram as a native histogram whose buckets are where Prometheus puts each value, and its classic series', async () => {
    // Powers of two and integers sit on bucket boundaries: the case where an off-by-one shows.
    const values = [0, 0.25, 0.5, 1, 1, 2, 3, 4, 8, 10, 100, 1024, 0.003, -1, -4];
    const parsed = await exposed((r) => {
      const h = r.histogram({ name: 'tokens', help: 'Tokens.', labelNames: ['model'] });
      for (const v of values) h.observe({ model: 'm' }, v);
    });
    expect(parsed.errors).toEqual([]);
    expect(parsed.histograms).toHaveLength(1);
    const { name, labels, histogram } = parsed.histograms[0]!;
    expect(name).toBe('tokens');
    expect(labels).toEqual({ model: 'm' });
    expect(histogram).toMatchObject({ kind: 'int', schema: 6, count: values.length, zeroCount: 1 });
    expect(histogram.sum).toBeCloseTo(
      values.reduce((a, b) => a + b, 0),
      9,
    );
    const float = toFloatHistogram(histogram);
    const got = new Map<number, number>();
    forEachBucket(float.positiveSpans, float.positiveCounts, (i, c) => c > 0 && got.set(i, c));
    const want = new Map<number, number>();
    for (const v of values.filter((x) => x > 0))
      want.set(nativeBucketIndex(v, 6), (want.get(nativeBucketIndex(v, 6)) ?? 0) + 1);
    expect(got).toEqual(want);
    const negative: number[] = [];
    forEachBucket(float.negativeSpans, float.negativeCounts, (i, c) => c > 0 && negative.push(i));
    expect(negative).toEqual([nativeBucketIndex(1, 6), nativeBucketIndex(4, 6)]);
    // Classic series beside it, as Prometheus keeps them with always_scrape_classic_histograms.
    const classic = parsed.families.find((f) => f.name === 'tokens')!.samples;
    expect(classic.find((s) => s.labels.le === '1.0')!.value).toBe(8);
    expect(classic.find((s) => s.labels.le === '+Inf')!.value).toBe(values.length);
    expect(classic.find((s) => s.name === 'tokens_count')!.value).toBe(values.length);
  });

  it('leaves out what the histogram options turn off', async () => {
    const parsed = await exposed((r) => {
      r.histogram({ name: 'native_only', help: 'x', classic: false }).observe(0.2);
      r.histogram({ name: 'classic_only', help: 'x', native: false }).observe(0.2);
      r.histogram({ name: 'limited', help: 'x', native: { bucketLimit: 4 } }).observe(0.2);
    });
    expect(parsed.histograms.map((h) => h.name)).toEqual(['native_only', 'limited']);
    expect(parsed.families.find((f) => f.name === 'native_only')!.samples).toEqual([]);
    expect(parsed.families.find((f) => f.name === 'classic_only')!.samples.length).toBeGreaterThan(3);
    expect(parsed.histograms[1]!.histogram.schema).toBe(6);
  });

  it('refuses bytes that are not delimited MetricFamily messages, naming the offset', () => {
    const bytes = Uint8Array.of(10, 0x0a, 3, 0x61);
    expect(() => parseProtobufExposition(bytes)).toThrow(IngestError);
    expect(() => parseProtobufExposition(bytes)).toThrow(/at byte \d+/);
  });

  it('reports a native histogram that breaks the model and keeps the rest', () => {
    // MetricFamily{name "h", type HISTOGRAM, metric {histogram {count 1, schema 20, zero_threshold 1e-9, zero_count 1}}}
    const histogram = [0x08, 1, 0x28, 40, 0x31, ...new Uint8Array(Float64Array.of(1e-9).buffer), 0x38, 1];
    const metric = [0x3a, histogram.length, ...histogram];
    const family = [0x0a, 1, 0x68, 0x18, 4, 0x22, metric.length, ...metric];
    const counter = [
      0x0a,
      1,
      0x63,
      0x18,
      0,
      0x22,
      11,
      0x1a,
      9,
      0x09,
      ...new Uint8Array(Float64Array.of(2).buffer),
    ];
    const parsed = parseProtobufExposition(
      Uint8Array.from([family.length, ...family, counter.length, ...counter]),
    );
    expect(parsed.histograms).toEqual([]);
    expect(parsed.errors).toEqual([
      expect.stringMatching(/^h\{\}: invalid native histogram: schema 20 is out of range/),
    ]);
    expect(parsed.families.find((f) => f.name === 'c')!.samples[0]!.value).toBe(2);
  });

  it('keeps the created timestamp of a counter, a summary and a histogram on each of their samples', async () => {
    const clock = new ManualClock(1_700_000_000_250);
    const parsed = await exposedAt(clock, (r) => {
      r.histogram({ name: 'h', help: 'x' }).observe(0.2);
    });
    expect(parsed.histograms[0]!.createdMs).toBe(1_700_000_000_250);
    const classic = parsed.families.find((f) => f.name === 'h')!.samples;
    expect(classic.map((s) => s.createdMs)).toEqual(classic.map(() => 1_700_000_000_250));
    // As client_golang writes them: Counter { value = 1; created_timestamp = 3 },
    // Summary { sample_count = 1; sample_sum = 2; created_timestamp = 4 }, Timestamp { seconds = 1; nanos = 2 }.
    const timestamp = [0x08, ...varint(1_700_000_000), 0x10, ...varint(500_000_000)];
    const counter = [0x09, ...double(7), ...field(3, timestamp)];
    const summary = [0x08, 3, 0x11, ...double(1.5), ...field(4, timestamp)];
    const zero = [0x09, ...double(1), ...field(3, [])];
    // MetricFamily { name = 1; type = 3; metric = 4 }, Metric { counter = 3; summary = 4 }
    const family = (name: string, type: number, metric: number[]) => {
      const body = [...field(1, [name.charCodeAt(0)]), 0x18, type, ...field(4, metric)];
      return [body.length, ...body];
    };
    const bytes = Uint8Array.from([
      ...family('c', 0, field(3, counter)),
      ...family('s', 2, field(4, summary)),
      ...family('z', 0, field(3, zero)),
    ]);
    const families = parseProtobufExposition(bytes).families;
    const created = (name: string) => families.find((f) => f.name === name)!.samples.map((s) => s.createdMs);
    expect(created('c')).toEqual([1_700_000_000_500]);
    expect(created('s')).toEqual([1_700_000_000_500, 1_700_000_000_500]);
    // The zero Timestamp is how a client says it does not know.
    expect(created('z')).toEqual([undefined]);
  });
});

async function exposedAt(clock: ManualClock, build: (registry: Registry) => void) {
  const registry = new Registry({ clock });
  build(registry);
  return parseProtobufExposition(toProtobuf(await registry.snapshot({ native: true })));
}

function double(v: number): number[] {
  return [...new Uint8Array(Float64Array.of(v).buffer)];
}

/** A length-delimited field: tag, length, bytes (all shorter than 128 here). */
function field(n: number, body: number[]): number[] {
  return [(n << 3) | 2, body.length, ...body];
}

function varint(v: number): number[] {
  const out: number[] = [];
  while (v > 0x7f) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}
