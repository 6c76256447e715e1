// Scenario 2: counter inc with a 2-label object, a fresh literal per call written inline in the loop,
// cycling over 10 label sets — vigil inc({...}), prom-client inc({...}), OpenTelemetry add(1, {...}).
import client from 'prom-client';
import { CODES, METHODS } from './lib/data.js';
import { formatNs, formatSpeedup, loop, measure, scenario, verdict } from './lib/harness.js';
import { otelMeter, otelPoints, vigil } from './lib/subjects.js';

const report = scenario(
  'counter-inc-labels',
  'counter inc with 2 labels, fresh object literal per call, 10 label sets',
);

const labelNames = ['method', 'code'];
const counter = new vigil.Registry().counter({ name: 'requests_total', help: 'Requests.', labelNames });
const promCounter = new client.Counter({
  name: 'requests_total',
  help: 'Requests.',
  labelNames,
  registers: [new client.Registry()],
});
const { meter, reader } = otelMeter();
const otelCounter = meter.createCounter('requests_total');
const M = METHODS;
const C = CODES;

const results = await measure([
  loop(
    'vigil inc({method, code})',
    { c: counter, M, C },
    'c.inc({ method: M[j], code: C[j] }); if (++j === 10) j = 0;',
  ),
  loop(
    'prom-client inc({method, code})',
    { c: promCounter, M, C },
    'c.inc({ method: M[j], code: C[j] }); if (++j === 10) j = 0;',
    {
      vs: 'vigil inc({method, code})',
    },
  ),
  loop(
    'OpenTelemetry add(1, {method, code})',
    { c: otelCounter, M, C },
    'c.add(1, { method: M[j], code: C[j] }); if (++j === 10) j = 0;',
    {
      vs: 'vigil inc({method, code})',
    },
  ),
  loop('empty loop + label pick', { M, C }, 'sink += M[j].length + C[j].length; if (++j === 10) j = 0;', {
    note: 'printed, not subtracted',
  }),
]);
report.printTimes(results);

if (
  counter.seriesCount !== 10 ||
  (await promCounter.get()).values.length !== 10 ||
  (await otelPoints(reader)) !== 10
) {
  throw new Error('expected 10 series in every library');
}
const [v, p, o] = results.map((r) => r.median);
report.data = { results };
const okProm = report.check(
  '2-label inc ≥8× faster than prom-client',
  p / v >= 8,
  `${formatSpeedup(p / v)} (vigil ${formatNs(v)} ns, prom-client ${formatNs(p)} ns)`,
);
const okOtel = report.check(
  '2-label inc ≥25× faster than OpenTelemetry',
  o / v >= 25,
  `${formatSpeedup(o / v)} (vigil ${formatNs(v)} ns, OTel ${formatNs(o)} ns)`,
);
report.row('counter inc({2 labels}), fresh literal (ns/op)', {
  vigil: formatNs(v),
  prom: `${formatNs(p)} (${formatSpeedup(p / v)})`,
  otel: `${formatNs(o)} (${formatSpeedup(o / v)})`,
  target: '≥8× prom, ≥25× OTel',
  result: verdict(okProm, okOtel),
});
report.emit();
