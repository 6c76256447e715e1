import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  exposeFrom,
  ManualClock,
  PROTOBUF_CONTENT_TYPE,
  Registry,
  toPrometheusText,
  toProtobuf,
} from '@vigil/metrics';
import { Gauge as PromGauge, Registry as PromRegistry, Pushgateway } from 'prom-client';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { until } from '../../../../test/support/until.js';
import { type RunningServer, serve } from '../../src/cli/serve.js';
import { loadConfig } from '../../src/config/config.js';
import { encodeRemoteWrite } from '../../src/ingest/remote-write.js';
import { staleNaN } from '../../src/store/series-store.js';

const dirs: string[] = [];
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-server-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function start(
  env: Record<string, string> = {},
  data = dataDir(),
  clock = new ManualClock(1_700_000_000_000),
  flags: { statsd?: string } = {},
) {
  const config = loadConfig({ listen: '127.0.0.1:0', data, statsd: 'off', ...flags }, env);
  return { server: await serve(config, clock), clock, data };
}

async function readRaw(server: RunningServer, selector: string) {
  const res = await fetch(
    `${server.url}/api/v1/read_raw?match[]=${encodeURIComponent(selector)}&start=0&end=4102444800`,
  );
  expect(res.status).toBe(200);
  const body = (await res.json()) as {
    data: { result: { metric: Record<string, string>; values: [number, string][] }[] };
  };
  return body.data.result;
}

