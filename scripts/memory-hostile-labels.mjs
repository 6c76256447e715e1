// Resident memory of `vigil serve` with its default limits under hostile label sizes (issue 13: with the
// default limits, resident memory under a stated ceiling, 2 GiB, whatever the label sizes sent). Each
// phase starts the `vigil` command on a new data directory, as a user would (no --memory-limit: the
// default, 1 GiB on a machine of 2 GiB or more), and reads the server process's peak resident memory
// (VmHWM in /proc) after it:
//
//   long labels      remote write of 500 new series a request, each with a 3,000-character label,
//                    until refused; then a regex query over all of them, then a restart on that data
//   widest series    the same with series as wide as the limits let them be (two 8,000-byte values)
//   huge values      single series with a 1 MiB, 8 MiB and 79 MiB label value (snappy bodies of a
//                    few MiB at most), each must be refused
//   huge values at once   16 requests of the 79 MiB value at once, four times
//
// Prints a table and exits non-zero when a phase failed or went past the ceiling.
//
//   npm run build && node scripts/memory-hostile-labels.mjs        (Linux: reads /proc)
//   node scripts/memory-hostile-labels.mjs 'huge values'             only the phases named
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeTcpPort, stopProcess } from '../bench/lib/processes.js';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const { encodeRemoteWrite } = await import(here('../packages/server/dist/ingest/remote-write.js'));

const MiB = 2 ** 20;
const CEILING = 2 * 1024 * MiB;
const VIGIL = here('../packages/server/bin/vigil.js');

/** The `vigil` commands started and not yet stopped. */
const running = [];

const status = (pid, field) =>
  Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) *
  1024;

/** Starts the `vigil` command on `dir`; resolves once it serves, with the server process (the command's child). */
async function start(dir) {
  const port = await freeTcpPort();
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [VIGIL, 'serve', '--listen', `127.0.0.1:${port}`, '--data', dir, '--statsd', 'off'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.push(child);
  let output = '';
  child.stdout.on('data', (c) => {
    output += c;
  });
  child.stderr.on('data', (c) => {
    output += c;
  });
  const deadline = Date.now() + 300_000;
  while (!output.includes('serving on')) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`vigil serve did not start: ${output.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const pid = Number(
    readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(' ')[0],
  );
  const heapFlag = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    .split('\0')
    .find((a) => a.startsWith('--max-old-space-size='));
  return {
    url: `http://127.0.0.1:${port}`,
    pid,
    heapFlag,
    startMs: performance.now() - started,
    output: () => output,
    async stop() {
      await stopProcess(child);
      running.splice(running.indexOf(child), 1);
    },
  };
}

