// Scenario: the server's ingest parsers, input already in memory (no HTTP, no UDP, no store).
// - Prometheus remote write: one request of 1,000 series × 1 sample, snappy + protobuf, as a
//   Prometheus 2.x sender batches its scrapes; plus each half alone.
// - InfluxDB line protocol: 10,000 Telegraf-style lines of 4 fields, ns timestamps.
// - StatsD: datagrams of 10 lines (counters, gauges, timers, sets; a third tagged) into the aggregator.
// Remote write and Influx are timed as the server runs them: the paced decoders, awaited. Each is
// compared with the same parser run to the end in one go (the synchronous wrapper the tests use),
// which shows what pacing costs. No peer runs in-process here: the real Prometheus check is
// test/interop/remote-write.test.ts.
import { random } from './lib/data.js';
import { formatNs, loop, measure, scenario } from './lib/harness.js';

const dist = new URL('../packages/server/dist/ingest/', import.meta.url);
const { decodeRemoteWrite, decodeRemoteWritePaced, decodeWriteRequest, encodeRemoteWrite } = await import(
  new URL('remote-write.js', dist)
);
const { snappyDecompress } = await import(new URL('snappy.js', dist));
const { parseInfluxLines, parseInfluxLinesPaced } = await import(new URL('influx-line.js', dist));
const { StatsdAggregator } = await import(new URL('statsd-aggregator.js', dist));

const report = scenario('ingest-parsers', 'ingest parsers: remote write, Influx lines, StatsD');
const rand = random(7);
const pick = (list) => list[Math.floor(rand() * list.length)];

// --- remote write: 1,000 series shaped like node_exporter / app scrapes.
const NAMES = Array.from({ length: 50 }, (_, i) => `app_metric_${i}_seconds_total`);
const now = 1_795_417_184_629;
const series = Array.from({ length: 1000 }, (_, i) => ({
  labels: {
    __name__: NAMES[i % NAMES.length],
    instance: `10.0.${i % 4}.${i % 25}:9100`,
    job: pick(['node', 'api', 'worker']),
    method: pick(['GET', 'POST', 'PUT']),
    code: pick(['200', '404', '500']),
    ...(i % 3 === 0 ? { le: pick(['0.005', '0.1', '1', '+Inf']) } : {}),
  },
  timestamps: [now + (i % 15)],
  values: Float64Array.of(rand() * 1e6),
}));
const body = encodeRemoteWrite(series);
// The same request decoded again and again finds its label pairs in the decoder's cache, as a real
// stream does (each scrape sends the same series). The cold case: 40 requests whose series all carry
// a label value never seen before, cycled, so that almost no pair is in the cache.
const COLD = 40;
const coldBodies = Array.from({ length: COLD }, (_, k) =>
  encodeRemoteWrite(
    series.map((s, i) => ({
      ...s,
      labels: { ...s.labels, pod: `pod-${k}-${i}-${Math.floor(rand() * 1e9)}` },
    })),
  ),
);
const raw = snappyDecompress(body);
console.log(
  `remote write: ${series.length} series × 1 sample, ${raw.length.toLocaleString('en-US')} B protobuf, ${body.length.toLocaleString('en-US')} B snappy`,
);

// --- Influx: 10,000 lines over 100 hosts.
const INFLUX_LINES = 10_000;
const influx = Array.from(
  { length: INFLUX_LINES },
  (_, i) =>
    `cpu,host=server${String(i % 100).padStart(2, '0')},region=${pick(['us-west', 'eu-north'])},cpu=cpu${i % 4} usage_user=${(rand() * 100).toFixed(2)},usage_system=${(rand() * 10).toFixed(3)},count=${i}i,ok=true ${BigInt(now + i) * 1_000_000n}`,
).join('\n');
console.log(
  `influx: ${INFLUX_LINES.toLocaleString('en-US')} lines, ${(influx.length / 1024).toFixed(0)} KiB`,
);

// --- StatsD: 1,000 datagrams of 10 lines over 200 names.
const STATSD_DATAGRAMS = 1000;
const STATSD_LINES = 10;
const statsd = Array.from({ length: STATSD_DATAGRAMS }, () =>
  Array.from({ length: STATSD_LINES }, (_, k) => {
    const name = `app.service${Math.floor(rand() * 50)}.op${k}`;
    const tags = k % 3 === 0 ? `|#env:prod,region:${pick(['eu', 'us'])}` : '';
    switch (k % 4) {
      case 0:
        return `${name}.requests:1|c${tags}`;
      case 1:
        return `${name}.queue:${Math.floor(rand() * 100)}|g${tags}`;
      case 2:
        return `${name}.latency:${(rand() * 300).toFixed(1)}|ms|@0.5${tags}`;
      default:
        return `${name}.users:user${Math.floor(rand() * 1000)}|s${tags}`;
    }
  }).join('\n'),
);
const aggregator = new StatsdAggregator({ maxSeries: 100_000 });
for (const datagram of statsd) aggregator.ingest(datagram);

