/**
 * `vigil serve` from packages/server/dist in a child process of a benchmark (started by
 * lib/vigil-server.js with an IPC channel), so that the load generator and the server do not share
 * an event loop. The configuration comes as it would for `vigil serve`: flags and environment
 * through loadConfig, then `overrides` for settings that have no flag (the StatsD flush interval).
 *
 * IPC: the child sends {ready, url, statsdPort} once listening; it answers {memory: true} with
 * process.memoryUsage() taken right after a full gc(), {ticks: true} with the durations (ms), CPU
 * time (ms) and start times (performance.now()) of the /ws/metrics ticks since the last such
 * question, {flush: true} with {flushed: true} once the store has written everything it received
 * before, and {close: true} by closing the server (which flushes the store) and exiting.
 *
 * The tick figures come from wrapping LiveStream.prototype.tick before serve() runs (serve()
 * imports the same module instance): a tick is the server writing one round of updates to the
 * clients it serves at that moment, so its duration is how long the last of them waits on the
 * server's side, and the gaps between start times show how late the timer fired.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

v8.setFlagsFromString('--expose-gc');
const gc = globalThis.gc ?? vm.runInNewContext('gc');

const { flags, env, overrides } = JSON.parse(process.argv[2]);
const { loadConfig, serve } = await import('../../packages/server/dist/index.js');
const { LiveStream } = await import('../../packages/server/dist/http/live-stream.js');
let ticks = [];
let tickCpu = [];
let tickStarts = [];
const tick = LiveStream.prototype.tick;
LiveStream.prototype.tick = async function timedTick() {
  const t0 = performance.now();
  tickStarts.push(t0);
  const cpu0 = process.cpuUsage();
  try {
    return await tick.call(this);
  } finally {
    ticks.push(performance.now() - t0);
    const cpu = process.cpuUsage(cpu0);
    tickCpu.push((cpu.user + cpu.system) / 1000);
  }
};
const config = { ...loadConfig(flags, { ...process.env, ...env }), ...overrides };
const server = await serve(config);

process.on('message', async (message) => {
  if (message.memory) {
    gc();
    gc();
    process.send({ memory: process.memoryUsage() });
  } else if (message.ticks) {
    process.send({ ticks, tickCpu, tickStarts });
    ticks = [];
    tickCpu = [];
    tickStarts = [];
  } else if (message.flush) {
    await server.store.flush();
    process.send({ flushed: true });
  } else if (message.close) {
    await server.close();
    process.send({ closed: true }, () => process.exit(0));
  }
});
process.send({ ready: true, url: server.url, statsdPort: server.statsdPort });
