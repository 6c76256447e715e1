import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  AggregationTemporalityPreference,
  OTLPMetricExporter as JsonExporter,
} from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationType,
  MeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
} from '@opentelemetry/sdk-metrics';
import { nativeBucketBound, nativeBucketIndex } from '@vigil/metrics';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunningServer, serve } from '../../src/cli/serve.js';
import { loadConfig } from '../../src/config/config.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-otlp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let server: RunningServer;
let n = 0;
beforeEach(async () => {
  // info() is one of Prometheus 3's experimental functions.
  const config = loadConfig(
    {
      listen: '127.0.0.1:0',
      data: join(dir, String(n++)),
      statsd: 'off',
      enableFeatures: ['promql-experimental-functions'],
    },
    {},
  );
  server = await serve(config);
});
afterEach(() => server.close());

/** The query's vector as `labels → value`, labels written as `{a="b",...}` in name order. */
async function query(expr: string): Promise<Record<string, number>> {
  const res = await fetch(`${server.url}/api/v1/query?${new URLSearchParams({ query: expr })}`);
  const body = (await res.json()) as {
    status: string;
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  expect(body.status).toBe('success');
  return Object.fromEntries(
    body.data.result.map((r) => [
      `{${Object.keys(r.metric)
        .sort()
        .map((k) => `${k}="${r.metric[k]}"`)
        .join(',')}}`,
      Number(r.value[1]),
    ]),
  );
}

/** The first series' native histogram, as /api/v1/query answers it. */
async function histogram(expr: string) {
  const res = await fetch(`${server.url}/api/v1/query?${new URLSearchParams({ query: expr })}`);
  const body = (await res.json()) as {
    data: {
      result: {
        metric: Record<string, string>;
        histogram: [number, { count: string; sum: string; buckets: [number, string, string, string][] }];
      }[];
    };
  };
  const [first] = body.data.result;
  if (!first) throw new Error(`${expr}: no histogram`);
  return { metric: first.metric, ...first.histogram[1] };
}

/** An SDK meter provider exporting through `exporter` only when flushed. */
function sdk(exporter: PushMetricExporter, exponential = false) {
  const provider = new MeterProvider({
    ...(exponential && {
      views: [{ instrumentName: '*', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
    }),
    resource: resourceFromAttributes({
      'service.name': 'checkout',
      'service.namespace': 'shop',
      'service.instance.id': 'pod-1',
      'host.name': 'node-a',
    }),
    readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })],
  });
  return { meter: provider.getMeter('test'), provider };
}

