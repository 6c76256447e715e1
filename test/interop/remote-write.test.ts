import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRemoteWrite, encodeRemoteWrite } from '../../packages/server/src/ingest/remote-write.js';
import {
  type SeriesSamples,
  STALE_NAN_BITS,
  staleNaN,
} from '../../packages/server/src/store/series-store.js';
import { freePort } from '../support/free-port.js';
import { until } from '../support/until.js';

/**
 * A real Prometheus 2.42 (Debian's, from scripts/install-peers.sh) on both sides of remote write:
 * its receiver (`--web.enable-remote-write-receiver`) must store what encodeRemoteWrite sends, and
 * its sender (a `remote_write` to a capture server here) must produce what decodeRemoteWrite reads,
 * Go's snappy copies and Go's protobuf included. Flags and readiness: shared/peers README §2 and §5.
 */
const work = mkdtempSync(join(tmpdir(), 'vigil-remote-write-'));
const captured: { headers: Record<string, string | string[] | undefined>; body: Buffer }[] = [];
let capture: Server;
let prometheus: ChildProcess | undefined;
let base = '';
let startedAt = 0;

const prometheusLog = () =>
  `Prometheus log:\n${readFileSync(join(work, 'prometheus.log'), 'utf8').split('\n').slice(-15).join('\n')}`;

async function query(
  expr: string,
  timeMs: number,
): Promise<{ metric: Record<string, string>; values?: [number, string][]; value?: [number, string] }[]> {
  const url = `${base}/api/v1/query?query=${encodeURIComponent(expr)}&time=${timeMs / 1000}`;
  const body = (await (await fetch(url)).json()) as { status: string; data: { result: never[] } };
  if (body.status !== 'success') throw new Error(JSON.stringify(body));
  return body.data.result;
}

/** Prometheus writes +Inf, -Inf and NaN as such in JSON values. */
function promValue(text: string): number {
  return text === '+Inf' ? Infinity : text === '-Inf' ? -Infinity : Number(text);
}

function bits(value: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  return view.getBigUint64(0);
}

beforeAll(async () => {
  const version = spawnSync('prometheus', ['--version'], { encoding: 'utf8' });
  if (version.error || version.status !== 0) {
    throw new Error('prometheus is not installed: run scripts/install-peers.sh (npm run test:interop does)');
  }
  capture = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      captured.push({ headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => capture.listen(0, '127.0.0.1', resolve));
  const capturePort = (capture.address() as AddressInfo).port;
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const config = join(work, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      'scrape_configs:',
      `  - { job_name: self, static_configs: [{ targets: ['127.0.0.1:${port}'] }] }`,
      'remote_write:',
      `  - url: http://127.0.0.1:${capturePort}/receive`,
      '    queue_config: { batch_send_deadline: 500ms, min_backoff: 50ms, max_backoff: 500ms }',
      '',
    ].join('\n'),
  );
  const log = openSync(join(work, 'prometheus.log'), 'w');
  startedAt = Date.now();
  prometheus = spawn(
    'prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(work, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-remote-write-receiver',
    ],
    { stdio: ['ignore', log, log] },
  );
  await until('GET /-/ready', async () => ((await fetch(`${base}/-/ready`)).ok ? true : undefined), {
    timeoutMs: 30_000,
    context: prometheusLog,
  });
});

