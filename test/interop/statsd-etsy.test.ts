import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toPrometheusName } from '@vigil/metrics';
import StatsD from 'hot-shots';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatsdAggregator } from '../../packages/server/src/ingest/statsd-aggregator.js';
import { until } from '../support/until.js';
import { startVigil } from '../support/vigil-process.js';

/**
 * Etsy's statsd 0.9 (npm devDependency `statsd`) and StatsdAggregator read the same datagrams; the
 * counters, gauges, timer counts and sums and set sizes must agree. Etsy's daemon flushes through a
 * small backend that appends each flush as a JSON line (as shared/peers/start-peers.sh does), on
 * 127.0.0.1 ports chosen here, and is stopped by PID.
 *
 * Known differences, left out of the datagrams: Etsy counts `h` and `d` as counters (we read them
 * as histograms), accepts negative counter increments (we do only in `statsdCounterMode: etsy`,
 * tested below), and sums timer values without the sample rate (we divide by it, as statsd_exporter
 * does).
 */
const work = mkdtempSync(join(tmpdir(), 'vigil-statsd-'));
let daemon: ChildProcess | undefined;
const vigils: ChildProcess[] = [];
let udpPort = 0;
let mgmtPort = 0;

const DATAGRAMS = [
  'app.requests:1|c',
  'app.requests:3|c|@0.5',
  'app.requests:2|c:5|c',
  'app.temp:21.5|g',
  'app.temp:+1|g',
  'app.temp:-0.25|g',
  'app.reset:5|g\napp.reset:-2|g\napp.reset:10|g',
  'app.latency:120|ms\napp.latency:80|ms\napp.latency:300|ms',
  'app.latency:40|ms|@0.5',
  'app.users:alice|s',
  'app.users:bob|s\napp.users:alice|s',
  'app.tagged:1|c|#env:dev,region:eu',
  'app.tagged:4|c|#env:dev,region:eu',
  'app.tagged:1|c|#env:prod',
  'app.queue:7|g|#env:dev',
  'garbage-no-type',
  'bad:abc|c',
];

async function freeTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

function health(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(mgmtPort, '127.0.0.1');
    let reply = '';
    socket.setTimeout(1000, () => socket.destroy());
    socket.on('connect', () => socket.write('health\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('health: up')) {
        socket.end();
        resolve(true);
      }
    });
    socket.on('error', () => resolve(false));
    socket.on('close', () => resolve(reply.includes('health: up')));
  });
}

const statsdLog = () => `statsd log:\n${readFileSync(join(work, 'statsd.log'), 'utf8').slice(-2000)}`;

beforeAll(async () => {
  let main: string;
  try {
    main = createRequire(import.meta.url).resolve('statsd/bin/statsd');
  } catch {
    throw new Error('the npm package statsd (Etsy, a devDependency) is missing: run npm install');
  }
  [udpPort, mgmtPort] = [await freeUdpPort(), await freeTcpPort()];
  writeFileSync(
    join(work, 'jsonl-backend.js'),
    `const fs = require('fs');
exports.init = function (startupTime, config, events) {
  events.on('flush', function (ts, m) {
    const sets = Object.fromEntries(Object.entries(m.sets || {}).map(([k, v]) => [k, v.values()]));
    fs.appendFileSync(config.jsonl.file, JSON.stringify({ counters: m.counters, gauges: m.gauges, timer_data: m.timer_data, sets }) + '\\n');
  });
  return true;
};
`,
  );
  writeFileSync(
    join(work, 'config.js'),
    `{ port: ${udpPort}, address: "127.0.0.1", mgmt_port: ${mgmtPort}, mgmt_address: "127.0.0.1",
  backends: [${JSON.stringify(join(work, 'jsonl-backend.js'))}], flushInterval: 500,
  jsonl: { file: ${JSON.stringify(join(work, 'flush.jsonl'))} } }\n`,
  );
  const log = openSync(join(work, 'statsd.log'), 'w');
  daemon = spawn(process.execPath, [main, join(work, 'config.js')], { stdio: ['ignore', log, log] });
  await until('statsd health: up', async () => ((await health()) ? true : undefined), {
    timeoutMs: 30_000,
    context: statsdLog,
  });
});

