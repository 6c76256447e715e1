/**
 * What the PromQL query scenarios share: `vigil serve` (lib/vigil-server.js, a child process) and
 * Prometheus 2.42 started side by side, the same samples remote-written into both in time order
 * (requests of at most 30 minutes of data, since Prometheus refuses samples older than its newest
 * minus one hour), then one query timed end to end over HTTP (keep-alive, the full body read),
 * the two servers alternated, medians of several runs, and their answers compared.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatSpeedup, median, table } from './harness.js';
import { prometheusInstalled, startPrometheus, threadsCpuMs } from './processes.js';
import { postRemoteWrite } from './remote-write.js';
import { startVigil } from './vigil-server.js';

const { encodeRemoteWrite } = await import('../../packages/server/dist/ingest/remote-write.js');

export const RUNS = Math.max(5, Number(process.env.BENCH_RUNS ?? 7));
/**
 * V8 optimizes the query path over the first runs: with 2 warm-up rounds vigil's first three
 * measured rounds of query-rate-sum took 42-63 ms of CPU against 21-29 after (query-long-range:
 * 20-23 against 11-14), whether or not its store had been flushed first.
 */
const WARMUP = 5;
const WINDOW_MS = 30 * 60_000;

/**
 * Starts both servers. `vigilEnv`: environment for `vigil serve` (a longer retention for old data).
 * Prometheus keeps 60 days, so a 30-day scenario is not cut by its 15-day default.
 */
