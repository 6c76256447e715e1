// Scenario: Prometheus remote-write ingest, samples/s accepted over HTTP, vigil (`vigil serve` in a
// child process, lib/vigil-server.js) against Prometheus 2.42's receiver
// (`--web.enable-remote-write-receiver`), both running during the whole scenario, fed the same
// request bodies by this process.
//
// Payload: the realistic scrape of lib/scrape-data.js (1,000 series of a Node.js API: histogram
// buckets, runtime counters and gauges), one sample per series per request, encoded with the
// server's own encodeRemoteWrite (protobuf + snappy, about 16 KB a request), as a Prometheus
// remote-write shard sends it. CONNECTIONS keep-alive connections post at once, each with its own
// 1,000 series (label bench_shard) and timestamps increasing 10 s per request, so that each series
// arrives in order as Prometheus's sharding guarantees. Every body is encoded before any timing.
//
// One run posts PER_RUN requests on each connection; a run counts only 2xx answers. Runs alternate
// between the two servers (the first is rotated each round), with a pause after each so that the
// background work it leaves (vigil's 1 s store flush, Prometheus's WAL) does not land in the other's
// run; one warm-up round, then RUNS rounds; medians. The CPU time each server used in its runs
// (/proc/PID/stat), from the start of its run to the end of the pause after it, so that work left
// for later counts, is printed too: Prometheus spreads over both cores, vigil runs on one thread.
// At the end both servers' own counters must account for every accepted sample.
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatSpeedup, median, scenario, table } from './lib/harness.js';
import { cpuMs, metricValue, prometheusInstalled, startPrometheus } from './lib/processes.js';
import { postRemoteWrite } from './lib/remote-write.js';
import { scrapeData } from './lib/scrape-data.js';
import { startVigil } from './lib/vigil-server.js';

const RUNS = Math.max(5, Number(process.env.BENCH_RUNS ?? 5));
const WARMUP = 1;
const CONNECTIONS = 4;
const PER_RUN = Number(process.env.BENCH_RW_REQUESTS ?? 150);
const SPACING_MS = 10_000;
const PAUSE_MS = 1500;
/** vigil's samples/s must be at least this fraction of Prometheus's ("within 3x"). */
const TARGET = 1 / 3;

const report = scenario('remote-write-ingest', 'remote-write samples/s accepted, vigil vs Prometheus 2.42');
const { encodeRemoteWrite } = await import('../packages/server/dist/ingest/remote-write.js');

const rounds = WARMUP + RUNS;
const perConnection = rounds * PER_RUN;
// Old enough that the last request is still 20 minutes in the past: a future sample would poison
// Prometheus's head (shared/peers README, gotcha 3).
const start = Date.now() - perConnection * SPACING_MS - 20 * 60_000;
const encodeStarted = performance.now();
const data = scrapeData(1);
const bodies = Array.from({ length: CONNECTIONS }, () => []);
const shards = Array.from({ length: CONNECTIONS }, (_, c) =>
  data.series.map((labels) => ({
    labels: { ...labels, bench_shard: String(c) },
    timestamps: [0],
    values: new Float64Array(1),
  })),
);
let bytes = 0;
for (let j = 0; j < perConnection; j++) {
  const values = data.scrape(j);
  for (let c = 0; c < CONNECTIONS; c++) {
    const series = shards[c];
    for (let i = 0; i < series.length; i++) {
      series[i].timestamps[0] = start + j * SPACING_MS;
      series[i].values[0] = values[i];
    }
    const body = Buffer.from(encodeRemoteWrite(series));
    bytes += body.length;
    bodies[c].push(body);
  }
}
const SAMPLES_PER_REQUEST = data.series.length;
console.log(
  `${CONNECTIONS} connections x ${PER_RUN} requests x ${SAMPLES_PER_REQUEST.toLocaleString('en-US')} series (1 sample each) per run; ${rounds * CONNECTIONS * PER_RUN} bodies, ${Math.round(bytes / (rounds * CONNECTIONS * PER_RUN)).toLocaleString('en-US')} B each on average, encoded in ${((performance.now() - encodeStarted) / 1000).toFixed(1)} s before timing`,
);

const targets = [];
const work = mkdtempSync(join(tmpdir(), 'vigil-bench-rw-'));
try {
  const vigil = await startVigil();
  targets.push({
    name: 'vigil',
    url: `${vigil.url}/api/v1/write`,
    pid: vigil.pid,
    stored: () => vigil.metric('vigil_ingest_samples_total', { source: 'remote_write' }),
    close: () => vigil.close(),
  });
  const prometheus = await startPrometheusTarget(work);
  if (prometheus.error) console.log(`Prometheus: ${prometheus.error}`);
  else targets.push(prometheus);

  for (const t of targets) {
    t.agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
    t.runs = [];
  }
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < targets.length; k++) {
      const t = targets[(k + round) % targets.length];
      const result = await runOnce(t, round);
      if (round >= WARMUP) t.runs.push(result);
    }
  }
  for (const t of targets) t.storedTotal = await t.stored();
} finally {
  for (const t of targets) {
    t.agent?.destroy();
    await t.close();
  }
  rmSync(work, { recursive: true, force: true });
}

