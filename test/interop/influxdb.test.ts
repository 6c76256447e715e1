import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../packages/metrics/src/base/clock.js';
import type { Counter } from '../../packages/metrics/src/core/counter.js';
import { Registry } from '../../packages/metrics/src/core/registry.js';
import { SUCCESS } from '../../packages/metrics/src/push/export-result.js';
import { InfluxReporter } from '../../packages/metrics/src/push/influx-reporter.js';
import { freePort } from '../support/free-port.js';
import { answers, type PeerProcess, startPeer } from './peer-process.js';

/**
 * vigil's InfluxDB reporter against Debian's influxd 1.6.7 (scripts/install-peers.sh), with
 * authentication on: what is written is read back with InfluxQL, value for value. influxd takes
 * its settings from a config file only (shared/peers/README.md §2).
 */
const work = mkdtempSync(join(tmpdir(), 'vigil-influxdb-'));
let peer: PeerProcess;
let url: string;
const ADMIN = { u: 'admin', p: 'pa ss&word' };
const T0 = 1_795_417_184_629;

beforeAll(async () => {
  const [port, rpcPort] = [await freePort(), await freePort()];
  url = `http://127.0.0.1:${port}`;
  const config = join(work, 'influxdb.conf');
  writeFileSync(
    config,
    `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"
[meta]
  dir = "${join(work, 'meta')}"
[data]
  dir = "${join(work, 'data')}"
  wal-dir = "${join(work, 'wal')}"
  query-log-enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:${port}"
  auth-enabled = true
  log-enabled = false
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
`,
  );
  peer = await startPeer('influxd', ['run', '-config', config], () => answers(`${url}/ping`, 204));
  // With no user yet, influxd accepts exactly one statement unauthenticated: creating the admin.
  await influxql(
    `CREATE USER ${ADMIN.u} WITH PASSWORD '${ADMIN.p.replace(/'/g, "\\'")}' WITH ALL PRIVILEGES`,
    {},
  );
  await influxql('CREATE DATABASE vigil');
});

afterAll(async () => {
  await peer?.stop();
  rmSync(work, { recursive: true, force: true });
});

interface Series {
  name: string;
  columns: string[];
  values: unknown[][];
}

async function influxql(q: string, auth: Record<string, string> = ADMIN): Promise<Series[]> {
  const response = await fetch(`${url}/query?${new URLSearchParams({ db: 'vigil', epoch: 'ms', ...auth })}`, {
    method: 'POST',
    body: new URLSearchParams({ q }),
  });
  const body = (await response.json()) as {
    results?: Array<{ series?: Series[]; error?: string }>;
    error?: string;
  };
  const error = body.error ?? body.results?.[0]?.error;
  if (!response.ok || error) throw new Error(`${q}: ${response.status} ${error}`);
  return body.results?.[0]?.series ?? [];
}

/** Rows of a query as objects keyed by column. */
async function rows(q: string): Promise<Array<Record<string, unknown>>> {
  return (await influxql(q)).flatMap((s) =>
    s.values.map((v) => Object.fromEntries(s.columns.map((c, i) => [c, v[i]]))),
  );
}

function reporterFor(
  registry: Registry,
  options: Partial<ConstructorParameters<typeof InfluxReporter>[0]> = {},
) {
  return new InfluxReporter({
    url,
    registry,
    database: 'vigil',
    username: ADMIN.u,
    password: ADMIN.p,
    precision: 'ms',
    ...options,
  });
}