afterAll(async () => {
  for (const vigil of vigils) {
    if (vigil.exitCode !== null) continue;
    const exited = new Promise((resolve) => vigil.once('exit', resolve));
    vigil.kill('SIGTERM');
    await exited;
  }
  if (daemon?.pid !== undefined && daemon.exitCode === null) {
    const exited = new Promise((resolve) => daemon!.once('exit', resolve));
    daemon.kill('SIGTERM');
    const timer = setTimeout(() => daemon!.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(work, { recursive: true, force: true });
});

interface Flush {
  counters: Record<string, number>;
  gauges: Record<string, number>;
  timer_data: Record<string, { count: number; sum: number }>;
  sets: Record<string, string[]>;
}

/** Etsy's key `app.tagged;env=dev;region=eu` as our series key `app_tagged{env="dev",region="eu"}`. */
function ourKey(etsyKey: string, suffix: string): string {
  const [name, ...tags] = etsyKey.split(';');
  const labels = tags
    .map((t) => t.split('='))
    .sort(([a], [b]) => (a! < b! ? -1 : 1))
    .map(([k, v]) => `${k}="${v}"`);
  return `${toPrometheusName(name!)}${suffix}${labels.length ? `{${labels.join(',')}}` : ''}`;
}

describe("StatsdAggregator agrees with Etsy's statsd 0.9", () => {
  it('on counters (sample rates, multi-value lines, tags), gauges (+/- changes), timer counts and sums, set sizes', async () => {
    const socket = createSocket('udp4');
    for (const datagram of DATAGRAMS) {
      await new Promise<void>((resolve, reject) =>
        socket.send(datagram, udpPort, '127.0.0.1', (error) => (error ? reject(error) : resolve())),
      );
    }
    socket.close();
    const ours = new StatsdAggregator();
    for (const datagram of DATAGRAMS) ours.ingest(datagram);
    const flat: Record<string, number> = {};
    for (const s of ours.flush(0).samples) {
      const { __name__, ...labels } = s.labels;
      const tags = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
      flat[`${__name__}${tags.length ? `{${tags.join(',')}}` : ''}`] = s.values[0]!;
    }

    // Etsy flushes every 500 ms, so the datagrams may land in two flushes: wait for the first flush
    // that has them, then two more intervals, and add the flushes up.
    const file = join(work, 'flush.jsonl');
    const flushes = () => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);
    const first = await until(
      'a flush with app.requests',
      () => {
        const at = flushes().findIndex((line) => line.includes('"app.requests"'));
        return at >= 0 ? at : undefined;
      },
      { timeoutMs: 10_000, context: statsdLog },
    );
    await until('two flushes after it', () => flushes().length >= first + 3, {
      timeoutMs: 10_000,
      context: statsdLog,
    });
    const theirs: Flush = { counters: {}, gauges: {}, timer_data: {}, sets: {} };
    for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
      const flush = JSON.parse(line) as Flush;
      for (const [k, v] of Object.entries(flush.counters)) theirs.counters[k] = (theirs.counters[k] ?? 0) + v;
      Object.assign(theirs.gauges, flush.gauges);
      for (const [k, v] of Object.entries(flush.timer_data)) {
        const t = (theirs.timer_data[k] ??= { count: 0, sum: 0 });
        t.count += v.count;
        t.sum += v.sum;
      }
      for (const [k, v] of Object.entries(flush.sets))
        theirs.sets[k] = [...new Set([...(theirs.sets[k] ?? []), ...v])];
    }

    const expected: Record<string, number> = {};
    for (const [k, v] of Object.entries(theirs.counters)) {
      if (k.startsWith('statsd.')) continue;
      expected[ourKey(k, '_total')] = v;
    }
    for (const [k, v] of Object.entries(theirs.gauges))
      if (!k.startsWith('statsd.')) expected[ourKey(k, '')] = v;
    for (const [k, v] of Object.entries(theirs.timer_data)) {
      expected[ourKey(k, '_count')] = v.count;
      // Etsy sums the values as sent; with a sample rate, ours divides each by it (see above).
      if (k !== 'app.latency') expected[ourKey(k, '_sum')] = v.sum / 1000;
    }
    for (const [k, v] of Object.entries(theirs.sets)) expected[ourKey(k, '')] = v.length;

    const compared = Object.fromEntries(Object.keys(expected).map((k) => [k, flat[k]]));
    expect(compared).toEqual(expected);
    expect(Object.keys(expected).sort()).toEqual([
      'app_latency_count',
      'app_queue{env="dev"}',
      'app_requests_total',
      'app_reset',
      'app_tagged_total{env="dev",region="eu"}',
      'app_tagged_total{env="prod"}',
      'app_temp',
      'app_users',
    ]);
    // The timer sum that both compute alike: 120 + 80 + 300 without a rate, plus 40 / 0.5.
    expect(flat.app_latency_sum).toBeCloseTo((120 + 80 + 300 + 40 / 0.5) / 1000, 12);
    expect(theirs.counters['statsd.bad_lines_seen']).toBe(2);
    expect(ours.counts().rejected).toEqual({ bad_line: 1, bad_value: 1 });
  });
});