describe('vigil serve', () => {
  let server: RunningServer;
  let clock: ManualClock;

  beforeEach(async () => {
    ({ server, clock } = await start());
  });
  afterEach(async () => {
    await server.close();
  });

  it('imports Prometheus text with timestamps and reads it back, NaN and Inf included', async () => {
    const body =
      'queue_depth{queue="a"} 3 1700000000000\nqueue_depth{queue="a"} 5 1700000015000\nodd{k="v"} NaN\nodd{k="w"} +Inf\n';
    const res = await fetch(`${server.url}/api/v1/import/prometheus?extra_label=env=test`, {
      method: 'POST',
      body,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 4, malformedCount: 0 });
    const [series] = await readRaw(server, 'queue_depth');
    expect(series).toEqual({
      metric: { __name__: 'queue_depth', queue: 'a', env: 'test' },
      values: [
        [1_700_000_000, '3'],
        [1_700_000_015, '5'],
      ],
    });
    const odd = await readRaw(server, 'odd');
    expect(odd.map((s) => s.values[0]![1]).sort()).toEqual(['+Inf', 'NaN']);
  });

  it('stores le and quantile as Prometheus 3 does: OpenMetrics canonical numbers, from any exposer', async () => {
    const body = [
      '# TYPE lat histogram',
      'lat_bucket{le="1"} 3',
      'lat_bucket{le="2.50"} 4',
      'lat_bucket{le="1e3"} 5',
      'lat_bucket{le="+Inf"} 6',
      'lat_count 6',
      '# TYPE rpc summary',
      'rpc{quantile="0.50"} 7',
      'rpc{quantile="1"} 8',
      // Not a histogram nor a summary: its labels are kept as written, as Prometheus keeps them.
      '# TYPE plain gauge',
      'plain{le="1",quantile="1"} 9',
      '',
    ].join('\n');
    const res = await fetch(`${server.url}/api/v1/import/prometheus`, { method: 'POST', body });
    expect(await res.json()).toMatchObject({ accepted: 8, malformedCount: 0 });
    const labelsOf = async (selector: string, label: string) =>
      (await readRaw(server, selector)).map((s) => s.metric[label]).sort();
    expect(await labelsOf('lat_bucket', 'le')).toEqual(['+Inf', '1.0', '1000.0', '2.5']);
    expect(await labelsOf('rpc', 'quantile')).toEqual(['0.5', '1.0']);
    expect(await readRaw(server, 'plain')).toMatchObject([{ metric: { le: '1', quantile: '1' } }]);
    // The selector a Prometheus 3 user writes finds the bucket an exposer wrote as `le="1"`.
    expect(await readRaw(server, 'lat_bucket{le="1.0"}')).toMatchObject([{ values: [[1_700_000_000, '3']] }]);
  });

  it('keeps the good lines of a malformed import, says which lines were bad, and keeps serving', async () => {
    const res = await fetch(`${server.url}/api/v1/import/prometheus`, {
      method: 'POST',
      body: 'good 1\nbad{x="unterminated} 2\ngood2 3\n',
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { accepted: number; malformed: { line: number }[] };
    expect(body.accepted).toBe(2);
    expect(body.malformed[0]!.line).toBe(2);
    expect((await fetch(`${server.url}/-/healthy`)).status).toBe(200);
  });

  it('serves series, label names and label values', async () => {
    await fetch(`${server.url}/api/v1/push`, {
      method: 'POST',
      body: JSON.stringify([
        { name: 'jobs_total', labels: { queue: 'a' }, value: 1 },
        { name: 'jobs_total', labels: { queue: 'b' }, value: 2 },
      ]),
    });
    const series = await (await fetch(`${server.url}/api/v1/series?match[]=jobs_total`)).json();
    expect(series).toEqual({
      status: 'success',
      data: [
        { __name__: 'jobs_total', queue: 'a' },
        { __name__: 'jobs_total', queue: 'b' },
      ],
    });
    const labels = (await (await fetch(`${server.url}/api/v1/labels`)).json()) as { data: string[] };
    expect(labels.data).toEqual(expect.arrayContaining(['__name__', 'queue']));
    const values = await (await fetch(`${server.url}/api/v1/label/queue/values`)).json();
    expect(values).toEqual({ status: 'success', data: ['a', 'b'] });
    const bad = await fetch(
      `${server.url}/api/v1/series?match[]=${encodeURIComponent('jobs_total{queue=}')}`,
    );
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ status: 'error', errorType: 'bad_data' });
  });

  it("accepts prom-client's own Pushgateway client, and re-samples pushed groups", async () => {
    const registry = new PromRegistry();
    const gauge = new PromGauge({ name: 'backup_last_success_seconds', help: 'h', registers: [registry] });
    gauge.set(1234);
    const gateway = new Pushgateway(server.url, {}, registry);
    await gateway.pushAdd({ jobName: 'backup', groupings: { instance: 'db1' } });
    clock.advance(15_000);
    const [series] = await until('the pushed group scraped twice', async () => {
      const found = await readRaw(server, 'backup_last_success_seconds');
      return found[0]?.values.length === 2 && found;
    });
    expect(series!.metric).toEqual({
      __name__: 'backup_last_success_seconds',
      job: 'backup',
      instance: 'db1',
    });
    expect(series!.values.map((v) => v[1])).toEqual(['1234', '1234']);
    await gateway.delete({ jobName: 'backup', groupings: { instance: 'db1' } });
  });

  it('answers PromQL at the Prometheus query API paths, with its error envelope', async () => {
    const body = Array.from(
      { length: 21 },
      (_, i) => `req_total{code="200"} ${i * 10} ${1_700_000_000_000 + i * 15_000}`,
    ).join('\n');
    await fetch(`${server.url}/api/v1/import/prometheus`, { method: 'POST', body: `${body}\n` });
    const at = 1_700_000_300;
    const instant = await fetch(
      `${server.url}/api/v1/query?query=${encodeURIComponent('rate(req_total[1m])')}&time=${at}`,
    );
    expect(await instant.json()).toEqual({
      status: 'success',
      data: {
        resultType: 'vector',
        result: [{ metric: { code: '200' }, value: [at, expect.stringMatching(/^0\.66666/)] }],
      },
    });
    const range = await fetch(`${server.url}/api/v1/query_range`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `query=${encodeURIComponent('sum(req_total)')}&start=1700000000&end=1700000060&step=30s`,
    });
    const matrix = (await range.json()) as {
      data: { resultType: string; result: { values: [number, string][] }[] };
    };
    expect(matrix.data.resultType).toBe('matrix');
    expect(matrix.data.result[0]!.values).toEqual([
      [1_700_000_000, '0'],
      [1_700_000_030, '20'],
      [1_700_000_060, '40'],
    ]);
    const bad = await fetch(`${server.url}/api/v1/query?query=${encodeURIComponent('sum(req_total')}`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      status: 'error',
      errorType: 'bad_data',
      error: expect.stringMatching(/^parse error/),
    });
    const noStep = await fetch(`${server.url}/api/v1/query_range?query=up&start=1&end=2`);
    expect(noStep.status).toBe(400);
  });

  it('takes Uptime Kuma heartbeats', async () => {
    expect(
      await (await fetch(`${server.url}/api/push/nightly-job?status=down&msg=disk&ping=120`)).json(),
    ).toEqual({ ok: true });
    const [up] = await readRaw(server, 'vigil_push_up{monitor="nightly-job"}');
    expect(up!.values[0]![1]).toBe('0');
    expect((await fetch(`${server.url}/api/push/nightly-job?status=sideways`)).status).toBe(400);
  });

  it('refuses bodies over the limit with 413 and unknown paths with JSON errors', async () => {
    const huge = await fetch(`${server.url}/api/v1/push`, {
      method: 'POST',
      body: 'x'.repeat(11 * 1024 * 1024),
    });
    expect(huge.status).toBe(413);
    expect(await huge.json()).toEqual({
      status: 'error',
      errorType: 'body_too_large',
      error: 'request body is larger than the limit of 10485760 bytes (limits.bodyBytes)',
    });
    const missing = await fetch(`${server.url}/nowhere`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: 'not_found', message: 'no route for /nowhere' } });
    expect((await fetch(`${server.url}/api/v1/push`)).status).toBe(405);
  });

  it('exposes its own metrics, counting ingest per source', async () => {
    await fetch(`${server.url}/api/v1/push`, { method: 'POST', body: '{"name":"x","value":1}' });
    await fetch(`${server.url}/api/v1/push`, { method: 'POST', body: '{oops' });
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toContain('vigil_ingest_samples_total{source="json"} 1');
    expect(text).toContain('vigil_ingest_malformed_total{source="json",reason="bad_body"} 1');
  });
});

