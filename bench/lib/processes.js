/**
 * What the benchmarks that start daemons share: free 127.0.0.1 ports, polling until a daemon is
 * ready, stopping a child by its PID (SIGTERM, then SIGKILL after 10 s), a process's CPU time,
 * starting Debian's Prometheus as the peer, and reading a value from a Prometheus text exposition.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export function freeTcpPort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export function freeUdpPort() {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

/** Polls `check` every `everyMs` until it returns something other than undefined or false. */
export async function until(what, timeoutMs, check, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let value;
    try {
      value = await check();
    } catch {
      // not up yet
    }
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export async function stopProcess(proc) {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Clock ticks a second in /proc/PID/stat (USER_HZ, 100 on Linux). */
const CLOCK_TICKS = 100;

/** User + system CPU time of a process so far, in ms (Linux /proc). */
export function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS) * 1000;
}

/**
 * CPU time of a process's threads so far, in ms, to the nanosecond (Linux /proc/PID/task/TID/schedstat):
 * `cpuMs` counts in clock ticks of 10 ms, too coarse for one query. Threads that ended are not counted.
 */
export function threadsCpuMs(pid) {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // a thread that ended since the listing
    }
  }
  return ns / 1e6;
}

export function prometheusInstalled() {
  return spawnSync('sh', ['-c', 'command -v prometheus']).status === 0;
}

/**
 * Starts Prometheus on a free 127.0.0.1 port with its remote-write receiver on, its configuration
 * (`config`, prometheus.yml text) and data under `dir`, and waits for /-/ready. If it does not get
 * ready it is stopped and the error carries the tail of its log.
 * Returns `{ url, pid, log(), stop() }`.
 */
export async function startPrometheus({ dir, config = 'global:\n  scrape_interval: 1h\n', extraArgs = [] }) {
  const port = await freeTcpPort();
  const configPath = join(dir, 'prometheus.yml');
  writeFileSync(configPath, config);
  const proc = spawn(
    'prometheus',
    [
      `--config.file=${configPath}`,
      `--storage.tsdb.path=${join(dir, 'prometheus')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-remote-write-receiver',
      ...extraArgs,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  proc.stderr.on('data', (d) => {
    log = (log + d).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await until('Prometheus /-/ready', 30_000, async () => (await fetch(`${url}/-/ready`)).ok);
  } catch (error) {
    await stopProcess(proc);
    throw new Error(`${error.message}; log: ${log.slice(-300)}`);
  }
  return { url, pid: proc.pid, log: () => log, stop: () => stopProcess(proc) };
}

/**
 * The sum of the samples of `name` in a Prometheus text exposition whose labels include every pair
 * of `labels` (written `key="value"`).
 */
export function metricValue(text, name, labels = {}) {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const close = rest[0] === '{' ? rest.lastIndexOf('}') : -1;
    const labelText = close >= 0 ? rest.slice(1, close) : '';
    if (!wanted.every((pair) => labelText.includes(pair))) continue;
    sum += Number(
      rest
        .slice(close + 1)
        .trim()
        .split(' ')[0],
    );
  }
  return sum;
}
