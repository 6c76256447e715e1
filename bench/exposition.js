// Scenario 6: Prometheus text exposition of 1,000 / 10,000 / 100,000 counter series and 1,000
// histogram series — vigil `toPrometheusText(await registry.snapshot())` against prom-client
// `await registry.metrics()`, each timed as the full call, async included, up to the UTF-8 bytes an
// HTTP response sends: a string built by concatenation is a rope whose copy is only paid when it is
// read, so timing `.length` alone would leave out work every scrape does.
import client from 'prom-client';
import { LATENCY_TEXT, latencies } from './lib/data.js';
import { formatSpeedup, formatTime, loop, measure, scenario, verdict } from './lib/harness.js';
import { loadPrometheusText, vigil } from './lib/subjects.js';

const report = scenario('exposition', 'Prometheus text exposition, full call');
const { toPrometheusText, from } = await loadPrometheusText();
console.log(`toPrometheusText from ${from}`);
const HISTOGRAM_FILL = 20;
console.log(
  `series: counter{method, route} with 4 methods × n/4 routes; histograms with the default 11 buckets, ${HISTOGRAM_FILL} ${LATENCY_TEXT} per series`,
);

const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
const labelsOf = (i) => ({ method: METHODS[i & 3], route: `/api/v1/items/${i >> 2}` });

function counters(n) {
  const registry = new vigil.Registry({ maxSeriesPerMetric: n + 1 });
  const counter = registry.counter({
    name: 'http_requests_total',
    help: 'Requests.',
    labelNames: ['method', 'route'],
  });
  const promRegistry = new client.Registry();
  const promCounter = new client.Counter({
    name: 'http_requests_total',
    help: 'Requests.',
    labelNames: ['method', 'route'],
    registers: [promRegistry],
  });
  for (let i = 0; i < n; i++) {
    const labels = labelsOf(i);
    counter.inc(labels, (i % 1000) + 1);
    promCounter.inc(labels, (i % 1000) + 1);
  }
  return { registry, promRegistry };
}

function histograms(n) {
  const registry = new vigil.Registry({ maxSeriesPerMetric: n + 1 });
  const histogram = registry.histogram({
    name: 'http_latency_seconds',
    help: 'Latency.',
    labelNames: ['method', 'route'],
  });
  const promRegistry = new client.Registry();
  const promHistogram = new client.Histogram({
    name: 'http_latency_seconds',
    help: 'Latency.',
    labelNames: ['method', 'route'],
    buckets: [...vigil.DEFAULT_BUCKETS],
    registers: [promRegistry],
  });
  const values = latencies(n * HISTOGRAM_FILL, 11);
  for (let i = 0; i < n; i++) {
    const labels = labelsOf(i);
    for (let k = 0; k < HISTOGRAM_FILL; k++) {
      histogram.observe(labels, values[i * HISTOGRAM_FILL + k]);
      promHistogram.observe(labels, values[i * HISTOGRAM_FILL + k]);
    }
  }
  return { registry, promRegistry };
}

const SETS = [
  { key: 'counters-1k', text: '1,000 counter series', build: () => counters(1_000) },
  { key: 'counters-10k', text: '10,000 counter series', build: () => counters(10_000) },
  { key: 'counters-100k', text: '100,000 counter series', build: () => counters(100_000) },
  { key: 'histograms-1k', text: '1,000 histogram series', build: () => histograms(1_000) },
];

const figures = {};
for (const set of SETS) {
  let { registry, promRegistry } = set.build();
  const vigilText = toPrometheusText(await registry.snapshot());
  const promText = await promRegistry.metrics();
  const lines = (text) => text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
  console.log(
    `\n## ${set.text}: vigil ${lines(vigilText).toLocaleString('en-US')} samples, ${(vigilText.length / 1024).toFixed(0)} KiB; prom-client ${lines(promText).toLocaleString('en-US')} samples, ${(promText.length / 1024).toFixed(0)} KiB`,
  );
  const VIGIL = `vigil ${set.key}`;
  const snapshot = registry.snapshotSync();
  // Long runs and warm-up: the snapshot path needs a few hundred calls on 1,000 series before it
  // is fully optimised (measured: ~850 µs for the first calls, ~180 µs after 25, ~107 µs after 275).
  const results = await measure(
    [
      loop(
        VIGIL,
        { r: registry, f: toPrometheusText },
        'const text = f(await r.snapshot()); sink += Buffer.from(text).length;',
        {
          async: true,
          note: 'snapshot + toPrometheusText, UTF-8 encoded',
        },
      ),
      loop(
        `prom-client ${set.key}`,
        { r: promRegistry },
        'const text = await r.metrics(); sink += Buffer.from(text).length;',
        {
          async: true,
          vs: VIGIL,
          note: 'registry.metrics(), UTF-8 encoded',
        },
      ),
      loop(
        `vigil ${set.key}: snapshot() alone`,
        { r: registry },
        'const s = await r.snapshot(); sink += s.metrics.length;',
        {
          async: true,
          note: 'where the time goes',
        },
      ),
      loop(
        `vigil ${set.key}: toPrometheusText alone`,
        { s: snapshot, f: toPrometheusText },
        'sink += Buffer.from(f(s)).length;',
        {
          note: 'on a snapshot taken once',
        },
      ),
    ],
    { runMs: 150, warmup: 3 },
  );
  report.printTimes(results, { unit: 'ns/call' });
  const [v, p, snap, text] = results.map((r) => r.median);
  console.log(
    `vigil ${formatTime(v)} per call (measured apart: snapshot ${formatTime(snap)}, text ${formatTime(text)}), prom-client ${formatTime(p)}: vigil ${formatSpeedup(p / v)} faster`,
  );
  figures[set.key] = { vigil: v, prom: p, snapshot: snap, text, results };
  registry = undefined;
  promRegistry = undefined;
}
report.data = figures;

console.log('');
const c = figures['counters-100k'];
const h = figures['histograms-1k'];
const okC = report.check(
  '100k counter series exposition ≥4× faster than prom-client',
  c.prom / c.vigil >= 4,
  `${formatSpeedup(c.prom / c.vigil)} (vigil ${formatTime(c.vigil)}, prom-client ${formatTime(c.prom)})`,
);
const okH = report.check(
  '1k histogram series exposition ≥4× faster than prom-client',
  h.prom / h.vigil >= 4,
  `${formatSpeedup(h.prom / h.vigil)} (vigil ${formatTime(h.vigil)}, prom-client ${formatTime(h.prom)})`,
);
for (const set of SETS) {
  const f = figures[set.key];
  const covered = set.key === 'counters-100k' ? okC : set.key === 'histograms-1k' ? okH : undefined;
  report.row(`Prometheus text, ${set.text} (per call)`, {
    vigil: formatTime(f.vigil),
    prom: `${formatTime(f.prom)} (${formatSpeedup(f.prom / f.vigil)})`,
    otel: 'n/a',
    target: covered === undefined ? '—' : '≥4× prom',
    result: covered === undefined ? '—' : verdict(covered),
  });
}
report.emit();
