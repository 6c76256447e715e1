// Scenario: exposition of 1,000 histogram series as native histograms in the Prometheus protobuf
// format against the same histograms' classic buckets in the Prometheus text format — bytes per
// scrape and time per call (snapshot included), in one run, cases interleaved.
import { latencies } from './lib/data.js';
import { formatBytes, formatSpeedup, formatTime, loop, measure, scenario, verdict } from './lib/harness.js';
import { vigil } from './lib/subjects.js';

const report = scenario('exposition-native', 'native histograms in protobuf against classic buckets in text');
const SERIES = 1_000;
const FILL = 200;
console.log(
  `series: ${SERIES.toLocaleString('en-US')} histograms {method, route}, ${FILL} lognormal latencies each (median 50 ms, sigma 1); default buckets and bucket limit`,
);

const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
const registry = new vigil.Registry({ maxSeriesPerMetric: SERIES + 1 });
const both = registry.histogram({
  name: 'http_latency_seconds',
  help: 'Latency.',
  labelNames: ['method', 'route'],
});
const nativeRegistry = new vigil.Registry({ maxSeriesPerMetric: SERIES + 1 });
const nativeOnly = nativeRegistry.histogram({
  name: 'http_latency_seconds',
  help: 'Latency.',
  labelNames: ['method', 'route'],
  classic: false,
});
const values = latencies(SERIES * FILL, 11);
for (let i = 0; i < SERIES; i++) {
  const labels = { method: METHODS[i & 3], route: `/api/v1/items/${i >> 2}` };
  for (let k = 0; k < FILL; k++) {
    both.observe(labels, values[i * FILL + k]);
    nativeOnly.observe(labels, values[i * FILL + k]);
  }
}

const text = vigil.toPrometheusText(await registry.snapshot());
const proto = vigil.toProtobuf(await registry.snapshot({ native: true }));
const protoNative = vigil.toProtobuf(await nativeRegistry.snapshot({ native: true }));
const textBytes = Buffer.byteLength(text);
console.log(
  `bytes per scrape: text, classic buckets ${formatBytes(textBytes)}; protobuf, native + classic ${formatBytes(proto.length)}; protobuf, native only ${formatBytes(protoNative.length)}`,
);

const TEXT = 'text, classic buckets';
const results = await measure(
  [
    loop(TEXT, { r: registry, f: vigil.toPrometheusText }, 'sink += f(await r.snapshot()).length;', {
      async: true,
      note: 'snapshot() + toPrometheusText',
    }),
    loop(
      'protobuf, native + classic',
      { r: registry, f: vigil.toProtobuf, o: { native: true } },
      'sink += f(await r.snapshot(o)).length;',
      { async: true, vs: TEXT, note: 'snapshot({ native }) + toProtobuf' },
    ),
    loop(
      'protobuf, native only',
      { r: nativeRegistry, f: vigil.toProtobuf, o: { native: true } },
      'sink += f(await r.snapshot(o)).length;',
      { async: true, vs: TEXT, note: 'classic: false' },
    ),
  ],
  { runMs: 150, warmup: 3 },
);
report.printTimes(results, { unit: 'ns/call' });
const [t, p, n] = results.map((r) => r.median);
report.data = { bytes: { text: textBytes, proto: proto.length, protoNative: protoNative.length }, results };

const okBytes = report.check(
  'protobuf native (+ classic) bytes ≤ text classic bytes',
  proto.length <= textBytes,
  `${formatBytes(proto.length)} against ${formatBytes(textBytes)} (native only ${formatBytes(protoNative.length)})`,
);
const okTime = report.check(
  'protobuf native (+ classic) time ≤ text classic time',
  p <= t,
  `${formatTime(p)} against ${formatTime(t)} (${formatSpeedup(t / p)}; native only ${formatTime(n)})`,
);
report.row(
  `protobuf native histograms vs text classic, ${SERIES.toLocaleString('en-US')} series (per call)`,
  {
    vigil: `${formatTime(p)}, ${formatBytes(proto.length)}`,
    prom: `text ${formatTime(t)}, ${formatBytes(textBytes)}`,
    otel: 'n/a',
    target: '≤ text in bytes and time',
    result: verdict(okBytes, okTime),
  },
);
report.emit();
