/**
 * What the benchmarks that start daemons share: free 127.0.0.1 ports, polling until a daemon is
 * ready, stopping a child by its PID (SIGTERM, then SIGKILL after 10 s), and reading a value from a
 * Prometheus text exposition.
 */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

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
