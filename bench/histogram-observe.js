// Scenario 4: histogram observe with 2 labels (fresh literal per call, 10 label sets) — vigil
// histogram (classic buckets + percentile sketch), prom-client Histogram and Summary, OpenTelemetry
// Histogram — and bound observe: a vigil handle, and prom-client's child for reference.
import client from 'prom-client';
import { CODES, LATENCY_TEXT, latencies, METHODS } from './lib/data.js';
import { formatNs, formatSpeedup, loop, measure, scenario, verdict } from './lib/harness.js';
import { otelMeter, otelPoints, vigil } from './lib/subjects.js';

const report = scenario('histogram-observe', 'histogram observe with 2 labels, and bound');
console.log(`values: 4,096 ${LATENCY_TEXT}, cycled; buckets: the Prometheus defaults (11) in every library`);

const labelNames = ['method', 'code'];
const buckets = vigil.DEFAULT_BUCKETS;
const histogram = new vigil.Registry().histogram({ name: 'latency_seconds', help: 'Latency.', labelNames });
const promRegistry = new client.Registry();
const promHistogram = new client.Histogram({
  name: 'latency_seconds',
  help: 'Latency.',
  labelNames,
  buckets: [...buckets],
  registers: [promRegistry],
});
const promSummary = new client.Summary({
  name: 'latency_summary_seconds',
  help: 'Latency.',
  labelNames,
  registers: [promRegistry],
});
const { meter, reader } = otelMeter();
const otelHistogram = meter.createHistogram('latency_seconds', {
  advice: { explicitBucketBoundaries: [...buckets] },
});
const bound = histogram.labels('GET', '200');
const promChild = promHistogram.labels('GET', '200');
const V = latencies(4096);
const M = METHODS;
const C = CODES;
const labelled = (call) => `${call}; if (++j === 10) j = 0;`;
const VIGIL = 'vigil observe({method, code}, v)';
const VIGIL_BOUND = 'vigil handle.observe(v)';

const results = await measure([
  loop(VIGIL, { h: histogram, M, C, V }, labelled('h.observe({ method: M[j], code: C[j] }, V[i & 4095])')),
  loop(
    'prom-client Histogram observe',
    { h: promHistogram, M, C, V },
    labelled('h.observe({ method: M[j], code: C[j] }, V[i & 4095])'),
    {
      vs: VIGIL,
    },
  ),
  loop(
    'prom-client Summary observe',
    { h: promSummary, M, C, V },
    labelled('h.observe({ method: M[j], code: C[j] }, V[i & 4095])'),
    {
      vs: VIGIL,
      note: 'default percentiles',
    },
  ),
  loop(
    'OpenTelemetry Histogram record',
    { h: otelHistogram, M, C, V },
    labelled('h.record(V[i & 4095], { method: M[j], code: C[j] })'),
    {
      vs: VIGIL,
      note: 'explicit buckets',
    },
  ),
  loop(VIGIL_BOUND, { h: bound, V }, 'h.observe(V[i & 4095]);'),
  loop('prom-client child.observe(v)', { h: promChild, V }, 'h.observe(V[i & 4095]);', { vs: VIGIL_BOUND }),
  loop(
    'empty loop + value + label pick',
    { M, C, V },
    labelled('sink += V[i & 4095] + M[j].length + C[j].length'),
    {
      note: 'printed, not subtracted',
    },
  ),
]);
report.printTimes(results);

if (histogram.seriesCount !== 10 || !(histogram.get({ method: 'GET', code: '200' }).count > 0)) {
  throw new Error('vigil histogram recorded nothing');
}
if ((await otelPoints(reader)) !== 10) throw new Error('OpenTelemetry histogram: expected 10 series');
const t = Object.fromEntries(results.map((r) => [r.name, r.median]));
const v = t[VIGIL];
const ph = t['prom-client Histogram observe'];
const ps = t['prom-client Summary observe'];
const o = t['OpenTelemetry Histogram record'];
const b = t[VIGIL_BOUND];
report.data = { results };
const okH = report.check(
  '2-label observe ≥8× faster than prom-client Histogram',
  ph / v >= 8,
  `${formatSpeedup(ph / v)} (vigil ${formatNs(v)} ns, prom-client ${formatNs(ph)} ns)`,
);
const okS = report.check(
  '2-label observe ≥20× faster than prom-client Summary',
  ps / v >= 20,
  `${formatSpeedup(ps / v)} (prom-client Summary ${formatNs(ps)} ns)`,
);
const okB = report.check('bound histogram observe ≤25 ns', b <= 25, `${formatNs(b)} ns`);
report.row('histogram observe({2 labels}, v) (ns/op)', {
  vigil: formatNs(v),
  prom: `H ${formatNs(ph)} (${formatSpeedup(ph / v)}); S ${formatNs(ps)} (${formatSpeedup(ps / v)})`,
  otel: `${formatNs(o)} (${formatSpeedup(o / v)})`,
  target: '≥8× prom H, ≥20× prom S',
  result: verdict(okH, okS),
});
report.row('bound histogram observe(v) (ns/op)', {
  vigil: formatNs(b),
  prom: `${formatNs(t['prom-client child.observe(v)'])} (${formatSpeedup(t['prom-client child.observe(v)'] / b)}) child`,
  otel: 'n/a (no bound instruments)',
  target: '≤25 ns',
  result: verdict(okB),
});
report.emit();
