/**
 * Starts `vigil serve` (packages/server/dist) in a child process (lib/vigil-server-child.js) on
 * 127.0.0.1 port 0, with its data in a temporary directory, and returns a handle: the URL and StatsD
 * port, the child's heap after gc(), its own metrics, and close(), which flushes the store, stops
 * the child and removes the directory.
 */
import { fork } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childReply } from './child-reply.js';
import { metricValue, stopProcess } from './processes.js';

const DIST = fileURLToPath(new URL('../../packages/server/dist/index.js', import.meta.url));
const CHILD = fileURLToPath(new URL('./vigil-server-child.js', import.meta.url));

/**
 * `statsd`: bind StatsD on a free UDP port; `env`: variables as for `vigil serve`; `overrides`: Config
 * keys; `data`: a data directory already written (the caller's: close() leaves it), else a new one.
 */
export async function startVigil({ statsd = false, env = {}, overrides = {}, data: given } = {}) {
  if (!existsSync(DIST)) {
    console.error('packages/server/dist is missing: run `npx tsc -b packages/metrics packages/server` first');
    process.exit(2);
  }
  const data = given ?? mkdtempSync(join(tmpdir(), 'vigil-bench-server-'));
  const removeData = () => {
    if (given === undefined) rmSync(data, { recursive: true, force: true });
  };
  const flags = { listen: '127.0.0.1:0', data, statsd: statsd ? '127.0.0.1:0' : 'off' };
  // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server alone.
  const execArgv = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = fork(CHILD, [JSON.stringify({ flags, env, overrides })], {
    execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const reply = (key, request) => childReply(child, 'vigil child', key, request);
  let ready;
  try {
    ready = await reply('ready');
  } catch (error) {
    removeData();
    throw error;
  }
  return {
    url: ready.url,
    statsdPort: ready.statsdPort,
    pid: child.pid,
    /** process.memoryUsage() of the server, after a full gc() in it. */
    async memory() {
      return (await reply('memory', { memory: true })).memory;
    },
    /** Durations (ms) of the /ws/metrics ticks since the last call (see lib/vigil-server-child.js). */
    async ticks() {
      return (await this.tickTimes()).ticks;
    },
    /** `ticks`, `tickCpu`: the server's CPU ms during each tick, and `tickStarts` (performance.now()). */
    async tickTimes() {
      const { ticks, tickCpu, tickStarts } = await reply('ticks', { ticks: true });
      return { ticks, tickCpu, tickStarts };
    },
    /** Resolves once the store has written everything it received before (SeriesStore.flush). */
    async flush() {
      await reply('flushed', { flush: true });
    },
    /** The sum of `name{labels}` in the server's own /metrics. */
    async metric(name, labels = {}) {
      return metricValue(await (await fetch(`${ready.url}/metrics`)).text(), name, labels);
    },
    async close() {
      if (child.exitCode === null && child.connected) {
        // The child exits by itself once closed (writing a --cpu-prof profile on the way out).
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.send({ close: true });
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
      }
      await stopProcess(child);
      removeData();
    },
  };
}