const RW = 'remote write: decodeRemoteWritePaced (snappy + protobuf)';
const RW_COLD = 'remote write, cold: every series new';
const INFLUX = 'influx: parseInfluxLinesPaced';
const results = await measure(
  [
    loop(RW, { f: decodeRemoteWritePaced, b: body }, 'sink += (await f(b)).samples;', {
      note: '1 request = 1,000 samples',
      async: true,
    }),
    loop(
      'remote write: decodeRemoteWrite, in one go',
      { f: decodeRemoteWrite, b: body },
      'sink += f(b).samples;',
      { vs: RW, note: 'unpaced, as the tests call it' },
    ),
    loop(
      RW_COLD,
      { f: decodeRemoteWritePaced, b: coldBodies, count: COLD },
      'sink += (await f(b[j])).samples; if (++j === count) j = 0;',
      { note: '+1 unique label per series', async: true },
    ),
    loop('remote write: snappyDecompress alone', { f: snappyDecompress, b: body }, 'sink += f(b).length;', {
      note: 'where the time goes',
    }),
    loop(
      'remote write: decodeWriteRequest alone',
      { f: decodeWriteRequest, b: raw },
      'sink += f(b).samples;',
      {
        note: 'where the time goes',
      },
    ),
    loop('remote write: encodeRemoteWrite', { f: encodeRemoteWrite, s: series }, 'sink += f(s).length;', {
      note: 'the sender side',
    }),
    loop(
      INFLUX,
      { f: parseInfluxLinesPaced, t: influx, o: { nowMs: now } },
      'sink += (await f(t, o)).samples;',
      { note: `1 call = ${INFLUX_LINES.toLocaleString('en-US')} lines`, async: true },
    ),
    loop(
      'influx: parseInfluxLines, in one go',
      { f: parseInfluxLines, t: influx, o: { nowMs: now } },
      'sink += f(t, o).samples;',
      { vs: INFLUX, note: 'unpaced, as the tests call it' },
    ),
    loop(
      'statsd: aggregator.ingest',
      { a: aggregator, d: statsd, count: STATSD_DATAGRAMS },
      'for (let k = 0; k < count; k++) sink += a.ingest(d[k]);',
      { note: `1 call = ${(STATSD_DATAGRAMS * STATSD_LINES).toLocaleString('en-US')} lines` },
    ),
    loop('statsd: aggregator.flush', { a: aggregator }, 'sink += a.flush(1).samples.length;', {
      note: `${aggregator.counts().series} series`,
    }),
  ],
  // Calls of 1 to 20 ms: longer runs than the default 50 ms, so that each holds tens of calls.
  { runMs: Number(process.env.BENCH_RUN_MS ?? 250) },
);
report.printTimes(results, { unit: 'ns/call' });

const byName = new Map(results.map((r) => [r.name, r.median]));
const perSecond = (name, items) => (items * 1e9) / byName.get(name);
const figures = {
  remoteWriteSamplesPerSecond: perSecond(RW, 1000),
  remoteWriteEncodeSamplesPerSecond: perSecond('remote write: encodeRemoteWrite', 1000),
  influxLinesPerSecond: perSecond(INFLUX, INFLUX_LINES),
  statsdLinesPerSecond: perSecond('statsd: aggregator.ingest', STATSD_DATAGRAMS * STATSD_LINES),
};
const m = (x) => `${(x / 1e6).toFixed(2)} M/s`;
console.log(
  `\nremote write decode: ${m(figures.remoteWriteSamplesPerSecond)} samples (1,000-series request in ${formatNs(byName.get(RW) / 1000)} µs)`,
);
console.log(`remote write decode, cold: ${m(perSecond(RW_COLD, 1000))} samples`);
console.log(`remote write encode: ${m(figures.remoteWriteEncodeSamplesPerSecond)} samples`);
console.log(
  `influx: ${m(figures.influxLinesPerSecond)} lines (${m(figures.influxLinesPerSecond * 4)} samples)`,
);
console.log(`statsd: ${m(figures.statsdLinesPerSecond)} lines into the aggregator`);

report.data = { results, figures };
report.row('remote write decode (samples/s, 1,000-series request)', {
  vigil: m(figures.remoteWriteSamplesPerSecond),
});
report.row('Influx line protocol (lines/s, 4 fields each)', { vigil: m(figures.influxLinesPerSecond) });
report.row('StatsD into the aggregator (lines/s)', { vigil: m(figures.statsdLinesPerSecond) });
report.emit();
