// Scenario: StatsD lines per second with zero loss, vigil against Etsy's statsd 0.9 (npm `statsd`),
// both fed by the same sender over UDP on 127.0.0.1.
//
// Each daemon runs in its own process (vigil: `vigil serve` through lib/vigil-server.js, StatsD
// flush every 1 s; Etsy: its bin/statsd with flushInterval 1000 and a backend that appends each
// flush as one JSON line). The sender, this process, sends datagrams of 40 counter lines
// (`bench.hits:1|c|#m:m7,shard:3`, 100 distinct series, about 880 bytes) on a 1 ms timer, for
// STEP_MS at a given rate, and counts what the daemon received once it has flushed:
//
//   vigil  vigil_statsd_datagrams_total (its /metrics) and the sum of the stored bench_hits_total
//          counters (/api/v1/read_raw), each against what was sent
//   Etsy   statsd.packets_received and the sum of its bench.hits counters over all its flushes
//
// A step passes when every line sent was counted and, for vigil, its datagram counter caught up
// with the sender within DRAIN_FRACTION of the step: vigil asks the kernel for an 8 MiB receive
// buffer (4 MiB rmem_max here, doubled), which holds about 4,000 such datagrams, so a daemon slower
// than the rate could otherwise finish a short step late and still lose nothing. Etsy keeps the
// default buffer (rmem_default, 208 KiB), so its backlog turns into loss within milliseconds.
//
// The rate goes up by 1.5x until a step fails (or the sender cannot keep the rate), then is
// bisected twice between the last good and the first bad rate; the highest passing rate is run
// CONFIRM more times and is the figure only if every run loses nothing (otherwise the next lower
// passing rate is tried). A maximum found by search is one figure, not a median; the confirmation
// runs are what stand for repetition here.
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scenario, table } from './lib/harness.js';
import { freeTcpPort, freeUdpPort, stopProcess, until } from './lib/processes.js';
import { startVigil } from './lib/vigil-server.js';

const TARGET = 3;
const STEP_MS = Number(process.env.BENCH_STEP_MS ?? 2000);
const START_RATE = 100_000;
/** The lowest rate tried when stepping down from a failing start. */
const MIN_RATE = 3_000;
const GROWTH = 1.5;
const CONFIRM = 2;
const DRAIN_FRACTION = 0.05;
const LINES_PER_DATAGRAM = 40;
/** The sender's rate must be met within this much, or the step measures the sender. */
const SENDER_SLACK = 0.97;
/** Time for a flush to land after the last datagram (flush interval 1 s). */
const SETTLE_MS = 4000;
/** A datagram count that has not moved for this long (more than a flush interval) is final. */
const STILL_MS = 1500;

const report = scenario('statsd-ingest', "StatsD lines/s with zero loss, vigil vs Etsy's statsd");
const datagrams = makeDatagrams();
console.log(
  `datagrams of ${LINES_PER_DATAGRAM} counter lines (${datagrams[0].length} bytes, 100 series); ${STEP_MS / 1000} s per step, x${GROWTH} then bisection, best rate confirmed ${CONFIRM} more times`,
);