afterAll(async () => {
  if (prometheus?.pid !== undefined && prometheus.exitCode === null) {
    const exited = new Promise((resolve) => prometheus!.once('exit', resolve));
    prometheus.kill('SIGTERM');
    const timer = setTimeout(() => prometheus!.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  await new Promise((resolve) => capture?.close(resolve));
  rmSync(work, { recursive: true, force: true });
});

describe('Prometheus 2.42 remote write, both directions', () => {
  // Timestamps just behind now: never in the future (shared/peers README gotcha 3), and after the
  // start of Prometheus' WAL watcher, which forwards only samples newer than its own start.
  const now = () => Math.max(Date.now(), startedAt + 2_000);
  let sentAt = 0;
  let sent: SeriesSamples[] = [];

  it('stores what encodeRemoteWrite sends: values, infinities, NaN, -0, unicode labels, the staleness marker', async () => {
    const wait = startedAt + 2_000 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    sentAt = now() - 1_000;
    const t = (i: number) => sentAt + i * 100;
    sent = [
      {
        labels: { __name__: 'vigil_rw_test', kind: 'values', text: 'ü 🚀 "quoted" \\ back\nslash' },
        timestamps: [t(0), t(1), t(2), t(3), t(4), t(5), t(6)],
        values: Float64Array.of(0.1, -2.5, 1e21, Infinity, -Infinity, Number.NaN, -0),
      },
      {
        labels: { __name__: 'vigil_rw_test', kind: 'stale', empty: '' },
        timestamps: [t(0), t(5)],
        values: Float64Array.of(7, staleNaN()),
      },
    ];
    const response = await fetch(`${base}/api/v1/write`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-protobuf',
        'Content-Encoding': 'snappy',
        'X-Prometheus-Remote-Write-Version': '0.1.0',
      },
      body: encodeRemoteWrite(sent),
    });
    expect(response.status, await response.text()).toBe(204);

    const values = await until(
      'the values series',
      async () => {
        const result = await query('vigil_rw_test{kind="values"}[1m]', t(6));
        return result.length === 1 ? result[0] : undefined;
      },
      { timeoutMs: 10_000, context: prometheusLog },
    );
    expect(values.metric).toEqual(sent[0]!.labels);
    expect(values.values!.map(([ts]) => Math.round(ts * 1000))).toEqual(Array.from(sent[0]!.timestamps));
    const read = values.values!.map(([, v]) => promValue(v));
    for (const [i, v] of read.entries())
      expect(Object.is(v, sent[0]!.values[i]), `sample ${i}: ${v}`).toBe(true);

    // The staleness marker ends the series: a range selector drops it, an instant query after it finds nothing.
    const stale = await query('vigil_rw_test{kind="stale"}[1m]', t(6));
    expect(stale).toEqual([
      { metric: { __name__: 'vigil_rw_test', kind: 'stale' }, values: [[t(0) / 1000, '7']] },
    ]);
    expect(await query('vigil_rw_test{kind="stale"}', t(4))).toMatchObject([{ value: [t(4) / 1000, '7'] }]);
    expect(await query('vigil_rw_test{kind="stale"}', t(6))).toEqual([]);
  });

  it("decodes Prometheus' own remote write of its scrapes (Go snappy, Go protobuf)", async () => {
    const up = await until(
      'a remote-write request carrying up{job="self"}',
      async () => {
        for (const request of captured) {
          const found = decodeRemoteWrite(request.body).series.find(
            (s) => s.labels.__name__ === 'up' && s.labels.job === 'self',
          );
          if (found) return found;
        }
        return undefined;
      },
      { timeoutMs: 30_000, context: prometheusLog },
    );
    expect(up.labels).toEqual({ __name__: 'up', instance: `${base.slice('http://'.length)}`, job: 'self' });
    expect([...up.values].every((v) => v === 1)).toBe(true);
    const headers = captured[0]!.headers;
    expect(headers['content-encoding']).toBe('snappy');
    expect(headers['content-type']).toBe('application/x-protobuf');
    expect(headers['x-prometheus-remote-write-version']).toBe('0.1.0');
    // Real traffic: hundreds of series per request, and our encoder gives back the same request.
    const biggest = captured.reduce((a, b) => (b.body.length > a.body.length ? b : a));
    const decoded = decodeRemoteWrite(biggest.body);
    expect(decoded.series.length).toBeGreaterThan(100);
    expect(decodeRemoteWrite(encodeRemoteWrite(decoded.series)).series).toEqual(decoded.series);
  });

  it('forwards the samples we sent back out unchanged, the staleness marker bit for bit', async () => {
    // A series' samples may be split over several requests: gather them per series. Values are
    // kept as bits read straight from the Float64Array: a NaN copied into a JS array as a number can
    // come out quieted (0x7ff8…), which is the test's doing, not the decoder's.
    const forwarded = await until(
      'our series in Prometheus remote write',
      async () => {
        const found = new Map<
          string,
          { labels: SeriesSamples['labels']; timestamps: number[]; bits: bigint[] }
        >();
        for (const request of captured) {
          for (const s of decodeRemoteWrite(request.body).series) {
            if (s.labels.__name__ !== 'vigil_rw_test') continue;
            const entry = found.get(s.labels.kind!) ?? { labels: s.labels, timestamps: [], bits: [] };
            entry.timestamps.push(...s.timestamps);
            const values = s.values as Float64Array;
            entry.bits.push(...new BigUint64Array(values.buffer, values.byteOffset, values.length));
            found.set(s.labels.kind!, entry);
          }
        }
        return found.get('values')?.bits.length === 7 && found.get('stale')?.bits.length === 2
          ? found
          : undefined;
      },
      { timeoutMs: 30_000, context: prometheusLog },
    );
    const values = forwarded.get('values')!;
    expect(values.timestamps).toEqual(Array.from(sent[0]!.timestamps));
    // All but -0: Prometheus' gogo-protobuf Marshal skips a double field that `!= 0`, so -0 goes out as
    // an absent field and arrives as +0 (the query API above still returned -0).
    const sentBits = [...new BigUint64Array((sent[0]!.values as Float64Array).buffer)];
    expect(values.bits).toEqual(sentBits.map((b) => (b === 1n << 63n ? 0n : b)));
    const stale = forwarded.get('stale')!;
    expect(stale.labels).toEqual({ __name__: 'vigil_rw_test', kind: 'stale' });
    expect(stale.bits).toEqual([bits(7), STALE_NAN_BITS]);
  });
});
