// Scenario: `WS /ws/metrics` with 1,000 connected clients receiving one update a second
// (DASHBOARD_REFRESH_INTERVAL=1): the delay from the server's tick to each client's receipt, and
// the server's heap over the run. No peer: the figures are set against the targets.
//
// `vigil serve` runs in a child process (lib/vigil-server.js); the clients run in this process with
// the `ws` package. Each client keeps the default snapshot subscription (vigil's own metrics) and
// subscribes to one series selector, one of 10 routes of the realistic scrape (lib/scrape-data.js),
// which this process remote-writes once a second (1,000 series), as a live service would be.
//
// Delay: a `series` message carries `time`, the server's clock.now() when the tick began, so its
// delay is the receive time minus that (same machine, same wall clock, 1 ms resolution). The
// snapshot message has no time; it is sent in the same tick just before the series message, and its
// delay is taken against the same `time`. Handlers do no more than note the time (and parse the
// small series message), and this process's own event-loop delay is printed: a delay measured here
// includes the time the client process took to get to the socket.
//
// Memory: process.memoryUsage() in the server after a full gc(), once all clients are connected and
// have had WARMUP_S of updates, and again after MEASURE_S of updates; the gc() pauses fall outside
// the window in which delays are recorded.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import WebSocket from 'ws';
import { formatBytes, median, scenario, table } from './lib/harness.js';
import { scrapeData } from './lib/scrape-data.js';
import { startVigil } from './lib/vigil-server.js';

const CLIENTS = Number(process.env.BENCH_WS_CLIENTS ?? 1000);
const WARMUP_S = 3;
const MEASURE_S = Number(process.env.BENCH_WS_SECONDS ?? 20);
const CONNECT_BATCH = 50;
const TARGET_P99_MS = 50;
/** "Flat": the heap after MEASURE_S within this much of the heap before. */
const FLAT_BYTES = 1024 * 1024;

const report = scenario('ws-fanout', '/ws/metrics fan-out: 1,000 clients, 1 update/s');
const { encodeRemoteWrite } = await import('../packages/server/dist/ingest/remote-write.js');
const server = await startVigil({ env: { DASHBOARD_REFRESH_INTERVAL: '1' } });

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

const clients = [];
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
let recording = false;
const seriesDelays = [];
const snapshotDelays = [];
let seriesBytes = 0;
let snapshotBytes = 0;
const errors = [];

function connect(i) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws/metrics`);
    const client = { ws, snapshotAt: 0, updates: 0, ticks: new Set() };
    ws.on('open', () => {
      const route = routes[i % routes.length];
      ws.send(
        JSON.stringify({
          subscribe: 'series',
          id: 'requests',
          match: `http_request_duration_seconds_count{route="${route}"}`,
        }),
      );
      clients.push(client);
      resolve();
    });
    ws.on('message', (raw) => {
      const at = Date.now();
      // `{"type":"series"` and `{"type":"snapshot"` differ at byte 10.
      if (raw[10] === 0x6e /* n */) {
        client.snapshotAt = at;
        if (recording) snapshotBytes += raw.length;
        return;
      }
      const message = JSON.parse(raw);
      if (message.type !== 'series') {
        errors.push(message.error ?? raw.toString());
        return;
      }
      if (!recording) return;
      const sent = message.time * 1000;
      seriesBytes += raw.length;
      seriesDelays.push(at - sent);
      if (client.snapshotAt >= sent) snapshotDelays.push(client.snapshotAt - sent);
      client.updates++;
      client.ticks.add(message.time);
    });
    ws.on('error', reject);
    ws.on('close', (code) => {
      if (recording) errors.push(`client ${i} closed: ${code}`);
    });
  });
}

let feeder;
let before;
let after;
let connectMs = 0;
let tickMs = [];
let tickCpuMs = [];
try {
  await feed();
  feeder = setInterval(() => void feed().catch((error) => errors.push(String(error))), 1000);
  const t0 = performance.now();
  for (let i = 0; i < CLIENTS; i += CONNECT_BATCH) {
    await Promise.all(Array.from({ length: Math.min(CONNECT_BATCH, CLIENTS - i) }, (_, k) => connect(i + k)));
  }
  connectMs = performance.now() - t0;
  const connected = await server.metric('vigil_ws_clients');
  console.log(
    `${clients.length} clients connected in ${(connectMs / 1000).toFixed(1)} s (server's vigil_ws_clients: ${connected}); ${routes.length} series selectors; warm-up ${WARMUP_S} s, then ${MEASURE_S} s recorded`,
  );
  await sleep(WARMUP_S * 1000);
  before = await server.memory();
  await sleep(1500);
  await server.ticks();
  loopDelay.enable();
  recording = true;
  await sleep(MEASURE_S * 1000);
  recording = false;
  loopDelay.disable();
  ({ ticks: tickMs, tickCpu: tickCpuMs } = await server.tickTimes());
  await sleep(500);
  after = await server.memory();
} finally {
  clearInterval(feeder);
  for (const { ws } of clients) ws.terminate();
  await server.close();
}

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
const perClient = clients.map((c) => c.updates / MEASURE_S);
const ticks = new Set(clients.flatMap((c) => [...c.ticks])).size;
console.log(
  `updates per client per second: median ${median(perClient).toFixed(2)}, min ${Math.min(...perClient).toFixed(2)} (${ticks} ticks seen in ${MEASURE_S} s); per tick ${formatBytes(snapshotBytes / Math.max(ticks, 1) / clients.length)} snapshot + ${formatBytes(seriesBytes / Math.max(seriesDelays.length, 1))} series message per client`,
);
console.log(
  `server tick (one round of updates written to every client, lib/vigil-server-child.js): median ${median(tickMs).toFixed(1)} ms, max ${Math.max(...tickMs).toFixed(1)} ms over ${tickMs.length} ticks; server CPU per tick: median ${median(tickCpuMs).toFixed(1)} ms`,
);
console.log(
  `client process event-loop delay while recording: p50 ${(loopDelay.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms, max ${(loopDelay.max / 1e6).toFixed(1)} ms`,
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
  clients: clients.length,
  seconds: MEASURE_S,
  connect_ms: connectMs,
  series: { n: seriesDelays.length, median: median(seriesDelays), p99 },
  snapshot: { n: snapshotDelays.length, median: median(snapshotDelays), p99: snapshotP99 },
  updates_per_client_per_s: median(perClient),
  tick_ms: { median: median(tickMs), max: Math.max(...tickMs) },
  tick_cpu_ms: { median: median(tickCpuMs) },
  memory: { before, after },
  errors: errors.length,
};
const everyTick = Math.min(...perClient) >= (MEASURE_S - 1) / MEASURE_S;
const passDelay = report.check(
  `p99 delivery delay under ${TARGET_P99_MS} ms, ${CLIENTS} clients at 1 update/s`,
  worst < TARGET_P99_MS && everyTick && clients.length === CLIENTS,
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
