// Scenario 5: reading p50/p95/p99 from a filled series — vigil histogram get() (which always
// computes p50, p90, p95, p99, p99.9 and count/sum/min/max/mean/std) against prom-client Summary
// get() (async; percentiles 0.5, 0.95, 0.99), the await included.
import client from 'prom-client';
import { LATENCY_TEXT, latencies } from './lib/data.js';
import { formatSpeedup, formatTime, loop, measure, scenario } from './lib/harness.js';
import { vigil } from './lib/subjects.js';

const FILL = 100_000;
const report = scenario('quantile-read', 'quantile read p50/p95/p99 on a filled series');
console.log(`each series holds ${FILL.toLocaleString('en-US')} ${LATENCY_TEXT}`);

const labelNames = ['method', 'code'];
const histogram = new vigil.Registry().histogram({ name: 'latency_seconds', help: 'Latency.', labelNames });
const summary = new client.Summary({
  name: 'latency_seconds',
  help: 'Latency.',
  labelNames,
  percentiles: [0.5, 0.95, 0.99],
  registers: [new client.Registry()],
});
const L = { method: 'GET', code: '200' };
const values = latencies(FILL, 7);
for (const value of values) {
  histogram.observe(L, value);
  summary.observe(L, value);
}
const sketch = new vigil.QuantileSketch();
for (const value of values) sketch.add(value);
const out = [0, 0, 0];
const Q = [0.5, 0.95, 0.99];

const results = await measure([
  loop('vigil get(labels)', { h: histogram, L }, 'const s = h.get(L); sink += s.p50 + s.p95 + s.p99;'),
  loop(
    'prom-client Summary await get()',
    { s: summary },
    'const r = await s.get(); sink += r.values.length;',
    {
      async: true,
      vs: 'vigil get(labels)',
    },
  ),
  loop(
    'vigil QuantileSketch.quantiles([.5,.95,.99])',
    { k: sketch, Q, out },
    'k.quantiles(Q, out); sink += out[2];',
    {
      note: 'the raw sketch, for reference',
    },
  ),
]);
report.printTimes(results);

const [v, p, k] = results.map((r) => r.median);
report.data = { results };
console.log(
  `vigil get(): ${formatTime(v)}; prom-client Summary get(): ${formatTime(p)}; raw sketch: ${formatTime(k)}`,
);
report.row('read p50/p95/p99 of a 100k-sample series', {
  vigil: formatTime(v),
  prom: `${formatTime(p)} (${formatSpeedup(p / v)}) Summary`,
  otel: 'n/a (no quantiles)',
  target: '—',
  result: '—',
});
report.emit();