describe('vigil serve ingest paths', () => {
  let server: RunningServer;

  beforeEach(async () => {
    ({ server } = await start());
  });
  afterEach(async () => {
    await server.close();
  });

  it('takes Prometheus remote write, staleness markers included, and refuses a corrupt body', async () => {
    const body = encodeRemoteWrite([
      {
        labels: { __name__: 'rw_total', job: 'prom' },
        timestamps: [1_700_000_000_000, 1_700_000_015_000],
        values: Float64Array.of(10, staleNaN()),
      },
    ]);
    const ok = await fetch(`${server.url}/api/v1/write`, {
      method: 'POST',
      headers: { 'content-encoding': 'snappy', 'content-type': 'application/x-protobuf' },
      body,
    });
    expect(ok.status).toBe(204);
    const [series] = await readRaw(server, 'rw_total');
    expect(series!.values).toEqual([
      [1_700_000_000, '10'],
      [1_700_000_015, 'NaN'],
    ]);
    const bad = await fetch(`${server.url}/api/v1/write`, {
      method: 'POST',
      body: body.slice(0, body.length - 3),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ status: 'error', errorType: expect.stringMatching(/^bad_/) });
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toMatch(/vigil_ingest_malformed_total\{source="remote_write",reason="bad_\w+"\} 1/);
  });

  it('takes InfluxDB line protocol on /write and /api/v2/write, storing the good lines of a partial write', async () => {
    const ok = await fetch(`${server.url}/write?db=telegraf&precision=s`, {
      method: 'POST',
      body: 'cpu,host=a usage=0.5,idle=99i 1700000000\n',
    });
    expect(ok.status).toBe(204);
    const [usage] = await readRaw(server, 'cpu_usage');
    expect(usage).toEqual({
      metric: { __name__: 'cpu_usage', host: 'a', db: 'telegraf' },
      values: [[1_700_000_000, '0.5']],
    });
    const partial = await fetch(`${server.url}/api/v2/write?bucket=b&precision=ms`, {
      method: 'POST',
      body: 'mem value=1 1700000000000\nmem value=\n',
    });
    expect(partial.status).toBe(400);
    expect(((await partial.json()) as { error: string }).error).toMatch(/^partial write: line 2/);
    const [mem] = await readRaw(server, 'mem');
    expect(mem!.values).toEqual([[1_700_000_000, '1']]);
  });

  it('aggregates StatsD datagrams and writes them every flush interval', async () => {
    const statsd = await start({}, dataDir(), new ManualClock(1_700_000_000_000), { statsd: '127.0.0.1:0' });
    try {
      const socket = createSocket('udp4');
      const send = (text: string) =>
        new Promise<void>((r) => socket.send(text, statsd.server.statsdPort!, '127.0.0.1', () => r()));
      await send('checkout.orders:1|c|#region:eu\ncheckout.orders:2|c|#region:eu');
      await send('queue.depth:7|g\nrender:120|ms\nbroken line');
      socket.close();
      await until('both datagrams received', async () =>
        (await (await fetch(`${statsd.server.url}/metrics`)).text()).includes(
          'vigil_statsd_datagrams_total 2',
        ),
      );
      statsd.clock.advance(10_000);
      const [orders] = await until('the flush', async () => {
        const found = await readRaw(statsd.server, 'checkout_orders_total');
        return found.length > 0 && found;
      });
      expect(orders).toMatchObject({ metric: { region: 'eu' }, values: [[expect.any(Number), '3']] });
      const [depth] = await readRaw(statsd.server, 'queue_depth');
      expect(depth!.values[0]![1]).toBe('7');
      const text = await (await fetch(`${statsd.server.url}/metrics`)).text();
      expect(text).toMatch(/vigil_ingest_malformed_total\{source="statsd",reason="\w+"\} 1/);
    } finally {
      await statsd.server.close();
    }
  });
});

