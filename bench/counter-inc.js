// Scenario 1: counter inc() without labels — vigil, prom-client Counter, OpenTelemetry Counter.add(1).
import client from 'prom-client';
import { formatNs, formatSpeedup, loop, measure, scenario } from './lib/harness.js';
import { otelMeter, otelPoints, vigil } from './lib/subjects.js';

const report = scenario('counter-inc', 'counter inc() without labels');

const counter = new vigil.Registry().counter({ name: 'requests_total', help: 'Requests.' });
const promCounter = new client.Counter({
  name: 'requests_total',
  help: 'Requests.',
  registers: [new client.Registry()],
});
const { meter, reader } = otelMeter();
const otelCounter = meter.createCounter('requests_total');

const doubles = [0.5];

const results = await measure([
  loop('vigil inc()', { c: counter }, 'c.inc();'),
  loop('prom-client inc()', { c: promCounter }, 'c.inc();', { vs: 'vigil inc()' }),
  loop('OpenTelemetry add(1)', { c: otelCounter }, 'c.add(1);', { vs: 'vigil inc()' }),
  loop('empty loop', {}, 'sink += i;', { note: 'loop overhead alone, printed, not subtracted' }),
  // Why one cell incremented in a tight loop can cost more than a library call: each add waits on
  // the previous iteration's store. The floor without library code, for a double array slot (how
  // vigil keeps counter values) and for a small-integer object field (prom-client's `value` stays a
  // Smi while every step is an integer).
  loop('reference: double array a[0] += 1', { a: doubles }, 'a[0] += 1;', { note: 'no library code' }),
  loop('reference: Smi field o.value += 1', { o: { value: 0 } }, 'o.value += 1;', {
    note: 'no library code',
  }),
]);
report.printTimes(results);

if (!(counter.get() > 0) || (await otelPoints(reader)) !== 1) throw new Error('a counter recorded nothing');
const [v, p, o] = results.map((r) => r.median);
report.data = { results };
report.row('counter inc(), no labels (ns/op)', {
  vigil: formatNs(v),
  prom: `${formatNs(p)} (${formatSpeedup(p / v)})`,
  otel: `${formatNs(o)} (${formatSpeedup(o / v)})`,
  target: '—',
  result: '—',
});
report.emit();
