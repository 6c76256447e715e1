// Scenario 7a: heap bytes per labeled counter series — 100,000 series of counter{method, route}
// (4 methods × 25,000 routes), each incremented once; vigil, prom-client Counter, OpenTelemetry Counter.
// Label strings are created before the baseline and not counted. One child process per measurement.
import { fileURLToPath } from 'node:url';
import { formatBytes, table, verdict } from './lib/harness.js';
import { flatStrings, isChild, measureChildren, runChild } from './lib/memory.js';

const SERIES = 100_000;
const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];

function prepare() {
  const routes = Array.from({ length: SERIES / METHODS.length }, (_, i) => `/api/v1/items/${i}`);
  return { methods: flatStrings(METHODS), routes: flatStrings(routes) };
}

const subjects = {
  async vigil({ methods, routes }) {
    const { Registry } = await import('../packages/metrics/dist/index.js');
    const counter = new Registry({ maxSeriesPerMetric: SERIES + 1 }).counter({
      name: 'http_requests_total',
      help: 'Requests.',
      labelNames: ['method', 'route'],
    });
    return {
      fill() {
        for (const route of routes) for (const method of methods) counter.inc({ method, route });
        if (counter.seriesCount !== SERIES) throw new Error(`vigil: ${counter.seriesCount} series`);
      },
      estimate: () => counter.bytes() / SERIES,
    };
  },
  async 'prom-client'({ methods, routes }) {
    const { default: client } = await import('prom-client');
    const counter = new client.Counter({
      name: 'http_requests_total',
      help: 'Requests.',
      labelNames: ['method', 'route'],
      registers: [new client.Registry()],
    });
    return {
      fill() {
        for (const route of routes) for (const method of methods) counter.inc({ method, route });
      },
    };
  },
  async OpenTelemetry({ methods, routes }) {
    const { otelMeter } = await import('./lib/subjects.js');
    const { meter } = otelMeter(SERIES + 1);
    const counter = meter.createCounter('http_requests_total');
    return {
      fill() {
        for (const route of routes) for (const method of methods) counter.add(1, { method, route });
      },
    };
  },
};

if (isChild()) {
  await runChild(subjects, prepare, SERIES);
} else {
  const { scenario } = await import('./lib/harness.js');
  const report = scenario('memory-counter', 'heap bytes per labeled counter series');
  console.log(
    `${SERIES.toLocaleString('en-US')} series of counter{method, route}; heapUsed + arrayBuffers delta after gc(), label strings excluded; median of 3 child processes (node --expose-gc)`,
  );
  const names = Object.keys(subjects);
  const m = measureChildren(fileURLToPath(import.meta.url), names);
  const v = m.vigil.perSeries;
  const rows = names.map((name) => [
    name,
    formatBytes(m[name].perSeries),
    formatBytes(m[name].heapPerSeries),
    formatBytes(m[name].buffersPerSeries),
    name === 'vigil'
      ? ''
      : `${(v / m[name].perSeries).toPrecision(3)} (${(m[name].perSeries / v).toPrecision(3)}× less)`,
    m[name].runs.map((x) => x.toFixed(1)).join(', '),
  ]);
  console.log(
    table(['library', 'bytes/series', 'heap', 'array buffers', 'vigil/peer', 'runs'], rows, 'lrrrrl'),
  );
  console.log(`vigil's own estimate, counter.bytes() / series: ${formatBytes(m.vigil.estimate)}`);
  report.data = m;
  const ok = report.check('≤100 bytes per labeled counter series', v <= 100, formatBytes(v));
  report.row('heap per labeled counter series (100k)', {
    vigil: formatBytes(v),
    prom: `${formatBytes(m['prom-client'].perSeries)} (${(m['prom-client'].perSeries / v).toPrecision(3)}× less)`,
    otel: `${formatBytes(m.OpenTelemetry.perSeries)} (${(m.OpenTelemetry.perSeries / v).toPrecision(3)}× less)`,
    target: '≤100 B',
    result: verdict(ok),
  });
  report.emit();
}
