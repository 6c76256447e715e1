// Scenario 3: bound handle inc — vigil labels('GET', '200').inc(), prom-client's labels(...) child.
// OpenTelemetry has no bound instruments: its row is add(1, attrs) with one attributes object built
// once outside the loop, the closest a user can get.
import client from 'prom-client';
import { LABEL_SETS } from './lib/data.js';
import { formatNs, formatSpeedup, loop, measure, scenario, verdict } from './lib/harness.js';
import { otelMeter, otelPoints, vigil } from './lib/subjects.js';

const report = scenario('counter-inc-bound', 'bound handle inc (one handle), and 10 handles cycled');

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

const handle = counter.labels('GET', '200');
const handles = LABEL_SETS.map(([m, c]) => counter.labels(m, c));
const child = promCounter.labels('GET', '200');
const attrs = { method: 'GET', code: '200' };

const results = await measure([
  loop('vigil handle.inc()', { h: handle }, 'h.inc();'),
  loop('prom-client child.inc()', { h: child }, 'h.inc();', { vs: 'vigil handle.inc()' }),
  loop('OpenTelemetry add(1, attrs)', { c: otelCounter, a: attrs }, 'c.add(1, a);', {
    vs: 'vigil handle.inc()',
    note: 'no bound instruments: prebuilt attrs object',
  }),
  loop('vigil H[j].inc(), 10 handles', { H: handles }, 'H[j].inc(); if (++j === 10) j = 0;', {
    note: 'handles kept in an array',
  }),
  loop('empty loop', {}, 'sink += i;', { note: 'printed, not subtracted' }),
]);
report.printTimes(results);

if (!(handle.get() > 0) || !(await promCounter.get()).values.length || (await otelPoints(reader)) !== 1) {
  throw new Error('a counter recorded nothing');
}
const [v, p, o] = results.map((r) => r.median);
report.data = { results };
const okAbs = report.check('bound inc ≤5 ns', v <= 5, `${formatNs(v)} ns`);
const okProm = report.check(
  'bound inc ≥40× faster than prom-client bound child',
  p / v >= 40,
  `${formatSpeedup(p / v)} (prom-client ${formatNs(p)} ns)`,
);
report.row('bound handle inc() (ns/op)', {
  vigil: formatNs(v),
  prom: `${formatNs(p)} (${formatSpeedup(p / v)})`,
  otel: `${formatNs(o)} (${formatSpeedup(o / v)}) prebuilt attrs`,
  target: '≤5 ns, ≥40× prom',
  result: verdict(okAbs, okProm),
});
report.emit();
