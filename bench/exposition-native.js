// Scenario: exposition of 1,000 histogram series as native histograms in the Prometheus protobuf
// format against the same histograms' classic buckets in the Prometheus text format — bytes per
// scrape, and time per call (snapshot included): wall time in the harness's loops, then the
// process's CPU time per call (process.cpuUsage) in interleaved rounds; then each format alone in a
// process of its own (this file, run with `--alone <case>`), as a process scraped in one format
// runs, its garbage collected in its own calls. The target is judged on the latter: in the
// interleaved rounds one format's calls pay for collecting the other's garbage.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { latencies } from './lib/data.js';
import {
  formatBytes,
  formatSpeedup,
  formatTime,
  loop,
  measure,
  median,
  scenario,
  table,
  verdict,
} from './lib/harness.js';
import { vigil } from './lib/subjects.js';

const SERIES = 1_000;
const FILL = 200;
const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
/** Calls per process in the one-format-per-process runs, after ALONE_WARM untimed ones. */
const ALONE_CALLS = 200;
const ALONE_WARM = 20;

/** The 1,000 histograms, the same values in every registry filled here. */
function fill(...histograms) {
  const values = latencies(SERIES * FILL, 11);
  for (let i = 0; i < SERIES; i++) {
    const labels = { method: METHODS[i & 3], route: `/api/v1/items/${i >> 2}` };
    for (let k = 0; k < FILL; k++) for (const h of histograms) h.observe(labels, values[i * FILL + k]);
  }
}

const alone = process.argv.indexOf('--alone');
if (alone >= 0) {
  // One format alone: ALONE_CALLS calls back to back, CPU time per call printed as JSON.
  const which = process.argv[alone + 1];
  const registry = new vigil.Registry({ maxSeriesPerMetric: SERIES + 1 });
  fill(
    registry.histogram({ name: 'http_latency_seconds', help: 'Latency.', labelNames: ['method', 'route'] }),
  );
  const call =
    which === 'text'
      ? async () => Buffer.from(vigil.toPrometheusText(await registry.snapshot())).length
      : async () => vigil.toProtobuf(await registry.snapshot({ native: true })).length;
  let sink = 0;
  for (let i = 0; i < ALONE_WARM; i++) sink += await call();
  const before = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < ALONE_CALLS; i++) sink += await call();
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(before);
  if (sink === 0) throw new Error('nothing exposed');
  console.log(
    `ALONE ${JSON.stringify({ which, cpuMsPerCall: (used.user + used.system) / 1000 / ALONE_CALLS, wallMsPerCall: wallMs / ALONE_CALLS })}`,
  );
  process.exit(0);
}

const report = scenario('exposition-native', 'native histograms in protobuf against classic buckets in text');
console.log(
  `series: ${SERIES.toLocaleString('en-US')} histograms {method, route}, ${FILL} lognormal latencies each (median 50 ms, sigma 1); default buckets and bucket limit`,
);

const registry = new vigil.Registry({ maxSeriesPerMetric: SERIES + 1 });
const both = registry.histogram({
  name: 'http_latency_seconds',
  help: 'Latency.',
  labelNames: ['method', 'route'],
});
const nativeRegistry = new vigil.Registry({ maxSeriesPerMetric: SERIES + 1 });
const nativeOnly = nativeRegistry.histogram({
  name: 'http_latency_seconds',
  help: 'Latency.',
  labelNames: ['method', 'route'],
  classic: false,
});
fill(both, nativeOnly);

const text = vigil.toPrometheusText(await registry.snapshot());
const proto = vigil.toProtobuf(await registry.snapshot({ native: true }));
const protoNative = vigil.toProtobuf(await nativeRegistry.snapshot({ native: true }));
const textBytes = Buffer.byteLength(text);
console.log(
  `bytes per scrape: text, classic buckets ${formatBytes(textBytes)}; protobuf, native + classic ${formatBytes(proto.length)}; protobuf, native only ${formatBytes(protoNative.length)}`,
);

const TEXT = 'text, classic buckets';
const TEXT_ROPE = 'text, classic buckets, not encoded';
const results = await measure(
  [
    // The text is encoded as the handler sends it: until then it is a rope that was never flattened,
    // and `.length` would time only the concatenations (about a fifth of the text's cost).
    loop(
      TEXT,
      { r: registry, f: vigil.toPrometheusText },
      'sink += Buffer.from(f(await r.snapshot())).length;',
      {
        async: true,
        note: 'snapshot() + toPrometheusText, UTF-8 encoded',
      },
    ),
    loop(TEXT_ROPE, { r: registry, f: vigil.toPrometheusText }, 'sink += f(await r.snapshot()).length;', {
      async: true,
      note: 'the string left unencoded',
    }),
    loop(
      'protobuf, native + classic',
      { r: registry, f: vigil.toProtobuf, o: { native: true } },
      'sink += f(await r.snapshot(o)).length;',
      { async: true, vs: TEXT, note: 'snapshot({ native }) + toProtobuf' },
    ),
    loop(
      'protobuf, native only',
      { r: nativeRegistry, f: vigil.toProtobuf, o: { native: true } },
      'sink += f(await r.snapshot(o)).length;',
      { async: true, vs: TEXT, note: 'classic: false' },
    ),
  ],
  { runMs: 150, warmup: 3 },
);
report.printTimes(results, { unit: 'ns/call' });
const [t, rope, p, n] = results.map((r) => r.median);