describe('OTLP/HTTP metrics from the OpenTelemetry SDK', () => {
  it('stores counters, up-down counters, gauges and histograms from the JSON exporter under Prometheus names', async () => {
    const { meter, provider } = sdk(new JsonExporter({ url: `${server.url}/v1/metrics` }));
    const requests = meter.createCounter('http.server.requests', { unit: '{request}' });
    requests.add(2, { 'http.route': '/pay' });
    requests.add(1, { 'http.route': '/pay' });
    meter.createUpDownCounter('queue.depth').add(-4);
    meter.createGauge('cpu.utilization', { unit: '1' }).record(0.25);
    const latency = meter.createHistogram('http.server.request.duration', {
      unit: 's',
      advice: { explicitBucketBoundaries: [0.1, 0.5, 1] },
    });
    for (const v of [0.05, 0.2, 0.3, 2]) latency.record(v, { 'http.route': '/pay' });
    await provider.forceFlush();
    await provider.shutdown();

    const target = 'instance="pod-1",job="shop/checkout"';
    expect(await query('http_server_requests_total')).toEqual({
      [`{__name__="http_server_requests_total",http_route="/pay",${target}}`]: 3,
    });
    expect(await query('queue_depth')).toEqual({ [`{__name__="queue_depth",${target}}`]: -4 });
    expect(await query('cpu_utilization_ratio')).toEqual({
      [`{__name__="cpu_utilization_ratio",${target}}`]: 0.25,
    });
    expect(await query('http_server_request_duration_seconds_bucket')).toEqual({
      [`{__name__="http_server_request_duration_seconds_bucket",http_route="/pay",${target},le="0.1"}`]: 1,
      [`{__name__="http_server_request_duration_seconds_bucket",http_route="/pay",${target},le="0.5"}`]: 3,
      [`{__name__="http_server_request_duration_seconds_bucket",http_route="/pay",${target},le="1"}`]: 3,
      [`{__name__="http_server_request_duration_seconds_bucket",http_route="/pay",${target},le="+Inf"}`]: 4,
    });
    expect(await query('http_server_request_duration_seconds_count')).toEqual({
      [`{__name__="http_server_request_duration_seconds_count",http_route="/pay",${target}}`]: 4,
    });
    expect(Object.values(await query('http_server_request_duration_seconds_sum'))[0]).toBeCloseTo(2.55);
    expect(await query('target_info')).toEqual({
      [`{__name__="target_info",host_name="node-a",${target}}`]: 1,
    });
    // The resource attributes come back on the series with info(), as in Prometheus 3.
    expect(await query('info(http_server_requests_total)')).toEqual({
      [`{__name__="http_server_requests_total",host_name="node-a",http_route="/pay",${target}}`]: 3,
    });
    // A selector keeps only the series whose resource has the attribute, and only that label.
    expect(await query('info(http_server_requests_total, {host_name=~"node-.*"})')).toEqual({
      [`{__name__="http_server_requests_total",host_name="node-a",http_route="/pay",${target}}`]: 3,
    });
    expect(await query('info(http_server_requests_total, {host_name="node-b"})')).toEqual({});
  });

  it('turns delta temporality from the protobuf exporter into cumulative series', async () => {
    const exporter = new ProtoExporter({
      url: `${server.url}/api/v1/otlp/v1/metrics`,
      temporalityPreference: AggregationTemporalityPreference.DELTA,
    });
    const { meter, provider } = sdk(exporter);
    const jobs = meter.createCounter('jobs.done');
    const sizes = meter.createHistogram('job.size', {
      unit: 'By',
      advice: { explicitBucketBoundaries: [10] },
    });
    jobs.add(2);
    sizes.record(5);
    await provider.forceFlush();
    jobs.add(3);
    sizes.record(50);
    await provider.forceFlush();
    await provider.shutdown();

    const target = 'instance="pod-1",job="shop/checkout"';
    expect(await query('jobs_done_total')).toEqual({ [`{__name__="jobs_done_total",${target}}`]: 5 });
    expect(await query('job_size_bytes_bucket')).toEqual({
      [`{__name__="job_size_bytes_bucket",${target},le="10"}`]: 1,
      [`{__name__="job_size_bytes_bucket",${target},le="+Inf"}`]: 2,
    });
    expect(await query('job_size_bytes_sum')).toEqual({ [`{__name__="job_size_bytes_sum",${target}}`]: 55 });
  });
});