export async function startServers({ vigilEnv = {}, vigilOverrides = {}, prometheusArgs = [] } = {}) {
  if (!prometheusInstalled()) {
    console.error('prometheus is not installed: run scripts/install-peers.sh');
    process.exit(2);
  }
  const work = mkdtempSync(join(tmpdir(), 'vigil-bench-query-'));
  const vigil = await startVigil({ env: vigilEnv, overrides: vigilOverrides });
  const prometheus = await startPrometheus({
    dir: work,
    extraArgs: ['--storage.tsdb.retention.time=60d', ...prometheusArgs],
  });
  const promUrl = prometheus.url;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const servers = [
    { name: 'vigil', url: vigil.url, pid: vigil.pid },
    { name: 'Prometheus 2.42', url: promUrl, pid: prometheus.pid },
  ];
  return {
    servers,
    prometheusLog: () => prometheus.log(),
    /** Where Prometheus keeps its TSDB (its blocks, once compacted). */
    prometheusData: join(work, 'prometheus'),
    /**
     * Remote-writes `series` into both, in time windows: {labels, timestamps, values} for floats,
     * {labels, timestamps, histograms} for native histograms.
     */
    async load(series) {
      const started = performance.now();
      let first = Infinity;
      let last = -Infinity;
      for (const s of series) {
        first = Math.min(first, s.timestamps[0]);
        last = Math.max(last, s.timestamps[s.timestamps.length - 1]);
      }
      const cursors = series.map(() => 0);
      let samples = 0;
      for (let from = first; from <= last; from += WINDOW_MS) {
        const batch = [];
        series.forEach((s, k) => {
          let i = cursors[k];
          const start = i;
          while (i < s.timestamps.length && s.timestamps[i] < from + WINDOW_MS) i++;
          cursors[k] = i;
          if (i > start)
            batch.push({
              labels: s.labels,
              timestamps: s.timestamps.subarray(start, i),
              ...(s.histograms
                ? { histograms: s.histograms.slice(start, i) }
                : { values: s.values.subarray(start, i) }),
            });
        });
        // Bodies of at most ~50,000 samples (500 histograms of up to ~700 buckets), within vigil's 10 MiB request limit.
        for (const part of split(batch, 50_000, 500)) {
          samples += part.reduce((a, s) => a + s.timestamps.length, 0);
          const body = Buffer.from(
            encodeRemoteWrite(
              part.filter((s) => !s.histograms),
              part.filter((s) => s.histograms),
            ),
          );
          for (const server of servers) {
            const { status, text } = await postRemoteWrite(agent, `${server.url}/api/v1/write`, body).catch(
              (error) => {
                // A kept-alive socket the server closed after its idle timeout (5 s) while the other
                // server took its turn: sent again on a new one.
                if (error.code !== 'ECONNRESET') throw error;
                return postRemoteWrite(agent, `${server.url}/api/v1/write`, body);
              },
            );
            if (status !== 204 && status !== 200)
              throw new Error(`${server.name} refused a remote write: ${status} ${text.slice(0, 300)}`);
          }
        }
      }
      // Both are queried at rest: Prometheus has what it acknowledged in its head and WAL, vigil's
      // store writes it after acknowledging, in paced transactions that could otherwise share the
      // first measured rounds (they were not what made those rounds slower: see WARMUP).
      await vigil.flush();
      console.log(
        `loaded ${samples.toLocaleString('en-US')} samples of ${series.length.toLocaleString('en-US')} series into both in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    },
    async close() {
      agent.destroy();
      await vigil.close();
      await prometheus.stop();
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/** A histogram weighs `maxSamples / maxHistograms` float samples. */
function split(batch, maxSamples, maxHistograms) {
  const parts = [];
  let part = [];
  let n = 0;
  for (const s of batch) {
    const weight = s.histograms ? s.timestamps.length * (maxSamples / maxHistograms) : s.timestamps.length;
    if (n + weight > maxSamples && part.length > 0) {
      parts.push(part);
      part = [];
      n = 0;
    }
    part.push(s);
    n += weight;
  }
  if (part.length > 0) parts.push(part);
  return parts;
}

function get(agent, url) {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Times `GET /api/v1/query_range` with `params` on every server: `warmup` rounds (WARMUP unless
 * given), then `runs` rounds (RUNS unless given),
 * the servers alternated (the first rotated each round). Prints a table and the ratio, checks that
 * both answered the same series with the same values (within `tolerance` relative, 1e-9 unless given), and returns
 * `{ vigil, prometheus, ratio, same }` (medians in ms).
 */
export async function timeQuery(servers, params, { runs = RUNS, warmup = WARMUP, tolerance = 1e-9 } = {}) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const query = new URLSearchParams(params).toString();
  const times = servers.map(() => []);
  const cpu = servers.map(() => []);
  const bodies = [];
  try {
    for (let round = 0; round < warmup + runs; round++) {
      for (let k = 0; k < servers.length; k++) {
        const index = (k + round) % servers.length;
        const cpu0 = threadsCpuMs(servers[index].pid);
        const t0 = performance.now();
        const { status, text } = await get(agent, `${servers[index].url}/api/v1/query_range?${query}`);
        const ms = performance.now() - t0;
        const cpuMs = threadsCpuMs(servers[index].pid) - cpu0;
        if (status !== 200) throw new Error(`${servers[index].name}: ${status} ${text.slice(0, 300)}`);
        if (round >= warmup) {
          times[index].push(ms);
          cpu[index].push(cpuMs);
        }
        bodies[index] = text;
      }
    }
  } finally {
    agent.destroy();
  }
  const [v, p] = times.map(median);
  const answers = bodies.map((b) => JSON.parse(b).data.result);
  const same = sameMatrix(answers[0], answers[1], tolerance);
  const points = answers[1].reduce((a, s) => a + s.values.length, 0);
  console.log(
    table(
      ['server', 'median ms', 'min–max ms', 'CPU ms', 'series', 'points', 'bytes'],
      servers.map((s, i) => [
        s.name,
        median(times[i]).toFixed(1),
        `${Math.min(...times[i]).toFixed(1)}–${Math.max(...times[i]).toFixed(1)}`,
        median(cpu[i]).toFixed(1),
        String(answers[i].length),
        String(answers[i].reduce((a, x) => a + x.values.length, 0)),
        String(bodies[i].length),
      ]),
      'lrrrrrr',
    ),
  );
  const ratio = v / p;
  const cpuRatio = median(cpu[0]) / median(cpu[1]);
  console.log(
    `${runs} runs each after ${warmup} warm-up round${warmup === 1 ? '' : 's'}, servers alternated; vigil/Prometheus median latency ${ratio.toFixed(3)} (${formatSpeedup(1 / ratio)}), server CPU per query ${cpuRatio.toFixed(3)}; answers ${same === true ? 'agree' : `DIFFER: ${same}`}; ${points} points`,
  );
  return { vigil: v, prometheus: p, ratio, cpuRatio, same: same === true, runs: times, cpu };
}

function num(text) {
  return text === '+Inf' ? Infinity : text === '-Inf' ? -Infinity : Number(text);
}

/**
 * True, or what differs: every differing point is counted, and the first of each series named, since
 * a difference at one step and one at every step have different causes.
 */
function sameMatrix(a, b, tolerance) {
  const key = (m) => JSON.stringify(Object.entries(m).sort());
  const mine = new Map(a.map((s) => [key(s.metric), s.values]));
  if (a.length !== b.length) return `${a.length} series vs ${b.length}`;
  const differences = [];
  let points = 0;
  let differing = 0;
  for (const s of b) {
    const values = mine.get(key(s.metric));
    if (!values) return `missing ${key(s.metric)}`;
    if (values.length !== s.values.length)
      return `${key(s.metric)}: ${values.length} points vs ${s.values.length}`;
    let here = 0;
    let first;
    for (let i = 0; i < values.length; i++) {
      const [t1, v1] = values[i];
      const [t2, v2] = s.values[i];
      const x = num(v1);
      const y = num(v2);
      const close =
        (Number.isNaN(x) && Number.isNaN(y)) ||
        x === y ||
        Math.abs(x - y) <= tolerance * Math.max(Math.abs(x), Math.abs(y));
      if (t1 !== t2 || !close) {
        here++;
        first ??= `at ${t2}: ${v1} vs ${v2}`;
      }
    }
    points += values.length;
    differing += here;
    if (here > 0) differences.push(`${key(s.metric)} at ${here} of ${values.length} steps, first ${first}`);
  }
  if (differing === 0) return true;
  return `${differing} of ${points} points (vigil vs Prometheus): ${differences.slice(0, 5).join('; ')}${differences.length > 5 ? `; and ${differences.length - 5} more series` : ''}`;
}

/**
 * One query scenario: start both servers, load `series`, time `params` (a query_range), print,
 * check the target (vigil's median at most `target` × Prometheus's) and emit the RESULT line.
 */
export async function queryScenario(report, { series, params, label, vigilEnv, target = 1 }) {
  const { servers, load, close } = await startServers({ vigilEnv });
  let result;
  try {
    await load(series);
    console.log(`query_range ${JSON.stringify(params)}`);
    result = await timeQuery(servers, params);
  } finally {
    await close();
  }
  report.data = { params, ...result };
  const pass = report.check(
    `${label}: vigil's median end-to-end latency at most ${target}x Prometheus 2.42's, same answer`,
    result.ratio <= target && result.same,
    `vigil ${result.vigil.toFixed(1)} ms vs Prometheus ${result.prometheus.toFixed(1)} ms = ${result.ratio.toFixed(2)}x; answers ${result.same ? 'agree' : 'differ'}`,
  );
  report.row(label, {
    vigil: `${result.vigil.toFixed(1)} ms`,
    prom: `Prometheus 2.42 ${result.prometheus.toFixed(1)} ms`,
    target: `<= ${target}x Prometheus`,
    result: `${pass ? 'PASS' : 'MISS'} (${result.ratio.toFixed(2)})`,
  });
  report.emit();
}

/** Unix ms on a whole minute, `minutesAgo` before now: old enough that nothing is in the future. */
export function minuteAgo(minutesAgo) {
  return Math.floor(Date.now() / 60_000) * 60_000 - minutesAgo * 60_000;
}
