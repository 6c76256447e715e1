// Scenario: `WS /ws/metrics` with 1,000 connected clients receiving one update a second
// (DASHBOARD_REFRESH_INTERVAL=1): the delay from the server's tick to each client's receipt, and
// the server's heap over the run. No peer: the figures are set against the targets.
//
// Three processes: `vigil serve` (lib/vigil-server.js), the 1,000 clients with the `ws` package
// (lib/ws-clients-child.js), and this one, which remote-writes the realistic scrape
// (lib/scrape-data.js, 1,000 series) once a second, as a live service would be. The clients keep
// neither the server's event loop nor this one's remote write busy: a client's parsing, or
// building and compressing a write request, would otherwise be counted as server delay. Each
// client keeps the default snapshot subscription (vigil's own metrics) and subscribes to one
// series selector, one of 10 routes of the scrape.
//
// Delay: a `series` message carries `time`, the server's clock.now() when the tick that sent it
// began, so its delay is the receive time minus that (same machine, same wall clock, 1 ms
// resolution). The snapshot message has no time; it is sent in the same write just before the
// series message, and its delay is taken against the same `time`. While recording, a client's
// handler only notes the time and keeps the bytes (they are parsed afterwards), and the clients'
// process prints its own event-loop delay: a delay measured there still includes the time that
// process took to get to the socket. A tick that starts late (its timer held up by other work in
// the server, such as the remote write) is not in the delays; the server's timer lateness is
// printed beside them.
//
// Memory: process.memoryUsage() in the server after a full gc(), once all clients are connected and
// have had WARMUP_S of updates, and again after MEASURE_S of updates; the gc() pauses fall outside
// the window in which delays are recorded.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { childReply } from './lib/child-reply.js';
import { formatBytes, median, scenario, table } from './lib/harness.js';
import { stopProcess } from './lib/processes.js';
import { scrapeData } from './lib/scrape-data.js';
import { startVigil } from './lib/vigil-server.js';

const CLIENTS = Number(process.env.BENCH_WS_CLIENTS ?? 1000);
const WARMUP_S = 3;
const MEASURE_S = Number(process.env.BENCH_WS_SECONDS ?? 20);
const CLIENTS_CHILD = fileURLToPath(new URL('./lib/ws-clients-child.js', import.meta.url));
const TARGET_P99_MS = 50;
/** "Flat": the heap after MEASURE_S within this much of the heap before. */
const FLAT_BYTES = 1024 * 1024;

const report = scenario('ws-fanout', '/ws/metrics fan-out: 1,000 clients, 1 update/s');
const { encodeRemoteWrite } = await import('../packages/server/dist/ingest/remote-write.js');
const { LIVE_CLIENT_BUFFER_BYTES, liveClients, memoryBudget } = await import(
  '../packages/server/dist/config/memory-budget.js'
);
// Two limits would refuse most of the clients with 503: the server's HTTP connections (512 by
// default, as Prometheus's --web.max-connections), and the live stream's clients, as many as its
// share of memory.limit buffers at 256 KiB each (122 at the default 1 GiB). Both are raised to hold
// CLIENTS, the connections with room for the remote writes beside them.
const MiB = 1024 * 1024;
const share = memoryBudget(1024 * MiB).liveStreamBytes / (1024 * MiB);
const limitMiB = Math.max(1024, Math.ceil((CLIENTS * LIVE_CLIENT_BUFFER_BYTES) / share / MiB));
if (liveClients(memoryBudget(limitMiB * MiB)) < CLIENTS)
  throw new Error(`memory.limit ${limitMiB}MiB is short`);
const server = await startVigil({
  env: {
    DASHBOARD_REFRESH_INTERVAL: '1',
    VIGIL_MEMORY_LIMIT: `${limitMiB}MiB`,
    VIGIL_MAX_CONNECTIONS: String(CLIENTS + 64),
  },
});

const data = scrapeData(1);
const routes = [...new Set(data.series.map((l) => l.route).filter(Boolean))].slice(0, 10);
let scrape = 0;
async function feed() {
  const values = data.scrape(scrape++);
  const now = Date.now();
  const body = encodeRemoteWrite(
    data.series.map((labels, i) => ({ labels, timestamps: [now], values: Float64Array.of(values[i]) })),
  );
  const response = await fetch(`${server.url}/api/v1/write`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy' },
    body,
  });
  if (!response.ok) throw new Error(`remote write: HTTP ${response.status} ${await response.text()}`);
}