describe('OTLP exponential histograms from the OpenTelemetry SDK', () => {
  // Powers of two and integers sit on bucket boundaries: each must land in the bucket whose upper bound it is.
  const values = [0, 0.5, 1, 1, 2, 3, 3.5, 4, 10, 1024];

  /** Prometheus's buckets for `observed` at `schema`: upper bound (Prometheus's own constant) to count. */
  function bucketsAt(schema: number, observed: readonly number[]): Map<number, number> {
    const out = new Map<number, number>();
    for (const v of observed.filter((x) => x > 0)) {
      const upper = nativeBucketBound(nativeBucketIndex(v, schema), schema);
      out.set(upper, (out.get(upper) ?? 0) + 1);
    }
    return out;
  }

  /** The non-empty positive buckets of an API histogram: upper bound to count. */
  function positiveBuckets(h: { buckets: [number, string, string, string][] }): Map<number, number> {
    return new Map(
      h.buckets
        .filter(([, lo, , c]) => Number(lo) > 0 && c !== '0')
        .map(([, , hi, c]) => [Number(hi), Number(c)]),
    );
  }

  it('stores the protobuf exporter cumulative points as native histograms that PromQL reads exactly', async () => {
    const { meter, provider } = sdk(new ProtoExporter({ url: `${server.url}/v1/metrics` }), true);
    const latency = meter.createHistogram('rpc.duration', { unit: 'ms' });
    for (const v of values) latency.record(v, { method: 'get' });
    await provider.forceFlush();
    await provider.shutdown();

    const target = { instance: 'pod-1', job: 'shop/checkout' };
    const h = await histogram('rpc_duration_milliseconds');
    expect(h.metric).toEqual({ __name__: 'rpc_duration_milliseconds', method: 'get', ...target });
    expect(h.count).toBe(String(values.length));
    expect(Number(h.sum)).toBe(values.reduce((a, b) => a + b, 0));
    // 2^-1 to 2^10 is 11 octaves: the SDK's 160 buckets hold them at scale 3 (88), not 4 (176).
    expect(positiveBuckets(h)).toEqual(bucketsAt(3, values));
    for (const v of [0.5, 1, 2, 4, 1024]) expect(positiveBuckets(h).has(v)).toBe(true);
    expect(h.buckets[0]!.map(Number)).toEqual([3, -1e-128, 1e-128, 1]);
    const byCount = await query('histogram_count(rpc_duration_milliseconds)');
    expect(Object.values(byCount)).toEqual([values.length]);
  });

  it('merges scale 20 down to schema 8 as Prometheus does, bucket for bucket', async () => {
    const { meter, provider } = sdk(new JsonExporter({ url: `${server.url}/v1/metrics` }), true);
    const narrow = meter.createHistogram('tokens.per.word');
    // Within a factor of 1.001 of one another the SDK keeps scale 20; 1 is a boundary.
    const close = [1, 1.0001, 1.0002, 1.0005, 1.0009];
    for (const v of close) narrow.record(v);
    await provider.forceFlush();
    await provider.shutdown();

    const h = await histogram('tokens_per_word');
    expect(h.count).toBe(String(close.length));
    expect(positiveBuckets(h)).toEqual(bucketsAt(8, close));
  });

  it('adds delta points whose scales differ into one cumulative series', async () => {
    const exporter = new ProtoExporter({
      url: `${server.url}/v1/metrics`,
      temporalityPreference: AggregationTemporalityPreference.DELTA,
    });
    const { meter, provider } = sdk(exporter, true);
    const sizes = meter.createHistogram('payload.size', { unit: 'By' });
    sizes.record(100);
    sizes.record(101);
    await provider.forceFlush();
    // A wider range in the second interval: its point comes at a coarser scale than the first's.
    sizes.record(3);
    sizes.record(1e6);
    await provider.forceFlush();
    await provider.shutdown();

    const h = await histogram('payload_size_bytes');
    expect(h.count).toBe('4');
    expect(Number(h.sum)).toBe(100 + 101 + 3 + 1e6);
    for (const v of [3, 100, 101, 1e6]) {
      expect(h.buckets.some(([, lo, hi, c]) => Number(lo) < v && v <= Number(hi) && Number(c) > 0)).toBe(
        true,
      );
    }
    const p50 = Object.values(await query('histogram_quantile(0.5, payload_size_bytes)'))[0]!;
    expect(p50).toBeGreaterThan(3);
    expect(p50).toBeLessThanOrEqual(101 * 1.1);
  });
});

