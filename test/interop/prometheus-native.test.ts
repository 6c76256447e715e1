import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exposeFrom, Registry } from '@vigil/metrics';
import { loadConfig, type RunningServer, serve } from '@vigil/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../support/until.js';
import type { PeerProcess } from './peer-process.js';
import { startPrometheus } from './prometheus-peer.js';

/**
 * Debian's Prometheus 2.42 with `--enable-feature=native-histograms` scrapes a @vigil/metrics endpoint
 * by protobuf and remote-writes what it stores, native histograms included, into vigil.
 */
const work = mkdtempSync(join(tmpdir(), 'vigil-prom-native-'));
const library = new Registry();
const accepts: string[] = [];
let endpoint: Server;
let vigil: RunningServer;
let prometheus: PeerProcess;
let promUrl: string;
const VALUES = [0.001, 0.002, 0.004, 0.25, 0.5, 1, 1, 2, 3, 4, 8];

beforeAll(async () => {
  const h = library.histogram({ name: 'rpc_seconds', help: 'RPC latency.', labelNames: ['op'] });
  for (const v of VALUES) h.observe({ op: 'get' }, v);
  library.counter({ name: 'rpc_total', help: 'RPCs.' }).inc(VALUES.length);
  endpoint = createServer(async (req, res) => {
    accepts.push(req.headers.accept ?? '');
    const { contentType, body } = await exposeFrom(library, req.headers.accept);
    res.setHeader('content-type', contentType);
    res.end(body);
  });
  await new Promise<void>((r) => endpoint.listen(0, '127.0.0.1', r));
  vigil = await serve(loadConfig({ listen: '127.0.0.1:0', data: join(work, 'vigil'), statsd: 'off' }, {}));
  ({ prometheus, url: promUrl } = await startPrometheus(
    work,
    `global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: library
    static_configs:
      - targets: ['127.0.0.1:${(endpoint.address() as { port: number }).port}']
remote_write:
  - url: ${vigil.url}/api/v1/write
    send_native_histograms: true
    queue_config:
      batch_send_deadline: 1s
      min_backoff: 100ms
      max_backoff: 1s
`,
    ['--enable-feature=native-histograms'],
  ));
}, 60_000);

afterAll(async () => {
  await prometheus?.stop();
  await vigil?.close();
  await new Promise<void>((r) => (endpoint ? endpoint.close(() => r()) : r()));
  rmSync(work, { recursive: true, force: true });
});

async function promQuery(expr: string): Promise<string | undefined> {
  const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
  return body.data.result[0]?.value[1];
}

describe('Prometheus 2.42 with native histograms and @vigil/metrics', () => {
  it('scrapes the library by protobuf without error and reads its native histogram', async () => {
    const target = await until(
      'the library target to be scraped',
      async () => {
        const body = (await (await fetch(`${promUrl}/api/v1/targets`)).json()) as {
          data: { activeTargets: { health: string; lastError: string }[] };
        };
        const t = body.data.activeTargets[0];
        return t && t.health !== 'unknown' ? t : undefined;
      },
      { context: () => prometheus.output().slice(-2000) },
    );
    expect(target).toMatchObject({ health: 'up', lastError: '' });
    expect(accepts[0]).toMatch(/^application\/vnd\.google\.protobuf/);
    // histogram_count and histogram_sum exist only for native histograms.
    const count = await until('histogram_count', () => promQuery('histogram_count(rpc_seconds{op="get"})'), {
      context: () => prometheus.output().slice(-2000),
    });
    expect(Number(count)).toBe(VALUES.length);
    const sum = await promQuery('histogram_sum(rpc_seconds{op="get"})');
    expect(Number(sum)).toBeCloseTo(
      VALUES.reduce((a, b) => a + b, 0),
      9,
    );
    expect(await promQuery('rpc_total')).toBe(String(VALUES.length));
  });

  it('remote-writes the native histogram into vigil, where it is stored as one', async () => {
    const stored = await until(
      'a remote-written native histogram in vigil',
      async () => {
        const series = await vigil.store.selectHistograms!(
          [{ name: '__name__', type: '=', value: 'rpc_seconds' }],
          0,
          Date.now() + 60_000,
        );
        return series.length > 0 ? series : undefined;
      },
      { context: () => prometheus.output().slice(-2000) },
    );
    expect(stored[0]!.labels).toMatchObject({ __name__: 'rpc_seconds', op: 'get', job: 'library' });
    expect(stored[0]!.histograms[0]).toMatchObject({ schema: 6, count: VALUES.length });
  });
});
