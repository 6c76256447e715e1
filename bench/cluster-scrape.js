// Scenario: a cluster scrape of 4 forked workers (node:cluster) holding the same 10,000 counter
// series each — vigil `toPrometheusText(await clusterRegistry.snapshot())` against prom-client's
// `AggregatorRegistry.clusterMetrics()` on the same workers, and against one worker's own
// exposition (`toPrometheusText(await registry.snapshot())` of the same 10,000 series, in-process).
// This file is both the primary and, forked, the workers.
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import client from 'prom-client';
import { vigil } from './lib/subjects.js';

const WORKERS = 4;
const SERIES = 10_000;
const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
const labelsOf = (i) => ({ method: METHODS[i & 3], route: `/api/v1/items/${i >> 2}` });
const help = { name: 'http_requests_total', help: 'Requests.', labelNames: ['method', 'route'] };

/** The @vigil/metrics/cluster entry, built. */
function loadCluster() {
  return import('../packages/metrics/dist/cluster.js');
}

function vigilRegistry() {
  const registry = new vigil.Registry({ maxSeriesPerMetric: SERIES + 1 });
  const counter = registry.counter(help);
  for (let i = 0; i < SERIES; i++) counter.inc(labelsOf(i), (i % 1000) + 1);
  return registry;
}

const { ClusterRegistry, ClusterWorker } = await loadCluster();

