/**
 * The WebSocket clients of bench/ws-fanout.js, in a process of their own: not the server's (a
 * client's parsing would count as server delay) and not the benchmark's, whose once-a-second
 * remote write (building and snappy-compressing 1,000 series) would otherwise hold up whichever
 * clients' sockets were due to be read at that moment.
 *
 * Each client keeps the default snapshot subscription and subscribes to one series selector, the
 * route `routes[i % routes.length]`. While recording, a message handler only notes the receive time
 * and keeps the bytes; the series messages are parsed once recording stops, so that one client's
 * JSON.parse does not delay the next client's read (a browser parses its own message on its own
 * machine).
 *
 * IPC: argv[2] is JSON {url, clients, routes}; the child sends {connected, connectMs} once every
 * client is open, answers {record: true} with {recording: true}, {stop: true} with {results}, and
 * exits on {close: true}.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import WebSocket from 'ws';

const CONNECT_BATCH = 50;
const { url, clients: count, routes } = JSON.parse(process.argv[2]);

const clients = [];
const errors = [];
let recording = false;
/** While recording: receive time, client index and bytes of every series message, in arrival order. */
let received = [];
let snapshotBytes = 0;
const loopDelay = monitorEventLoopDelay({ resolution: 5 });

function connect(i) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/ws/metrics`);
    const client = { ws, snapshotAt: 0 };
    ws.on('open', () => {
      ws.send(
        JSON.stringify({
          subscribe: 'series',
          id: 'requests',
          match: `http_request_duration_seconds_count{route="${routes[i % routes.length]}"}`,
        }),
      );
      clients.push(client);
      resolve();
    });
    ws.on('message', (raw) => {
      const at = Date.now();
      // `{"type":"snapshot"`, `{"type":"series"` and `{"type":"error"` differ at bytes 9-10.
      if (raw[9] === 0x73 /* s */ && raw[10] === 0x6e /* n */) {
        client.snapshotAt = at;
        if (recording) snapshotBytes += raw.length;
      } else if (raw[9] === 0x73 && raw[10] === 0x65 /* e */) {
        if (recording) received.push({ client, at, snapshotAt: client.snapshotAt, raw });
      } else {
        errors.push(raw.toString());
      }
    });
    ws.on('error', reject);
    ws.on('close', (code) => {
      if (recording) errors.push(`client ${i} closed: ${code}`);
    });
  });
}

function results() {
  const seriesDelays = [];
  const snapshotDelays = [];
  const updates = new Map(clients.map((c) => [c, 0]));
  const ticks = new Set();
  let seriesBytes = 0;
  for (const { client, at, snapshotAt, raw } of received) {
    const message = JSON.parse(raw);
    const sent = message.time * 1000;
    seriesBytes += raw.length;
    seriesDelays.push(at - sent);
    if (snapshotAt >= sent) snapshotDelays.push(snapshotAt - sent);
    updates.set(client, updates.get(client) + 1);
    ticks.add(message.time);
  }
  return {
    seriesDelays,
    snapshotDelays,
    updates: [...updates.values()],
    ticks: ticks.size,
    seriesBytes,
    snapshotBytes,
    loopDelayMs: {
      p50: loopDelay.percentile(50) / 1e6,
      p99: loopDelay.percentile(99) / 1e6,
      max: loopDelay.max / 1e6,
    },
    errors,
  };
}

process.on('message', (message) => {
  if (message.record) {
    received = [];
    snapshotBytes = 0;
    loopDelay.enable();
    recording = true;
    process.send({ recording: true });
  } else if (message.stop) {
    recording = false;
    loopDelay.disable();
    process.send({ results: results() });
  } else if (message.close) {
    for (const { ws } of clients) ws.terminate();
    process.exit(0);
  }
});

const t0 = performance.now();
for (let i = 0; i < count; i += CONNECT_BATCH) {
  await Promise.all(Array.from({ length: Math.min(CONNECT_BATCH, count - i) }, (_, k) => connect(i + k)));
}
process.send({ connected: clients.length, connectMs: performance.now() - t0 });