const errors = [];
let feeder;
let clientsChild;
let before;
let after;
let connected;
let results;
let tickMs = [];
let tickCpuMs = [];
let tickStarts = [];
try {
  await feed();
  feeder = setInterval(() => void feed().catch((error) => errors.push(String(error))), 1000);
  clientsChild = fork(CLIENTS_CHILD, [JSON.stringify({ url: server.url, clients: CLIENTS, routes })], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  connected = await childReply(clientsChild, 'ws clients', 'connected');
  console.log(
    `${connected.connected} clients connected in ${(connected.connectMs / 1000).toFixed(1)} s, in their own process (server's vigil_ws_clients: ${await server.metric('vigil_ws_clients')}); ${routes.length} series selectors; warm-up ${WARMUP_S} s, then ${MEASURE_S} s recorded`,
  );
  await sleep(WARMUP_S * 1000);
  before = await server.memory();
  await sleep(1500);
  await server.ticks();
  await childReply(clientsChild, 'ws clients', 'recording', { record: true });
  await sleep(MEASURE_S * 1000);
  ({ results } = await childReply(clientsChild, 'ws clients', 'results', { stop: true }));
  ({ ticks: tickMs, tickCpu: tickCpuMs, tickStarts } = await server.tickTimes());
  await sleep(500);
  after = await server.memory();
} finally {
  clearInterval(feeder);
  if (clientsChild) {
    clientsChild.send({ close: true });
    await stopProcess(clientsChild);
  }
  await server.close();
}
const { seriesDelays, snapshotDelays, seriesBytes, snapshotBytes, ticks, loopDelayMs } = results;
errors.push(...results.errors);

const quantile = (values, q) => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const row = (name, values) => [
  name,
  values.length.toLocaleString('en-US'),
  String(median(values)),
  String(quantile(values, 0.9)),
  String(quantile(values, 0.99)),
  String(Math.max(...values)),
];
console.log(
  table(
    ['message', 'received', 'median ms', 'p90 ms', 'p99 ms', 'max ms'],
    [row('series (delay from `time`)', seriesDelays), row('snapshot (same tick)', snapshotDelays)],
    'lrrrrr',
  ),
);
const perClient = results.updates.map((n) => n / MEASURE_S);
const perUpdate = Math.max(seriesDelays.length, 1);
console.log(
  `updates per client per second: median ${median(perClient).toFixed(2)}, min ${Math.min(...perClient).toFixed(2)} (${ticks} distinct \`time\`s in ${MEASURE_S} s); ${formatBytes(snapshotBytes / perUpdate)} snapshot + ${formatBytes(seriesBytes / perUpdate)} series message per client per update`,
);
// A timer that fires late is not in the delays (`time` is when the tick ran): its lateness is the
// gap between two tick starts beyond the usual gap.
const gaps = tickStarts.slice(1).map((t, i) => t - tickStarts[i]);
const late = gaps.map((g) => Math.max(0, g - median(gaps)));
const cpuPerSecond = tickCpuMs.reduce((a, b) => a + b, 0) / MEASURE_S;
console.log(
  `server ticks (each writes one round of updates to the clients it serves, lib/vigil-server-child.js): median ${median(tickMs).toFixed(1)} ms, max ${Math.max(...tickMs).toFixed(1)} ms over ${tickMs.length} ticks; server CPU in ticks ${cpuPerSecond.toFixed(1)} ms per second; timer late by p99 ${quantile(late, 0.99).toFixed(1)} ms, max ${Math.max(...late).toFixed(1)} ms`,
);
console.log(
  `clients' process event-loop delay while recording: p50 ${loopDelayMs.p50.toFixed(1)} ms, p99 ${loopDelayMs.p99.toFixed(1)} ms, max ${loopDelayMs.max.toFixed(1)} ms`,
);
if (errors.length > 0) console.log(`errors: ${errors.length}, first: ${errors[0]}`);
const growth = after.heapUsed - before.heapUsed;
console.log(
  table(
    ['server memory after gc()', 'before', `after ${MEASURE_S + 2} s`, 'change'],
    ['heapUsed', 'arrayBuffers', 'rss'].map((k) => [
      k,
      formatBytes(before[k]),
      formatBytes(after[k]),
      `${after[k] >= before[k] ? '+' : '-'}${formatBytes(Math.abs(after[k] - before[k]))}`,
    ]),
    'lrrr',
  ),
);

const p99 = quantile(seriesDelays, 0.99);
const snapshotP99 = quantile(snapshotDelays, 0.99);
const worst = Math.max(p99, snapshotP99);
report.data = {
  clients: connected.connected,
  seconds: MEASURE_S,
  connect_ms: connected.connectMs,
  series: { n: seriesDelays.length, median: median(seriesDelays), p99 },
  snapshot: { n: snapshotDelays.length, median: median(snapshotDelays), p99: snapshotP99 },
  updates_per_client_per_s: median(perClient),
  tick_ms: { median: median(tickMs), max: Math.max(...tickMs) },
  tick_cpu_ms: { median: median(tickCpuMs), per_second: cpuPerSecond },
  timer_late_ms: { p99: quantile(late, 0.99), max: Math.max(...late) },
  memory: { before, after },
  errors: errors.length,
};
const everyTick = Math.min(...perClient) >= (MEASURE_S - 1) / MEASURE_S;
const passDelay = report.check(
  `p99 delivery delay under ${TARGET_P99_MS} ms, ${CLIENTS} clients at 1 update/s`,
  worst < TARGET_P99_MS && everyTick && connected.connected === CLIENTS,
  `p99 ${p99} ms (series), ${snapshotP99} ms (snapshot); ${median(perClient).toFixed(2)} updates/s per client`,
);
const passMemory = report.check(
  `server heap flat over ${MEASURE_S} s (heapUsed after gc() within ${formatBytes(FLAT_BYTES)})`,
  Math.abs(growth) <= FLAT_BYTES,
  `${growth >= 0 ? '+' : '-'}${formatBytes(Math.abs(growth))} (${formatBytes(before.heapUsed)} -> ${formatBytes(after.heapUsed)})`,
);
report.row(`/ws/metrics p99 delay, ${CLIENTS} clients, 1 update/s`, {
  vigil: `${worst} ms`,
  target: `< ${TARGET_P99_MS} ms`,
  result: passDelay ? 'PASS' : 'MISS',
});
report.row(`/ws/metrics server heap over ${MEASURE_S} s`, {
  vigil: `${growth >= 0 ? '+' : '-'}${formatBytes(Math.abs(growth))}`,
  target: `flat (±${formatBytes(FLAT_BYTES)})`,
  result: passMemory ? 'PASS' : 'MISS',
});
report.emit();

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
