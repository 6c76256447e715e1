// Scenario: what LatencyTracker.measureLatency adds to an async function — the wrapper, two clock
// reads, the sketch, the bound histogram and counter handles, the ring write and the threshold
// check — against the bare function, beside the cost of the two performance.now() reads alone.
import { formatNs, loop, measure, scenario, verdict } from './lib/harness.js';
import { vigil } from './lib/subjects.js';

const { LatencyTracker } = await import('../packages/metrics/dist/latency.js');

const report = scenario('latency-overhead', 'measureLatency on an async function');

async function transcribe(i) {
  return i;
}
const registry = new vigil.Registry();
const tracker = new LatencyTracker({ registry, prefix: 'callbot' });
const measured = tracker.measureLatency('speech_to_text', { provider: 'google' })(transcribe);
const unregistered = new LatencyTracker().measureLatency('speech_to_text', { provider: 'google' })(
  transcribe,
);
const histogram = registry.histogram({
  name: 'callbot_plain_seconds',
  help: 'For reference.',
  labelNames: ['provider', 'status'],
});
const labels = { provider: 'google' };

// The first calls create the series and compile the paths; the harness calibrates its loop count
// on a first call, so warm every subject up before it does.
for (let i = 0; i < 20_000; i++) {
  await measured(i);
  await unregistered(i);
  await histogram.measure(labels, () => transcribe(i));
}

const BARE = 'bare async fn';
const results = await measure([
  loop(BARE, { f: transcribe }, 'sink += await f(i);', { async: true }),
  loop('measureLatency(fn), with registry', { f: measured }, 'sink += await f(i);', {
    async: true,
  }),
  loop('measureLatency(fn), no registry', { f: unregistered }, 'sink += await f(i);', { async: true }),
  loop(
    'histogram.measure(labels, fn)',
    { h: histogram, f: transcribe, labels },
    'sink += await h.measure(labels, () => f(i));',
    {
      async: true,
      note: 'core, for reference',
    },
  ),
  loop('performance.now() pair', { p: performance }, 'sink += p.now() - p.now();', {
    note: 'the clock reads alone',
  }),
]);
report.printTimes(results);

const byName = new Map(results.map((r) => [r.name, r.median]));
const overhead = byName.get('measureLatency(fn), with registry') - byName.get(BARE);
const noRegistry = byName.get('measureLatency(fn), no registry') - byName.get(BARE);
const clockPair = byName.get('performance.now() pair');
const records = tracker.getStats().speech_to_text?.count ?? 0;
if (records === 0) throw new Error('the tracker recorded nothing');
console.log(
  `overhead per call (median with − median bare): ${formatNs(overhead)} ns with a registry, ${formatNs(noRegistry)} ns without; a performance.now() pair costs ${formatNs(clockPair)} ns`,
);
report.data = { results, overheadNs: overhead, noRegistryNs: noRegistry, clockPairNs: clockPair };
const ok = report.check(
  'measureLatency overhead ≤1 µs per async call',
  overhead <= 1000,
  `${formatNs(overhead)} ns`,
);
report.row('measureLatency overhead on an async fn (ns/call)', {
  vigil: `${formatNs(overhead)} (no registry ${formatNs(noRegistry)}; now() pair ${formatNs(clockPair)})`,
  target: '≤1 µs',
  result: verdict(ok),
});
report.emit();