describe('StatsD timers as native histograms', () => {
  it('answers histogram_quantile over a StatsD timer within one schema-6 bucket of the exact percentile', async () => {
    const statsd = await start({}, dataDir(), new ManualClock(1_700_000_000_000), { statsd: '127.0.0.1:0' });
    try {
      // Log-normal latencies in ms around 120 ms (seeded), as a timer would send them.
      let seed = 11;
      const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
      const values = Array.from({ length: 2000 }, () => {
        const normal = Math.sqrt(-2 * Math.log(random())) * Math.cos(2 * Math.PI * random());
        return Math.round(Math.exp(Math.log(120) + 0.9 * normal) * 100) / 100;
      });
      const socket = createSocket('udp4');
      const datagrams = 100;
      for (let i = 0; i < datagrams; i++) {
        const lines = values.slice(i * 20, i * 20 + 20).map((v) => `rpc.latency:${v}|ms|#route:/pay`);
        await new Promise<void>((r) =>
          socket.send(lines.join('\n'), statsd.server.statsdPort!, '127.0.0.1', () => r()),
        );
      }
      socket.close();
      await until('the datagrams received', async () =>
        (await (await fetch(`${statsd.server.url}/metrics`)).text()).includes(
          `vigil_statsd_datagrams_total ${datagrams}`,
        ),
      );
      statsd.clock.advance(10_000);
      const at = (1_700_000_000_000 + 10_000) / 1000;
      const query = async (expr: string) => {
        const res = await fetch(
          `${statsd.server.url}/api/v1/query?${new URLSearchParams({ query: expr, time: String(at) })}`,
        );
        const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
        return body.data.result.map((r) => Number(r.value[1]));
      };
      await until(
        'the flush',
        async () => (await query('histogram_count(rpc_latency)'))[0] === values.length,
      );
      const sorted = values.map((v) => v / 1000).sort((a, b) => a - b);
      const lines: string[] = [];
      for (const q of [0.5, 0.9, 0.99]) {
        const exact = sorted[Math.ceil(q * sorted.length) - 1]!;
        const [native] = await query(`histogram_quantile(${q}, rpc_latency)`);
        const [classic] = await query(`histogram_quantile(${q}, rpc_latency_bucket)`);
        const error = (v: number) => Math.abs(v - exact) / exact;
        lines.push(
          `p${q * 100}: exact ${exact} s, native ${native!.toFixed(5)} (${(error(native!) * 100).toFixed(2)}%), classic ${classic!.toFixed(5)} (${(error(classic!) * 100).toFixed(1)}%)`,
        );
        // One bucket of schema 6 is 2^(1/64) - 1 = 1.09% wide.
        expect(error(native!)).toBeLessThan(2 ** (1 / 64) - 1);
      }
      console.log(`StatsD timer, 2,000 log-normal values:\n${lines.join('\n')}`);
      expect(await query('histogram_sum(rpc_latency)')).toEqual([
        expect.closeTo(
          values.reduce((a, v) => a + v / 1000, 0),
          9,
        ),
      ]);
    } finally {
      await statsd.server.close();
    }
  });
});

