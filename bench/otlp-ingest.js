// Scenario: OTLP/HTTP metrics ingest against vigil's own remote-write ingest, samples/s accepted by
// one `vigil serve` (lib/vigil-server.js) for the same series, fed by this process.
//
// Payload: the realistic scrape of lib/scrape-data.js (1,000 series of a Node.js API), one sample
// per series per request, on CONNECTIONS keep-alive connections at once, each with its own copy of
// the series (label / attribute bench_shard) and timestamps increasing 10 s per request. Remote
// write gets each series as a TimeSeries (bench/lib/remote-write.js's encoder); OTLP gets the same
// series as gauge data points of an ExportMetricsServiceRequest in protobuf (encoded below, one
// metric per metric name, the other labels as attributes, service.name as the resource), so both
// store the same number of samples. The two paths write to different series (bench_path), so
// neither's timestamps get in the other's way. Every body is encoded before any timing.
//
// Runs alternate between the two paths (the first is rotated each round) with a pause after each
// for the store's 1 s flush; one warm-up round, then RUNS rounds; medians. Both paths' own counters
// (vigil_ingest_samples_total{source}) must account for every accepted sample.
import { Agent, request } from 'node:http';
import { median, scenario, table } from './lib/harness.js';
import { encodeWriteRequest, postRemoteWrite } from './lib/remote-write.js';
import { scrapeData } from './lib/scrape-data.js';
import { startVigil } from './lib/vigil-server.js';

const RUNS = Math.max(5, Number(process.env.BENCH_RUNS ?? 5));
const WARMUP = 1;
const CONNECTIONS = 4;
const PER_RUN = Number(process.env.BENCH_OTLP_REQUESTS ?? 100);
const SPACING_MS = 10_000;
const PAUSE_MS = 1500;
/** OTLP samples/s must be at least this fraction of remote write's. */
const TARGET = 1 / 3;

const report = scenario(
  'otlp-ingest',
  'OTLP/HTTP protobuf samples/s against remote write, same series, same vigil',
);

const rounds = WARMUP + RUNS;
const perConnection = rounds * PER_RUN;
const start = Date.now() - perConnection * SPACING_MS - 20 * 60_000;
const data = scrapeData(1);
const SAMPLES_PER_REQUEST = data.series.length;
const paths = {
  'remote write': { url: '/api/v1/write', source: 'remote_write', bodies: [], post: postRemoteWrite },
  'OTLP protobuf': { url: '/v1/metrics', source: 'otlp', bodies: [], post: postOtlp },
};
const encodeStarted = performance.now();
for (let j = 0; j < perConnection; j++) {
  const values = data.scrape(j);
  const t = start + j * SPACING_MS;
  for (let c = 0; c < CONNECTIONS; c++) {
    const series = data.series.map((labels, i) => ({
      labels: { ...labels, bench_shard: String(c), bench_path: 'rw' },
      timestamps: [t],
      values: Float64Array.of(values[i]),
    }));
    paths['remote write'].bodies[c] ??= [];
    paths['remote write'].bodies[c].push(Buffer.from(encodeWriteRequest(series)));
    paths['OTLP protobuf'].bodies[c] ??= [];
    paths['OTLP protobuf'].bodies[c].push(encodeOtlp(data.series, values, t, c));
  }
}
console.log(
  `${CONNECTIONS} connections x ${PER_RUN} requests x ${SAMPLES_PER_REQUEST.toLocaleString('en-US')} series per run; bodies encoded in ${((performance.now() - encodeStarted) / 1000).toFixed(1)} s before timing; average body: remote write ${avgBytes('remote write')} B (snappy literals), OTLP ${avgBytes('OTLP protobuf')} B (uncompressed)`,
);

const vigil = await startVigil();
const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
const names = Object.keys(paths);
for (const name of names) paths[name].runs = [];
try {
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + round) % names.length];
      const result = await runOnce(paths[name], round);
      if (round >= WARMUP) paths[name].runs.push(result);
    }
  }
  for (const name of names)
    paths[name].stored = await vigil.metric('vigil_ingest_samples_total', { source: paths[name].source });
} finally {
  agent.destroy();
  await vigil.close();
}