describe('InfluxDB reporter against influxd 1.6', () => {
  it('writes counters, gauges and histograms through /write with u/p; InfluxQL returns them', async () => {
    const registry = new Registry({ clock: new ManualClock(T0) });
    const counter = registry.counter({
      name: 'callbot_calls_total',
      help: 'Calls.',
      labelNames: ['provider', 'note'],
    });
    counter.inc({ provider: 'google', note: 'space here, comma=equals' }, 13);
    counter.inc({ provider: 'openai', note: 'café ✓ "quoted"' }, 26);
    registry.gauge({ name: 'callbot_active_calls', help: 'Calls.' }).set(7.25);
    const latency = registry.histogram({ name: 'callbot_stt_seconds', help: 'STT.', quantiles: [0.5, 0.99] });
    for (const s of [0.5, 1, 1.5, 2]) latency.observe(s);
    const reporter = reporterFor(registry);
    expect(await reporter.report()).toEqual(SUCCESS);
    await reporter.close();

    const calls = await rows('SELECT * FROM callbot_calls_total');
    calls.sort((a, b) => String(a.provider).localeCompare(String(b.provider)));
    expect(calls).toEqual([
      { time: T0, provider: 'google', note: 'space here, comma=equals', value: 13 },
      { time: T0, provider: 'openai', note: 'café ✓ "quoted"', value: 26 },
    ]);
    expect(await rows('SELECT * FROM callbot_active_calls')).toEqual([{ time: T0, value: 7.25 }]);
    const snapshot = latency.get();
    expect(await rows('SELECT * FROM callbot_stt_seconds')).toEqual([
      {
        time: T0,
        count: 4,
        sum: 5,
        min: 0.5,
        max: 2,
        mean: 1.25,
        std: snapshot.std,
        p50: snapshot.p50,
        p99: snapshot.p99,
      },
    ]);
  });

  it('queues raw lines with write() and sends them in batches of batchSize', async () => {
    const registry = new Registry({ clock: new ManualClock(T0) });
    const reporter = reporterFor(registry, { batchSize: 2 });
    for (let i = 0; i < 5; i++) {
      reporter.write(`latency_event,operation=stt,provider=google latency_ms=${1000 + i},ok=true ${T0 + i}`);
    }
    expect(await reporter.flush()).toEqual(SUCCESS);
    const read = await rows('SELECT latency_ms FROM latency_event');
    expect(read.map((r) => [r.time, r.latency_ms])).toEqual([0, 1, 2, 3, 4].map((i) => [T0 + i, 1000 + i]));
    await reporter.close();
  });

  it('counts a write refused for bad credentials (401) as dropped, once, without retrying', async () => {
    vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const registry = new Registry({ clock: new ManualClock(T0) });
    registry.gauge({ name: 'refused_gauge' }).set(1);
    const reporter = reporterFor(registry, { password: 'wrong', retry: { maxAttempts: 3 } });
    const result = await reporter.report();
    expect(result).toMatchObject({ code: 'failure', reason: 'http_4xx' });
    expect(result.code !== 'success' && result.message).toContain('401');
    expect(result.code !== 'success' && result.message).not.toContain('wrong');
    const failures = registry.getMetric('vigil_push_failures_total') as Counter;
    expect(failures.get({ reporter: 'influxdb', reason: 'http_4xx' })).toBe(1);
    const dropped = registry.getMetric('vigil_push_dropped_total') as Counter;
    expect(dropped.get({ reporter: 'influxdb', reason: 'http_4xx' })).toBe(1);
    expect(await rows('SELECT * FROM refused_gauge')).toEqual([]);
    vi.restoreAllMocks();
  });

  it('gets a final 404 from the 2.x API, which 1.6 does not have (it came with 1.8)', async () => {
    vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const registry = new Registry({ clock: new ManualClock(T0) });
    registry.gauge({ name: 'v2_gauge' }).set(1);
    const reporter = new InfluxReporter({
      registry,
      env: {
        INFLUXDB_URL: url,
        INFLUXDB_TOKEN: `${ADMIN.u}:${ADMIN.p}`,
        INFLUXDB_ORG: 'o',
        INFLUXDB_BUCKET: 'vigil',
      },
    });
    expect(await reporter.report()).toMatchObject({ code: 'failure', reason: 'http_4xx' });
    expect(await rows('SELECT * FROM v2_gauge')).toEqual([]);
    vi.restoreAllMocks();
  });
});
