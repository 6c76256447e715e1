/**
 * Bytes per sample of Prometheus 2.42 and VictoriaMetrics for the same samples as the store gets,
 * sent to them by remote write (bench/lib/remote-write.js), in time order, 40 scrapes per request.
 * Each peer runs on a free 127.0.0.1 port with its data in a temporary directory and is stopped by
 * its PID. A peer that is not installed is reported as such (scripts/install-peers.sh installs it).
 *
 * - Prometheus: the head is compacted into 2 h blocks as soon as it spans more than 3 h; the figure
 *   is the size of those blocks (chunks, index, meta) over the samples they hold (meta.json), the
 *   compressed form Prometheus keeps for good; its WAL and head chunks are left out.
 * - VictoriaMetrics: after /internal/force_flush and a forced merge, vm_data_size_bytes (data parts
 *   and the index) over vm_rows of the data parts.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeTcpPort, stopProcess, until } from './processes.js';
import { writeSeries } from './remote-write.js';
import { SCRAPE_INTERVAL_MS } from './scrape-data.js';

const PER_REQUEST = 40;

/** `makeData()` returns a fresh scrapeData(seed), so every peer sees the same samples from scrape 0. */
export async function measurePeers(makeData, start, scrapes) {
  const results = [];
  for (const peer of [prometheus, victoriaMetrics]) {
    if (!onPath(peer.binary)) {
      results.push({ name: peer.name, error: `${peer.binary} not installed (scripts/install-peers.sh)` });
      continue;
    }
    const dir = mkdtempSync(join(tmpdir(), `vigil-peer-${peer.binary}-`));
    const port = await freeTcpPort();
    const proc = spawn(peer.binary, peer.args(dir, port), { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    proc.stderr.on('data', (d) => {
      log = (log + d).slice(-4000);
    });
    try {
      const base = `http://127.0.0.1:${port}`;
      await pollUntil(`${peer.name} ready`, 30_000, async () => (await fetch(base + peer.ready)).ok);
      const sent = await send(`${base}/api/v1/write`, makeData(), start, scrapes);
      const measured = await peer.measure(base, dir);
      results.push({ name: peer.name, sent, ...measured });
    } catch (error) {
      results.push({ name: peer.name, error: `${error.message}; log: ${log.slice(-300)}` });
    } finally {
      await stopProcess(proc);
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return results;
}

async function send(url, data, start, scrapes) {
  let samples = 0;
  for (let k0 = 0; k0 < scrapes; k0 += PER_REQUEST) {
    const n = Math.min(PER_REQUEST, scrapes - k0);
    const series = data.series.map((labels) => ({
      labels,
      timestamps: new Array(n),
      values: new Float64Array(n),
    }));
    for (let j = 0; j < n; j++) {
      const values = data.scrape(k0 + j);
      for (let i = 0; i < series.length; i++) {
        series[i].timestamps[j] = start + (k0 + j) * SCRAPE_INTERVAL_MS;
        series[i].values[j] = values[i];
      }
    }
    await writeSeries(url, series, series.length);
    samples += n * series.length;
  }
  return samples;
}

const prometheus = {
  name: 'Prometheus 2.42 (2 h blocks)',
  binary: 'prometheus',
  ready: '/-/ready',
  args: (dir, port) => [
    `--config.file=${writeConfig(dir)}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--web.enable-remote-write-receiver',
    '--storage.tsdb.retention.time=10y',
  ],
  measure: (_base, dir) => prometheusBlocks(join(dir, 'data')),
};

/**
 * Bytes and samples of the 2 h blocks in a Prometheus data directory, once compaction has covered
 * at least `coverMs` (a day of data leaves about 21 h in blocks). Compaction runs after appends once
 * the head spans 3 h, and leaves the newest 3 h or less; the same blocks twice, 2 s apart, means no
 * compaction is halfway through replacing some.
 */
export async function prometheusBlocks(dataDir, coverMs = 20 * 3_600_000) {
  let blocks = [];
  let seen = '';
  await pollUntil('Prometheus compaction', 180_000, async () => {
    blocks = readBlocks(dataDir);
    const covered = blocks.reduce((a, b) => a + (b.maxTime - b.minTime), 0);
    const now = JSON.stringify(blocks);
    const done = covered >= coverMs && now === seen;
    seen = now;
    if (!done) await new Promise((resolve) => setTimeout(resolve, 2000));
    return done;
  });
  return {
    bytes: blocks.reduce((a, b) => a + b.bytes, 0),
    samples: blocks.reduce((a, b) => a + b.samples, 0),
  };
}

const victoriaMetrics = {
  name: 'VictoriaMetrics 1.79',
  binary: 'victoria-metrics',
  ready: '/health',
  args: (dir, port) => [
    `-storageDataPath=${join(dir, 'data')}`,
    `-httpListenAddr=127.0.0.1:${port}`,
    '-retentionPeriod=100y',
  ],
  async measure(base) {
    await fetch(`${base}/internal/force_flush`);
    const metrics = async () => parseMetrics(await (await fetch(`${base}/metrics`)).text());
    let last = -1;
    let stable = 0;
    let m;
    await pollUntil('VictoriaMetrics merges', 180_000, async () => {
      m = await metrics();
      const rows = sum(m, 'vm_rows', (l) => l.type?.startsWith('storage/'));
      const bytes = sum(m, 'vm_data_size_bytes');
      if (rows < 1) return false;
      if (last === bytes && sum(m, 'vm_active_merges') === 0) stable++;
      else stable = 0;
      if (stable === 1) await fetch(`${base}/internal/force_merge`);
      last = bytes;
      await new Promise((resolve) => setTimeout(resolve, 1000));
      return stable >= 4;
    });
    return {
      bytes: sum(m, 'vm_data_size_bytes'),
      samples: sum(m, 'vm_rows', (l) => l.type?.startsWith('storage/')),
    };
  },
};

function writeConfig(dir) {
  const path = join(dir, 'prometheus.yml');
  writeFileSync(path, 'global:\n  scrape_interval: 1h\n');
  return path;
}

function readBlocks(dataDir) {
  const blocks = [];
  let names = [];
  try {
    names = readdirSync(dataDir);
  } catch {
    return blocks;
  }
  for (const name of names) {
    const meta = join(dataDir, name, 'meta.json');
    let parsed;
    try {
      parsed = JSON.parse(readFileSync(meta, 'utf8'));
    } catch {
      continue;
    }
    blocks.push({
      minTime: parsed.minTime,
      maxTime: parsed.maxTime,
      samples: parsed.stats?.numSamples ?? 0,
      bytes: duBytes(join(dataDir, name)),
    });
  }
  return blocks;
}

function duBytes(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((a, name) => a + duBytes(join(path, name)), 0);
}

function parseMetrics(text) {
  const out = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries(
      [...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]),
    );
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

function sum(metrics, name, filter = () => true) {
  return metrics.filter((m) => m.name === name && filter(m.labels)).reduce((a, m) => a + m.value, 0);
}

function onPath(binary) {
  return spawnSync('sh', ['-c', `command -v ${binary}`]).status === 0;
}

/** The peers are polled every 250 ms: their readiness and compaction take seconds. */
function pollUntil(what, timeoutMs, check) {
  return until(what, timeoutMs, check, 250);
}