const rows = names.map((name) => {
  const p = paths[name];
  const rates = p.runs.map((r) => r.samplesPerSecond);
  p.median = median(rates);
  const accepted =
    p.runs.reduce((a, r) => a + r.accepted, 0) + WARMUP * CONNECTIONS * PER_RUN * SAMPLES_PER_REQUEST;
  return [
    name,
    Math.round(p.median).toLocaleString('en-US'),
    `${Math.round(Math.min(...rates)).toLocaleString('en-US')}–${Math.round(Math.max(...rates)).toLocaleString('en-US')}`,
    `${median(p.runs.map((r) => r.requestMs)).toFixed(1)} ms`,
    String(p.runs.reduce((a, r) => a + r.errors, 0)),
    `${p.stored.toLocaleString('en-US')} (accepted ${accepted.toLocaleString('en-US')} incl. warm-up)`,
  ];
});
console.log(
  table(
    ['path', 'median samples/s', 'min–max', 'median request', 'errors', 'stored (own counter)'],
    rows,
    'lrrrrl',
  ),
);
const ratio = paths['OTLP protobuf'].median / paths['remote write'].median;
console.log(`OTLP/remote-write samples/s: ${ratio.toFixed(3)}`);
report.data = {
  connections: CONNECTIONS,
  per_run: PER_RUN,
  samples_per_request: SAMPLES_PER_REQUEST,
  paths: names.map((name) => ({
    name,
    median: paths[name].median,
    stored: paths[name].stored,
    runs: paths[name].runs,
  })),
};
const pass = report.check(
  'OTLP ingest at least 1/3 of remote write (samples/s, same series)',
  ratio >= TARGET,
  `OTLP ${Math.round(paths['OTLP protobuf'].median).toLocaleString('en-US')} vs remote write ${Math.round(paths['remote write'].median).toLocaleString('en-US')} samples/s = ${ratio.toFixed(3)} (needs >= ${TARGET.toFixed(3)})`,
);
report.row('OTLP/HTTP protobuf samples/s, 1k-series requests, 4 connections', {
  vigil: Math.round(paths['OTLP protobuf'].median).toLocaleString('en-US'),
  prom: `vigil remote write ${Math.round(paths['remote write'].median).toLocaleString('en-US')}`,
  target: '>= 1/3 of remote write',
  result: `${pass ? 'PASS' : 'MISS'} (${ratio.toFixed(2)})`,
});
report.emit();

async function runOnce(p, round) {
  let accepted = 0;
  let errors = 0;
  let lastError = '';
  const t0 = performance.now();
  await Promise.all(
    p.bodies.map(async (list) => {
      for (let j = round * PER_RUN; j < (round + 1) * PER_RUN; j++) {
        const { status, text } = await p.post(agent, `${vigil.url}${p.url}`, list[j]);
        if (status >= 200 && status < 300) accepted += SAMPLES_PER_REQUEST;
        else {
          errors++;
          lastError = `${status} ${text.slice(0, 200)}`;
        }
      }
    }),
  );
  const ms = performance.now() - t0;
  await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
  if (errors > 0) console.log(`  ${p.url}: ${errors} requests refused, last: ${lastError}`);
  return { accepted, errors, ms, samplesPerSecond: (accepted / ms) * 1000, requestMs: ms / PER_RUN };
}

function postOtlp(agentArg, url, body) {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent: agentArg,
        headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length },
      },
      (res) => {
        let text = '';
        res.setEncoding('latin1');
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function avgBytes(name) {
  const all = paths[name].bodies.flat();
  return Math.round(all.reduce((a, b) => a + b.length, 0) / all.length).toLocaleString('en-US');
}

/**
 * ExportMetricsServiceRequest { resource_metrics = 1: ResourceMetrics { resource = 1: Resource {
 * attributes = 1 }, scope_metrics = 2: ScopeMetrics { metrics = 2: Metric { name = 1, gauge = 5:
 * Gauge { data_points = 1: NumberDataPoint { attributes = 7, time_unix_nano = 3 (fixed64),
 * as_double = 4 } } } } } }.
 */
function encodeOtlp(series, values, timeMs, shard) {
  const byName = new Map();
  series.forEach((labels, i) => {
    const { __name__: name, ...rest } = labels;
    if (!byName.has(name)) byName.set(name, []);
    byName
      .get(name)
      .push({ attributes: { ...rest, bench_shard: String(shard), bench_path: 'otlp' }, value: values[i] });
  });
  const metrics = [];
  for (const [name, points] of byName) {
    const dataPoints = points.map((p) =>
      message([
        ...Object.entries(p.attributes).map(([k, v]) => len(7, keyValue(k, v))),
        fixed64(3, BigInt(timeMs) * 1_000_000n),
        double(4, p.value),
      ]),
    );
    metrics.push(
      len(2, message([len(1, Buffer.from(name)), len(5, message(dataPoints.map((d) => len(1, d))))])),
    );
  }
  const resource = message([len(1, keyValue('service.name', 'bench'))]);
  const scope = message(metrics);
  return message([len(1, message([len(1, resource), len(2, scope)]))]);
}

function keyValue(key, value) {
  return message([len(1, Buffer.from(key)), len(2, message([len(1, Buffer.from(value))]))]);
}

function message(parts) {
  return Buffer.concat(parts);
}

function varint(n) {
  const out = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}

function len(field, bytes) {
  return Buffer.concat([varint((field << 3) | 2), varint(bytes.length), bytes]);
}

function fixed64(field, n) {
  const b = Buffer.alloc(9);
  b[0] = (field << 3) | 1;
  b.writeBigUInt64LE(n, 1);
  return b;
}

function double(field, v) {
  const b = Buffer.alloc(9);
  b[0] = (field << 3) | 1;
  b.writeDoubleLE(v, 1);
  return b;
}