describe('POST /v1/metrics', () => {
  const ns = (ms: number) => `${BigInt(ms) * 1_000_000n}`;
  const resource = { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] };
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/v1/metrics`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
    });

  it('answers partial success for an exponential histogram Prometheus refuses and keeps the rest of the request', async () => {
    const now = Date.now();
    const exponential = (scale: number) => ({
      aggregationTemporality: 2,
      dataPoints: [
        {
          timeUnixNano: ns(now),
          count: '3',
          sum: 4,
          scale,
          zeroCount: '1',
          positive: { bucketCounts: ['2'] },
        },
      ],
    });
    const res = await post({
      resourceMetrics: [
        {
          resource,
          scopeMetrics: [
            {
              metrics: [
                { name: 'temp', gauge: { dataPoints: [{ timeUnixNano: ns(now), asDouble: 21.5 }] } },
                { name: 'coarse', exponentialHistogram: exponential(-5) },
                { name: 'latency', exponentialHistogram: exponential(-4) },
              ],
            },
          ],
        },
      ],
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      partialSuccess: { rejectedDataPoints: string; errorMessage: string };
    };
    expect(body.partialSuccess.rejectedDataPoints).toBe('1');
    expect(body.partialSuccess.errorMessage).toBe(
      'metric "coarse": 1 points refused: exponential histogram scale -5 is below -4, the coarsest native histogram schema',
    );
    expect(await query('temp')).toEqual({ '{__name__="temp",job="svc"}': 21.5 });
    // Scale -4: base 2^16; OTel bucket 0 is (1, 65536], the zero bucket [-1e-128, 1e-128].
    const latency = await histogram('latency');
    expect(latency).toMatchObject({ metric: { __name__: 'latency', job: 'svc' }, count: '3', sum: '4' });
    expect(latency.buckets.map((b) => b.map(Number))).toEqual([
      [3, -1e-128, 1e-128, 1],
      [0, 1, 65536, 2],
    ]);
  });

  it('refuses a delta point that is not newer than the last one of its series', async () => {
    const now = Date.now();
    const sum = (t: number, v: number) => ({
      resourceMetrics: [
        {
          resource,
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'hits',
                  sum: {
                    aggregationTemporality: 1,
                    isMonotonic: true,
                    dataPoints: [{ timeUnixNano: ns(t), asInt: String(v) }],
                  },
                },
              ],
            },
          ],
        },
      ],
    });
    expect(await (await post(sum(now - 2000, 4))).json()).toEqual({});
    const late = (await (await post(sum(now - 3000, 1))).json()) as {
      partialSuccess: { rejectedDataPoints: string };
    };
    expect(late.partialSuccess.rejectedDataPoints).toBe('1');
    expect(await (await post(sum(now - 1000, 6))).json()).toEqual({});
    expect(await query('hits_total')).toEqual({ '{__name__="hits_total",job="svc"}': 10 });
  });

  it('reads gzip bodies and refuses malformed ones naming what is wrong', async () => {
    const now = Date.now();
    const body = {
      resourceMetrics: [
        {
          resource,
          scopeMetrics: [
            { metrics: [{ name: 'g', gauge: { dataPoints: [{ timeUnixNano: ns(now), asInt: '7' }] } }] },
          ],
        },
      ],
    };
    const zipped = await post(gzipSync(JSON.stringify(body)), { 'content-encoding': 'gzip' });
    expect(zipped.status).toBe(200);
    expect(await query('g')).toEqual({ '{__name__="g",job="svc"}': 7 });

    const bad = await post({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 5 }] }] }] });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain(
      'resourceMetrics[0].scopeMetrics[0].metrics[0].name must be a string',
    );

    const truncated = await fetch(`${server.url}/v1/metrics`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: Uint8Array.of(0x0a, 0x05, 0x0a),
    });
    expect(truncated.status).toBe(400);
    expect(JSON.stringify(await truncated.json())).toContain('protobuf');

    const wrongType = await post('x', { 'content-type': 'text/plain' });
    expect(wrongType.status).toBe(415);
  });
});
