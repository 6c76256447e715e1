import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry, toProtobuf } from '@vigil/metrics';
import { loadConfig, type RunningServer, serve } from '@vigil/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseProtobufExposition } from '../../packages/server/src/ingest/protobuf-exposition.js';
import { encodeRemoteWrite } from '../../packages/server/src/ingest/remote-write.js';
import type { SeriesHistograms } from '../../packages/server/src/store/series-store.js';
import { until } from '../support/until.js';
import type { PeerProcess } from './peer-process.js';
import { startPrometheus } from './prometheus-peer.js';

/**
 * vigil with Debian's Prometheus 2.42 as its remote backend, started with
 * `--enable-feature=native-histograms --web.enable-remote-write-receiver`: native histograms written
 * into vigil go out in `TimeSeries.histograms` through the on-disk queue, and Prometheus stores
 * them as native histograms, queried directly and through vigil's remote engine.
 */
const work = mkdtempSync(join(tmpdir(), 'vigil-remote-prom-'));
let prometheus: PeerProcess;
let promUrl: string;
let vigil: RunningServer;

beforeAll(async () => {
  ({ prometheus, url: promUrl } = await startPrometheus(work, 'global:\n  scrape_interval: 1m\n', [
    '--enable-feature=native-histograms',
    '--web.enable-remote-write-receiver',
  ]));
  vigil = await serve(
    loadConfig(
      { listen: '127.0.0.1:0', data: join(work, 'vigil'), statsd: 'off' },
      { VIGIL_REMOTE_WRITE_URL: `${promUrl}/api/v1/write`, VIGIL_REMOTE_QUERY_URL: promUrl },
    ),
  );
}, 60_000);

afterAll(async () => {
  await vigil?.close();
  await prometheus?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** The histogram of a @vigil/metrics histogram after each batch of `batches`, as the server reads it from protobuf. */
async function libraryHistograms(
  batches: readonly (readonly number[])[],
  labels: Record<string, string>,
  t0: number,
) {
  const registry = new Registry();
  const h = registry.histogram({ name: 'h', help: 'h' });
  const series: SeriesHistograms = { labels, timestamps: [], histograms: [] };
  for (const [i, batch] of batches.entries()) {
    for (const v of batch) h.observe(v);
    const [read] = parseProtobufExposition(toProtobuf(await registry.snapshot({ native: true }))).histograms;
    (series.timestamps as number[]).push(t0 + i * 15_000);
    (series.histograms as unknown[]).push(read!.histogram);
  }
  return series;
}

async function query(base: string, expr: string, time: number): Promise<Record<string, string>> {
  const res = await fetch(
    `${base}/api/v1/query?${new URLSearchParams({ query: expr, time: String(time / 1000) })}`,
  );
  const body = (await res.json()) as {
    status: string;
    error?: string;
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  expect(body.status, body.error).toBe('success');
  return Object.fromEntries(body.data.result.map((r) => [r.metric.route ?? '', r.value[1]]));
}

describe('native histograms to Prometheus 2.42 by remote write', () => {
  it('arrive as native histograms whose histogram_count and histogram_sum are the ones written', async () => {
    const t0 = Math.floor(Date.now() / 1000) * 1000 - 60_000;
    // Latencies with powers of two and integers on bucket boundaries, and a zero.
    const pay = await libraryHistograms(
      [
        [0.001, 0.002, 0.25, 0.5, 1, 1],
        [2, 3, 4, 0.125],
        [0, 8, 0.003],
      ],
      { __name__: 'rpc_seconds', route: '/pay' },
      t0,
    );
    const search = await libraryHistograms(
      [[0.04, 0.05], [0.06]],
      { __name__: 'rpc_seconds', route: '/search' },
      t0,
    );
    const res = await fetch(`${vigil.url}/api/v1/write`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy' },
      body: encodeRemoteWrite([], [pay, search]),
    });
    expect(res.status).toBe(204);
    const at = t0 + 30_000;
    await until('Prometheus has the histograms', async () => {
      const counts = await query(promUrl, 'histogram_count(rpc_seconds)', at);
      return Object.keys(counts).length === 2 ? counts : undefined;
    });
    const last = (s: SeriesHistograms) => s.histograms[s.histograms.length - 1]!;
    for (const base of [promUrl, vigil.url]) {
      expect(await query(base, 'histogram_count(rpc_seconds)', at)).toEqual({
        '/pay': String(last(pay).count),
        '/search': String(last(search).count),
      });
      const sums = await query(base, 'histogram_sum(rpc_seconds)', at);
      expect(Number(sums['/pay'])).toBe(last(pay).sum);
      expect(Number(sums['/search'])).toBe(last(search).sum);
    }
    // Each of the five samples is a native histogram in Prometheus, not a float.
    const raw = await fetch(
      `${promUrl}/api/v1/query?${new URLSearchParams({ query: 'rpc_seconds[1m]', time: String(at / 1000) })}`,
    );
    const matrix = (await raw.json()) as {
      data: { result: { histograms?: unknown[]; values?: unknown[] }[] };
    };
    expect(matrix.data.result.map((r) => r.histograms?.length ?? 0).sort()).toEqual([2, 3]);
    expect(matrix.data.result.every((r) => r.values === undefined)).toBe(true);
    // A histogram answer comes back through vigil's remote engine as Prometheus gave it.
    const histogramOf = async (base: string, expr: string) => {
      const url = `${base}/api/v1/query?${new URLSearchParams({ query: expr, time: String(at / 1000) })}`;
      const body = (await (await fetch(url)).json()) as {
        data: { result: { histogram: [number, { count: string; sum: string; buckets: string[][] }] }[] };
      };
      return body.data.result.map((r) => r.histogram);
    };
    const searchSelector = 'rpc_seconds{route="/search"}';
    expect(await histogramOf(vigil.url, searchSelector)).toEqual(await histogramOf(promUrl, searchSelector));
    // The zero bucket's bound, 2^-1022, is written 2.2250738585072014e-308 by Prometheus and in full by
    // vigil: the same number.
    const numbers = (h: Awaited<ReturnType<typeof histogramOf>>) =>
      JSON.parse(JSON.stringify(h), (_, v) => (typeof v === 'string' ? Number(v) : v));
    const paySelector = 'rpc_seconds{route="/pay"}';
    expect(numbers(await histogramOf(vigil.url, paySelector))).toEqual(
      numbers(await histogramOf(promUrl, paySelector)),
    );
    const sent = await (await fetch(`${vigil.url}/metrics`)).text();
    expect(sent).toMatch(/^vigil_remote_sent_samples_total 5$/m);
  });
});