// CPU per call: the machine these run on is shared, and wall time counts the time other processes
// took the core; CPU time counts this process's work only. Each round runs every case once, in a
// rotated order, after one untimed warm-up call of each.
const cpuCases = [
  [TEXT, async () => Buffer.from(vigil.toPrometheusText(await registry.snapshot())).length],
  [TEXT_ROPE, async () => vigil.toPrometheusText(await registry.snapshot()).length],
  [
    'protobuf, native + classic',
    async () => vigil.toProtobuf(await registry.snapshot({ native: true })).length,
  ],
  [
    'protobuf, native only',
    async () => vigil.toProtobuf(await nativeRegistry.snapshot({ native: true })).length,
  ],
];
const ROUNDS = Number(process.env.BENCH_CPU_ROUNDS ?? 61);
const cpu = cpuCases.map(() => []);
let sink = 0;
for (const [, call] of cpuCases) sink += await call();
for (let round = 0; round < ROUNDS; round++) {
  for (let k = 0; k < cpuCases.length; k++) {
    const c = (k + round) % cpuCases.length;
    const before = process.cpuUsage();
    sink += await cpuCases[c][1]();
    const used = process.cpuUsage(before);
    cpu[c].push((used.user + used.system) * 1000);
  }
}
if (sink === 0) throw new Error('nothing exposed');
const [ct, crope, cp, cn] = cpu.map((runs) => median(runs));
console.log(
  table(
    ['case', 'median CPU/call', 'min–max', 'vs text'],
    cpuCases.map(([name], c) => [
      name,
      formatTime(median(cpu[c])),
      `${formatTime(Math.min(...cpu[c]))}–${formatTime(Math.max(...cpu[c]))}`,
      c === 0 ? '' : `${(median(cpu[c]) / ct).toFixed(2)}×`,
    ]),
    'lrrr',
  ),
);
console.log(`${ROUNDS} rounds, process.cpuUsage around each call (user + system).`);

// The rounds above run every case in one process, so a call can pay for collecting garbage that
// another case made (the text makes about twice the scavenges). A process scraped in one format
// pays for its own: each format alone in a process of its own, the two alternating.
const ALONE_RUNS = Number(process.env.BENCH_ALONE_RUNS ?? 5);
const aloneCpu = { text: [], proto: [] };
const aloneWall = { text: [], proto: [] };
for (let r = 0; r < ALONE_RUNS; r++) {
  for (const which of r % 2 === 0 ? ['text', 'proto'] : ['proto', 'text']) {
    const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--alone', which], {
      encoding: 'utf8',
    });
    const line = out.split('\n').find((l) => l.startsWith('ALONE '));
    if (!line) throw new Error(`no ALONE line in\n${out}`);
    const measured = JSON.parse(line.slice('ALONE '.length));
    aloneCpu[which].push(measured.cpuMsPerCall * 1e6);
    aloneWall[which].push(measured.wallMsPerCall * 1e6);
  }
}
const [at, ap] = [median(aloneCpu.text), median(aloneCpu.proto)];
const [awt, awp] = [median(aloneWall.text), median(aloneWall.proto)];
console.log(
  table(
    [
      'case, alone in its process',
      'median CPU/call',
      'per process',
      'vs text',
      'median wall/call',
      'vs text',
    ],
    [
      [TEXT, formatTime(at), aloneCpu.text.map(formatTime).join(', '), '', formatTime(awt), ''],
      [
        'protobuf, native + classic',
        formatTime(ap),
        aloneCpu.proto.map(formatTime).join(', '),
        `${(ap / at).toFixed(2)}×`,
        formatTime(awp),
        `${(awp / awt).toFixed(2)}×`,
      ],
    ],
    'lrrrrr',
  ),
);
console.log(
  `${ALONE_RUNS} processes per case, ${ALONE_CALLS} calls each after ${ALONE_WARM} untimed, process.cpuUsage and performance.now around the ${ALONE_CALLS}.`,
);
report.data = {
  bytes: { text: textBytes, proto: proto.length, protoNative: protoNative.length },
  results,
  cpu: Object.fromEntries(cpuCases.map(([name], c) => [name, cpu[c]])),
  alone: { cpu: aloneCpu, wall: aloneWall },
};

const okBytes = report.check(
  'protobuf native (+ classic) bytes ≤ text classic bytes',
  proto.length <= textBytes,
  `${formatBytes(proto.length)} against ${formatBytes(textBytes)} (native only ${formatBytes(protoNative.length)})`,
);
const okTime = report.check(
  'protobuf native (+ classic) CPU time ≤ text classic CPU time, each alone in its own process',
  ap <= at,
  `${formatTime(ap)} against ${formatTime(at)} (${(ap / at).toFixed(2)}×; wall ${(awp / awt).toFixed(2)}×); interleaved in one process ${formatTime(cp)} against ${formatTime(ct)} (${(cp / ct).toFixed(2)}×; native only ${formatTime(cn)}, ${(cn / ct).toFixed(2)}×; text not encoded ${formatTime(crope)}); wall time ${formatTime(p)} against ${formatTime(t)} (${formatSpeedup(t / p)}; not encoded ${formatTime(rope)}, native only ${formatTime(n)})`,
);
report.row(
  `protobuf native histograms vs text classic, ${SERIES.toLocaleString('en-US')} series (CPU per call)`,
  {
    vigil: `${formatTime(ap)}, ${formatBytes(proto.length)}`,
    prom: `text ${formatTime(at)}, ${formatBytes(textBytes)}`,
    otel: 'n/a',
    target: '≤ text in bytes and CPU time',
    result: verdict(okBytes, okTime),
  },
);
report.emit();
