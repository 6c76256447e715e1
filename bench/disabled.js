// Scenario 9: a disabled registry — counter inc on `new Registry({ enabled: false })`, against the
// OpenTelemetry API's no-op meter (the API without an SDK registered) and an empty loop.
import { metrics } from '@opentelemetry/api';
import { CODES, METHODS } from './lib/data.js';
import { formatNs, loop, measure, scenario, verdict } from './lib/harness.js';
import { vigil } from './lib/subjects.js';

const report = scenario('disabled', 'counter inc on a disabled registry');

const registry = new vigil.Registry({ enabled: false });
const counter = registry.counter({
  name: 'requests_total',
  help: 'Requests.',
  labelNames: ['method', 'code'],
});
const plain = registry.counter({ name: 'plain_total', help: 'Requests.' });
const handle = counter.labels('GET', '200');
const noopOtel = metrics.getMeter('bench').createCounter('requests_total');
const enabled = new vigil.Registry().counter({ name: 'plain_total', help: 'Requests.' });
const M = METHODS;
const C = CODES;

const results = await measure([
  loop('vigil disabled inc()', { c: plain }, 'c.inc();'),
  loop(
    'vigil disabled inc({method, code})',
    { c: counter, M, C },
    'c.inc({ method: M[j], code: C[j] }); if (++j === 10) j = 0;',
  ),
  loop('vigil disabled handle.inc()', { h: handle }, 'h.inc();'),
  loop('OpenTelemetry API no-op add(1)', { c: noopOtel }, 'c.add(1);', {
    vs: 'vigil disabled inc()',
    note: 'API without an SDK',
  }),
  loop('vigil enabled inc()', { c: enabled }, 'c.inc();', { note: 'for reference' }),
  loop('empty loop', {}, 'sink += i;', { note: 'printed, not subtracted' }),
  loop('empty loop + label pick', { M, C }, 'sink += M[j].length + C[j].length; if (++j === 10) j = 0;', {
    note: 'the floor under inc({method, code}); printed, not subtracted',
  }),
]);
report.printTimes(results);
console.log(
  'A no-op the optimiser inlines costs what the empty loop costs; behind a call site it cannot inline, it is one call.',
);

const [plainInc, labelled, bound] = results.map((r) => r.median);
report.data = { results };
const ok = report.check('disabled inc() ≤2 ns', plainInc <= 2, `${formatNs(plainInc)} ns`);
console.log(
  `inc({method, code}) on the disabled counter: ${formatNs(labelled)} ns, against ${formatNs(results[6].median)} ns for the loop and label pick alone (no target: the floor is the harness's)`,
);
report.row('disabled inc() / inc({..}) / handle.inc() (ns/op)', {
  vigil: `${formatNs(plainInc)} / ${formatNs(labelled)} / ${formatNs(bound)}`,
  otel: `${formatNs(results[3].median)} (API no-op)`,
  target: '≤2 ns (inc())',
  result: verdict(ok),
});
report.emit();