const results = [];
const work = mkdtempSync(join(tmpdir(), 'vigil-bench-statsd-'));
try {
  for (const daemon of [etsyDaemon, vigilDaemon]) {
    const started = Date.now();
    const target = await daemon(work);
    try {
      const found = await search(target);
      results.push({ name: target.name, ...found, seconds: (Date.now() - started) / 1000 });
    } catch (error) {
      results.push({ name: target.name, error: String(error.message ?? error) });
    } finally {
      await target.close();
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const [etsy, vigil] = results;
console.log(
  table(
    ['daemon', 'max lines/s, zero loss', 'datagrams/s', 'first failing step', 'steps', 'time'],
    results.map((r) =>
      r.error
        ? [r.name, 'n/a', '', r.error, '', '']
        : [
            r.name,
            `${r.senderLimited ? '>= ' : ''}${fmt(r.best)}`,
            fmt(r.best / LINES_PER_DATAGRAM),
            r.failure ?? 'none (sender limit)',
            String(r.steps.length),
            `${r.seconds.toFixed(0)} s`,
          ],
    ),
    'lrrlrr',
  ),
);
report.data = { step_ms: STEP_MS, lines_per_datagram: LINES_PER_DATAGRAM, results };
const ratio = vigil?.best && etsy?.best ? vigil.best / etsy.best : Number.NaN;
const pass = report.check(
  `StatsD >= ${TARGET}x the lines/s of Etsy's statsd, zero loss`,
  ratio >= TARGET,
  `vigil ${vigil?.best ? fmt(vigil.best) : 'n/a'} vs Etsy ${etsy?.best ? fmt(etsy.best) : 'n/a'} lines/s = ${Number.isFinite(ratio) ? ratio.toFixed(2) : 'n/a'}x${vigil?.senderLimited ? ' (vigil: sender limit reached, a lower bound)' : ''}`,
);
report.row('StatsD lines/s, zero loss (40 lines/datagram)', {
  vigil: vigil?.best ? fmt(vigil.best) : 'n/a',
  prom: `Etsy statsd ${etsy?.best ? fmt(etsy.best) : 'n/a'}`,
  target: `>= ${TARGET}x Etsy`,
  result: `${pass ? 'PASS' : 'MISS'} (${Number.isFinite(ratio) ? ratio.toFixed(2) : 'n/a'}x)`,
});
report.emit();

/** 100 series, each datagram 40 lines starting at a different series. */
function makeDatagrams() {
  const lines = [];
  for (let m = 0; m < 20; m++) for (let s = 0; s < 5; s++) lines.push(`bench.hits:1|c|#m:m${m},shard:${s}`);
  return Array.from({ length: 100 }, (_, i) =>
    Buffer.from(
      Array.from({ length: LINES_PER_DATAGRAM }, (_, j) => lines[(i + j) % lines.length]).join('\n'),
    ),
  );
}

/** Steps the rate up, bisects, confirms; returns the best confirmed rate and every step run. */
async function search(target) {
  const steps = [];
  const run = async (rate) => {
    const step = await runStep(target, rate);
    steps.push(step);
    console.log(
      `  ${target.name.padEnd(14)} ${fmt(rate).padStart(10)} lines/s: sent ${fmt(step.sentRate)}/s, received ${step.received}/${step.sent} lines, datagrams ${step.datagramsReceived}/${step.datagramsSent}${drainText(step.drainMs)} -> ${step.pass ? 'ok' : step.why}`,
    );
    return step;
  };
  const passing = [];
  let bad;
  let senderLimited = false;
  for (let rate = START_RATE; ; rate = Math.round(rate * GROWTH)) {
    const step = await run(rate);
    if (step.senderLimited) {
      senderLimited = true;
      break;
    }
    if (!step.pass) {
      bad = step;
      break;
    }
    passing.push(rate);
  }
  // A daemon that already loses lines at START_RATE (Etsy statsd did, at a load average of 10) is
  // stepped down by halves, so it gets a figure to compare instead of "no rate passed".
  for (let rate = Math.round(START_RATE / 2); bad && passing.length === 0 && rate >= MIN_RATE; ) {
    const step = await run(rate);
    if (step.pass) passing.push(rate);
    else bad = step;
    rate = Math.round(rate / 2);
  }
  if (bad && passing.length > 0) {
    let low = passing.at(-1);
    let high = bad.rate;
    for (let i = 0; i < 2; i++) {
      const mid = Math.round(Math.sqrt(low * high));
      const step = await run(mid);
      if (step.pass) {
        passing.push(mid);
        low = mid;
      } else {
        high = mid;
      }
    }
  }
  passing.sort((a, b) => b - a);
  // Below the lowest rate that passed once, halving until a rate also passes its confirmations:
  // Etsy statsd passed 50,000 lines/s once and lost 3.6% on the next run.
  const passedOnce = new Set(passing);
  for (
    let rate = Math.round((passing.at(-1) ?? MIN_RATE * 2) / 2);
    rate >= MIN_RATE;
    rate = Math.round(rate / 2)
  )
    passing.push(rate);
  for (const rate of passing) {
    let ok = passedOnce.has(rate) || (await run(rate)).pass;
    for (let i = 0; i < CONFIRM && ok; i++) ok = (await run(rate)).pass;
    if (ok) {
      const firstBad = steps.filter((s) => !s.pass && s.rate > rate).sort((a, b) => a.rate - b.rate)[0];
      return {
        best: rate,
        senderLimited: senderLimited && rate === Math.max(...passing),
        failure: firstBad ? `${fmt(firstBad.rate)}/s: ${firstBad.why}` : undefined,
        steps,
      };
    }
  }
  return { best: 0, failure: 'no rate passed', steps };
}

/** Sends at `rate` lines/s for STEP_MS on a 1 ms timer, then asks the target what arrived. */
async function runStep(target, rate) {
  const before = await target.counts();
  const socket = createSocket('udp4');
  await new Promise((resolve) => socket.connect(target.port, '127.0.0.1', resolve));
  const perMs = rate / LINES_PER_DATAGRAM / 1000;
  let sent = 0;
  let errors = 0;
  const t0 = performance.now();
  await new Promise((resolve) => {
    const tick = () => {
      const elapsed = Math.min(performance.now() - t0, STEP_MS);
      const due = Math.floor(elapsed * perMs);
      for (; sent < due; sent++) {
        socket.send(datagrams[sent % datagrams.length], (error) => {
          if (error) errors++;
        });
      }
      if (elapsed >= STEP_MS) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  const sentMs = performance.now() - t0;
  const drainMs = target.drain ? await target.drain(before, sent) : undefined;
  await new Promise((resolve) => socket.close(resolve));
  const expected = sent * LINES_PER_DATAGRAM;
  // Poll until the flushed counts reach what was sent; what is still missing once the datagram
  // count has stood still for STILL_MS (longer than a flush interval), or after SETTLE_MS, is lost.
  let after = await target.counts();
  const deadline = Date.now() + SETTLE_MS;
  let still = Date.now();
  while (after.lines - before.lines < expected || after.datagrams - before.datagrams < sent) {
    if (Date.now() > deadline || Date.now() - still > STILL_MS) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
    const next = await target.counts();
    if (next.datagrams !== after.datagrams) still = Date.now();
    after = next;
  }
  const received = after.lines - before.lines;
  const datagramsReceived = after.datagrams - before.datagrams;
  const sentRate = (expected / sentMs) * 1000;
  const senderLimited = sentRate < rate * SENDER_SLACK || errors > 0;
  const lossless = received === expected && datagramsReceived === sent;
  const keptUp = drainMs === undefined || drainMs <= STEP_MS * DRAIN_FRACTION;
  const why = !lossless
    ? `lost ${fmt(expected - received)} lines (${(((expected - received) / expected) * 100).toFixed(2)}%)`
    : !keptUp
      ? `behind: ${Number.isFinite(drainMs) ? `${drainMs} ms` : 'over 500 ms'} to drain after the sender stopped`
      : undefined;
  return {
    rate,
    sentRate: Math.round(sentRate),
    sent: expected,
    received,
    datagramsSent: sent,
    datagramsReceived,
    drainMs,
    sendErrors: errors,
    senderLimited,
    pass: lossless && keptUp && !senderLimited,
    why: senderLimited ? `sender managed only ${fmt(sentRate)} lines/s` : why,
  };
}

async function vigilDaemon() {
  const server = await startVigil({ statsd: true, overrides: { statsdFlushIntervalMs: 1000 } });
  const storedLines = async () => {
    const url = `${server.url}/api/v1/read_raw?match[]=bench_hits_total&start=${(Date.now() - 3_600_000) / 1000}`;
    const body = await (await fetch(url)).json();
    return body.data.result.reduce((a, s) => a + Number(s.values.at(-1)?.[1] ?? 0), 0);
  };
  const datagramsSeen = () => server.metric('vigil_statsd_datagrams_total');
  return {
    name: 'vigil',
    port: server.statsdPort,
    async counts() {
      return { lines: await storedLines(), datagrams: await datagramsSeen() };
    },
    /** ms from the sender's last datagram until vigil has read them all (polled through /metrics); Infinity past 500 ms. */
    async drain(before, sent) {
      const t0 = performance.now();
      const limit = 500;
      while (performance.now() - t0 < limit) {
        if ((await datagramsSeen()) - before.datagrams >= sent) return Math.round(performance.now() - t0);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return Number.POSITIVE_INFINITY;
    },
    close: () => server.close(),
  };
}

async function etsyDaemon(work) {
  let main;
  try {
    main = createRequire(import.meta.url).resolve('statsd/bin/statsd');
  } catch {
    throw new Error('the npm package statsd (Etsy, a root devDependency) is missing: run npm install');
  }
  const [port, mgmtPort] = [await freeUdpPort(), await freeTcpPort()];
  const flushFile = join(work, 'flush.jsonl');
  writeFileSync(
    join(work, 'jsonl-backend.js'),
    `const fs = require('fs');
exports.init = function (startupTime, config, events) {
  events.on('flush', function (ts, m) {
    fs.appendFileSync(config.jsonl.file, JSON.stringify({ counters: m.counters }) + '\\n');
  });
  return true;
};
`,
  );
  writeFileSync(
    join(work, 'config.js'),
    `{ port: ${port}, address: "127.0.0.1", mgmt_port: ${mgmtPort}, mgmt_address: "127.0.0.1",
  backends: [${JSON.stringify(join(work, 'jsonl-backend.js'))}], flushInterval: 1000,
  jsonl: { file: ${JSON.stringify(flushFile)} } }\n`,
  );
  const log = openSync(join(work, 'statsd.log'), 'w');
  const proc = spawn(process.execPath, [main, join(work, 'config.js')], { stdio: ['ignore', log, log] });
  await until('Etsy statsd health: up', 30_000, () => health(mgmtPort));
  return {
    name: 'Etsy statsd 0.9',
    port,
    async counts() {
      let lines = 0;
      let datagrams = 0;
      if (existsSync(flushFile)) {
        for (const line of readFileSync(flushFile, 'utf8').split('\n')) {
          if (!line) continue;
          let counters;
          try {
            ({ counters } = JSON.parse(line));
          } catch {
            continue; // a flush being written as this is read
          }
          for (const [key, value] of Object.entries(counters)) {
            if (key.startsWith('bench.hits;')) lines += value;
            else if (key === 'statsd.packets_received') datagrams += value;
          }
        }
      }
      return { lines, datagrams };
    },
    close: () => stopProcess(proc),
  };
}

function health(port) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    socket.setTimeout(1000, () => socket.destroy());
    socket.on('connect', () => socket.write('health\n'));
    socket.on('data', (chunk) => {
      reply += chunk;
      if (reply.includes('health: up')) socket.end();
    });
    socket.on('error', () => resolve(false));
    socket.on('close', () => resolve(reply.includes('health: up')));
  });
}

function drainText(ms) {
  if (ms === undefined) return '';
  return Number.isFinite(ms) ? `, drained in ${ms} ms` : ', not drained within 500 ms';
}

function fmt(n) {
  return Math.round(n).toLocaleString('en-US');
}
