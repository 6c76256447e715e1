// Scenario 7b: heap bytes per histogram series — 10,000 series of histogram{method, route}, each
// filled with 100 observations; vigil (and vigil with a 300 s window, for reference), prom-client
// Histogram and Summary, OpenTelemetry Histogram. Label strings and the observed values are created
// before the baseline and not counted. One child process per measurement.
import { fileURLToPath } from 'node:url';
import { LATENCY_TEXT, latencies } from './lib/data.js';
import { formatBytes, table, verdict } from './lib/harness.js';
import { flatStrings, isChild, measureChildren, runChild } from './lib/memory.js';

const SERIES = 10_000;
const FILL = 100;
const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

function prepare() {
  const routes = Array.from({ length: SERIES / METHODS.length }, (_, i) => `/api/v1/items/${i}`);
  return { methods: flatStrings(METHODS), routes: flatStrings(routes), values: latencies(SERIES * FILL, 3) };
}

/** Observes FILL values per series, series after series. */
function fill({ methods, routes, values }, observe) {
  let k = 0;
  for (const route of routes) {
    for (const method of methods) {
      for (let i = 0; i < FILL; i++) observe(method, route, values[k++]);
    }
  }
}

async function vigilHistogram(inputs, options) {
  const { Registry } = await import('../packages/metrics/dist/index.js');
  const histogram = new Registry({ maxSeriesPerMetric: SERIES + 1 }).histogram({
    name: 'http_latency_seconds',
    help: 'Latency.',
    labelNames: ['method', 'route'],
    ...options,
  });
  return {
    fill() {
      fill(inputs, (method, route, value) => histogram.observe({ method, route }, value));
      if (histogram.seriesCount !== SERIES) throw new Error(`vigil: ${histogram.seriesCount} series`);
    },
    estimate: () => histogram.bytes() / SERIES,
  };
}

const subjects = {
  vigil: (inputs) => vigilHistogram(inputs, {}),
  'vigil (window 300 s)': (inputs) => vigilHistogram(inputs, { window: 300 }),
  async 'prom-client Histogram'(inputs) {
    const { default: client } = await import('prom-client');
    const histogram = new client.Histogram({
      name: 'http_latency_seconds',
      help: 'Latency.',
      labelNames: ['method', 'route'],
      buckets: BUCKETS,
      registers: [new client.Registry()],
    });
    return {
      fill: () => fill(inputs, (method, route, value) => histogram.observe({ method, route }, value)),
    };
  },
  async 'prom-client Summary'(inputs) {
    const { default: client } = await import('prom-client');
    const summary = new client.Summary({
      name: 'http_latency_seconds',
      help: 'Latency.',
      labelNames: ['method', 'route'],
      registers: [new client.Registry()],
    });
    return { fill: () => fill(inputs, (method, route, value) => summary.observe({ method, route }, value)) };
  },
  async 'OpenTelemetry Histogram'(inputs) {
    const { otelMeter } = await import('./lib/subjects.js');
    const { meter } = otelMeter(SERIES + 1);
    const histogram = meter.createHistogram('http_latency_seconds', {
      advice: { explicitBucketBoundaries: BUCKETS },
    });
    return { fill: () => fill(inputs, (method, route, value) => histogram.record(value, { method, route })) };
  },
};

if (isChild()) {
  await runChild(subjects, prepare, SERIES);
} else {
  const { scenario } = await import('./lib/harness.js');
  const report = scenario('memory-histogram', 'heap bytes per histogram series');
  console.log(
    `${SERIES.toLocaleString('en-US')} series of histogram{method, route}, ${FILL} ${LATENCY_TEXT} each; default 11 buckets; heapUsed + arrayBuffers delta after gc(), label strings and values excluded; median of 3 child processes (node --expose-gc)`,
  );
  const names = Object.keys(subjects);
  const m = measureChildren(fileURLToPath(import.meta.url), names);
  const v = m.vigil.perSeries;
  const rows = names.map((name) => [
    name,
    formatBytes(m[name].perSeries),
    formatBytes(m[name].heapPerSeries),
    formatBytes(m[name].buffersPerSeries),
    name === 'vigil' ? '' : `${(v / m[name].perSeries).toPrecision(3)}`,
    m[name].estimate === undefined ? '' : formatBytes(m[name].estimate),
    m[name].runs.map((x) => x.toFixed(0)).join(', '),
  ]);
  console.log(
    table(
      ['library', 'bytes/series', 'heap', 'array buffers', 'vigil/peer', 'vigil bytes() estimate', 'runs'],
      rows,
      'lrrrrrl',
    ),
  );
  // Where vigil's bytes go: the same fills into bare sketches, reading the dense bucket store.
  const { QuantileSketch } = await import('../packages/metrics/dist/index.js');
  const { values } = prepare();
  let span = 0;
  let allocated = 0;
  let bytes = 0;
  let nonEmpty = 0;
  for (let s = 0; s < SERIES; s++) {
    const sketch = new QuantileSketch();
    for (let i = 0; i < FILL; i++) sketch.add(values[s * FILL + i]);
    const store = sketch.positive;
    span += store.max - store.min + 1;
    allocated += store.counts.length;
    bytes += store.counts.byteLength;
    for (let k = 0; k < store.counts.length; k++) if (store.counts[k] !== 0) nonEmpty++;
  }
  console.log(
    `vigil's sketch store per series (mean): ${(span / SERIES).toFixed(0)} buckets spanned, ${(allocated / SERIES).toFixed(0)} allocated (${formatBytes(bytes / SERIES)} of counts, ${formatBytes(bytes / allocated)} each), ${(nonEmpty / SERIES).toFixed(0)} non-empty`,
  );
  report.data = {
    ...m,
    sketchStore: { span: span / SERIES, allocated: allocated / SERIES, nonEmpty: nonEmpty / SERIES },
  };
  const ok = report.check('≤2 KiB per histogram series', v <= 2048, formatBytes(v));
  const ph = m['prom-client Histogram'].perSeries;
  const ps = m['prom-client Summary'].perSeries;
  const o = m['OpenTelemetry Histogram'].perSeries;
  report.row('heap per histogram series (10k × 100 obs)', {
    vigil: formatBytes(v),
    prom: `H ${formatBytes(ph)}; S ${formatBytes(ps)}`,
    otel: formatBytes(o),
    target: '≤2 KiB',
    result: verdict(ok),
  });
  report.emit();
}