/** POSTs a remote-write body; the answer even when the server answers before reading all of it. */
function write(url, body) {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/api/v1/write`, {
      method: 'POST',
      headers: {
        'content-encoding': 'snappy',
        'content-type': 'application/x-protobuf',
        'content-length': body.length,
        'x-prometheus-remote-write-version': '0.1.0',
      },
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (c) => {
        text += c;
      });
      res.on('end', () => resolve({ status: res.statusCode, text }));
    });
    req.setTimeout(120_000, () => req.destroy(new Error('no answer in 120 s')));
    req.on('error', (error) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    req.end(body);
  });
}

async function healthMs(url) {
  const t0 = performance.now();
  const res = await fetch(`${url}/-/healthy`);
  await res.text();
  if (res.status !== 200) throw new Error(`/-/healthy answered ${res.status}`);
  return performance.now() - t0;
}

/** Sends 500 new series a request, `labels(n)` each, until one is refused; returns what was stored and the refusal. */
async function fill(server, labels) {
  const now = Date.now();
  let stored = 0;
  let refusal;
  for (let batch = 0; refusal === undefined; batch++) {
    const series = Array.from({ length: 500 }, (_, i) => ({
      labels: labels(batch * 500 + i),
      timestamps: [now],
      values: Float64Array.of(1),
    }));
    const answer = await write(server.url, encodeRemoteWrite(series));
    if (answer.status === 204) stored += series.length;
    else refusal = answer;
    if (batch > 2000) throw new Error('never refused');
  }
  return { stored, refusal };
}

const only = process.argv.slice(2);
const rows = [];
function record(phase, server, note) {
  const peak = status(server.pid, 'VmHWM');
  rows.push({ phase, peak, rss: status(server.pid, 'VmRSS'), note });
  console.log(`${phase}: peak RSS ${(peak / MiB).toFixed(0)} MiB; ${note}`);
}

async function phase(name, run) {
  if (only.length > 0 && !only.includes(name)) return;
  const dir = mkdtempSync(join(tmpdir(), 'vigil-memory-hostile-'));
  try {
    await run(dir);
  } catch (error) {
    rows.push({ phase: name, peak: Number.NaN, rss: Number.NaN, note: `FAILED: ${error.message}` });
    console.log(`${name}: FAILED: ${error.stack}`);
  } finally {
    // A phase that failed may have left its server running: it would keep this script alive.
    for (const child of running.splice(0)) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

const filler = 'x'.repeat(3000);
await phase('long labels', async (dir) => {
  let server = await start(dir);
  console.log(`vigil serve with the default limits: ${server.heapFlag}`);
  const { stored, refusal } = await fill(server, (n) => ({
    __name__: 'long_labels',
    id: String(n),
    path: `${n}-${filler}`,
  }));
  record(
    'long labels: fill',
    server,
    `${stored.toLocaleString('en-US')} series of 3,000-character labels stored, then ${refusal.status} ${refusal.text.slice(0, 120)}`,
  );
  // /-/healthy one after the other while the query runs, against as many checks before it.
  const alone = [];
  for (let i = 0; i < 30; i++) alone.push(await healthMs(server.url));
  const t0 = performance.now();
  const pending = fetch(
    `${server.url}/api/v1/query?query=${encodeURIComponent('count(long_labels{path=~".*9-x+"})')}`,
  ).then(async (res) => ({ status: res.status, body: await res.json() }));
  let done = false;
  pending.finally(() => {
    done = true;
  });
  const during = [];
  while (!done) during.push(await healthMs(server.url));
  const query = await pending;
  const spread = (ms) => {
    const sorted = [...ms].sort((a, b) => a - b);
    const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(0);
    return `median ${at(0.5)} ms, p90 ${at(0.9)} ms, max ${sorted.at(-1).toFixed(0)} ms of ${ms.length}`;
  };
  record(
    'long labels: regex query',
    server,
    `count(long_labels{path=~".*9-x+"}) = ${query.body.data?.result?.[0]?.value?.[1]} (${query.status}) in ${(performance.now() - t0).toFixed(0)} ms; /-/healthy meanwhile ${spread(during)}, before it ${spread(alone)}`,
  );
  await server.stop();
  server = await start(dir);
  record(
    'long labels: restart',
    server,
    `serving ${(server.startMs / 1000).toFixed(1)} s after start on that data${/not loaded|left out/.test(server.output()) ? ' (some series left out)' : ''}`,
  );
  const again = await fill(server, (n) => ({
    __name__: 'long_labels',
    id: `again-${n}`,
    path: `${n}-${filler}`,
  }));
  record(
    'long labels: after restart',
    server,
    `then ${again.stored} new series stored before ${again.refusal.status}`,
  );
  await server.stop();
});

const wide = 'w'.repeat(8000);
await phase('widest series', async (dir) => {
  const server = await start(dir);
  const { stored, refusal } = await fill(server, (n) => ({
    __name__: 'wide_labels',
    a: `${n}-${wide}`,
    b: `${n}-${wide}`,
  }));
  record(
    'widest series: fill',
    server,
    `${stored.toLocaleString('en-US')} series of two 8,000-character values stored, then ${refusal.status} ${refusal.text.slice(0, 120)}`,
  );
  await server.stop();
});

await phase('huge values', async (dir) => {
  const server = await start(dir);
  const answers = [];
  for (const size of [1 * MiB, 8 * MiB, 79 * MiB]) {
    // Snappy compresses the repeated character: a few MiB of body at most.
    const body = encodeRemoteWrite([
      {
        labels: { __name__: 'huge_value', v: 'v'.repeat(size) },
        timestamps: [Date.now()],
        values: Float64Array.of(1),
      },
    ]);
    const answer = await write(server.url, body);
    answers.push(
      `${size / MiB} MiB value in a ${(body.length / MiB).toFixed(1)} MiB body: ${answer.status} ${answer.text.slice(0, 100)}`,
    );
  }
  answers.push(`/-/healthy ${(await healthMs(server.url)).toFixed(0)} ms after`);
  record('huge values', server, answers.join('; '));
  await server.stop();
});

await phase('huge values at once', async (dir) => {
  const server = await start(dir);
  // Decompressed, each body is just under the 80 MiB a remote-write body may expand to (8 x limits.bodyBytes).
  const body = encodeRemoteWrite([
    {
      labels: { __name__: 'huge_value', v: 'v'.repeat(79 * MiB) },
      timestamps: [Date.now()],
      values: Float64Array.of(1),
    },
  ]);
  const statuses = new Map();
  for (let round = 0; round < 4; round++) {
    const answers = await Promise.all(Array.from({ length: 16 }, () => write(server.url, body)));
    for (const a of answers) statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
  }
  record(
    'huge values at once',
    server,
    `4 rounds of 16 concurrent requests of a 79 MiB value (${(body.length / MiB).toFixed(1)} MiB bodies): ${[...statuses].map(([k, n]) => `${n} x ${k}`).join(', ')}; /-/healthy ${(await healthMs(server.url)).toFixed(0)} ms after`,
  );
  await server.stop();
});

console.log('\n| phase | peak RSS (VmHWM) | under 2 GiB |\n| --- | --- | --- |');
for (const r of rows)
  console.log(
    `| ${r.phase} | ${Number.isNaN(r.peak) ? '-' : `${(r.peak / MiB).toFixed(0)} MiB`} | ${r.peak < CEILING ? 'yes' : 'NO'} |`,
  );
const worst = Math.max(...rows.map((r) => r.peak));
console.log(
  `\nworst peak ${(worst / MiB).toFixed(0)} MiB against a ceiling of ${CEILING / MiB} MiB: ${worst < CEILING ? 'PASS' : 'FAIL'}`,
);
process.exitCode = rows.every((r) => r.peak < CEILING) ? 0 : 1;