describe('vigil serve with a token', () => {
  it('requires the bearer token for reads and writes, but not for the probes', async () => {
    const token = 'a-long-enough-secret-token';
    const { server } = await start({ VIGIL_TOKEN: token });
    try {
      expect((await fetch(`${server.url}/api/v1/labels`)).status).toBe(401);
      expect((await fetch(`${server.url}/api/v1/push`, { method: 'POST', body: '{}' })).status).toBe(401);
      const ok = await fetch(`${server.url}/api/v1/labels`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(ok.status).toBe(200);
      expect((await fetch(`${server.url}/-/ready`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe('scraping', () => {
  let target: Server;
  let exposed: Registry;

  beforeEach(async () => {
    exposed = new Registry();
    target = createServer(async (_req, res) => {
      res.setHeader('content-type', 'text/plain; version=0.0.4');
      res.end(toPrometheusText(await exposed.snapshot()));
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  });
  afterEach(() => new Promise<void>((r) => target.close(() => r())));

  it('stores samples with job and instance, up and scrape_* series, and marks vanished series stale', async () => {
    const address = target.address() as { port: number };
    const url = `http://127.0.0.1:${address.port}/metrics`;
    const requests = exposed.counter({ name: 'requests_total', help: 'h', labelNames: ['code'] });
    requests.inc({ code: '200' }, 5);
    requests.inc({ code: '500' });
    const clock = new ManualClock(1_700_000_000_000);
    const config = loadConfig(
      { listen: '127.0.0.1:0', data: dataDir(), statsd: 'off', scrape: [url] },
      { VIGIL_SCRAPE_INTERVAL: '15s' },
    );
    const server = await serve(config, clock);
    try {
      const upSamples = async () => (await readRaw(server, 'up'))[0]?.values.length ?? 0;
      await until('the first scrape', async () => (await upSamples()) === 1);
      requests.remove('500');
      clock.advance(15_000);
      await until('the second scrape', async () => (await upSamples()) === 2);
      const instance = `127.0.0.1:${address.port}`;
      const [up] = await readRaw(server, 'up');
      expect(up!.metric).toEqual({ __name__: 'up', job: instance, instance });
      expect(up!.values.map((v) => v[1])).toEqual(['1', '1']);
      const ok = await readRaw(server, 'requests_total{code="200"}');
      expect(ok[0]!.values.map((v) => v[1])).toEqual(['5', '5']);
      const gone = await readRaw(server, 'requests_total{code="500"}');
      expect(gone[0]!.values.map((v) => v[1])).toEqual(['1', 'NaN']);
      const [scraped] = await readRaw(server, 'scrape_samples_scraped');
      expect(scraped!.values.map((v) => v[1])).toEqual(['2', '1']);
    } finally {
      await server.close();
    }
  });
});

describe('scraping native histograms', () => {
  it('asks for protobuf, stores the native histogram of a @vigil/metrics endpoint and its classic series beside it', async () => {
    const exposed = new Registry();
    const accepts: string[] = [];
    const target = createServer(async (req, res) => {
      accepts.push(req.headers.accept ?? '');
      const { contentType, body } = await exposeFrom(exposed, req.headers.accept);
      res.setHeader('content-type', contentType);
      res.end(body);
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    const h = exposed.histogram({ name: 'rpc_seconds', help: 'h', labelNames: ['op'] });
    for (const v of [0.001, 0.002, 0.004, 0.25, 1, 3]) h.observe({ op: 'get' }, v);
    const url = `http://127.0.0.1:${(target.address() as { port: number }).port}/metrics`;
    const clock = new ManualClock(1_700_000_000_000);
    const config = loadConfig(
      { listen: '127.0.0.1:0', data: dataDir(), statsd: 'off', scrape: [url] },
      { VIGIL_SCRAPE_INTERVAL: '15s' },
    );
    const server = await serve(config, clock);
    try {
      const stored = await until('the scraped native histogram in the store', async () => {
        const found = await server.store.selectHistograms!(
          [{ name: '__name__', type: '=', value: 'rpc_seconds' }],
          0,
          4e12,
        );
        return found.length > 0 && found;
      });
      expect(accepts[0]).toMatch(
        /^application\/vnd\.google\.protobuf;proto=io\.prometheus\.client\.MetricFamily;encoding=delimited/,
      );
      expect(stored).toHaveLength(1);
      expect(stored[0]!.labels).toMatchObject({ __name__: 'rpc_seconds', op: 'get' });
      expect(stored[0]!.histograms[0]).toMatchObject({ schema: 6, count: 6 });
      const [bucket] = await readRaw(server, 'rpc_seconds_bucket{le="1.0"}');
      expect(bucket!.values.map((v) => v[1])).toEqual(['5']);
    } finally {
      await server.close();
      await new Promise<void>((r) => target.close(() => r()));
    }
  });
});

describe('Pushgateway pushes in protobuf', () => {
  it('stores the pushed native histogram with the grouping labels, and refuses a malformed body with 400', async () => {
    const { server } = await start();
    try {
      const pushed = new Registry();
      pushed.histogram({ name: 'batch_seconds', help: 'h' }).observe(2);
      pushed.gauge({ name: 'batch_rows', help: 'r' }).set(12);
      const body = toProtobuf(await pushed.snapshot({ native: true }));
      const res = await fetch(`${server.url}/metrics/job/nightly`, {
        method: 'PUT',
        headers: { 'content-type': PROTOBUF_CONTENT_TYPE },
        body,
      });
      expect(res.status).toBe(200);
      const stored = await server.store.selectHistograms!(
        [{ name: '__name__', type: '=', value: 'batch_seconds' }],
        0,
        4e12,
      );
      expect(stored[0]!.labels).toMatchObject({ job: 'nightly' });
      expect(stored[0]!.histograms[0]).toMatchObject({ count: 1, sum: 2 });
      const [rows] = await readRaw(server, 'batch_rows{job="nightly"}');
      expect(rows!.values[0]![1]).toBe('12');
      const bad = await fetch(`${server.url}/metrics/job/nightly`, {
        method: 'PUT',
        headers: { 'content-type': PROTOBUF_CONTENT_TYPE },
        body: Uint8Array.of(50, 0x0a),
      });
      expect(bad.status).toBe(400);
      expect(await bad.text()).toMatch(/protobuf: .* at byte/);
    } finally {
      await server.close();
    }
  });
});

describe('Pushgateway pushes with created timestamps', () => {
  it("puts a zero at each pushed counter's and native histogram's created timestamp, once", async () => {
    const { server, clock } = await start();
    try {
      // The job's series were created 8 s before its first push.
      const jobClock = new ManualClock(clock.now() - 8_000);
      const job = new Registry({ clock: jobClock });
      const h = job.histogram({ name: 'job_seconds', help: 'h' });
      const c = job.counter({ name: 'job_rows_total', help: 'r' });
      h.observe(2);
      c.inc(12);
      const created = jobClock.now();
      const push = async () => {
        const res = await fetch(`${server.url}/metrics/job/nightly`, {
          method: 'PUT',
          headers: { 'content-type': PROTOBUF_CONTENT_TYPE },
          body: toProtobuf(await job.snapshot({ native: true })),
        });
        expect(res.status).toBe(200);
      };
      await push();
      // Before the group's next re-sampling, which would take this millisecond.
      jobClock.advance(5_000);
      clock.advance(5_000);
      h.observe(3);
      c.inc(1);
      await push();
      const [rows] = await readRaw(server, 'job_rows_total{job="nightly"}');
      expect(rows!.values[0]).toEqual([created / 1000, '0']);
      expect(rows!.values.filter(([, v]) => v === '0')).toHaveLength(1);
      expect(rows!.values.at(-1)![1]).toBe('13');
      const [stored] = await server.store.selectHistograms!(
        [{ name: '__name__', type: '=', value: 'job_seconds' }],
        0,
        4e12,
      );
      expect(stored!.timestamps[0]).toBe(created);
      expect(stored!.histograms.map((x) => x.count)).toEqual([0, 1, 2]);
      // The zeros offered again by the second push were refused by the store, and not counted.
      const rejected = (await server.registry.snapshot()).metrics.find(
        (m) => m.name === 'vigil_ingest_rejected_samples_total',
      );
      expect(rejected?.points ?? []).toEqual([]);
    } finally {
      await server.close();
    }
  });
});

describe('restart', () => {
  it('keeps what was written after a graceful shutdown', async () => {
    const data = dataDir();
    const first = await start({}, data);
    await fetch(`${first.server.url}/api/v1/push`, { method: 'POST', body: '{"name":"kept","value":42}' });
    await first.server.close();
    const second = await start({}, data);
    try {
      const [series] = await readRaw(second.server, 'kept');
      expect(series!.values[0]![1]).toBe('42');
    } finally {
      await second.server.close();
    }
  });

  it('keeps Pushgateway groups across a restart and goes on re-sampling them', async () => {
    const data = dataDir();
    const first = await start({ VIGIL_SCRAPE_INTERVAL: '15s' }, data);
    const pushed = await fetch(`${first.server.url}/metrics/job/backup/instance/db1`, {
      method: 'PUT',
      body: '# TYPE backup_last_success_timestamp_seconds gauge\nbackup_last_success_timestamp_seconds 1699999000\n',
    });
    expect(pushed.status).toBe(200);
    await first.server.close();

    const clock = new ManualClock(1_700_000_600_000);
    const second = await start({ VIGIL_SCRAPE_INTERVAL: '15s' }, data, clock);
    try {
      clock.advance(15_000);
      const selector = 'backup_last_success_timestamp_seconds{job="backup",instance="db1"}';
      const series = await until('the group re-sampled after the restart', async () => {
        const found = await readRaw(second.server, selector);
        return (found[0]?.values.length ?? 0) >= 2 && found;
      });
      expect(series[0]!.values).toEqual([
        [1_700_000_000, '1699999000'],
        [1_700_000_615, '1699999000'],
      ]);
    } finally {
      await second.server.close();
    }
  });
});