/** Etsy's counters summed over every flush so far (its counters restart at each flush). */
function etsyCounters(): Record<string, number> {
  const file = join(work, 'flush.jsonl');
  const sums: Record<string, number> = {};
  if (!existsSync(file)) return sums;
  for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
    for (const [k, v] of Object.entries((JSON.parse(line) as Flush).counters)) sums[k] = (sums[k] ?? 0) + v;
  }
  return sums;
}

/** The one value of an instant query, undefined when it has no series. */
async function instant(port: number, query: string): Promise<Record<string, number>> {
  const response = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await response.json()) as {
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  return Object.fromEntries(
    body.data.result.map(({ metric, value }) => {
      const { __name__, ...labels } = metric;
      const tags = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
      return [`${__name__}${tags.length ? `{${tags.join(',')}}` : ''}`, Number(value[1])];
    }),
  );
}

async function selfMetric(port: number, pattern: RegExp): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return Number(pattern.exec(text)?.[1] ?? 0);
}

describe('statsdCounterMode against Etsy statsd 0.9, with the same hot-shots traffic', () => {
  it('etsy: 30 increments and 10 decrements read 20, as Etsy sums them, from a gauge; prometheus: a 30 that only goes up, warned once', async () => {
    const dir = mkdtempSync(join(work, 'vigil-'));
    const config = join(dir, 'vigil.yaml');
    writeFileSync(config, 'statsdFlushInterval: 200ms\n');
    const start = async (mode: string) => {
      const [http, udp] = [await freeTcpPort(), await freeUdpPort()];
      const stderr: string[] = [];
      const args = [
        '--data',
        mkdtempSync(join(dir, `${mode}-`)),
        '--config',
        config,
        '--statsd',
        `127.0.0.1:${udp}`,
      ];
      vigils.push(await startVigil(http, { args, env: { VIGIL_STATSD_COUNTER_MODE: mode }, stderr }));
      return { http, udp, stderr };
    };
    const etsyMode = await start('etsy');
    const prometheusMode = await start('prometheus');

    for (const port of [udpPort, etsyMode.udp, prometheusMode.udp]) {
      const client = new StatsD({ host: '127.0.0.1', port, maxBufferSize: 0 });
      for (let i = 0; i < 30; i++) client.increment('conns');
      for (let i = 0; i < 10; i++) client.decrement('conns');
      // Valueless DogStatsD tags: Etsy keys them `jobs;env=dev;canary` (the tags as hot-shots sends them).
      for (let i = 0; i < 3; i++) client.increment('jobs', 1, ['canary', 'env:dev']);
      await new Promise<void>((resolve) => client.close(() => resolve()));
    }

    const theirs = await until(
      'Etsy statsd to have flushed conns 20 and jobs 3',
      () => {
        const sums = etsyCounters();
        return sums.conns === 20 && sums['jobs;env=dev;canary'] === 3 && sums;
      },
      { timeoutMs: 10_000, context: () => `${JSON.stringify(etsyCounters())}\n${statsdLog()}` },
    );
    for (const { http } of [etsyMode, prometheusMode]) {
      await until('vigil to receive the 43 datagrams', async () =>
        (await selfMetric(http, /^vigil_statsd_datagrams_total (\d+)$/m)) === 43 ? true : undefined,
      );
    }
    const read = async (port: number, query: string, expected: Record<string, number>) =>
      until(
        `${query} on :${port}`,
        async () => {
          const got = await instant(port, query);
          return JSON.stringify(got) === JSON.stringify(expected) && got;
        },
        { timeoutMs: 10_000, context: () => query },
      );

    // Etsy mode: the decremented counter is the gauge conns at Etsy's sum; no conns_total is left.
    expect(await read(etsyMode.http, 'conns', { conns: theirs.conns! })).toEqual({ conns: 20 });
    expect(await instant(etsyMode.http, 'conns_total')).toEqual({});
    expect(
      await read(etsyMode.http, 'jobs_total', { 'jobs_total{canary="true",env="dev"}': 3 }),
    ).toBeTruthy();
    expect(etsyMode.stderr.join('')).not.toContain('negative increment');

    // Prometheus mode: the ten decrements are dropped, counted, and said once.
    expect(await read(prometheusMode.http, 'conns_total', { conns_total: 30 })).toEqual({ conns_total: 30 });
    expect(await instant(prometheusMode.http, 'conns')).toEqual({});
    expect(
      await selfMetric(
        prometheusMode.http,
        /^vigil_ingest_malformed_total\{source="statsd",reason="negative_counter"\} (\d+)$/m,
      ),
    ).toBe(10);
    const warnings = prometheusMode.stderr.join('').split('StatsD counter conns got a negative increment');
    expect(warnings).toHaveLength(2);
  });
});
