import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry, toPrometheusText } from '@vigil/metrics';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { until } from '../../../../test/support/until.js';
import { decodeRemoteWrite } from '../../src/ingest/remote-write.js';
import { QueueFullError } from '../../src/remote/queue-full-error.js';
import { RemoteStore } from '../../src/remote/remote-store.js';
import { SegmentQueue } from '../../src/remote/segment-queue.js';
import type { NativeHistogram } from '../../src/store/native-histogram.js';
import type { SeriesHistograms } from '../../src/store/series-store.js';

/**
 * The distributed backend's write side against a loopback receiver that answers what each test
 * tells it: order, retries with backoff (the waits recorded, never slept), drops on 4xx, the
 * bounded queue, and replay after a restart. The interop suite runs it against VictoriaMetrics.
 */
let dir: string;
let server: Server;
let url: string;
let statuses: number[];
let received: { name: string; t: number[]; v: number[] }[][];
let receivedHistograms: SeriesHistograms[][];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-remote-'));
  statuses = [];
  received = [];
  receivedHistograms = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = statuses.shift() ?? 204;
      if (status === 204) {
        const decoded = decodeRemoteWrite(Buffer.concat(chunks));
        received.push(
          decoded.series.map((s) => ({
            name: s.labels.__name__!,
            t: Array.from(s.timestamps),
            v: Array.from(s.values),
          })),
        );
        receivedHistograms.push(decoded.histogramSeries);
      }
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

function open(registry = new Registry(), waits: number[] = [], queueMaxBytes = 1_048_576) {
  return new RemoteStore({
    writeUrl: `${url}/api/v1/write`,
    queryUrl: url,
    queueDir: join(dir, 'queue'),
    queueMaxBytes,
    registry,
    sleep: async (ms) => {
      waits.push(ms);
    },
  });
}

const batch = (name: string, t: number, v: number) => [
  { labels: { __name__: name, job: 'j' }, timestamps: [t], values: Float64Array.of(v) },
];

describe('RemoteStore writes', () => {
  it('sends every acknowledged batch in order, retrying 5xx and network errors with doubling backoff', async () => {
    const registry = new Registry();
    const waits: number[] = [];
    statuses = [503, 500, 429];
    const store = open(registry, waits);
    for (let i = 0; i < 3; i++)
      expect(await store.append(batch('a', 1000 + i, i))).toEqual({ accepted: 1, rejected: {} });
    await until('three batches received', () => received.length === 3, { intervalMs: 10 });
    expect(received.map((r) => r[0]!.v[0])).toEqual([0, 1, 2]);
    expect(waits).toEqual([100, 200, 400]);
    // The last answer may still be on its way back to the writer: closing waits for it.
    await store.close();
    const text = toPrometheusText(await registry.snapshot());
    expect(text).toContain('vigil_remote_sent_samples_total 3');
    expect(text).toContain('vigil_remote_failed_requests_total{reason="http_503"} 1');
    expect(text).toContain('vigil_remote_failed_requests_total{reason="http_429"} 1');
    expect(text).toContain('vigil_remote_queue_segments 0');
  });

  it('sends native histograms as TimeSeries.histograms, counted as samples', async () => {
    const registry = new Registry();
    const store = open(registry);
    const h: NativeHistogram = {
      kind: 'int',
      schema: 6,
      zeroThreshold: 2.2250738585072014e-308,
      zeroCount: 1,
      count: 4,
      sum: 3.5,
      positiveSpans: [{ offset: 64, length: 2 }],
      positiveDeltas: [2, -1],
      negativeSpans: [],
      negativeDeltas: [],
      counterResetHint: 'unknown',
    };
    const series = {
      labels: { __name__: 'rpc_seconds', job: 'j' },
      timestamps: [1000, 2000],
      histograms: [h, h],
    };
    expect(await store.appendHistograms([series])).toEqual({ accepted: 2, rejected: {} });
    await until('the histogram batch received', () => receivedHistograms.length === 1, { intervalMs: 10 });
    expect(receivedHistograms[0]).toEqual([series]);
    expect(received[0]).toEqual([]);
    await store.close();
    expect(toPrometheusText(await registry.snapshot())).toContain('vigil_remote_sent_samples_total 2');
  });

  it('drops a batch the remote refuses for good (400) and counts it, then goes on', async () => {
    const registry = new Registry();
    statuses = [400];
    const store = open(registry);
    await store.append(batch('bad', 1000, 1));
    await store.append(batch('good', 1000, 2));
    await until('a batch received', () => received.length === 1, { intervalMs: 10 });
    expect(received[0]![0]!.name).toBe('good');
    expect(toPrometheusText(await registry.snapshot())).toContain(
      'vigil_remote_dropped_samples_total{status="400"} 1',
    );
    await store.close();
  });

  it('keeps what the remote has not taken on disk across a restart, and sends it after', async () => {
    statuses = Array.from({ length: 1000 }, () => 503);
    const first = open();
    await first.append(batch('kept', 1000, 1));
    await first.append(batch('kept', 2000, 2));
    await first.close();
    expect(received).toEqual([]);
    // A crash between writing and renaming leaves a .tmp: it was never acknowledged and is not sent.
    writeFileSync(join(dir, 'queue', '0000000000000099-1.rw.tmp'), 'half');
    statuses = [];
    const second = open();
    await until('two batches received', () => received.length === 2, { intervalMs: 10 });
    expect(received.map((r) => r[0]!.t[0])).toEqual([1000, 2000]);
    // The last answer may still be on its way back to the writer: closing waits for it.
    await second.close();
    expect(readdirSync(join(dir, 'queue'))).toEqual([]);
  });

  it('refuses ingest with QueueFullError once the queue is full, and counts the samples', async () => {
    statuses = Array.from({ length: 100_000 }, () => 503);
    const registry = new Registry();
    const store = open(registry, [], 1_048_576);
    const big = Array.from({ length: 2_000 }, (_, i) => ({
      labels: { __name__: 'wide', i: String(i), pad: 'x'.repeat(200) },
      timestamps: [1000],
      values: Float64Array.of(i),
    }));
    let refused: unknown;
    for (let k = 0; k < 50 && !refused; k++)
      refused = await store.append(big).then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(refused).toBeInstanceOf(QueueFullError);
    expect((refused as Error).message).toMatch(/remote-write queue is full .* remote\.queueMaxBytes/);
    expect(toPrometheusText(await registry.snapshot())).toContain('vigil_remote_rejected_samples_total 2000');
    await store.close();
  });
});

describe('SegmentQueue', () => {
  it('finds its segments again in order after being reopened', () => {
    const a = new SegmentQueue(join(dir, 'q'), 1_048_576);
    a.push(Uint8Array.of(1), 1);
    a.push(Uint8Array.of(2, 2), 5);
    const b = new SegmentQueue(join(dir, 'q'), 1_048_576);
    expect([b.length, b.samples, b.bytes]).toEqual([2, 6, 3]);
    expect(Array.from(b.read(b.peek()!))).toEqual([1]);
    b.shift();
    b.push(Uint8Array.of(3), 1);
    const c = new SegmentQueue(join(dir, 'q'), 1_048_576);
    expect([c.peek()!.samples, c.length]).toEqual([5, 2]);
  });
});