if (cluster.isWorker) {
  new ClusterWorker({ registry: vigilRegistry() });
  // prom-client's workers answer from its global registry.
  const counter = new client.Counter(help);
  for (let i = 0; i < SERIES; i++) counter.inc(labelsOf(i), (i % 1000) + 1);
  new client.AggregatorRegistry();
} else {
  const { formatSpeedup, formatTime, gc, loop, measure, scenario, verdict } = await import(
    './lib/harness.js'
  );
  const report = scenario('cluster-scrape', `cluster scrape, ${WORKERS} workers × 10,000 counter series`);
  console.log(
    `series: counter{method, route}, 4 methods × 2,500 routes, the same in every worker (merged: ${SERIES.toLocaleString('en-US')} series); workers forked with node:cluster (default JSON IPC)`,
  );
  const merged = new ClusterRegistry({ cluster, deadlineMs: 10_000 });
  const aggregator = new client.AggregatorRegistry();
  for (let i = 0; i < WORKERS; i++) cluster.fork();
  const started = Date.now();
  while (merged.workers().filter((w) => w.state === 'ok').length < WORKERS) {
    if (Date.now() - started > 60_000) throw new Error('workers did not say hello within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const one = vigilRegistry();
  const { toPrometheusText } = vigil;

  const vigilText = toPrometheusText(await merged.snapshot());
  const promText = await aggregator.clusterMetrics();
  const samples = (text) => text.split('\n').filter((l) => l.startsWith('http_requests_total'));
  const total = (lines) => lines.reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  const [v, p] = [samples(vigilText), samples(promText)];
  const expected = WORKERS * total(samples(toPrometheusText(await one.snapshot())));
  console.log(
    `merged: vigil ${v.length.toLocaleString('en-US')} series, total ${total(v)}; prom-client ${p.length.toLocaleString('en-US')} series, total ${total(p)}; expected ${expected}`,
  );
  if (v.length !== SERIES || total(v) !== expected || total(p) !== expected) {
    throw new Error('the merged expositions do not hold the expected series and totals');
  }

  const ONE = 'vigil one worker';
  const CLUSTER = `vigil cluster ${WORKERS}×10k`;
  const results = await measure(
    [
      loop(ONE, { r: one, f: toPrometheusText }, 'sink += f(await r.snapshot()).length;', {
        async: true,
        note: 'one registry of the same 10,000 series: snapshot + toPrometheusText',
      }),
      loop(CLUSTER, { c: merged, f: toPrometheusText }, 'sink += f(await c.snapshot()).length;', {
        async: true,
        vs: ONE,
        note: 'ClusterRegistry.snapshot() + toPrometheusText',
      }),
      loop(
        `prom-client cluster ${WORKERS}×10k`,
        { a: aggregator },
        'sink += (await a.clusterMetrics()).length;',
        {
          async: true,
          vs: CLUSTER,
          note: 'AggregatorRegistry.clusterMetrics()',
        },
      ),
    ],
    { runMs: 300, warmup: 3 },
  );
  report.printTimes(results, { unit: 'ns/call' });
  const [single, vigilCluster, promCluster] = results.map((r) => r.median);
  const ratio = vigilCluster / single;
  console.log(
    `vigil cluster scrape ${formatTime(vigilCluster)} = ${ratio.toFixed(2)}× one worker's exposition (${formatTime(single)}); prom-client AggregatorRegistry ${formatTime(promCluster)}: vigil ${formatSpeedup(promCluster / vigilCluster)} faster`,
  );
  // The wall time above includes the workers' own snapshots, which queue for the CPU when five
  // processes share the machine's cores; the primary's own share is its CPU time per scrape.
  // The workers' CPU from /proc (Linux; NaN elsewhere), in clock ticks of 10 ms: over 200 scrapes
  // that is a resolution of 0.05 ms a scrape.
  const workerPids = Object.values(cluster.workers ?? {}).map((w) => w.process.pid);
  const workerTicks = () => {
    try {
      return workerPids.reduce((sum, pid) => {
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
        return sum + Number(fields[11]) + Number(fields[12]);
      }, 0);
    } catch {
      return Number.NaN;
    }
  };
  const cpu = async (call, n) => {
    gc();
    const before = process.cpuUsage();
    const ticks = workerTicks();
    const started = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await call();
    const wall = Number(process.hrtime.bigint() - started) / n;
    const used = process.cpuUsage(before);
    return {
      primary: ((used.user + used.system) * 1000) / n,
      workers: ((workerTicks() - ticks) * 1e7) / n,
      wall,
    };
  };
  const cpuOne = (await cpu(async () => toPrometheusText(await one.snapshot()), 200)).primary;
  const vigilCpu = await cpu(async () => toPrometheusText(await merged.snapshot()), 200);
  const cpuVigil = vigilCpu.primary;
  const cpuProm = (await cpu(() => aggregator.clusterMetrics(), 20)).primary;
  const cpuAll = cpuVigil + vigilCpu.workers;
  console.log(
    `primary CPU per scrape: vigil ${formatTime(cpuVigil)} (${(cpuVigil / cpuOne).toFixed(2)}× one worker's exposition, ${formatTime(cpuOne)} CPU), prom-client ${formatTime(cpuProm)} (vigil ${formatSpeedup(cpuProm / cpuVigil)} less)`,
  );
  console.log(
    `vigil's workers' CPU per scrape: ${formatTime(vigilCpu.workers)} (${formatTime(vigilCpu.workers / WORKERS)} each: snapshot, encode, send); with the primary's ${formatTime(cpuAll)} = ${(cpuAll / cpuOne).toFixed(2)}× one worker's exposition, against ${formatTime(vigilCpu.wall)} of wall time a scrape over the same scrapes (${(vigilCpu.wall / cpuAll).toFixed(1)}× the CPU; load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores): the rest is the five processes waiting for a core`,
  );
  const okOne = report.check(
    `cluster scrape ${WORKERS}×10k merged in < 3× one worker's exposition`,
    ratio < 3,
    `${ratio.toFixed(2)}× (cluster ${formatTime(vigilCluster)}, one worker ${formatTime(single)})`,
  );
  const okProm = report.check(
    `cluster scrape ${WORKERS}×10k faster than prom-client AggregatorRegistry`,
    promCluster > vigilCluster,
    `${formatSpeedup(promCluster / vigilCluster)} (vigil ${formatTime(vigilCluster)}, prom-client ${formatTime(promCluster)})`,
  );
  report.row(`cluster scrape, ${WORKERS} workers × 10,000 counter series (per call)`, {
    vigil: `${formatTime(vigilCluster)} (${ratio.toFixed(2)}× one worker; CPU ${(cpuAll / cpuOne).toFixed(2)}×, primary ${(cpuVigil / cpuOne).toFixed(2)}×)`,
    prom: `${formatTime(promCluster)} (${formatSpeedup(promCluster / vigilCluster)})`,
    otel: 'n/a',
    target: '< 3× one worker; faster than prom',
    result: verdict(okOne, okProm),
  });
  report.data = {
    single,
    cluster: vigilCluster,
    prom: promCluster,
    ratio,
    cpu: { cpuOne, cpuVigil, cpuProm, cpuWorkers: vigilCpu.workers, wallPerScrape: vigilCpu.wall },
    results,
  };
  merged.close();
  for (const worker of Object.values(cluster.workers ?? {})) worker?.kill();
  report.emit();
}