const rows = targets.map((t) => {
  const rates = t.runs.map((r) => r.samplesPerSecond);
  const cpu = t.runs.map((r) => r.cpuMsPerMillion);
  const accepted = t.runs.reduce((a, r) => a + r.accepted, 0);
  const errors = t.runs.reduce((a, r) => a + r.errors, 0);
  t.median = median(rates);
  t.cpuMedian = median(cpu);
  t.latency = median(t.runs.map((r) => r.requestMs));
  return [
    t.name,
    Math.round(t.median).toLocaleString('en-US'),
    `${Math.round(Math.min(...rates)).toLocaleString('en-US')}–${Math.round(Math.max(...rates)).toLocaleString('en-US')}`,
    `${t.latency.toFixed(1)} ms`,
    `${Math.round(t.cpuMedian)} ms`,
    String(errors),
    `${t.storedTotal.toLocaleString('en-US')} (accepted ${(accepted + WARMUP * CONNECTIONS * PER_RUN * SAMPLES_PER_REQUEST).toLocaleString('en-US')} incl. warm-up)`,
  ];
});
console.log(
  table(
    [
      'server',
      'median samples/s',
      'min–max',
      'median request',
      'CPU per 1M samples (incl. pause)',
      'errors',
      'stored (own counter)',
    ],
    rows,
    'lrrrrrl',
  ),
);
console.log(
  `${RUNS} runs each after ${WARMUP} warm-up round, servers alternated, ${PAUSE_MS} ms pause after each run; request time = wall time per request on one connection (${CONNECTIONS} in flight).`,
);

const [v, p] = targets;
const ratio = p ? v.median / p.median : Number.NaN;
if (p)
  console.log(
    `vigil/Prometheus samples/s: ${ratio.toFixed(3)} (${formatSpeedup(ratio)}); CPU per sample vigil/Prometheus: ${(v.cpuMedian / p.cpuMedian).toFixed(2)}`,
  );
report.data = {
  connections: CONNECTIONS,
  per_run: PER_RUN,
  samples_per_request: SAMPLES_PER_REQUEST,
  servers: targets.map(({ name, runs, median: m, cpuMedian, storedTotal }) => ({
    name,
    median: m,
    cpuMedian,
    storedTotal,
    runs,
  })),
};
const pass = report.check(
  'remote-write ingest within 3x of Prometheus 2.42 (samples/s)',
  ratio >= TARGET,
  p
    ? `vigil ${Math.round(v.median).toLocaleString('en-US')} vs Prometheus ${Math.round(p.median).toLocaleString('en-US')} samples/s = ${ratio.toFixed(3)} (needs >= ${TARGET.toFixed(3)})`
    : 'Prometheus not measured',
);
report.row('remote-write samples/s, 1k-series requests, 4 connections', {
  vigil: Math.round(v.median).toLocaleString('en-US'),
  prom: p ? `Prometheus 2.42 ${Math.round(p.median).toLocaleString('en-US')}` : 'n/a',
  target: '>= 1/3 of Prometheus',
  result: `${pass ? 'PASS' : 'MISS'} (${Number.isFinite(ratio) ? ratio.toFixed(2) : 'n/a'})`,
});
report.emit();

async function runOnce(t, round) {
  const cpu0 = cpuMs(t.pid);
  let accepted = 0;
  let errors = 0;
  let lastError = '';
  const t0 = performance.now();
  await Promise.all(
    bodies.map(async (list) => {
      for (let j = round * PER_RUN; j < (round + 1) * PER_RUN; j++) {
        const { status, text } = await postRemoteWrite(t.agent, t.url, list[j]);
        if (status >= 200 && status < 300) accepted += SAMPLES_PER_REQUEST;
        else {
          errors++;
          lastError = `${status} ${text.slice(0, 200)}`;
        }
      }
    }),
  );
  const ms = performance.now() - t0;
  // The pause is inside the CPU figure: the work a server leaves for after its answers counts.
  await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
  const cpu = cpuMs(t.pid) - cpu0;
  if (errors > 0) console.log(`  ${t.name}: ${errors} requests refused, last: ${lastError}`);
  return {
    accepted,
    errors,
    ms,
    samplesPerSecond: (accepted / ms) * 1000,
    requestMs: ms / PER_RUN,
    cpuMsPerMillion: (cpu / Math.max(accepted, 1)) * 1e6,
  };
}

async function startPrometheusTarget(dir) {
  if (!prometheusInstalled()) {
    return { error: 'not installed (scripts/install-peers.sh installs it)' };
  }
  let prometheus;
  try {
    prometheus = await startPrometheus({ dir });
  } catch (error) {
    return { error: error.message };
  }
  const base = prometheus.url;
  return {
    name: 'Prometheus 2.42',
    url: `${base}/api/v1/write`,
    pid: prometheus.pid,
    stored: async () =>
      metricValue(
        await (await fetch(`${base}/metrics`)).text(),
        'prometheus_tsdb_head_samples_appended_total',
      ),
    close: () => prometheus.stop(),
  };
}
